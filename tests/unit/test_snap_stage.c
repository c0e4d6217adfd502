/*
 * Tests: a leader's snapshot received in parts is staged and checked
 * (parts out of order refused, a corrupt one dropped whole), installed
 * in place of the store (the store then is the leader's: revision,
 * consistent index, HashKV), and an install cut short at each step is
 * finished by snap_stage_recover; a stage received in part is dropped, a
 * whole one kept.
 */
#include <CUnit/CUnit.h>
#include <pb_decode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/chunks.h"
#include "shared/err.h"
#include "shared/proto/ipc.pb.h"
#include "shared/xmalloc.h"
#include "stored/snap_stage.h"
#include "stored/snapshot.h"
#include "tests/lib/membuf.h"
#include "tests/lib/runner.h"

#define PART_BYTES (100u << 10)

static char top[] = "/tmp/cairn-stage.XXXXXX";
static struct membuf leader;         /* the leader's snapshot */
static uint64_t leader_ci;
static int64_t leader_rev;
static uint32_t leader_hash;

/* 0, or the store's error (also used before any test runs). */
static int
put(struct mvcc *s, uint64_t ci, const char *k, const char *v)
{
	struct mvcc_wtxn w;
	int rc;

	if ((rc = mvcc_write_begin(s, &w)) != 0)
		return rc;
	if ((rc = mvcc_put(&w, &(struct mvcc_put_req){.key = (const uint8_t *)k,
	    .key_len = strlen(k), .value = (const uint8_t *)v, .value_len = strlen(v)},
	    NULL, NULL)) != 0)
		return rc;
	return mvcc_write_end(&w, ci, 2);
}

/* The leader's store (300 writes) and its snapshot, once. */
static int
suite_init(void)
{
	char dir[64], err[256];
	struct mvcc s;
	int64_t crev;

	if (mkdtemp(top) == NULL)
		return 1;
	snprintf(dir, sizeof(dir), "%s/leader", top);
	if (mkdir(dir, 0700) != 0 || mvcc_open(&s, dir, NULL, err, sizeof(err)) != 0)
		return 1;
	for (int i = 0; i < 300; i++) {
		char k[32], v[32];

		snprintf(k, sizeof(k), "leader-%03d", i % 120);
		snprintf(v, sizeof(v), "v%d", i);
		if (put(&s, (uint64_t)i + 1, k, v) != 0)
			return 1;
	}
	if (snapshot_write(&s, mem_sink, &leader) != 0 ||
	    mvcc_hash_kv(&s, 0, &leader_hash, &crev) != 0)
		return 1;
	leader_ci = s.ci;
	leader_rev = s.rev;
	mvcc_close(&s);
	return 0;
}

static int
suite_clean(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	free(leader.p);
	return system(cmd) == 0 ? 0 : 1;
}

/* A fresh member's store (20 writes of its own) in a new directory,
 * which becomes the working directory, as member/db is stored's. */
static void
member_store(const char *name)
{
	char dir[96], err[256];
	struct mvcc s;

	snprintf(dir, sizeof(dir), "%s/%s", top, name);
	CU_ASSERT_FATAL(mkdir(dir, 0700) == 0 && chdir(dir) == 0);
	CU_ASSERT_FATAL(mvcc_open(&s, ".", NULL, err, sizeof(err)) == 0);
	for (int i = 0; i < 20; i++)
		CU_ASSERT_FATAL(put(&s, (uint64_t)i + 1, "member", "old") == 0);
	mvcc_close(&s);
}

/* Passes the snapshot's bytes [from, to) in parts; returns the last
 * part's code, *ready and *ci as the last part left them. */
static int
pass(const struct membuf *m, size_t from, size_t to, struct snap_stage *st, bool *ready,
    uint64_t *ci)
{
	char err[256];
	int rc = 0;

	for (size_t off = from; off < to && rc == 0; off += PART_BYTES) {
		cairn_ipc_SnapshotPart part = cairn_ipc_SnapshotPart_init_zero;
		uint32_t n = to - off < PART_BYTES ? (uint32_t)(to - off) : PART_BYTES;

		chunks_put(m->p + off, n, &part.data, &part.data_count);
		rc = snap_stage_part(st, part.data, part.data_count, n, off, m->len, ready, ci,
		    err, sizeof(err));
		if (rc != 0)
			printf("# part at %zu: %s\n", off, err);
		pb_release(cairn_ipc_SnapshotPart_fields, &part);
	}
	return rc;
}

/* Stages the leader's snapshot whole. */
static void
stage_whole(struct snap_stage *st)
{
	bool ready = false;
	uint64_t ci = 0;

	snap_stage_init(st);
	CU_ASSERT_EQUAL_FATAL(pass(&leader, 0, leader.len, st, &ready, &ci), 0);
	CU_ASSERT_FATAL(ready);
	CU_ASSERT_EQUAL(ci, leader_ci);
}

/* The store in "." is the leader's. */
static void
is_leaders(void)
{
	char err[256];
	struct mvcc s;
	uint32_t h;
	int64_t crev;
	struct stat sb;

	CU_ASSERT_FATAL(mvcc_open(&s, ".", NULL, err, sizeof(err)) == 0);
	CU_ASSERT_EQUAL(s.ci, leader_ci);
	CU_ASSERT_EQUAL(s.rev, leader_rev);
	CU_ASSERT_EQUAL(mvcc_hash_kv(&s, 0, &h, &crev), 0);
	CU_ASSERT_EQUAL(h, leader_hash);
	mvcc_close(&s);
	CU_ASSERT(stat(SNAP_STAGE_DIR, &sb) != 0);
	CU_ASSERT(stat(SNAP_INSTALL_MARK, &sb) != 0);
}

static void
test_stage_install(void)
{
	struct snap_stage st;
	bool ready = true;
	uint64_t ci = 0;
	char err[256];
	uint8_t byte = 'x';
	pb_bytes_array_t *one[1];

	member_store("install");
	snap_stage_init(&st);
	CU_ASSERT_EQUAL_FATAL(pass(&leader, 0, leader.len - 40, &st, &ready, &ci), 0);
	CU_ASSERT(!ready);
	CU_ASSERT_EQUAL(snap_stage_ready(), 0);
	/* Out of order: a part again, a part ahead, another size. */
	one[0] = xmalloc(PB_BYTES_ARRAY_T_ALLOCSIZE(1));
	one[0]->size = 1;
	memcpy(one[0]->bytes, &byte, 1);
	CU_ASSERT_EQUAL(snap_stage_part(&st, one, 1, 1, 0 + PART_BYTES, leader.len, &ready, &ci,
	    err, sizeof(err)), CAIRN_EINVAL);
	CU_ASSERT_EQUAL(snap_stage_part(&st, one, 1, 1, leader.len - 39, leader.len, &ready, &ci,
	    err, sizeof(err)), CAIRN_EINVAL);
	CU_ASSERT_EQUAL(snap_stage_part(&st, one, 1, 1, leader.len - 40, leader.len + 1, &ready,
	    &ci, err, sizeof(err)), CAIRN_EINVAL);
	free(one[0]);
	/* ... refused, and the rest goes on from where it was. */
	CU_ASSERT_EQUAL_FATAL(pass(&leader, leader.len - 40, leader.len, &st, &ready, &ci), 0);
	CU_ASSERT(ready);
	CU_ASSERT_EQUAL(ci, leader_ci);
	CU_ASSERT_EQUAL(snap_stage_ready(), leader_ci);
	CU_ASSERT_EQUAL(snap_stage_install(), 0);
	is_leaders();
	/* Nothing staged: nothing to install. */
	CU_ASSERT_EQUAL(snap_stage_install(), CAIRN_ENOENT);
}

static void
test_corrupt(void)
{
	struct snap_stage st;
	struct stat sb;
	bool ready = true;
	uint64_t ci = 0;

	member_store("corrupt");
	snap_stage_init(&st);
	leader.p[leader.len / 2] ^= 1;
	CU_ASSERT_EQUAL(pass(&leader, 0, leader.len, &st, &ready, &ci), CAIRN_ECORRUPT);
	leader.p[leader.len / 2] ^= 1;
	CU_ASSERT(!ready);
	CU_ASSERT_EQUAL(snap_stage_ready(), 0);
	CU_ASSERT(stat(SNAP_STAGE_DIR, &sb) != 0);
	/* A new snapshot from offset 0 is taken after it. */
	stage_whole(&st);
	CU_ASSERT_EQUAL(snap_stage_install(), 0);
	is_leaders();
}

/* A crash right after the install mark: the old store's files are all
 * there, and go. */
static void
test_recover_after_mark(void)
{
	struct snap_stage st;
	FILE *f;

	member_store("after-mark");
	stage_whole(&st);
	CU_ASSERT_FATAL((f = fopen(SNAP_INSTALL_MARK, "w")) != NULL);
	fclose(f);
	CU_ASSERT_EQUAL(snap_stage_recover(), 0);
	is_leaders();
}

/* A crash while the staged files move in: the old ones are gone, one of
 * the new ones is in place. */
static void
test_recover_while_moving(void)
{
	struct snap_stage st;
	FILE *f;

	member_store("moving");
	stage_whole(&st);
	CU_ASSERT_FATAL((f = fopen(SNAP_INSTALL_MARK, "w")) != NULL);
	fclose(f);
	CU_ASSERT_FATAL(system("rm -f cairn.db log.*") == 0);
	CU_ASSERT_FATAL((f = fopen(SNAP_STAGE_MOVING, "w")) != NULL);
	fclose(f);
	CU_ASSERT_FATAL(rename(SNAP_STAGE_DB "/cairn.db", "cairn.db") == 0);
	CU_ASSERT_EQUAL(snap_stage_recover(), 0);
	is_leaders();
}

/* A stage received in part (a restart cut it) is dropped; a whole one
 * waits for raftd's word. */
static void
test_recover_partial_and_whole(void)
{
	struct snap_stage st;
	struct stat sb;
	bool ready;
	uint64_t ci;
	char err[256];
	struct mvcc s;

	member_store("partial");
	snap_stage_init(&st);
	CU_ASSERT_EQUAL_FATAL(pass(&leader, 0, PART_BYTES, &st, &ready, &ci), 0);
	close(st.fd);
	CU_ASSERT_EQUAL(snap_stage_recover(), 0);
	CU_ASSERT(stat(SNAP_STAGE_DIR, &sb) != 0);
	CU_ASSERT_FATAL(mvcc_open(&s, ".", NULL, err, sizeof(err)) == 0);
	CU_ASSERT_EQUAL(s.ci, 20); /* the member's own store, untouched */
	mvcc_close(&s);
	stage_whole(&st);
	CU_ASSERT_EQUAL(snap_stage_recover(), 0);
	CU_ASSERT_EQUAL(snap_stage_ready(), leader_ci);
}

static CU_TestInfo stage_tests[] = {
	{"a snapshot staged in parts installs in place of the store", test_stage_install},
	{"a corrupt snapshot is dropped whole", test_corrupt},
	{"an install cut after its mark is finished", test_recover_after_mark},
	{"an install cut while moving files is finished", test_recover_while_moving},
	{"a stage in part is dropped, a whole one kept", test_recover_partial_and_whole},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"snap_stage", suite_init, suite_clean, NULL, NULL, stage_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
