/*
 * Tests: opens a stopped member's store (DIR/member/db, recovering it as
 * stored would) and prints "rev R index I compact C hash H dbhash D", with
 * etcd's HashKV at --rev R (default: the current revision) and etcd's Hash
 * of the whole store. Integration tests compare members with it. With
 * --restore SNAPSHOT NEW-DIR it first restores a snapshot stored sent
 * into a new data dir, and hashes that.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "shared/err.h"
#include "stored/mvcc.h"
#include "stored/snapshot.h"

static int
file_source(void *arg, uint8_t *p, size_t n)
{
	return fread(p, 1, n, arg) == n ? 0 : CAIRN_ECORRUPT;
}

int
main(int argc, char **argv)
{
	char path[4096], err[512];
	struct mvcc s;
	int64_t rev = 0, crev;
	uint32_t hash, dbhash = 0;
	int rc;

	if (argc == 4 && strcmp(argv[1], "--restore") == 0) {
		/* A snapshot restored into a new data dir, then hashed. */
		FILE *f = fopen(argv[2], "rb");

		snprintf(path, sizeof(path), "%s/member", argv[3]);
		if (f == NULL || mkdir(argv[3], 0700) != 0 || mkdir(path, 0700) != 0) {
			fprintf(stderr, "store_hash: cannot restore %s into %s\n", argv[2], argv[3]);
			return 1;
		}
		snprintf(path, sizeof(path), "%s/member/db", argv[3]);
		if (mkdir(path, 0700) != 0) {
			fprintf(stderr, "store_hash: cannot create %s\n", path);
			return 1;
		}
		rc = snapshot_restore(file_source, f, path, err, sizeof(err));
		fclose(f);
		if (rc != 0) {
			fprintf(stderr, "store_hash: %s\n", err);
			return 1;
		}
		argv[1] = argv[3];
	} else if (argc == 4 && strcmp(argv[2], "--rev") == 0)
		rev = strtoll(argv[3], NULL, 10);
	else if (argc != 2) {
		fprintf(stderr, "usage: store_hash DATA-DIR [--rev R] | --restore SNAPSHOT NEW-DIR\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/member/db", argv[1]);
	if (mvcc_open(&s, path, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_hash: %s\n", err);
		return 1;
	}
	rc = mvcc_hash_kv(&s, rev, &hash, &crev);
	if (rc == 0)
		rc = mvcc_hash(&s, &dbhash);
	if (rc != 0)
		fprintf(stderr, "store_hash: %s\n", err_str(rc));
	else
		printf("rev %" PRId64 " index %" PRIu64 " compact %" PRId64 " hash %" PRIu32
		    " dbhash %" PRIu32 "\n", rev > 0 ? rev : s.rev, s.ci, crev, hash, dbhash);
	mvcc_close(&s);
	return rc == 0 ? 0 : 1;
}
