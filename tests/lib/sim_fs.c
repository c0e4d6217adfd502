/*
 * Tests and the simulator: the operations of the in-memory wal_fs. A
 * file is an inode with written and synced bytes; the directory maps
 * names to inodes, as it is now and as of the last directory sync.
 */
#include <stdlib.h>
#include <string.h>

#include "shared/assert.h"
#include "shared/err.h"
#include "shared/xmalloc.h"
#include "tests/lib/sim_fs_impl.h"

int
sim_fs_op(struct sim_fs *s)
{
	s->ops++;
	if (s->countdown > 0 && --s->countdown == 0)
		return CAIRN_EIO;
	return s->exists ? 0 : CAIRN_ENOENT;
}

struct sim_dirent *
sim_fs_lookup(struct sim_dir *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->ents[i].name, name) == 0)
			return &d->ents[i];
	return NULL;
}

void
sim_fs_resize(struct sim_inode *ino, size_t len)
{
	if (len > ino->cap) {
		size_t cap = ino->cap ? ino->cap : 4096;

		while (cap < len)
			cap *= 2;
		ino->data = xrealloc(ino->data, cap);
		ino->cap = cap;
	}
	if (len > ino->len)
		memset(ino->data + ino->len, 0, len - ino->len);
	ino->len = len;
}

static int
sim_mkdir(void *ctx)
{
	struct sim_fs *s = ctx;

	s->ops++;
	if (s->countdown > 0 && --s->countdown == 0)
		return CAIRN_EIO;
	s->exists = s->exists_durable = true;
	return 0;
}

static struct sim_inode *
sim_new_inode(struct sim_fs *s)
{
	if (s->inodes_n == s->inodes_cap) {
		s->inodes_cap = s->inodes_cap ? 2 * s->inodes_cap : 16;
		s->inodes = xrealloc(s->inodes,
		    s->inodes_cap * sizeof(*s->inodes));
	}
	return s->inodes[s->inodes_n++] = xcalloc(1, sizeof(struct sim_inode));
}

static int
sim_open(void *ctx, const char *name, int create, struct wal_file **out)
{
	struct sim_fs *s = ctx;
	struct sim_dirent *de;
	int rc;

	if ((rc = sim_fs_op(s)) != 0)
		return rc;
	CAIRN_ASSERT(strlen(name) < WAL_FS_NAME_BYTES_MAX);
	de = sim_fs_lookup(&s->cur, name);
	if (create) {
		if (de != NULL || s->cur.n == SIM_FS_NAMES_MAX)
			return CAIRN_EIO;
		de = &s->cur.ents[s->cur.n++];
		strcpy(de->name, name);
		de->ino = sim_new_inode(s);
	} else if (de == NULL) {
		return CAIRN_ENOENT;
	}
	*out = xmalloc(sizeof(**out));
	(*out)->ino = de->ino;
	return 0;
}

static int
sim_pwrite(void *ctx, struct wal_file *f, const void *buf, size_t len,
    uint64_t off)
{
	int rc;

	if ((rc = sim_fs_op(ctx)) != 0)
		return rc;
	if (off + len > f->ino->len)
		sim_fs_resize(f->ino, off + len);
	if (len > 0)
		memcpy(f->ino->data + off, buf, len);
	return 0;
}

static int
sim_pread(void *ctx, struct wal_file *f, void *buf, size_t len,
    uint64_t off, size_t *got)
{
	int rc;

	*got = 0;
	if ((rc = sim_fs_op(ctx)) != 0)
		return rc;
	if (off < f->ino->len)
		*got = f->ino->len - off < len ? f->ino->len - off : len;
	if (*got > 0)
		memcpy(buf, f->ino->data + off, *got);
	return 0;
}

static int
sim_sync(void *ctx, struct wal_file *f)
{
	struct sim_inode *ino = f->ino;
	int rc;

	if ((rc = sim_fs_op(ctx)) != 0)
		return rc;
	free(ino->synced);
	ino->synced = xmalloc(ino->len ? ino->len : 1);
	if (ino->len > 0)
		memcpy(ino->synced, ino->data, ino->len);
	ino->synced_len = ino->len;
	return 0;
}

static int
sim_prealloc(void *ctx, struct wal_file *f, uint64_t size)
{
	int rc;

	if ((rc = sim_fs_op(ctx)) != 0)
		return rc;
	if (size > f->ino->len)
		sim_fs_resize(f->ino, size);
	return 0;
}

static int
sim_truncate(void *ctx, struct wal_file *f, uint64_t size)
{
	int rc;

	if ((rc = sim_fs_op(ctx)) != 0)
		return rc;
	sim_fs_resize(f->ino, size);
	return 0;
}

static int
sim_size(void *ctx, struct wal_file *f, uint64_t *out)
{
	int rc;

	if ((rc = sim_fs_op(ctx)) != 0)
		return rc;
	*out = f->ino->len;
	return 0;
}

static void
sim_close(void *ctx, struct wal_file *f)
{
	free(f);
}

static int
sim_list(void *ctx, char ***names, size_t *n)
{
	struct sim_fs *s = ctx;
	int rc;

	*names = NULL;
	*n = 0;
	if ((rc = sim_fs_op(s)) != 0)
		return rc;
	*names = xcalloc(s->cur.n + 1, sizeof(**names));
	for (size_t i = 0; i < s->cur.n; i++)
		(*names)[i] = xstrdup(s->cur.ents[i].name);
	*n = s->cur.n;
	return 0;
}

static int
sim_unlink(void *ctx, const char *name)
{
	struct sim_fs *s = ctx;
	struct sim_dirent *de;
	int rc;

	if ((rc = sim_fs_op(s)) != 0)
		return rc;
	if ((de = sim_fs_lookup(&s->cur, name)) == NULL)
		return CAIRN_ENOENT;
	*de = s->cur.ents[--s->cur.n];
	return 0;
}

static int
sim_rename(void *ctx, const char *from, const char *to)
{
	struct sim_fs *s = ctx;
	struct sim_dirent *src, *dst;
	int rc;

	if ((rc = sim_fs_op(s)) != 0)
		return rc;
	if ((src = sim_fs_lookup(&s->cur, from)) == NULL)
		return CAIRN_ENOENT;
	if ((dst = sim_fs_lookup(&s->cur, to)) != NULL) {
		dst->ino = src->ino;
		*src = s->cur.ents[--s->cur.n];
		return 0;
	}
	CAIRN_ASSERT(strlen(to) < WAL_FS_NAME_BYTES_MAX);
	strcpy(src->name, to);
	return 0;
}

static int
sim_sync_dir(void *ctx)
{
	struct sim_fs *s = ctx;
	int rc;

	if ((rc = sim_fs_op(s)) != 0)
		return rc;
	s->durable = s->cur;
	return 0;
}

static const struct wal_fs_ops sim_ops = {
	.mkdir = sim_mkdir,
	.open = sim_open,
	.pwrite = sim_pwrite,
	.pread = sim_pread,
	.sync = sim_sync,
	.prealloc = sim_prealloc,
	.truncate = sim_truncate,
	.size = sim_size,
	.close = sim_close,
	.list = sim_list,
	.unlink = sim_unlink,
	.rename = sim_rename,
	.sync_dir = sim_sync_dir,
};

void
sim_fs_wal_fs(struct sim_fs *s, struct wal_fs *fs)
{
	fs->ops = &sim_ops;
	fs->ctx = s;
}
