/*
 * cairnctl: printing answers in etcdctl's formats. The json and protobuf
 * forms are the whole response (Go's encoding/json of the message, or its
 * bytes); simple and fields are per command, as etcdctl's printers.
 */
#ifndef CAIRN_CTL_PRINT_H
#define CAIRN_CTL_PRINT_H

#include <stdbool.h>

#include "ctl/ctl.h"
#include "ctl/pbview.h"

/* Prints response r of message type 'msg' ("etcdserverpb.RangeResponse")
 * as json or protobuf, as etcdctl's printerRPC does. */
void print_rpc(enum ctl_format f, const char *msg, struct pbv r);
/* etcdctl's "<format> not supported as output format" (exit 4). */
__attribute__((noreturn)) void print_unsupported(enum ctl_format f);

/* The KV answers in every format (print_kv.c); value_only is get's
 * --print-value-only. */
void print_range(enum ctl_format f, struct pbv r, bool value_only);
void print_put(enum ctl_format f, struct pbv r);
void print_del(enum ctl_format f, struct pbv r);
void print_txn(enum ctl_format f, struct pbv r);

/* The fields format's header lines ("ClusterID" : ...). */
void print_fields_header(struct pbv hdr);

/* One mvccpb.KeyValue as etcdctl's printKV (simple format: the key
 * unless value_only, the value; --hex honoured) and as its fields
 * printer's kv ("<pfx>Key" : ... "<pfx>Lease" : ...) print it. */
void print_kv_simple(struct pbv kv, bool value_only);
void print_kv_fields(const char *pfx, struct pbv kv);

/* etcdctl's display.Watch of one clientv3.WatchResponse (print_watch.c):
 * events in simple and fields, the WatchResponse struct in json, the
 * pb.WatchResponse etcdctl makes of it in protobuf. */
struct watcher_resp;
void print_watch(enum ctl_format f, const struct watcher_resp *r);

#endif
