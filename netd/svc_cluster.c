/*
 * netd: etcd's Cluster service. MemberList is served by stored from its
 * members table (the bootstrap members, then what membership entries
 * changed); etcd 3.4 answers it from the member's own view, without Raft
 * and without auth, and so does cairn.
 */
#include "netd/backend.h"
#include "netd/svc.h"

int
svc_cluster_member_list(struct gstream *s, const uint8_t *msg, size_t len)
{
	etcdserverpb_MemberListRequest req = etcdserverpb_MemberListRequest_init_zero;
	cairn_ipc_Maint m = {.op = cairn_ipc_Maint_Op_MEMBER_LIST};

	if (svc_decode(s, etcdserverpb_MemberListRequest_fields, &req, msg, len) != 0)
		return 0;
	return backend_ask(s, PENDING_RESULT, cairn_ipc_IPC_STORED_MAINT_DO, &m);
}
