/*
 * stored: a received snapshot, staged then installed (see snap_stage.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stored/mvcc.h"
#include "stored/snap_stage.h"
#include "stored/snapshot.h"
#include "shared/err.h"
#include "shared/fd_io.h"
#include "shared/log.h"

#define STAGE_READY_TMP SNAP_STAGE_DIR "/ready.tmp"
#define PATH_BYTES 512

/* The store's own files: what an install replaces. */
static bool
store_file(const char *name)
{
	return strcmp(name, "cairn.db") == 0 || strncmp(name, "log.", 4) == 0;
}

static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	int rc = fd >= 0 && fsync(fd) == 0 ? 0 : CAIRN_EIO;

	if (fd >= 0)
		close(fd);
	if (rc != 0)
		log_warn("cannot sync %s", dir);
	return rc;
}

/* A small file, durable once this returns 0. */
static int
write_mark(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int rc = fd >= 0 ? fd_write_all(fd, text, strlen(text)) : CAIRN_EIO;

	if (rc == 0 && fsync(fd) != 0)
		rc = CAIRN_EIO;
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		log_warn("cannot write %s", path);
	return rc;
}

static bool
exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

/* Removes the regular files of 'dir' that 'pick' picks (all: NULL). */
static int
remove_files(const char *dir, bool (*pick)(const char *))
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_BYTES];
	int rc = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : CAIRN_EIO;
	while ((de = readdir(d)) != NULL) {
		if (de->d_type == DT_DIR || (pick != NULL && !pick(de->d_name)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) != 0 && errno != ENOENT) {
			log_warn("cannot remove %s", path);
			rc = CAIRN_EIO;
		}
	}
	closedir(d);
	return rc;
}

/* The stage, whole or not, gone. */
static int
stage_remove(void)
{
	int rc = remove_files(SNAP_STAGE_DB, NULL);

	if (rc == 0 && rmdir(SNAP_STAGE_DB) != 0 && errno != ENOENT)
		rc = CAIRN_EIO;
	if (rc == 0)
		rc = remove_files(SNAP_STAGE_DIR, NULL);
	if (rc == 0 && rmdir(SNAP_STAGE_DIR) != 0 && errno != ENOENT)
		rc = CAIRN_EIO;
	if (rc != 0)
		log_warn("cannot remove %s", SNAP_STAGE_DIR);
	return rc;
}

void
snap_stage_init(struct snap_stage *st)
{
	st->fd = -1;
	st->got = st->total = 0;
}

void
snap_stage_drop(struct snap_stage *st)
{
	if (st->fd >= 0)
		close(st->fd);
	snap_stage_init(st);
	(void)stage_remove();
}

static int
stage_begin(struct snap_stage *st, uint64_t total)
{
	snap_stage_drop(st);
	if (mkdir(SNAP_STAGE_DIR, 0700) != 0 ||
	    (st->fd = open(SNAP_STAGE_STREAM, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0) {
		log_warn("cannot stage a snapshot in %s", SNAP_STAGE_DIR);
		(void)stage_remove();
		return CAIRN_EIO;
	}
	st->total = total;
	return 0;
}

static int
stream_read(void *arg, uint8_t *p, size_t n)
{
	return fd_read_all(*(int *)arg, p, n) == 0 ? 0 : CAIRN_ECORRUPT;
}

/* The whole stream is in: restores it, reads its consistent index, and
 * marks the stage whole. */
static int
stage_finish(struct snap_stage *st, uint64_t *ci, char *err, size_t errlen)
{
	struct mvcc s;
	char text[32];
	uint8_t extra;
	int rc;

	if (lseek(st->fd, 0, SEEK_SET) != 0 || mkdir(SNAP_STAGE_DB, 0700) != 0) {
		snprintf(err, errlen, "cannot restore the snapshot: %s", strerror(errno));
		return CAIRN_EIO;
	}
	if ((rc = snapshot_restore(stream_read, &st->fd, SNAP_STAGE_DB, err, errlen)) != 0)
		return rc;
	if (stream_read(&st->fd, &extra, 1) == 0) {
		snprintf(err, errlen, "bytes after the snapshot's SHA-256");
		return CAIRN_ECORRUPT;
	}
	if ((rc = mvcc_open(&s, SNAP_STAGE_DB, NULL, err, errlen)) != 0)
		return rc;
	*ci = s.ci;
	mvcc_close(&s);
	close(st->fd);
	st->fd = -1;
	if (unlink(SNAP_STAGE_STREAM) != 0)
		log_warn("cannot remove %s", SNAP_STAGE_STREAM);
	snprintf(text, sizeof(text), "%" PRIu64 "\n", *ci);
	if (write_mark(STAGE_READY_TMP, text) != 0 || rename(STAGE_READY_TMP, SNAP_STAGE_READY) != 0 ||
	    sync_dir(SNAP_STAGE_DIR) != 0) {
		snprintf(err, errlen, "cannot mark the staged snapshot whole");
		return CAIRN_EIO;
	}
	return 0;
}

int
snap_stage_part(struct snap_stage *st, pb_bytes_array_t *const *parts, pb_size_t n,
    size_t len, uint64_t offset, uint64_t total, bool *ready, uint64_t *ci, char *err,
    size_t errlen)
{
	int rc;

	*ready = false;
	snprintf(err, errlen, "a snapshot part out of order");
	if (offset == 0 && (total == 0 || total > SNAP_STAGE_BYTES_MAX))
		return CAIRN_EINVAL;
	if (offset == 0 && (rc = stage_begin(st, total)) != 0) {
		snprintf(err, errlen, "cannot stage the snapshot");
		return rc;
	}
	if (st->fd < 0 || offset != st->got || total != st->total || len > total - offset ||
	    len == 0)
		return CAIRN_EINVAL;
	for (pb_size_t i = 0; i < n; i++)
		if (fd_write_all(st->fd, parts[i]->bytes, parts[i]->size) != 0) {
			snprintf(err, errlen, "cannot write the snapshot: %s", strerror(errno));
			snap_stage_drop(st);
			return CAIRN_EIO;
		}
	st->got += len;
	if (st->got < st->total)
		return 0;
	if (fsync(st->fd) != 0)
		rc = CAIRN_EIO;
	else
		rc = stage_finish(st, ci, err, errlen);
	if (rc != 0) {
		snap_stage_drop(st);
		return rc;
	}
	*ready = true;
	return 0;
}

uint64_t
snap_stage_ready(void)
{
	FILE *f = fopen(SNAP_STAGE_READY, "r");
	unsigned long long ci = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%llu", &ci) != 1)
		ci = 0;
	fclose(f);
	return (uint64_t)ci;
}

/* Steps 3 and 4 (snap_stage.h). */
static int
install_move(void)
{
	DIR *d = opendir(SNAP_STAGE_DB);
	struct dirent *de;
	char path[PATH_BYTES];
	int rc = 0;

	if (d == NULL) {
		log_warn("cannot read %s", SNAP_STAGE_DB);
		return CAIRN_EIO;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (!store_file(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", SNAP_STAGE_DB, de->d_name);
		if (rename(path, de->d_name) != 0) {
			log_warn("cannot move %s into the store", path);
			rc = CAIRN_EIO;
		}
	}
	closedir(d);
	if (rc == 0 && (rc = sync_dir(".")) == 0) {
		if (unlink(SNAP_INSTALL_MARK) != 0)
			rc = CAIRN_EIO;
		else
			rc = sync_dir(".");
	}
	if (rc == 0)
		(void)stage_remove();
	return rc;
}

/* Step 2, then 3 and 4. */
static int
install_from_old(void)
{
	int rc = remove_files(".", store_file);

	if (rc == 0)
		rc = sync_dir(".");
	if (rc == 0)
		rc = write_mark(SNAP_STAGE_MOVING, "");
	if (rc == 0)
		rc = sync_dir(SNAP_STAGE_DIR);
	return rc != 0 ? rc : install_move();
}

int
snap_stage_install(void)
{
	int rc;

	if (snap_stage_ready() == 0)
		return CAIRN_ENOENT;
	if ((rc = write_mark(SNAP_INSTALL_MARK, "")) != 0 || (rc = sync_dir(".")) != 0)
		return rc;
	return install_from_old();
}

int
snap_stage_recover(void)
{
	if (exists(SNAP_INSTALL_MARK)) {
		log_info("finishing the install of a leader's snapshot cut short");
		return exists(SNAP_STAGE_MOVING) ? install_move() : install_from_old();
	}
	/* Received in part, or installed and not yet cleaned: no use now
	 * (a whole stage waits for raftd's word to install it). */
	if (exists(SNAP_STAGE_DIR) && (!exists(SNAP_STAGE_READY) || exists(SNAP_STAGE_MOVING)))
		return stage_remove();
	return 0;
}
