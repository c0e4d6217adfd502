/*
 * cairn-bench: the key-value workloads of etcd's benchmark: put, range,
 * txn-put (a Txn of --txn-ops puts) and txn-mixed (Txns of one range or
 * one put, --rw-ratio reads to a write). Keys as etcd's: --key-size
 * bytes, the key's number as a Go varint first (drive_key).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cairn_bench.h"
#include "shared/assert.h"

/* Puts in one txn-put Txn (etcd's --max-txn-ops is 128 by default). */
#define KV_TXN_OPS_MAX 1024

static unsigned kv_series_a, kv_series_b;
/* range: the request, as flags made it. */
static struct msg_range kv_range;
/* txn-mixed: reads per write, as a probability of a read. */
static double kv_read_p;

static char *kv_consistency, *kv_end_key, *kv_rw_ratio;
static int64_t kv_limit, kv_mixed_limit;
static bool kv_count_only;
static uint64_t kv_txn_ops;

struct ctl_flag kv_range_flags[] = {
	{ "consistency", 0, CTL_FLAG_STRING, "l", "Linearizable(l) or Serializable(s)",
	  &kv_consistency, false },
	{ "limit", 0, CTL_FLAG_INT64, "0", "Maximum number of results to return from range request",
	  &kv_limit, false },
	{ "count-only", 0, CTL_FLAG_BOOL, "false", "Only returns the count of keys",
	  &kv_count_only, false },
	{ NULL, 0, 0, NULL, NULL, NULL, false },
};

struct ctl_flag kv_txn_put_flags[] = {
	{ "txn-ops", 0, CTL_FLAG_UINT64, "1", "Number of puts per txn", &kv_txn_ops, false },
	{ NULL, 0, 0, NULL, NULL, NULL, false },
};

struct ctl_flag kv_txn_mixed_flags[] = {
	{ "rw-ratio", 0, CTL_FLAG_STRING, "1", "Read/write ops ratio", &kv_rw_ratio, false },
	{ "limit", 0, CTL_FLAG_INT64, "1000", "Read operation range result limit",
	  &kv_mixed_limit, false },
	{ "end-key", 0, CTL_FLAG_STRING, "",
	  "Read operation range end key. By default, we do full range query with the default "
	  "limit of 1000.", &kv_end_key, false },
	{ "consistency", 0, CTL_FLAG_STRING, "l", "Linearizable(l) or Serializable(s)",
	  &kv_consistency, false },
	{ NULL, 0, 0, NULL, NULL, NULL, false },
};

/* The key number of op seq: sequential or uniform over the key space. */
static uint64_t
kv_key_number(struct bench *b, uint64_t seq)
{
	if (b->f.sequential_keys)
		return seq % b->f.key_space_size;
	return drive_rand(&b->rng) % b->f.key_space_size;
}

static void
kv_reply_a(struct bench_slot *s, const struct gc_result *r)
{
	drive_op_end(s, kv_series_a, r->status, r->message);
}

static void
kv_reply_b(struct bench_slot *s, const struct gc_result *r)
{
	drive_op_end(s, kv_series_b, r->status, r->message);
}

static void
kv_put_issue(struct bench_slot *s, uint64_t seq)
{
	struct bench *b = s->b;
	uint8_t key[BENCH_KEY_BYTES_MAX];
	struct pbout o = {0};

	drive_key(b, kv_key_number(b, seq), key);
	msg_put(&o, key, b->f.key_size, (const uint8_t *)b->val, b->f.val_size, 0);
	drive_call(s, BENCH_PATH_PUT, &o, kv_reply_a);
	pbout_close(&o);
}

int
kv_put_run(struct bench *b, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	kv_series_a = report_series(&b->rep, "put", true);
	drive_measured(b, kv_put_issue);
	return 0;
}

static void
kv_range_issue(struct bench_slot *s, uint64_t seq)
{
	struct pbout o = {0};

	(void)seq;
	msg_range(&o, &kv_range);
	drive_call(s, BENCH_PATH_RANGE, &o, kv_reply_a);
	pbout_close(&o);
}

/* --consistency: "l" or "s"; -1 otherwise. */
static int
kv_serializable(void)
{
	if (strcmp(kv_consistency, "l") == 0)
		return 0;
	if (strcmp(kv_consistency, "s") == 0)
		return 1;
	fprintf(stderr, "cairn-bench: --consistency must be l or s, not \"%s\"\n", kv_consistency);
	return -1;
}

int
kv_range_run(struct bench *b, int argc, char **argv)
{
	int ser;

	if (argc < 1 || argc > 2) {
		fprintf(stderr, "cairn-bench: range takes KEY [END-RANGE]\n");
		return -1;
	}
	if ((ser = kv_serializable()) < 0)
		return -1;
	kv_range.key = (const uint8_t *)argv[0];
	kv_range.klen = strlen(argv[0]);
	kv_range.end = argc > 1 ? (const uint8_t *)argv[1] : NULL;
	kv_range.elen = argc > 1 ? strlen(argv[1]) : 0;
	kv_range.limit = kv_limit;
	kv_range.serializable = ser == 1;
	kv_range.count_only = kv_count_only;
	kv_series_a = report_series(&b->rep, "range", true);
	drive_measured(b, kv_range_issue);
	return 0;
}

/* etcd's txn-put: Txn{success: puts of keys seq * ops + j}. */
static void
kv_txn_put_issue(struct bench_slot *s, uint64_t seq)
{
	struct bench *b = s->b;
	uint8_t key[BENCH_KEY_BYTES_MAX];
	struct pbout txn = {0};

	for (uint64_t j = 0; j < kv_txn_ops; j++) {
		struct pbout put = {0};

		drive_key(b, (seq * kv_txn_ops + j) % b->f.key_space_size, key);
		msg_put(&put, key, b->f.key_size, (const uint8_t *)b->val, b->f.val_size, 0);
		msg_txn_op(&txn, 2, 2, &put);
		pbout_close(&put);
	}
	drive_call(s, BENCH_PATH_TXN, &txn, kv_reply_a);
	pbout_close(&txn);
}

int
kv_txn_put_run(struct bench *b, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (kv_txn_ops == 0 || kv_txn_ops > KV_TXN_OPS_MAX) {
		fprintf(stderr, "cairn-bench: --txn-ops must be 1 to %d\n", KV_TXN_OPS_MAX);
		return -1;
	}
	kv_series_a = report_series(&b->rep, "txn-put", true);
	drive_measured(b, kv_txn_put_issue);
	return 0;
}

/* etcd's txn-mixed: a read (a range of every key from "\0" or to --end-key,
 * --limit) with probability ratio / (1 + ratio), else a put of key
 * seq % key space; each alone in a Txn. */
static void
kv_mixed_issue(struct bench_slot *s, uint64_t seq)
{
	struct bench *b = s->b;
	uint8_t key[BENCH_KEY_BYTES_MAX];
	struct pbout txn = {0}, op = {0};
	double u = (double)(drive_rand(&b->rng) >> 11) / 9007199254740992.0;

	if (u < kv_read_p) {
		msg_range(&op, &kv_range);
		msg_txn_op(&txn, 2, 1, &op);
		drive_call(s, BENCH_PATH_TXN, &txn, kv_reply_a);
	} else {
		drive_key(b, seq % b->f.key_space_size, key);
		msg_put(&op, key, b->f.key_size, (const uint8_t *)b->val, b->f.val_size, 0);
		msg_txn_op(&txn, 2, 2, &op);
		drive_call(s, BENCH_PATH_TXN, &txn, kv_reply_b);
	}
	pbout_close(&op);
	pbout_close(&txn);
}

int
kv_txn_mixed_run(struct bench *b, int argc, char **argv)
{
	static const uint8_t all_end[1] = { 0 };
	char *end;
	double ratio;
	int ser;

	(void)argc;
	(void)argv;
	errno = 0;
	ratio = strtod(kv_rw_ratio, &end);
	if (errno != 0 || end == kv_rw_ratio || *end != '\0' || !isfinite(ratio) || ratio < 0) {
		fprintf(stderr, "Error: invalid argument \"%s\" for \"--rw-ratio\" flag: "
		    "strconv.ParseFloat: parsing \"%s\": invalid syntax\n", kv_rw_ratio, kv_rw_ratio);
		return -1;
	}
	if ((ser = kv_serializable()) < 0)
		return -1;
	kv_read_p = ratio / (1 + ratio);
	kv_range.key = all_end; /* clientv3's WithPrefix of "": from "\0" */
	kv_range.klen = 1;
	if (kv_end_key[0] != '\0') {
		kv_range.end = (const uint8_t *)kv_end_key;
		kv_range.elen = strlen(kv_end_key);
	} else {
		kv_range.end = all_end;
		kv_range.elen = 1;
	}
	kv_range.limit = kv_mixed_limit;
	kv_range.serializable = ser == 1;
	fprintf(stderr, "bench with %s range\n", ser ? "serializable" : "linearizable");
	kv_series_a = report_series(&b->rep, "read", true);
	kv_series_b = report_series(&b->rep, "write", true);
	drive_measured(b, kv_mixed_issue);
	return 0;
}
