/*
 * netd: /metrics in Prometheus' text format (version 0.0.4), with etcd's
 * metric names, types and help texts: netd's own series (the gRPC
 * server's calls and bytes, the peers', the leader's), and the figures
 * raftd, stored and the supervisor send every second
 * (IPC_NETD_METRICS_SET): proposals, WAL fsync and backend commit
 * latencies, and each process's process_* series, labelled by process.
 */
#ifndef CAIRN_NETD_METRICS_H
#define CAIRN_NETD_METRICS_H

#include <stdint.h>

#include <event2/buffer.h>

#include "shared/histogram.h"
#include "shared/proc.h"
#include "shared/proto/ipc.pb.h"

/* The gRPC methods netd serves (netd/grpc.c's table), and gRPC's codes. */
#define METRICS_METHODS_MAX 48
#define METRICS_GRPC_CODES 17

struct netd;
struct grpc_method;

/* What netd counts itself, as go-grpc-prometheus and etcd's interceptors. */
struct metrics {
	uint64_t started[METRICS_METHODS_MAX];
	uint64_t handled[METRICS_METHODS_MAX][METRICS_GRPC_CODES];
	struct histogram handling[METRICS_METHODS_MAX]; /* hist_default_seconds */
	uint64_t received_bytes, sent_bytes;  /* gRPC messages, from and to clients */
	cairn_ipc_Metrics of[PROC_COUNT];     /* the others' last report, by sender */
};

/* A call of method m reached its service. */
void metrics_call_started(struct netd *n, const struct grpc_method *m);
/* ... and ended with 'code' after 'seconds'. */
void metrics_call_handled(struct netd *n, const struct grpc_method *m, unsigned code,
    double seconds);
/* A process's report (from: its sender, as the route allowed). */
void metrics_take(struct netd *n, enum cairn_proc from, const cairn_ipc_Metrics *m);

void metrics_write(const struct netd *n, struct evbuffer *out);

#endif
