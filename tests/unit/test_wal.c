/*
 * Tests: the raftd WAL on its own, over both file systems (real files in
 * a temporary directory, and the in-memory sim_fs): torn tails at every
 * byte, corruption naming file and offset, rollover, recovery of hard
 * state and snapshot marker (membership included), release, truncation,
 * crash and faults.
 */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/crc32c.h"
#include "raftd/wal.h"
#include "raftd/wal_fs_posix.h"
#include "raftd/wal_record.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"
#include "tests/lib/runner.h"
#include "tests/lib/sim_fs.h"

#define SMALL_SEGMENT_BYTES 4096u
#define MID_SEGMENT_BYTES 65536u
#define PAYLOAD_BYTES_MAX 512u
#define SEGMENTS_MAX 512
#define CRASH_SEEDS 40

static const struct raft_identity test_id = {0x1234, 0x99};
static struct sim_fs *sim;          /* NULL in the posix suite */
static struct wal_fs fs;
static char tmp_dir[PATH_MAX];
static char wal_dir[PATH_MAX + 8];
static uint8_t payload_buf[PAYLOAD_BYTES_MAX];

/* ---- fixtures ------------------------------------------------------ */

static void
setup_sim(void)
{
	sim = sim_fs_new(runner_seed());
	sim_fs_wal_fs(sim, &fs);
}

static void
teardown_sim(void)
{
	sim_fs_free(sim);
	sim = NULL;
}

static void
setup_posix(void)
{
	strcpy(tmp_dir, "test_wal.XXXXXX");
	if (mkdtemp(tmp_dir) == NULL)
		abort();
	snprintf(wal_dir, sizeof(wal_dir), "%s/wal", tmp_dir);
	wal_fs_posix_new(&fs, wal_dir);
}

static void
teardown_posix(void)
{
	DIR *d = opendir(wal_dir);
	struct dirent *de;
	char path[PATH_MAX + 300];

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", wal_dir, de->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(wal_dir);
	rmdir(tmp_dir);
	wal_fs_posix_free(&fs);
}

/* ---- file access for both file systems ----------------------------- */

/* A copy of file 'name' (the caller frees '*buf'). */
static void
file_get(const char *name, uint8_t **buf, size_t *len)
{
	char path[PATH_MAX + 300];
	const uint8_t *p;
	struct stat st;
	int fd;

	if (sim != NULL) {
		CU_ASSERT_FATAL(sim_fs_peek(sim, name, &p, len) == 0);
		*buf = xmalloc(*len + 1);
		memcpy(*buf, p, *len);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", wal_dir, name);
	fd = open(path, O_RDONLY);
	CU_ASSERT_FATAL(fd >= 0 && fstat(fd, &st) == 0);
	*len = (size_t)st.st_size;
	*buf = xmalloc(*len + 1);
	CU_ASSERT_FATAL(pread(fd, *buf, *len, 0) == (ssize_t)*len);
	close(fd);
}

/* Replaces the bytes of file 'name' by 'len' bytes of 'buf'. */
static void
file_put(const char *name, const uint8_t *buf, size_t len)
{
	char path[PATH_MAX + 300];
	int fd;

	if (sim != NULL) {
		CU_ASSERT_FATAL(sim_fs_poke(sim, name, buf, len) == 0);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", wal_dir, name);
	fd = open(path, O_WRONLY | O_TRUNC);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(pwrite(fd, buf, len, 0) == (ssize_t)len);
	close(fd);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The segment names in order; returns how many (at most SEGMENTS_MAX). */
static size_t
segments(char names[][WAL_FS_NAME_BYTES_MAX])
{
	char **all;
	size_t n, k = 0;

	CU_ASSERT_FATAL(fs.ops->list(fs.ctx, &all, &n) == 0);
	qsort(all, n, sizeof(*all), name_cmp);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(all[i]);

		if (len > 4 && strcmp(all[i] + len - 4, ".wal") == 0 &&
		    k < SEGMENTS_MAX)
			strcpy(names[k++], all[i]);
	}
	wal_fs_names_free(all, n);
	return k;
}

/* ---- entries ------------------------------------------------------- */

static size_t
payload_len(uint64_t index)
{
	return (size_t)(index * 37 % 200) + 1;
}

static struct raft_entry
entry(uint64_t index, uint64_t term)
{
	size_t len = payload_len(index);

	for (size_t j = 0; j < len; j++)
		payload_buf[j] = (uint8_t)(index * 31 + term * 7 + j);
	return (struct raft_entry){.term = term, .index = index,
	    .type = RAFT_ENTRY_NORMAL, .len = (uint32_t)len,
	    .data = payload_buf};
}

static int
append_one(struct wal *w, uint64_t index, uint64_t term)
{
	struct raft_entry e = entry(index, term);

	return wal_append_entries(w, &e, 1);
}

static void
append_range(struct wal *w, uint64_t from, uint64_t to, uint64_t term)
{
	for (uint64_t i = from; i <= to; i++)
		CU_ASSERT_EQUAL_FATAL(append_one(w, i, term), 0);
}

/* True if 'rec' holds exactly entries from..to with the given term
 * (term_from applies from index 'split' on). */
static bool
entries_are(const struct wal_recovered *rec, uint64_t from, uint64_t to,
    uint64_t term, uint64_t split, uint64_t term_from)
{
	if (rec->entries_n != (to >= from ? to - from + 1 : 0))
		return false;
	for (size_t i = 0; i < rec->entries_n; i++) {
		const struct raft_entry *got = &rec->entries[i];
		uint64_t t = from + i >= split ? term_from : term;
		struct raft_entry want = entry(from + i, t);

		if (got->index != want.index || got->term != want.term ||
		    got->len != want.len || got->type != want.type ||
		    memcmp(got->data, want.data, want.len) != 0)
			return false;
	}
	return true;
}

/* ---- snapshot markers ---------------------------------------------- */

/* Distinct, non-zero, and not in ascending order. */
#define TEST_MEMBER_ID(i) (0x100u + (uint64_t)((i) * 5 % RAFT_MEMBERS_MAX))

/* A marker with 'n' members; every third one, from the third on, is a
 * learner. */
static struct raft_snapshot_marker
marker(uint64_t index, uint64_t term, uint32_t n)
{
	struct raft_snapshot_marker m = {.index = index, .term = term,
	    .conf.n = n};

	CU_ASSERT_FATAL(n <= RAFT_MEMBERS_MAX);
	for (uint32_t i = 0; i < n; i++)
		m.conf.m[i] = (struct raft_member){.id = TEST_MEMBER_ID(i),
		    .learner = i % 3 == 2};
	return m;
}

static bool
marker_equal(const struct raft_snapshot_marker *a,
    const struct raft_snapshot_marker *b)
{
	if (a->index != b->index || a->term != b->term ||
	    a->conf.n != b->conf.n)
		return false;
	for (uint32_t i = 0; i < a->conf.n; i++)
		if (a->conf.m[i].id != b->conf.m[i].id ||
		    a->conf.m[i].learner != b->conf.m[i].learner)
			return false;
	return true;
}

static struct wal *
create(uint64_t segment_bytes)
{
	struct wal_options opt = {.segment_bytes = segment_bytes};
	struct wal *w = NULL;

	CU_ASSERT_EQUAL_FATAL(wal_create(&fs, &test_id, &opt, &w), 0);
	return w;
}

static int
reopen(uint64_t segment_bytes, struct wal **w, struct wal_recovered *rec,
    char *err)
{
	struct wal_options opt = {.segment_bytes = segment_bytes};

	return wal_open(&fs, &opt, w, rec, err, WAL_ERR_BYTES_MAX);
}

/* ---- tests --------------------------------------------------------- */

static void
test_crc32c_vectors(void)
{
	uint8_t buf[64];
	uint64_t rng = runner_seed();

	CU_ASSERT_EQUAL(crc32c("123456789", 9), 0xE3069283u);
	CU_ASSERT_EQUAL(crc32c("", 0), 0);
	memset(buf, 0, 32);
	CU_ASSERT_EQUAL(crc32c(buf, 32), 0x8A9136AAu);  /* RFC 3720 B.4 */
	memset(buf, 0xff, 32);
	CU_ASSERT_EQUAL(crc32c(buf, 32), 0x62A8AB43u);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	CU_ASSERT_EQUAL(crc32c(buf, 32), 0x46DD794Eu);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)runner_rand(&rng);
	for (size_t cut = 0; cut <= sizeof(buf); cut++)
		CU_ASSERT_EQUAL(crc32c_extend(crc32c(buf, cut), buf + cut,
		    sizeof(buf) - cut), crc32c(buf, sizeof(buf)));
}

static void
test_create_append_reopen(void)
{
	struct wal_recovered rec;
	struct raft_hardstate hs = {3, 0x99, 40};
	char err[WAL_ERR_BYTES_MAX];
	struct wal *w = create(0), *w2 = NULL;

	append_range(w, 1, 50, 3);
	CU_ASSERT_EQUAL(wal_append_hardstate(w, &hs), 0);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_EQUAL(wal_create(&fs, &test_id, NULL, &w2), CAIRN_EINVAL);
	CU_ASSERT_EQUAL_FATAL(reopen(0, &w, &rec, err), 0);
	CU_ASSERT_EQUAL(rec.id.cluster_id, test_id.cluster_id);
	CU_ASSERT_EQUAL(rec.id.member_id, test_id.member_id);
	CU_ASSERT_EQUAL(rec.hs.commit, 40);
	CU_ASSERT(entries_are(&rec, 1, 50, 3, 0, 3));
	wal_recovered_free(&rec);
	append_range(w, 51, 60, 3);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(reopen(0, &w, &rec, err), 0);
	CU_ASSERT(entries_are(&rec, 1, 60, 3, 0, 3));
	wal_recovered_free(&rec);
	wal_close(w);
}

static void
test_open_missing(void)
{
	struct wal_recovered rec;
	char err[WAL_ERR_BYTES_MAX];
	struct wal *w = NULL;

	CU_ASSERT_EQUAL(reopen(0, &w, &rec, err), CAIRN_ENOENT);
	CU_ASSERT_PTR_NULL(w);
	wal_recovered_free(&rec);
}

/* Builds a WAL of entries 1..9 plus the last record (entry 10), all
 * synced; returns the name, the bytes, and where the last record is. */
static void
build_last_record(char *name, uint8_t **bytes, size_t *len, size_t *start,
    size_t *end)
{
	char names[SEGMENTS_MAX][WAL_FS_NAME_BYTES_MAX];
	struct raft_entry e = entry(10, 2);
	struct wal_record r = {.type = WAL_RECORD_ENTRY, .u.entry = e};
	uint8_t *before;
	size_t before_len;
	struct wal *w = create(MID_SEGMENT_BYTES);

	append_range(w, 1, 9, 2);
	CU_ASSERT_EQUAL_FATAL(wal_sync(w), 0);
	CU_ASSERT_EQUAL_FATAL(segments(names), 1);
	strcpy(name, names[0]);
	file_get(name, &before, &before_len);
	CU_ASSERT_EQUAL_FATAL(append_one(w, 10, 2), 0);
	CU_ASSERT_EQUAL_FATAL(wal_sync(w), 0);
	wal_close(w);
	file_get(name, bytes, len);
	CU_ASSERT_EQUAL_FATAL(*len, before_len);
	for (*start = 0; before[*start] == (*bytes)[*start]; (*start)++)
		;
	*end = *start + wal_record_encoded_bytes(&r);
	free(before);
}

/* Opens after damage to the last record: entries 1..9 exactly. */
static void
expect_torn(const char *why_label)
{
	struct wal_recovered rec;
	char err[WAL_ERR_BYTES_MAX];
	struct wal *w = NULL;
	int rc = reopen(MID_SEGMENT_BYTES, &w, &rec, err);

	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0)
		printf("# %s: %s\n", why_label, err);
	CU_ASSERT(entries_are(&rec, 1, 9, 2, 0, 2));
	wal_recovered_free(&rec);
	if (w == NULL)
		return;
	/* The repaired segment takes new records after the last good one. */
	CU_ASSERT_EQUAL(append_one(w, 10, 3), 0);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(reopen(MID_SEGMENT_BYTES, &w, &rec, err), 0);
	CU_ASSERT(entries_are(&rec, 1, 10, 2, 10, 3));
	wal_recovered_free(&rec);
	wal_close(w);
}

static void
test_torn_tail_every_offset(void)
{
	char name[WAL_FS_NAME_BYTES_MAX];
	uint8_t *bytes, *copy;
	size_t len, start, end, data_end;

	build_last_record(name, &bytes, &len, &start, &end);
	data_end = start + WAL_RECORD_HDR_BYTES + WAL_RECORD_ENTRY_FIXED_BYTES +
	    payload_len(10);
	CU_ASSERT(data_end < end);  /* the test covers padding too */
	copy = xmalloc(len);
	for (size_t cut = start; cut < end; cut++) {
		/* The file cut short at 'cut'. */
		file_put(name, bytes, cut);
		expect_torn("cut");
		/* Preallocated: the rest of the record never reached disk
		 * (zeroing only its zero padding leaves it whole). */
		memcpy(copy, bytes, len);
		memset(copy + cut, 0, end - cut);
		file_put(name, copy, len);
		if (cut < data_end)
			expect_torn("zeroed");
		/* Or garbage reached disk in its place. */
		memcpy(copy, bytes, len);
		memset(copy + cut, 0xa5, end - cut);
		file_put(name, copy, len);
		expect_torn("garbage");
	}
	free(copy);
	free(bytes);
}

/* The offset of the record of entry 'index' in 'bytes'. */
static size_t
record_offset(const uint8_t *bytes, size_t len, uint64_t index)
{
	struct wal_record r;
	const char *why;
	size_t off = 0, size;

	while (wal_record_decode(bytes + off, len - off, &r, &size, &why) == 0) {
		if (r.type == WAL_RECORD_ENTRY && r.u.entry.index == index)
			return off;
		off += size;
	}
	CU_FAIL_FATAL("record not found");
	return 0;
}

/* wal_open fails naming 'name' and 'off', and 'why' unless it is NULL. */
static void
expect_corrupt_why(const char *name, size_t off, const char *why)
{
	struct wal_recovered rec;
	char err[WAL_ERR_BYTES_MAX], want[WAL_ERR_BYTES_MAX];
	struct wal *w = NULL;
	bool ok;

	snprintf(want, sizeof(want), "wal: corrupt record in %s at offset %zu:",
	    name, off);
	CU_ASSERT_EQUAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err),
	    CAIRN_ECORRUPT);
	CU_ASSERT_PTR_NULL(w);
	ok = strncmp(err, want, strlen(want)) == 0 &&
	    (why == NULL || strstr(err, why) != NULL);
	CU_ASSERT(ok);
	if (!ok)
		printf("# got \"%s\", want \"%s ...%s\"\n", err, want,
		    why != NULL ? why : "");
	wal_recovered_free(&rec);
	wal_close(w);
}

static void
expect_corrupt(const char *name, size_t off)
{
	expect_corrupt_why(name, off, NULL);
}

/* The offset of the first SNAPSHOT record in 'bytes'. */
static size_t
snapshot_offset(const uint8_t *bytes, size_t len)
{
	struct wal_record r;
	const char *why;
	size_t off = 0, size;

	while (wal_record_decode(bytes + off, len - off, &r, &size, &why) == 0) {
		if (r.type == WAL_RECORD_SNAPSHOT)
			return off;
		off += size;
	}
	CU_FAIL_FATAL("snapshot record not found");
	return 0;
}

/* True if segment 'name' starts with METADATA and then a SNAPSHOT
 * record, which is copied to '*m'. */
static bool
segment_marker(const char *name, struct raft_snapshot_marker *m)
{
	struct wal_record r;
	const char *why;
	uint8_t *bytes;
	size_t len, size, off;
	bool ok = false;

	file_get(name, &bytes, &len);
	if (wal_record_decode(bytes, len, &r, &size, &why) == 0 &&
	    r.type == WAL_RECORD_METADATA) {
		off = size;
		ok = wal_record_decode(bytes + off, len - off, &r, &size,
		    &why) == 0 && r.type == WAL_RECORD_SNAPSHOT;
		if (ok)
			*m = r.u.snap;
	}
	free(bytes);
	return ok;
}

static void
le_put(uint8_t *p, uint64_t v, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Recomputes the checksum of the record at 'rec' (layout in wal.h), so
 * that damage made on purpose must be caught by the data checks. */
static void
record_reseal(uint8_t *rec)
{
	uint32_t len = (uint32_t)rec[0] | (uint32_t)rec[1] << 8 |
	    (uint32_t)rec[2] << 16 | (uint32_t)rec[3] << 24;
	uint32_t c = crc32c(rec, 4);

	c = crc32c_extend(c, rec + 8, 8);
	le_put(rec + 4, crc32c_extend(c, rec + WAL_RECORD_HDR_BYTES, len), 4);
}

static void
expect_open_fails(int want)
{
	struct wal_recovered rec;
	char err[WAL_ERR_BYTES_MAX];
	struct wal *w = NULL;

	CU_ASSERT_EQUAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), want);
	CU_ASSERT_PTR_NULL(w);
	wal_recovered_free(&rec);
}

static void
test_flipped_byte_middle_record(void)
{
	char names[SEGMENTS_MAX][WAL_FS_NAME_BYTES_MAX];
	uint8_t *bytes;
	size_t len, off;
	struct wal *w = create(SMALL_SEGMENT_BYTES);

	append_range(w, 1, 12, 1);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(segments(names), 1);
	file_get(names[0], &bytes, &len);
	off = record_offset(bytes, len, 6);
	for (size_t k = 0; k < WAL_RECORD_HDR_BYTES + 20; k += 3) {
		bytes[off + k] ^= 0x10;
		file_put(names[0], bytes, len);
		expect_corrupt(names[0], off);
		bytes[off + k] ^= 0x10;
	}
	free(bytes);
}

/* In a finished segment even damage to its last record, with nothing
 * valid after it, is corruption: that segment was synced whole. */
static void
test_damage_in_finished_segment(void)
{
	char names[SEGMENTS_MAX][WAL_FS_NAME_BYTES_MAX];
	struct wal_record r;
	uint8_t *bytes;
	const char *why;
	size_t len, off = 0, last = 0, size;
	struct wal *w = create(SMALL_SEGMENT_BYTES);

	append_range(w, 1, 60, 1);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_FATAL(segments(names) >= 2);
	file_get(names[0], &bytes, &len);
	while (wal_record_decode(bytes + off, len - off, &r, &size, &why) == 0) {
		last = off;
		off += size;
	}
	bytes[last + WAL_RECORD_HDR_BYTES + 3] ^= 1;
	file_put(names[0], bytes, len);
	expect_corrupt(names[0], last);
	/* A zeroed last record looks like a clean end there, but the next
	 * segment then starts after a gap in the entries. */
	memset(bytes + last, 0, off - last);
	file_put(names[0], bytes, len);
	expect_open_fails(CAIRN_ECORRUPT);
	free(bytes);
}

static void
test_rollover(void)
{
	char names[SEGMENTS_MAX][WAL_FS_NAME_BYTES_MAX];
	struct wal_recovered rec;
	char err[WAL_ERR_BYTES_MAX];
	struct raft_hardstate hs = {0};
	struct wal *w = create(SMALL_SEGMENT_BYTES);
	uint64_t seq, first, prev_first = 0;
	size_t n;

	for (uint64_t i = 1; i <= 400; i += 7) {
		append_range(w, i, i + 6, 5);
		hs = (struct raft_hardstate){5, 1, i};
		CU_ASSERT_EQUAL(wal_append_hardstate(w, &hs), 0);
		CU_ASSERT_EQUAL(wal_sync(w), 0);
	}
	n = segments(names);
	CU_ASSERT(n >= 10);
	CU_ASSERT_EQUAL(n, wal_segment_count(w));
	for (size_t i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(sscanf(names[i], "%16" SCNx64 "-%16" SCNx64 ".wal", &seq,
		    &first), 2);
		CU_ASSERT_EQUAL(seq, i);
		CU_ASSERT(first > prev_first);
		prev_first = first;
	}
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), 0);
	CU_ASSERT(entries_are(&rec, 1, 406, 5, 0, 5));
	CU_ASSERT_EQUAL(rec.hs.commit, 400);
	wal_recovered_free(&rec);
	/* Appending after reopen continues the sequence. */
	append_range(w, 407, 500, 5);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), 0);
	CU_ASSERT(entries_are(&rec, 1, 500, 5, 0, 5));
	CU_ASSERT(segments(names) > n);
	wal_recovered_free(&rec);
	wal_close(w);
}

static void
test_hardstate_and_snapshot(void)
{
	struct wal_recovered rec;
	char err[WAL_ERR_BYTES_MAX];
	struct raft_snapshot_marker snap = {.index = 30, .term = 2};
	struct wal *w = create(SMALL_SEGMENT_BYTES);

	for (uint64_t t = 1; t <= 5; t++) {
		struct raft_hardstate hs = {t, t % 3, t * 10};

		CU_ASSERT_EQUAL(wal_append_hardstate(w, &hs), 0);
	}
	append_range(w, 1, 40, 2);
	CU_ASSERT_EQUAL(wal_append_snapshot(w, &snap), 0);
	append_range(w, 41, 45, 2);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), 0);
	CU_ASSERT_EQUAL(rec.hs.term, 5);
	CU_ASSERT_EQUAL(rec.hs.vote, 2);
	CU_ASSERT_EQUAL(rec.hs.commit, 50);
	CU_ASSERT_EQUAL(rec.snap.index, 30);
	CU_ASSERT_EQUAL(rec.snap.term, 2);
	CU_ASSERT(entries_are(&rec, 31, 45, 2, 0, 2));
	wal_recovered_free(&rec);
	/* A snapshot past the whole log (installed from a leader). */
	snap = (struct raft_snapshot_marker){.index = 100, .term = 4};
	CU_ASSERT_EQUAL(wal_append_snapshot(w, &snap), 0);
	append_range(w, 101, 103, 4);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), 0);
	CU_ASSERT_EQUAL(rec.snap.index, 100);
	CU_ASSERT(entries_are(&rec, 101, 103, 4, 0, 4));
	wal_recovered_free(&rec);
	wal_close(w);
}

/* A marker for a point the log holds is a compaction and keeps what
 * follows; one for a point it does not hold (a snapshot installed from a
 * leader) replaces the whole log, divergent entries after it included. */
static void
test_installed_snapshot_replaces_log(void)
{
	struct wal_recovered rec;
	char err[WAL_ERR_BYTES_MAX];
	struct raft_snapshot_marker compact = {.index = 20, .term = 2};
	struct raft_snapshot_marker install = {.index = 30, .term = 3};
	struct wal *w = create(SMALL_SEGMENT_BYTES);

	append_range(w, 1, 40, 2);
	CU_ASSERT_EQUAL(wal_append_snapshot(w, &compact), 0);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), 0);
	CU_ASSERT(entries_are(&rec, 21, 40, 2, 0, 2));
	wal_recovered_free(&rec);
	/* Our entry 30 has term 2: the leader's snapshot (30, 3) diverges. */
	CU_ASSERT_EQUAL(wal_append_snapshot(w, &install), 0);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), 0);
	CU_ASSERT_EQUAL(rec.snap.index, 30);
	CU_ASSERT_EQUAL(rec.entries_n, 0);
	wal_recovered_free(&rec);
	append_range(w, 31, 33, 3);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), 0);
	CU_ASSERT(entries_are(&rec, 31, 33, 3, 0, 3));
	wal_recovered_free(&rec);
	wal_close(w);
}

/* A compaction marker written after a rollover, for an entry of the
 * segment it then releases: on reopen the entry is gone, and the marker
 * must still read as a compaction, keeping the entries after it (found
 * by raftsim, seed 3200227 with --steps 6000). */
static void
test_compaction_of_released_entry(void)
{
	struct wal_recovered rec;
	char err[WAL_ERR_BYTES_MAX];
	struct raft_snapshot_marker m = {.term = 1, .conf = {.n = 1, .m = {{.id = 1}}}};
	struct wal *w = create(SMALL_SEGMENT_BYTES);
	uint64_t last = 0;

	while (wal_segment_count(w) < 2 && last < 1000)
		CU_ASSERT_EQUAL_FATAL(append_one(w, ++last, 1), 0);
	CU_ASSERT_FATAL(wal_segment_count(w) == 2);
	/* 'last' opened the second segment; one more, then compact before it. */
	append_range(w, last + 1, last + 1, 1);
	m.index = last - 1;
	CU_ASSERT_EQUAL(wal_append_snapshot(w, &m), 0);
	CU_ASSERT_EQUAL(wal_release_before(w, m.index), 0);
	CU_ASSERT_EQUAL(wal_segment_count(w), 1);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), 0);
	CU_ASSERT_EQUAL(rec.snap.index, last - 1);
	CU_ASSERT(entries_are(&rec, last, last + 1, 1, 0, 1));
	wal_recovered_free(&rec);
	wal_close(w);
}

static void
test_overwrite_truncates(void)
{
	struct wal_recovered rec;
	char err[WAL_ERR_BYTES_MAX];
	struct wal *w = create(SMALL_SEGMENT_BYTES);

	append_range(w, 1, 100, 1);     /* spans several segments */
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	append_range(w, 60, 70, 2);     /* a new leader's conflicting suffix */
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), 0);
	CU_ASSERT(entries_are(&rec, 1, 70, 1, 60, 2));
	wal_recovered_free(&rec);
	append_range(w, 5, 5, 3);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), 0);
	CU_ASSERT(entries_are(&rec, 1, 5, 1, 5, 3));
	wal_recovered_free(&rec);
	wal_close(w);
}

static void
test_release_before(void)
{
	char before[SEGMENTS_MAX][WAL_FS_NAME_BYTES_MAX];
	char after[SEGMENTS_MAX][WAL_FS_NAME_BYTES_MAX];
	struct raft_snapshot_marker snap = {.index = 150, .term = 1};
	struct raft_hardstate hs = {1, 7, 150};
	struct wal_recovered rec;
	char err[WAL_ERR_BYTES_MAX];
	uint64_t seq, first;
	size_t nb, na, k = 0;
	struct wal *w = create(SMALL_SEGMENT_BYTES);

	CU_ASSERT_EQUAL(wal_append_hardstate(w, &hs), 0);
	append_range(w, 1, 200, 1);
	CU_ASSERT_EQUAL(wal_append_snapshot(w, &snap), 0);
	nb = segments(before);
	CU_ASSERT_EQUAL(wal_release_before(w, 150), 0);
	na = segments(after);
	CU_ASSERT_EQUAL(na, wal_segment_count(w));
	/* Removed: exactly those whose successor starts at or below 151. */
	while (k + 1 < nb && sscanf(before[k + 1], "%16" SCNx64 "-%16" SCNx64 ".wal", &seq,
	    &first) == 2 && first <= 151)
		k++;
	CU_ASSERT(k > 0);
	CU_ASSERT_EQUAL(na, nb - k);
	CU_ASSERT_EQUAL(strcmp(after[0], before[k]), 0);
	wal_close(w);
	CU_ASSERT_EQUAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), 0);
	if (w == NULL) {
		printf("# %s\n", err);
		wal_recovered_free(&rec);
		return;
	}
	CU_ASSERT_EQUAL(rec.snap.index, 150);
	CU_ASSERT_EQUAL(rec.hs.vote, 7);
	CU_ASSERT(entries_are(&rec, 151, 200, 1, 0, 1));
	wal_recovered_free(&rec);
	/* A snapshot of everything: only the current segment stays. */
	snap.index = 200;
	CU_ASSERT_EQUAL(wal_append_snapshot(w, &snap), 0);
	CU_ASSERT_EQUAL(wal_release_before(w, 200), 0);
	CU_ASSERT_EQUAL(wal_segment_count(w), 1);
	CU_ASSERT_EQUAL(segments(after), 1);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), 0);
	CU_ASSERT_EQUAL(rec.snap.index, 200);
	CU_ASSERT_EQUAL(rec.entries_n, 0);
	CU_ASSERT_EQUAL(rec.hs.vote, 7);
	wal_recovered_free(&rec);
	wal_close(w);
}

static void
test_snapshot_conf_reopen(void)
{
	struct raft_snapshot_marker m = marker(20, 3, 5);
	struct raft_snapshot_marker full = marker(25, 3, RAFT_MEMBERS_MAX);
	struct wal_recovered rec;
	char err[WAL_ERR_BYTES_MAX];
	struct wal *w = create(SMALL_SEGMENT_BYTES);

	CU_ASSERT(m.conf.m[2].learner && !m.conf.m[0].learner);
	append_range(w, 1, 30, 3);
	CU_ASSERT_EQUAL(wal_append_snapshot(w, &m), 0);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), 0);
	CU_ASSERT(marker_equal(&rec.snap, &m));
	CU_ASSERT(entries_are(&rec, 21, 30, 3, 0, 3));
	wal_recovered_free(&rec);
	/* The largest membership there is; the last marker wins. */
	CU_ASSERT_EQUAL(wal_append_snapshot(w, &full), 0);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), 0);
	CU_ASSERT(marker_equal(&rec.snap, &full));
	CU_ASSERT(entries_are(&rec, 26, 30, 3, 0, 3));
	wal_recovered_free(&rec);
	wal_close(w);
}

/* Only the copy of the marker that rollover writes at the start of each
 * later segment survives here: the segment with the marker's own record
 * is released. */
static void
test_snapshot_conf_after_release(void)
{
	char names[SEGMENTS_MAX][WAL_FS_NAME_BYTES_MAX];
	struct raft_snapshot_marker m = marker(40, 2, 4), got;
	struct raft_entry big = entry(41, 2);
	uint8_t *big_data = xcalloc(1, SMALL_SEGMENT_BYTES);
	struct wal_recovered rec;
	char err[WAL_ERR_BYTES_MAX];
	uint64_t seq, first = 0;
	size_t nb, na;
	struct wal *w = create(SMALL_SEGMENT_BYTES);

	append_range(w, 1, 40, 2);
	CU_ASSERT_EQUAL(wal_append_snapshot(w, &m), 0);
	/* Larger than a segment: it rolls over right after the marker, so
	 * every segment before the new one is covered by index 40. */
	big.data = big_data;
	big.len = SMALL_SEGMENT_BYTES;
	CU_ASSERT_EQUAL(wal_append_entries(w, &big, 1), 0);
	append_range(w, 42, 150, 2);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	nb = segments(names);
	CU_ASSERT_EQUAL(wal_release_before(w, 40), 0);
	na = segments(names);
	CU_ASSERT(na < nb);
	CU_ASSERT_EQUAL(sscanf(names[0], "%16" SCNx64 "-%16" SCNx64 ".wal",
	    &seq, &first), 2);
	CU_ASSERT_EQUAL(first, 41);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), 0);
	CU_ASSERT(marker_equal(&rec.snap, &m));
	CU_ASSERT_EQUAL_FATAL(rec.entries_n, 110);
	CU_ASSERT_EQUAL(rec.entries[0].len, SMALL_SEGMENT_BYTES);
	wal_recovered_free(&rec);
	/* Rollovers after recovery copy the recovered marker on. */
	append_range(w, 151, 300, 2);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	na = segments(names);
	CU_ASSERT(na > 2);
	for (size_t i = 0; i < na; i++)
		CU_ASSERT(segment_marker(names[i], &got) &&
		    marker_equal(&got, &m));
	wal_close(w);
	free(big_data);
}

/* A membership that passes the checksum but breaks a rule, in a record
 * with valid records after it: corruption, never a torn tail. */
static void
test_snapshot_conf_corrupt(void)
{
	static const struct {
		size_t at;          /* into the record's data */
		size_t bytes;
		uint64_t value;
		const char *why;
	} damage[] = {
		{16, 4, RAFT_MEMBERS_MAX + 1, "too many members"},
		{16, 4, 3, "bad length"},
		{20, 4, 1, "reserved"},
		{24 + 16, 8, 0, "member id 0"},
		{24 + 16, 8, TEST_MEMBER_ID(0), "duplicate member id"},
		{24 + 8, 8, 2, "unknown flags"},
		{24 + 16 + 8, 8, 1u << 31, "unknown flags"},
	};
	char names[SEGMENTS_MAX][WAL_FS_NAME_BYTES_MAX];
	struct raft_snapshot_marker m = marker(8, 1, 4);
	uint8_t *bytes, *copy;
	size_t len, off;
	struct wal *w = create(SMALL_SEGMENT_BYTES);

	append_range(w, 1, 10, 1);
	CU_ASSERT_EQUAL(wal_append_snapshot(w, &m), 0);
	append_range(w, 11, 14, 1);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(segments(names), 1);
	file_get(names[0], &bytes, &len);
	off = snapshot_offset(bytes, len);
	copy = xmalloc(len);
	for (size_t i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
		memcpy(copy, bytes, len);
		le_put(copy + off + WAL_RECORD_HDR_BYTES + damage[i].at,
		    damage[i].value, damage[i].bytes);
		record_reseal(copy + off);
		file_put(names[0], copy, len);
		expect_corrupt_why(names[0], off, damage[i].why);
	}
	free(copy);
	free(bytes);
}

static void
test_snapshot_invalid_conf_refused(void)
{
	struct raft_snapshot_marker good = marker(5, 1, 4), bad = good;
	struct wal_recovered rec;
	char err[WAL_ERR_BYTES_MAX];
	struct wal *w = create(SMALL_SEGMENT_BYTES);

	append_range(w, 1, 10, 1);
	bad.conf.m[3].id = 0;
	CU_ASSERT_EQUAL(wal_append_snapshot(w, &bad), CAIRN_EINVAL);
	bad = good;
	bad.conf.m[3].id = bad.conf.m[1].id;
	CU_ASSERT_EQUAL(wal_append_snapshot(w, &bad), CAIRN_EINVAL);
	bad = marker(5, 1, RAFT_MEMBERS_MAX);
	bad.conf.n = RAFT_MEMBERS_MAX + 1;
	CU_ASSERT_EQUAL(wal_append_snapshot(w, &bad), CAIRN_EINVAL);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	/* Nothing was written, and the WAL still takes a valid marker. */
	CU_ASSERT_EQUAL_FATAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), 0);
	CU_ASSERT_EQUAL(rec.snap.index, 0);
	CU_ASSERT_EQUAL(rec.snap.conf.n, 0);
	CU_ASSERT(entries_are(&rec, 1, 10, 1, 0, 1));
	wal_recovered_free(&rec);
	CU_ASSERT_EQUAL(wal_append_snapshot(w, &good), 0);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), 0);
	CU_ASSERT(marker_equal(&rec.snap, &good));
	wal_recovered_free(&rec);
	wal_close(w);
}

static void
test_too_big_refused(void)
{
	struct raft_entry e[2] = {entry(1, 1), entry(2, 1)};
	struct wal_recovered rec;
	char err[WAL_ERR_BYTES_MAX];
	uint8_t *big = xcalloc(1, RAFT_ENTRY_BYTES_MAX + 1);
	struct wal *w = create(SMALL_SEGMENT_BYTES);

	e[1].data = big;
	e[1].len = RAFT_ENTRY_BYTES_MAX + 1;
	CU_ASSERT_EQUAL(wal_append_entries(w, e, 2), CAIRN_ETOOBIG);
	e[1].len = RAFT_ENTRY_BYTES_MAX;    /* the bound itself is fine */
	big[RAFT_ENTRY_BYTES_MAX - 1] = 0x5a;
	CU_ASSERT_EQUAL(wal_append_entries(w, e, 2), 0);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_EQUAL_FATAL(reopen(SMALL_SEGMENT_BYTES, &w, &rec, err), 0);
	CU_ASSERT_EQUAL_FATAL(rec.entries_n, 2);
	CU_ASSERT_EQUAL(rec.entries[1].len, RAFT_ENTRY_BYTES_MAX);
	CU_ASSERT_EQUAL(rec.entries[1].data[RAFT_ENTRY_BYTES_MAX - 1], 0x5a);
	wal_recovered_free(&rec);
	wal_close(w);
	free(big);
}

static void
test_missing_segment(void)
{
	char names[SEGMENTS_MAX][WAL_FS_NAME_BYTES_MAX];
	struct wal *w = create(SMALL_SEGMENT_BYTES);

	append_range(w, 1, 100, 1);
	CU_ASSERT_EQUAL(wal_sync(w), 0);
	wal_close(w);
	CU_ASSERT_FATAL(segments(names) >= 3);
	CU_ASSERT_EQUAL(fs.ops->unlink(fs.ctx, names[1]), 0);
	expect_corrupt(names[2], 0);
}

/* ---- crash and faults (sim_fs only) -------------------------------- */

static void
sim_restart(uint64_t seed)
{
	sim_fs_free(sim);
	sim = sim_fs_new(seed);
	sim_fs_wal_fs(sim, &fs);
}

static void
test_crash_loses_only_unsynced(void)
{
	struct raft_hardstate hs1 = {1, 2, 30}, hs2 = {2, 0, 40};
	struct wal_recovered rec;
	char err[WAL_ERR_BYTES_MAX];
	uint64_t k;

	for (uint64_t seed = 0; seed < CRASH_SEEDS; seed++) {
		struct wal *w;

		sim_restart(runner_seed() + seed);
		w = create(MID_SEGMENT_BYTES);
		append_range(w, 1, 30, 1);
		CU_ASSERT_EQUAL(wal_append_hardstate(w, &hs1), 0);
		CU_ASSERT_EQUAL(wal_sync(w), 0);
		append_range(w, 31, 45, 1);
		CU_ASSERT_EQUAL(wal_append_hardstate(w, &hs2), 0);
		wal_close(w);
		sim_fs_crash(sim, seed % 2 == 1);
		CU_ASSERT_EQUAL_FATAL(reopen(MID_SEGMENT_BYTES, &w, &rec, err),
		    0);
		k = rec.entries_n;
		CU_ASSERT(seed % 2 == 1 || k == 30);
		CU_ASSERT(k >= 30 && k <= 45);
		CU_ASSERT(entries_are(&rec, 1, k, 1, 0, 1));
		CU_ASSERT(rec.hs.term == 1 || (k == 45 && rec.hs.term == 2));
		wal_recovered_free(&rec);
		wal_close(w);
	}
}

/* A snapshot at half the log, then release: the order raftd uses. */
static int
release_half(struct wal *w, uint64_t acked)
{
	struct raft_snapshot_marker m = {.index = acked / 2, .term = 1};
	int rc;

	if ((rc = wal_append_snapshot(w, &m)) != 0)
		return rc;
	return wal_release_before(w, m.index);
}

/* Runs batches until an operation fails; returns the last entry index
 * a successful wal_sync acknowledged, '*written' the last appended. */
static uint64_t
faulty_workload(uint64_t *written, bool *completed)
{
	struct wal_options opt = {.segment_bytes = SMALL_SEGMENT_BYTES};
	struct wal *w = NULL;
	uint64_t acked = 0, next = 1;

	*written = 0;
	*completed = false;
	if (wal_create(&fs, &test_id, &opt, &w) != 0)
		return 0;
	for (int batch = 0; batch < 20; batch++) {
		bool ok = true;

		for (int j = 0; j < 5 && ok; j++, next++) {
			ok = append_one(w, next, 1) == 0;
			*written = next;
		}
		if (!ok || wal_sync(w) != 0)
			goto out;
		acked = next - 1;
		if (batch == 10 && release_half(w, acked) != 0)
			goto out;
	}
	*completed = true;
out:
	wal_close(w);
	return acked;
}

static void
test_fault_injection_sweep(void)
{
	struct wal_recovered rec;
	char err[WAL_ERR_BYTES_MAX];
	bool completed = false;

	for (uint64_t n = 1; !completed; n++) {
		uint64_t written, acked;
		struct wal *w = NULL;
		int rc;

		sim_restart(runner_seed() ^ n);
		sim_fs_fail_after(sim, n);
		acked = faulty_workload(&written, &completed);
		sim_fs_fail_after(sim, 0);
		sim_fs_crash(sim, n % 2 == 1);
		if (acked > 0) {
			rc = reopen(SMALL_SEGMENT_BYTES, &w, &rec, err);
			CU_ASSERT_EQUAL(rc, 0);
			if (rc != 0)
				printf("# n=%" PRIu64 ": %s\n", n, err);
			CU_ASSERT(rec.snap.index + rec.entries_n >= acked);
			CU_ASSERT(rec.snap.index + rec.entries_n <= written);
			CU_ASSERT(entries_are(&rec, rec.snap.index + 1,
			    rec.snap.index + rec.entries_n, 1, 0, 1));
			wal_recovered_free(&rec);
			wal_close(w);
			continue;
		}
		rc = reopen(SMALL_SEGMENT_BYTES, &w, &rec, err);
		CU_ASSERT(rc == 0 || rc == CAIRN_ENOENT);
		wal_recovered_free(&rec);
		wal_close(w);
		CU_ASSERT_FATAL(n < 100000);
	}
}

static CU_TestInfo wal_tests[] = {
	{"create, append, reopen", test_create_append_reopen},
	{"open without a WAL", test_open_missing},
	{"torn last record at every byte offset", test_torn_tail_every_offset},
	{"flipped byte in a middle record", test_flipped_byte_middle_record},
	{"damage in a finished segment", test_damage_in_finished_segment},
	{"segment rollover", test_rollover},
	{"hard state and snapshot marker", test_hardstate_and_snapshot},
	{"an installed snapshot replaces the log, a compaction keeps it", test_installed_snapshot_replaces_log},
	{"a compaction of an entry released since keeps the log", test_compaction_of_released_entry},
	{"overwritten entries truncate the log", test_overwrite_truncates},
	{"release covered segments", test_release_before},
	{"snapshot membership survives reopen", test_snapshot_conf_reopen},
	{"snapshot membership survives rollover and release",
	    test_snapshot_conf_after_release},
	{"corrupt snapshot membership in a middle record",
	    test_snapshot_conf_corrupt},
	{"invalid snapshot membership refused",
	    test_snapshot_invalid_conf_refused},
	{"entry above the bound refused", test_too_big_refused},
	{"missing segment", test_missing_segment},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo sim_tests[] = {
	{"crash loses only unsynced records", test_crash_loses_only_unsynced},
	{"fault injection at every operation", test_fault_injection_sweep},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo crc_tests[] = {
	{"crc32c vectors", test_crc32c_vectors},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"crc32c", NULL, NULL, NULL, NULL, crc_tests},
	{"wal (posix files)", NULL, NULL, setup_posix, teardown_posix, wal_tests},
	{"wal (sim fs)", NULL, NULL, setup_sim, teardown_sim, wal_tests},
	{"wal crash (sim fs)", NULL, NULL, setup_sim, teardown_sim, sim_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	log_init("test_wal", LOG_ERROR);
	return runner_run(suites);
}
