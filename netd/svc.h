/*
 * netd: the gRPC methods of etcd's services, as grpc.c's method table
 * calls them (grpc_unary_fn).
 */
#ifndef CAIRN_NETD_SVC_H
#define CAIRN_NETD_SVC_H

#include <pb.h>

#include "netd/grpc.h"
#include "shared/proto/ipc.pb.h"
#include "shared/req.h"
#include "shared/proto/etcdserverpb/rpc.pb.h"

struct netd;

/* The etcd server version netd reports (Status, /version): the 3.4
 * release whose behaviour cairn matches. */
#define SVC_ETCD_VERSION "3.4.23"

/* etcdserverpb.KV (svc_kv.c). */
grpc_unary_fn svc_kv_range;
grpc_unary_fn svc_kv_put;
grpc_unary_fn svc_kv_delete_range;
grpc_unary_fn svc_kv_txn;
grpc_unary_fn svc_kv_compact;

/* etcdserverpb.Watch (svc_watch.c): the stream's calls, and stored's
 * WatchEvents for the watcher of pending slot p. */
extern const struct grpc_stream_ops svc_watch_ops;
struct pending;
void svc_watch_events(struct netd *n, struct pending *p, const cairn_ipc_WatchEvents *ev);

/* etcdserverpb.Cluster (svc_cluster.c). */
grpc_unary_fn svc_cluster_member_list;
grpc_unary_fn svc_cluster_member_add;
grpc_unary_fn svc_cluster_member_remove;
grpc_unary_fn svc_cluster_member_update;
grpc_unary_fn svc_cluster_member_promote;

/* etcdserverpb.Maintenance (svc_maint.c). */
grpc_unary_fn svc_maint_status;
grpc_unary_fn svc_maint_hash;
grpc_unary_fn svc_maint_hash_kv;
grpc_unary_fn svc_maint_defragment;
grpc_unary_fn svc_maint_alarm;
grpc_unary_fn svc_maint_move_leader;
/* raftd's answer to a MoveLeader: 0 once the target leads, or why not. */
void svc_maint_moved(struct gstream *s, int code);
/* Names the user of s's token in a Maint (stored checks the root role):
 * 0, or CAIRN_EAUTHTOKEN. */
int svc_maint_user(struct gstream *s, cairn_ipc_Maint *m);
/* Maintenance.Snapshot (svc_snapshot.c), and each part stored sends of it
 * (checked chunks; 'remaining' bytes after them; 'more' parts to come). */
extern const struct grpc_stream_ops svc_maint_snapshot_ops;
void svc_maint_snapshot_part(struct gstream *s, pb_bytes_array_t *const *parts, size_t n,
    uint64_t remaining, bool more);

/* etcdserverpb.Lease: the calls that go through Raft (svc_lease.c), and
 * those stored's lessor answers (svc_lease_ask.c), with stored's Result
 * for a keep-alive stream. */
grpc_unary_fn svc_lease_grant;
/* A new lease ID, as etcd's server picks one for a grant without. */
int64_t svc_lease_new_id(struct netd *n);
grpc_unary_fn svc_lease_revoke;
grpc_unary_fn svc_lease_time_to_live;
grpc_unary_fn svc_lease_leases;
extern const struct grpc_stream_ops svc_lease_keepalive_ops;
/* A keep-alive's answer: stored's LeaseKeepAliveResponse in checked
 * parts, len bytes in all. */
void svc_lease_renewed(struct gstream *s, pb_bytes_array_t *const *parts, size_t n,
    size_t len);

/* etcdserverpb.Auth (svc_auth.c): every call but Authenticate goes
 * through Raft; Authenticate checks the password with stored first, and
 * keeps the token the applied request gives. */
grpc_unary_fn svc_auth_authenticate;
grpc_unary_fn svc_auth_enable, svc_auth_disable, svc_auth_user_add, svc_auth_user_get,
    svc_auth_user_list, svc_auth_user_delete, svc_auth_user_passwd, svc_auth_user_grant,
    svc_auth_user_revoke, svc_auth_role_add, svc_auth_role_get, svc_auth_role_list,
    svc_auth_role_delete, svc_auth_role_grant, svc_auth_role_revoke;
/* stored's answers for an Authenticate: the password check, then the
 * applied request (the token). */
void svc_auth_checked(struct gstream *s, int code);
void svc_auth_token(struct gstream *s, pb_bytes_array_t *const *parts, size_t n, size_t len);

/* v3lockpb.Lock (svc_lock.c) and v3electionpb.Election
 * (svc_election.c): etcd's concurrency recipes, served with requests of
 * netd's own (netd/recipe.h). */
grpc_unary_fn svc_lock_lock, svc_lock_unlock;
grpc_unary_fn svc_election_campaign, svc_election_proclaim, svc_election_leader,
    svc_election_resign;
extern const struct grpc_stream_ops svc_election_observe_ops;

/* Helpers of the services (svc_pb.c). */
/* Decodes msg[len] into *dst with nanopb (dst zeroed first). Returns 0;
 * or -1 with s answered as grpc-go answers a message it cannot
 * unmarshal. */
int svc_decode(struct gstream *s, const pb_msgdesc_t *fields, void *dst,
    const uint8_t *msg, size_t len);
/* Encodes *src and answers s with it. */
void svc_reply_pb(struct gstream *s, const pb_msgdesc_t *fields, const void *src);
/* A header netd makes itself: the IDs, the term, the store's revision. */
void svc_header(const struct netd *n, etcdserverpb_ResponseHeader *h);
/* Wraps msg[len] as field 'field' (length-delimited) of an
 * InternalRaftRequest, without re-encoding it, after a header naming the
 * user of s's token while auth is enabled. Returns the new buffer (the
 * caller's) and its length in *out_len; or NULL with *err
 * CAIRN_EAUTHTOKEN (a token netd does not know). */
uint8_t *svc_wrap(struct gstream *s, enum req_type field, const uint8_t *msg, size_t len,
    size_t *out_len, int *err);
/* The same without a header (a request of netd's own). */
uint8_t *svc_wrap_plain(enum req_type field, const uint8_t *msg, size_t len, size_t *out_len);
/* The user s's token names (NULL: none, or auth disabled; borrowed):
 * 0, or CAIRN_EAUTHTOKEN. */
int svc_user(struct gstream *s, const uint8_t **user, size_t *user_len);
/* Proposes the client's message msg[len] as field 'field' of an
 * InternalRaftRequest, unchecked (the requests whose checks stored makes). */
int svc_propose(struct gstream *s, enum req_type field, const uint8_t *msg, size_t len);

#endif
