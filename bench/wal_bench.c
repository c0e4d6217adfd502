/*
 * Benchmark, no cairn process: WAL append throughput with group commit
 * (one wal_sync per batch of 1, 16 or 256 entries of 256 B) against the
 * disk's raw fdatasync rate measured in the same run, which bounds any
 * WAL: at batch 1 the WAL should reach 90% of it.
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "raftd/wal.h"
#include "raftd/wal_fs_posix.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

#define BENCH_ENTRY_BYTES 256u
#define BENCH_BATCH_COUNT 3
#define BENCH_RUNS 3
#define BENCH_RUN_SEC 1.0
#define BENCH_QUICK_RUN_SEC 0.1
#define BENCH_RAW_FILE_BYTES (64ull << 20)
#define BENCH_BATCH_MAX 256u

static const unsigned bench_batches[BENCH_BATCH_COUNT] = {1, 16, 256};

struct bench_result {
	double entries_sec;
	double syncs_sec;
};

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *
fs_name(const char *dir)
{
	static const struct { long type; const char *name; } known[] = {
		{0xEF53, "ext2/3/4"}, {0x58465342, "xfs"},
		{0x9123683E, "btrfs"}, {0x01021994, "tmpfs"},
		{0x794C7630, "overlayfs"}, {0x2FC12FC1, "zfs"},
		{0x6969, "nfs"}, {0xF2F52010, "f2fs"},
	};
	struct statfs st;

	if (statfs(dir, &st) != 0)
		return "unknown (statfs failed)";
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if ((long)st.f_type == known[i].type)
			return known[i].name;
	return "other";
}

/* The physical limit: 256 B pwrite + fdatasync at increasing offsets of
 * a preallocated file, the same pattern the WAL produces. */
static double
raw_fdatasync_rate(const char *dir, double run_sec)
{
	char path[PATH_MAX];
	uint8_t buf[BENCH_ENTRY_BYTES];
	uint64_t n = 0;
	double t0, t;
	int fd;

	snprintf(path, sizeof(path), "%s/raw.dat", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || posix_fallocate(fd, 0, BENCH_RAW_FILE_BYTES) != 0 ||
	    fsync(fd) != 0)
		fatal("raw file %s", path);
	memset(buf, 0x5a, sizeof(buf));
	t0 = now_sec();
	do {
		if (pwrite(fd, buf, sizeof(buf), (off_t)(n * sizeof(buf))) !=
		    (ssize_t)sizeof(buf) || fdatasync(fd) != 0)
			fatal("raw write");
		n++;
		t = now_sec();
	} while (t - t0 < run_sec && (n + 1) * sizeof(buf) < BENCH_RAW_FILE_BYTES);
	close(fd);
	unlink(path);
	return (double)n / (t - t0);
}

static void
wal_dir_remove(const struct wal_fs *fs, const char *dir)
{
	char **names;
	size_t n;

	if (fs->ops->list(fs->ctx, &names, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			fs->ops->unlink(fs->ctx, names[i]);
		wal_fs_names_free(names, n);
	}
	rmdir(dir);
}

static struct bench_result
wal_run(const char *parent, unsigned batch, double run_sec)
{
	static uint8_t payload[BENCH_ENTRY_BYTES];
	struct raft_entry e[BENCH_BATCH_MAX];
	struct raft_identity id = {1, 1};
	struct bench_result r;
	struct wal_fs fs;
	struct wal *w;
	char dir[PATH_MAX];
	uint64_t index = 1, syncs = 0;
	double t0, t;

	snprintf(dir, sizeof(dir), "%s/wal", parent);
	wal_fs_posix_new(&fs, dir);
	if (wal_create(&fs, &id, NULL, &w) != 0)
		fatalx("wal_create in %s", dir);
	memset(payload, 0xa5, sizeof(payload));
	t0 = now_sec();
	do {
		for (unsigned i = 0; i < batch; i++)
			e[i] = (struct raft_entry){.term = 1, .index = index++,
			    .type = RAFT_ENTRY_NORMAL, .len = BENCH_ENTRY_BYTES,
			    .data = payload};
		if (wal_append_entries(w, e, batch) != 0 || wal_sync(w) != 0)
			fatalx("wal append/sync failed");
		syncs++;
		t = now_sec();
	} while (t - t0 < run_sec);
	wal_close(w);
	wal_dir_remove(&fs, dir);
	wal_fs_posix_free(&fs);
	r.entries_sec = (double)(index - 1) / (t - t0);
	r.syncs_sec = (double)syncs / (t - t0);
	return r;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static void
usage(void)
{
	fprintf(stderr, "usage: wal_bench [--dir DIR] [--quick]\n");
	exit(2);
}

/* Rounds interleave the raw measurement with the WAL runs, so that a
 * shared disk's drifting load hits both alike; each figure is the median
 * over the rounds. */
static void
bench_all(const char *dir, int runs, double run_sec)
{
	double raw_v[BENCH_RUNS], raw;
	double ent_v[BENCH_BATCH_COUNT][BENCH_RUNS];
	double sync_v[BENCH_BATCH_COUNT][BENCH_RUNS];

	for (int i = 0; i < runs; i++) {
		raw_v[i] = raw_fdatasync_rate(dir, run_sec);
		for (int b = 0; b < BENCH_BATCH_COUNT; b++) {
			struct bench_result r = wal_run(dir, bench_batches[b],
			    run_sec);

			ent_v[b][i] = r.entries_sec;
			sync_v[b][i] = r.syncs_sec;
		}
	}
	raw = median(raw_v, runs);
	printf("raw 256 B write+fdatasync: %.0f fsyncs/s\n\n", raw);
	printf("%-6s %12s %12s %10s\n", "batch", "entries/s", "fsyncs/s",
	    "vs raw");
	for (int b = 0; b < BENCH_BATCH_COUNT; b++) {
		double syncs = median(sync_v[b], runs);

		printf("%-6u %12.0f %12.0f %9.1f%%\n", bench_batches[b],
		    median(ent_v[b], runs), syncs, 100.0 * syncs / raw);
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'},
		{"quick", no_argument, NULL, 'q'},
		{NULL, 0, NULL, 0},
	};
	char tmpl[] = "wal_bench.XXXXXX";
	const char *dir = NULL;
	bool quick = false, made = false;
	int c;

	log_init("wal_bench", LOG_WARN);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			dir = optarg;
		else if (c == 'q')
			quick = true;
		else
			usage();
	}
	if (dir == NULL) {
		if ((dir = mkdtemp(tmpl)) == NULL)
			fatal("mkdtemp");
		made = true;
	}
	printf("wal_bench: dir %s on %s; %d run(s) of %.1f s each, median; "
	    "entries of %u B\n", dir, fs_name(dir), quick ? 1 : BENCH_RUNS,
	    quick ? BENCH_QUICK_RUN_SEC : BENCH_RUN_SEC, BENCH_ENTRY_BYTES);
	bench_all(dir, quick ? 1 : BENCH_RUNS,
	    quick ? BENCH_QUICK_RUN_SEC : BENCH_RUN_SEC);
	if (made)
		rmdir(dir);
	return 0;
}
