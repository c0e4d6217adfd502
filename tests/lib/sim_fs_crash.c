/*
 * Tests and the simulator: what a power loss leaves of the in-memory
 * wal_fs, countdown faults, and test access to a file's bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "shared/err.h"
#include "shared/xmalloc.h"
#include "tests/lib/runner.h"
#include "tests/lib/sim_fs_impl.h"

struct sim_fs *
sim_fs_new(uint64_t seed)
{
	struct sim_fs *s = xcalloc(1, sizeof(*s));

	s->rng = seed;
	return s;
}

void
sim_fs_free(struct sim_fs *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->inodes_n; i++) {
		free(s->inodes[i]->data);
		free(s->inodes[i]->synced);
		free(s->inodes[i]);
	}
	free(s->inodes);
	free(s);
}

/* The synced bytes, plus (if 'torn') a random-length prefix of what was
 * written after the first byte that differs from them. The cut falls
 * within the bytes that differ: beyond the last of them the file reads
 * the same either way (preallocated zeros), so a cut there would almost
 * never tear a record. */
static void
sim_crash_inode(struct sim_fs *s, struct sim_inode *ino, bool torn)
{
	size_t common = ino->len < ino->synced_len ? ino->len : ino->synced_len;
	size_t d = 0, e = ino->len, keep = 0;
	uint8_t *kept;

	while (d < common && ino->data[d] == ino->synced[d])
		d++;
	if (ino->len <= ino->synced_len)
		while (e > d && ino->data[e - 1] == ino->synced[e - 1])
			e--;
	if (torn && e > d)
		keep = (size_t)(runner_rand(&s->rng) % (e - d + 1));
	kept = xmalloc(keep ? keep : 1);

	memcpy(kept, ino->data + d, keep);
	ino->len = 0;
	sim_fs_resize(ino, ino->synced_len > d + keep ? ino->synced_len :
	    d + keep);
	if (ino->synced_len > 0)
		memcpy(ino->data, ino->synced, ino->synced_len);
	if (keep > 0)
		memcpy(ino->data + d, kept, keep);
	free(kept);
}

void
sim_fs_crash(struct sim_fs *s, bool torn)
{
	s->cur = s->durable;
	s->exists = s->exists_durable;
	for (size_t i = 0; i < s->inodes_n; i++)
		sim_crash_inode(s, s->inodes[i], torn);
}

void
sim_fs_fail_after(struct sim_fs *s, uint64_t n)
{
	s->countdown = n;
}

uint64_t
sim_fs_op_count(const struct sim_fs *s)
{
	return s->ops;
}

int
sim_fs_peek(struct sim_fs *s, const char *name, const uint8_t **data,
    size_t *len)
{
	struct sim_dirent *de = sim_fs_lookup(&s->cur, name);

	if (de == NULL)
		return CAIRN_ENOENT;
	*data = de->ino->data;
	*len = de->ino->len;
	return 0;
}

int
sim_fs_poke(struct sim_fs *s, const char *name, const uint8_t *data,
    size_t len)
{
	struct sim_dirent *de = sim_fs_lookup(&s->cur, name);
	struct sim_inode *ino;

	if (de == NULL)
		return CAIRN_ENOENT;
	ino = de->ino;
	ino->len = 0;
	sim_fs_resize(ino, len);
	memcpy(ino->data, data, len);
	free(ino->synced);
	ino->synced = xmalloc(len ? len : 1);
	memcpy(ino->synced, data, len);
	ino->synced_len = len;
	return 0;
}
