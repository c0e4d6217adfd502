/*
 * cairnctl: cairn's own snapshot files (stored/snapshot.h): telling them
 * from etcd's, restoring one into a directory with stored's code, and
 * the status etcdctl's snapshot status prints, read from such a copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "ctl/snap.h"
#include "shared/err.h"
#include "stored/bdb.h"
#include "stored/mvcc.h"
#include "stored/snapshot.h"

/* The bytes that tell a cairn stream from a bbolt file. */
#define SNAP_HEAD_BYTES 1

enum snap_kind
snap_kind_of(const char *path)
{
	uint8_t head[SNAP_HEAD_BYTES];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return SNAP_UNKNOWN;
	n = read(fd, head, sizeof(head));
	close(fd);
	if (n < 0)
		return SNAP_UNKNOWN;
	/* An empty file too: etcd's tools take it for a bolt file. */
	if (n == 0)
		return SNAP_BBOLT;
	/* A cairn stream starts with a piece record (type 1). */
	if (head[0] == 1)
		return SNAP_CAIRN;
	/* Whatever else it is, bolt's reader says what is wrong with it, as
	 * etcdctl would. */
	return SNAP_BBOLT;
}

static int
snap_file_source(void *arg, uint8_t *p, size_t n)
{
	return fread(p, 1, n, arg) == n ? 0 : CAIRN_ECORRUPT;
}

int
snap_cairn_restore(const char *path, const char *db_dir, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	int rc;

	if (f == NULL) {
		snprintf(err, errlen, "open %s: %s", path, ctl_strerror(errno));
		return -1;
	}
	rc = snapshot_restore(snap_file_source, f, db_dir, err, errlen);
	fclose(f);
	return rc == 0 ? 0 : -1;
}

static int
snap_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* Every record of every table: etcd counts every key of every bucket. */
static int
snap_count_records(struct mvcc *s, int64_t *n)
{
	const char *name;
	DB *db;

	*n = 0;
	for (size_t i = 0; (db = bdb_db_at(&s->db, i, &name)) != NULL; i++) {
		DB_BTREE_STAT *st = NULL;

		if (db->stat(db, NULL, &st, 0) != 0)
			return -1;
		*n += (int64_t)st->bt_ndata;
		free(st);
	}
	return 0;
}

int
snap_cairn_status(const char *path, struct snap_status *st, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096];
	struct mvcc s;
	int64_t in_use;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	snprintf(dir, sizeof(dir), "%s/cairnctl-status-XXXXXX", tmp != NULL && tmp[0] != '\0' ?
	    tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		snprintf(err, errlen, "mkdtemp %s: %s", dir, ctl_strerror(errno));
		return -1;
	}
	if (snap_cairn_restore(path, dir, err, errlen) != 0)
		goto out;
	if (mvcc_open(&s, dir, NULL, err, errlen) != 0)
		goto out;
	if (mvcc_hash(&s, &st->hash) != 0 || snap_count_records(&s, &st->total_key) != 0 ||
	    mvcc_db_size(&s, &st->total_size, &in_use) != 0)
		snprintf(err, errlen, "cannot read the snapshot's store");
	else
		rc = 0;
	st->revision = s.rev;
	mvcc_close(&s);
out:
	nftw(dir, snap_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
