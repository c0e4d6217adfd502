/*
 * raftd: wal_fs over POSIX files: openat() relative to the WAL directory,
 * fdatasync for data, fsync on the directory for names, and
 * posix_fallocate so a segment's blocks exist before the first append.
 */
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "raftd/wal_fs_posix.h"
#include "shared/assert.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

#define WAL_FS_POSIX_DIR_MODE 0700
#define WAL_FS_POSIX_FILE_MODE 0600

struct wal_fs_posix {
	char *dir;
	int dirfd;              /* -1 until the directory is known to exist */
};

struct wal_file {
	int fd;
};

static int
posix_err(const char *what, const char *name)
{
	/* A missing name is an answer, not a failure: the caller decides. */
	if (errno == ENOENT)
		return CAIRN_ENOENT;
	log_warn("wal fs: %s %s", what, name);
	return CAIRN_EIO;
}

static int
posix_dirfd(struct wal_fs_posix *p)
{
	if (p->dirfd >= 0)
		return 0;
	p->dirfd = open(p->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->dirfd < 0)
		return posix_err("open directory", p->dir);
	return 0;
}

/* The new directory's own entry lives in its parent: sync that too. */
static int
posix_mkdir(void *ctx)
{
	struct wal_fs_posix *p = ctx;
	char *copy;
	int pfd, rc = 0;

	/* Open already (wal_fs_posix_prepare): it exists, and its path may
	 * be out of our reach now. */
	if (p->dirfd >= 0)
		return 0;
	copy = xstrdup(p->dir);
	if (mkdir(p->dir, WAL_FS_POSIX_DIR_MODE) != 0 && errno != EEXIST) {
		rc = posix_err("mkdir", p->dir);
		goto fail;
	}
	pfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0 || fsync(pfd) != 0)
		rc = posix_err("sync parent of", p->dir);
	if (pfd >= 0)
		close(pfd);
	if (rc == 0)
		rc = posix_dirfd(p);
fail:
	free(copy);
	return rc;
}

static int
posix_open(void *ctx, const char *name, int create, struct wal_file **out)
{
	struct wal_fs_posix *p = ctx;
	int flags = O_RDWR | O_CLOEXEC, fd, rc;

	if ((rc = posix_dirfd(p)) != 0)
		return rc;
	if (create)
		flags |= O_CREAT | O_EXCL;
	fd = openat(p->dirfd, name, flags, WAL_FS_POSIX_FILE_MODE);
	if (fd < 0)
		return posix_err("open", name);
	*out = xmalloc(sizeof(**out));
	(*out)->fd = fd;
	return 0;
}

static int
posix_pwrite(void *ctx, struct wal_file *f, const void *buf, size_t len,
    uint64_t off)
{
	const uint8_t *b = buf;

	while (len > 0) {
		ssize_t n = pwrite(f->fd, b, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return posix_err("pwrite", "segment");
		b += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int
posix_pread(void *ctx, struct wal_file *f, void *buf, size_t len,
    uint64_t off, size_t *got)
{
	uint8_t *b = buf;

	*got = 0;
	while (*got < len) {
		ssize_t n = pread(f->fd, b + *got, len - *got,
		    (off_t)(off + *got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return posix_err("pread", "segment");
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	return 0;
}

static int
posix_sync(void *ctx, struct wal_file *f)
{
	if (fdatasync(f->fd) != 0)
		return posix_err("fdatasync", "segment");
	return 0;
}

static int
posix_prealloc(void *ctx, struct wal_file *f, uint64_t size)
{
	int e = posix_fallocate(f->fd, 0, (off_t)size);

	if (e != 0) {
		errno = e;
		return posix_err("posix_fallocate", "segment");
	}
	return 0;
}

static int
posix_truncate(void *ctx, struct wal_file *f, uint64_t size)
{
	if (ftruncate(f->fd, (off_t)size) != 0)
		return posix_err("ftruncate", "segment");
	return 0;
}

static int
posix_size(void *ctx, struct wal_file *f, uint64_t *out)
{
	struct stat st;

	if (fstat(f->fd, &st) != 0)
		return posix_err("fstat", "segment");
	*out = (uint64_t)st.st_size;
	return 0;
}

static void
posix_close(void *ctx, struct wal_file *f)
{
	close(f->fd);
	free(f);
}

static int
posix_list(void *ctx, char ***names, size_t *n)
{
	struct wal_fs_posix *p = ctx;
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int fd, rc;

	*names = NULL;
	*n = 0;
	if ((rc = posix_dirfd(p)) != 0)
		return rc;
	if ((fd = dup(p->dirfd)) < 0 || (d = fdopendir(fd)) == NULL)
		return posix_err("list", p->dir);
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*names = xrealloc(*names, cap * sizeof(**names));
		}
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	return 0;
}

static int
posix_unlink(void *ctx, const char *name)
{
	struct wal_fs_posix *p = ctx;
	int rc;

	if ((rc = posix_dirfd(p)) != 0)
		return rc;
	if (unlinkat(p->dirfd, name, 0) != 0)
		return posix_err("unlink", name);
	return 0;
}

static int
posix_rename(void *ctx, const char *from, const char *to)
{
	struct wal_fs_posix *p = ctx;
	int rc;

	if ((rc = posix_dirfd(p)) != 0)
		return rc;
	if (renameat(p->dirfd, from, p->dirfd, to) != 0)
		return posix_err("rename", from);
	return 0;
}

static int
posix_sync_dir(void *ctx)
{
	struct wal_fs_posix *p = ctx;
	int rc;

	if ((rc = posix_dirfd(p)) != 0)
		return rc;
	if (fsync(p->dirfd) != 0)
		return posix_err("fsync", p->dir);
	return 0;
}

static const struct wal_fs_ops posix_ops = {
	.mkdir = posix_mkdir,
	.open = posix_open,
	.pwrite = posix_pwrite,
	.pread = posix_pread,
	.sync = posix_sync,
	.prealloc = posix_prealloc,
	.truncate = posix_truncate,
	.size = posix_size,
	.close = posix_close,
	.list = posix_list,
	.unlink = posix_unlink,
	.rename = posix_rename,
	.sync_dir = posix_sync_dir,
};

void
wal_fs_posix_new(struct wal_fs *fs, const char *dir)
{
	struct wal_fs_posix *p = xcalloc(1, sizeof(*p));

	CAIRN_ASSERT(dir != NULL);
	p->dir = xstrdup(dir);
	p->dirfd = -1;
	fs->ops = &posix_ops;
	fs->ctx = p;
}

void
wal_fs_posix_free(struct wal_fs *fs)
{
	struct wal_fs_posix *p = fs->ctx;

	if (p == NULL)
		return;
	if (p->dirfd >= 0)
		close(p->dirfd);
	free(p->dir);
	free(p);
	fs->ctx = NULL;
}

/* Gives the directory and every file in it to uid:gid (through the
 * directory descriptor: the path may be closed to that user). */
static int
posix_chown_all(struct wal_fs_posix *p, uid_t uid, gid_t gid)
{
	struct dirent *de;
	DIR *d;
	int fd, rc = 0;

	if (fchown(p->dirfd, uid, gid) != 0)
		return posix_err("chown", p->dir);
	if ((fd = dup(p->dirfd)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return posix_err("list", p->dir);
	}
	while (rc == 0 && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' &&
		    fchownat(p->dirfd, de->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
			rc = posix_err("chown", de->d_name);
	closedir(d);
	return rc;
}

int
wal_fs_posix_prepare(struct wal_fs *fs, bool give, uid_t uid, gid_t gid)
{
	struct wal_fs_posix *p = fs->ctx;
	int rc = posix_mkdir(p);

	if (rc == 0 && give)
		rc = posix_chown_all(p, uid, gid);
	return rc;
}
