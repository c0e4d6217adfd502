/*
 * netd: etcd's Maintenance service. Status is answered from what raftd
 * and stored last told netd; Hash, HashKV and Defragment are run by
 * stored (Maint); Alarm goes through Raft, as in etcd; MoveLeader is
 * raftd's.
 */
#include <stdio.h>
#include <string.h>

#include "netd/backend.h"
#include "netd/h2.h"
#include "netd/netd.h"
#include "netd/svc.h"

int
svc_maint_status(struct gstream *s, const uint8_t *msg, size_t len)
{
	const struct netd *n = s->n;
	etcdserverpb_StatusRequest req = etcdserverpb_StatusRequest_init_zero;
	etcdserverpb_StatusResponse r = etcdserverpb_StatusResponse_init_zero;

	if (svc_decode(s, etcdserverpb_StatusRequest_fields, &req, msg, len) != 0)
		return 0;
	r.has_header = true;
	svc_header(n, &r.header);
	snprintf(r.version, sizeof(r.version), "%s", SVC_ETCD_VERSION);
	r.dbSize = n->store.db_size;
	r.dbSizeInUse = n->store.db_size_in_use;
	r.leader = n->raft.leader;
	/* netd knows stored's applied index; raftd's commit index is not
	 * sent to netd yet, and on a healthy member they are close. */
	r.raftIndex = n->store.applied;
	r.raftAppliedIndex = n->store.applied;
	r.raftTerm = n->raft.term;
	if (r.leader == 0)
		snprintf(r.errors[r.errors_count++], sizeof(r.errors[0]), "%s",
		    err_str(CAIRN_ENOLEADER));
	/* etcd's AlarmMember.String(), as etcd lists each alarm. */
	if (n->store.nospace)
		snprintf(r.errors[r.errors_count++], sizeof(r.errors[0]),
		    "memberID:%llu alarm:NOSPACE ", (unsigned long long)n->raft.member_id);
	svc_reply_pb(s, etcdserverpb_StatusResponse_fields, &r);
	return 0;
}

int
svc_maint_user(struct gstream *s, cairn_ipc_Maint *m)
{
	const uint8_t *user;
	size_t ul;
	int rc = svc_user(s, &user, &ul);

	if (rc == 0 && user != NULL) {
		memcpy(m->username.bytes, user, ul);
		m->username.size = (pb_size_t)ul;
	}
	return rc;
}

/* A call stored runs: the request is checked (HashKV's revision kept),
 * then Maint 'op' goes to stored. */
static int
svc_maint_run(struct gstream *s, const pb_msgdesc_t *fields, const uint8_t *msg, size_t len,
    cairn_ipc_Maint_Op op)
{
	union {
		etcdserverpb_HashRequest hash;
		etcdserverpb_HashKVRequest hash_kv;
		etcdserverpb_DefragmentRequest defrag;
	} req;
	cairn_ipc_Maint m = {.op = op};
	int rc;

	memset(&req, 0, sizeof(req));
	if (svc_decode(s, fields, &req, msg, len) != 0)
		return 0;
	if ((rc = svc_maint_user(s, &m)) != 0)
		return rc;
	if (op == cairn_ipc_Maint_Op_HASH_KV)
		m.revision = req.hash_kv.revision;
	return backend_ask(s, PENDING_RESULT, cairn_ipc_IPC_STORED_MAINT_DO, &m);
}

int
svc_maint_hash(struct gstream *s, const uint8_t *msg, size_t len)
{
	return svc_maint_run(s, etcdserverpb_HashRequest_fields, msg, len, cairn_ipc_Maint_Op_HASH);
}

int
svc_maint_hash_kv(struct gstream *s, const uint8_t *msg, size_t len)
{
	return svc_maint_run(s, etcdserverpb_HashKVRequest_fields, msg, len,
	    cairn_ipc_Maint_Op_HASH_KV);
}

int
svc_maint_defragment(struct gstream *s, const uint8_t *msg, size_t len)
{
	return svc_maint_run(s, etcdserverpb_DefragmentRequest_fields, msg, len,
	    cairn_ipc_Maint_Op_DEFRAGMENT);
}

int
svc_maint_alarm(struct gstream *s, const uint8_t *msg, size_t len)
{
	return svc_propose(s, REQ_ALARM, msg, len);
}

/* etcd's MoveLeader: asked of the leader only; raftd answers once the
 * target leads. etcd's answer is an empty MoveLeaderResponse. */
int
svc_maint_move_leader(struct gstream *s, const uint8_t *msg, size_t len)
{
	etcdserverpb_MoveLeaderRequest req = etcdserverpb_MoveLeaderRequest_init_zero;
	cairn_ipc_Transfer t = cairn_ipc_Transfer_init_zero;

	if (svc_decode(s, etcdserverpb_MoveLeaderRequest_fields, &req, msg, len) != 0)
		return 0;
	if (s->n->raft.leader == 0 || s->n->raft.leader != s->n->raft.member_id)
		return CAIRN_ENOTLEADER;
	t.to = req.targetID;
	return backend_ask_raftd(s, PENDING_TRANSFER, cairn_ipc_IPC_RAFTD_TRANSFER_GET, &t);
}

void
svc_maint_moved(struct gstream *s, int code)
{
	etcdserverpb_MoveLeaderResponse r = etcdserverpb_MoveLeaderResponse_init_zero;

	if (code != 0)
		grpc_reply_err(s, code);
	else
		svc_reply_pb(s, etcdserverpb_MoveLeaderResponse_fields, &r);
}
