/*
 * cairn-bench: declarations shared by its files: the flags, the driver
 * that keeps --clients operations in flight on one libevent loop, the
 * report, etcd's messages built and read by hand, and the workloads.
 */
#ifndef CAIRN_BENCH_H
#define CAIRN_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

#include "ctl/flag.h"
#include "shared/gclient.h"
#include "shared/pbout.h"
#include "shared/pbwire.h"

/* Operations in flight at once (--clients): each a slot of the driver. */
#define BENCH_CLIENTS_MAX 50000
/* Keys and values a workload makes; etcd refuses requests over 1.5 MiB
 * (--max-request-bytes) anyway. */
#define BENCH_KEY_BYTES_MAX 4096
#define BENCH_VAL_BYTES_MAX (1536u * 1024)
/* Latency samples kept per series; past this, reservoir sampling keeps a
 * uniform sample of this many (count, sum, fastest and slowest exact). */
#define BENCH_SAMPLES_MAX (1u << 23)
/* Series a report keeps (put, read, write, event, ...) and its counters. */
#define BENCH_SERIES_MAX 10
#define BENCH_COUNTERS_MAX 16
#define BENCH_NAME_BYTES_MAX 24
/* gRPC status codes 0 to 16 (the client makes only those as well). */
#define BENCH_GRPC_CODES 17
#define BENCH_NOT_FOUND 5
#define BENCH_ABORTED 10
#define BENCH_DATA_LOSS 15
/* A unary call's deadline: a server that stalls shows as DEADLINE_EXCEEDED
 * rather than a benchmark that never ends. */
#define BENCH_CALL_TIMEOUT_MS 60000
/* Watch events still missing this long after the last write: reported
 * as errors (DATA_LOSS) and the run ends. */
#define BENCH_WATCH_DRAIN_MS 15000
/* --rate: how far behind its schedule the pacing catches up (a burst). */
#define BENCH_PACE_SLACK_MS 10
/* The progress line's period on a terminal. */
#define BENCH_PROGRESS_MS 250

#define BENCH_PATH_RANGE "/etcdserverpb.KV/Range"
#define BENCH_PATH_PUT "/etcdserverpb.KV/Put"
#define BENCH_PATH_DELETE "/etcdserverpb.KV/DeleteRange"
#define BENCH_PATH_TXN "/etcdserverpb.KV/Txn"
#define BENCH_PATH_WATCH "/etcdserverpb.Watch/Watch"
#define BENCH_PATH_GRANT "/etcdserverpb.Lease/LeaseGrant"
#define BENCH_PATH_REVOKE "/etcdserverpb.Lease/LeaseRevoke"
#define BENCH_PATH_KEEPALIVE "/etcdserverpb.Lease/LeaseKeepAlive"
#define BENCH_PATH_STATUS "/etcdserverpb.Maintenance/Status"
#define BENCH_PATH_AUTH "/etcdserverpb.Auth/Authenticate"

/* The global flags, as etcd's benchmark names them (with --total,
 * --rate and the key and value sizes global rather than per command). */
struct bench_flags {
	struct ctl_strings endpoints;
	uint64_t conns, clients, total, rate;
	int64_t duration_ns, dial_timeout_ns;
	uint64_t key_size, val_size, key_space_size;
	bool sequential_keys, precise, json, target_leader, insecure_skip_verify;
	char *cert, *key, *cacert, *user;
};

/* One latency series of a report. */
struct bench_series {
	char name[BENCH_NAME_BYTES_MAX];
	bool in_total;           /* counted in the summary's figures */
	uint64_t *ns;            /* owned: samples, at most BENCH_SAMPLES_MAX */
	size_t n, cap;
	uint64_t count, errors;  /* successes (all, not just kept), failures */
	double sum_s, sumsq_s;
	uint64_t min_ns, max_ns;
};

struct bench_report {
	const char *command;     /* borrowed: "put", "watch", ... */
	bool precise;
	struct bench_series series[BENCH_SERIES_MAX];
	unsigned nseries;
	uint64_t errors[BENCH_GRPC_CODES];
	char errmsg[BENCH_GRPC_CODES][GC_MESSAGE_BYTES_MAX]; /* the first of each */
	struct {
		char name[BENCH_NAME_BYTES_MAX];
		uint64_t v;
	} counters[BENCH_COUNTERS_MAX];
	unsigned ncounters;
	uint64_t t0_ns, t1_ns;   /* the measured run */
	uint64_t rng;            /* reservoir sampling's xorshift state */
};

struct bench;
struct bench_slot;

/* A reply to a slot's call; the slot's op goes on (another call) or ends
 * (drive_op_end). r->msg is borrowed for the callback's duration. */
typedef void bench_reply_fn(struct bench_slot *s, const struct gc_result *r);
/* Starts operation number 'seq' on slot s: one or more calls, then
 * drive_op_end. */
typedef void bench_issue_fn(struct bench_slot *s, uint64_t seq);

/* One operation in flight. */
struct bench_slot {
	struct bench *b;
	unsigned idx;
	bool busy;
	uint64_t t0_ns;          /* the op's start */
	uint64_t seq;
	bool again;              /* ended within its own issue fn */
	bench_reply_fn *reply;
	TAILQ_ENTRY(bench_slot) paced; /* waiting for --rate */
};

struct bench {
	struct bench_flags f;
	const char *command;
	struct event_base *base;
	struct gc_client *gc;
	struct bench_report rep;
	uint64_t rng;            /* the workloads' xorshift state */
	char *val;               /* owned: --val-size random bytes */
	/* The driver. */
	struct bench_slot *slots;
	unsigned nslots, nbusy;
	bench_issue_fn *issue;
	uint64_t started, limit; /* ops started; at most 'limit' (0: none) */
	uint64_t end_ns;         /* start no op after this (0: none) */
	uint64_t rate;           /* ops/s (0: no limit) */
	uint64_t pace_next_ns;
	TAILQ_HEAD(, bench_slot) pace_wait;
	struct event *pace_ev, *progress_ev;
	const char *phase;       /* borrowed: the progress line's label */
	uint64_t progress_total; /* the progress line's target (0: by time) */
	uint64_t progress_t0_ns;
	uint64_t progress_done;  /* ops ended (the workload's own count when
	                          * it is not the driver's) */
	bool progress_shown;
	struct bench_slot *issuing; /* the slot whose issue fn runs */
	bool stop;               /* start no more ops */
	uint64_t ops_limit;      /* --total, or 0 when only --duration bounds */
};

/* cairn_bench_drive.c: the driver. */
uint64_t drive_now_ns(void);
uint64_t drive_rand(uint64_t *state);
/* Runs issue on nslots slots until 'limit' ops were started (0: none) or
 * the end time passed, and every slot is idle again. Workloads keep
 * their own state; b->rep records what they report. */
void drive_run(struct bench *b, unsigned nslots, bench_issue_fn *issue, uint64_t limit,
    int64_t duration_ns, uint64_t rate);
/* The measured run of most commands: --clients slots, --total or
 * --duration, --rate; the report's time is the run's. */
void drive_measured(struct bench *b, bench_issue_fn *issue);
/* A unary call for slot s: req copied; fn runs with the answer. */
void drive_call(struct bench_slot *s, const char *path, const struct pbout *req,
    bench_reply_fn *fn);
/* The op on s ended: its latency into series 'series' when status is
 * GC_OK, else an error of that code. The slot takes the next op. */
void drive_op_end(struct bench_slot *s, unsigned series, int status, const char *message);
/* Runs the loop until *done or the deadline (ms from now) passes; 0 if
 * done, -1 on the deadline. */
int drive_wait(struct bench *b, const bool *done, unsigned timeout_ms);
/* Starts and stops the progress line (stderr, a terminal only). */
void drive_progress_start(struct bench *b, const char *phase, uint64_t total);
void drive_progress_stop(struct bench *b);
/* The key of number n: --key-size bytes, n as a Go varint at the start
 * (etcd's benchmark: binary.PutVarint), the rest zero. */
void drive_key(const struct bench *b, uint64_t n, uint8_t *key);
/* A fatal error of the run: message on stderr, exit 1. */
void drive_fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* cairn_bench_report.c */
void report_init(struct bench_report *r, const char *command, bool precise);
void report_free(struct bench_report *r);
/* A new series; its index. */
unsigned report_series(struct bench_report *r, const char *name, bool in_total);
void report_observe(struct bench_report *r, unsigned series, uint64_t ns);
void report_error(struct bench_report *r, unsigned series, int code, const char *message);
void report_counter(struct bench_report *r, const char *name, uint64_t add);
uint64_t report_errors(const struct bench_report *r);
void report_print_text(const struct bench_report *r, FILE *out);
void report_print_json(const struct bench_report *r, FILE *out);

/* cairn_bench_msg.c: etcd's requests built, its answers read. */
void msg_put(struct pbout *o, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
    int64_t lease);
struct msg_range {
	const uint8_t *key, *end;
	size_t klen, elen;
	int64_t limit, revision;
	bool serializable, count_only;
};
void msg_range(struct pbout *o, const struct msg_range *q);
void msg_delete(struct pbout *o, const uint8_t *key, size_t klen);
/* A Compare of 'target' (1: create, 2: mod revision) equal to rev. */
void msg_compare_rev(struct pbout *o, const uint8_t *key, size_t klen, unsigned target,
    int64_t rev);
/* RequestOp fields: 1 range, 2 put, 3 delete; the nested request given. */
void msg_txn_op(struct pbout *txn, unsigned branch, unsigned kind, const struct pbout *req);
/* Reading answers: 0, or -1 when the bytes are not such a message. */
struct msg_kv {
	const uint8_t *key, *value;
	size_t klen, vlen;
	int64_t create_rev, mod_rev, lease;
};
int msg_kv(const uint8_t *p, size_t n, struct msg_kv *kv);
int64_t msg_header_revision(const uint8_t *p, size_t n);
uint64_t msg_header_member(const uint8_t *p, size_t n);
/* A RangeResponse: its count, more, number of kvs and the last kv. */
struct msg_range_resp {
	int64_t revision, count;
	bool more;
	size_t nkvs;
	struct msg_kv last;
};
int msg_range_resp(const uint8_t *p, size_t n, struct msg_range_resp *rr);
/* A TxnResponse: succeeded, its revision, and the first response's range
 * answer if it is one (rr->nkvs 0 otherwise). */
int msg_txn_resp(const uint8_t *p, size_t n, bool *succeeded, int64_t *revision,
    struct msg_range_resp *rr);
/* A top-level varint or bytes field of a message (the first). */
int msg_varint(const uint8_t *p, size_t n, uint32_t field, uint64_t *v);
int msg_bytes(const uint8_t *p, size_t n, uint32_t field, const uint8_t **data, size_t *len);

/* The workloads: 0 when the run went through (errors or not), with the
 * report filled. */
int kv_put_run(struct bench *b, int argc, char **argv);
int kv_range_run(struct bench *b, int argc, char **argv);
int kv_txn_put_run(struct bench *b, int argc, char **argv);
int kv_txn_mixed_run(struct bench *b, int argc, char **argv);
int stream_watch_run(struct bench *b, int argc, char **argv);
int stream_watch_latency_run(struct bench *b, int argc, char **argv);
int stream_lease_run(struct bench *b, int argc, char **argv);
int k8s_run(struct bench *b, int argc, char **argv);

/* The commands' own flags (each table ends with a zero entry). */
extern struct ctl_flag kv_range_flags[], kv_txn_put_flags[], kv_txn_mixed_flags[],
    stream_watch_flags[], stream_watch_latency_flags[], k8s_flags[];

#endif
