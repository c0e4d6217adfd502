/*
 * All processes: the route table of IPC frame types (STYLE.md convention 3).
 * A unit test checks that every IpcType of ipc.proto has exactly one row.
 */
#include <stddef.h>

#include "shared/err.h"
#include "shared/ipc_route.h"
#include "shared/raft_peer.h"

#define SUP PROC_BIT(PROC_SUPERVISOR)
#define CHILD PROC_CHILDREN
#define NETD PROC_BIT(PROC_NETD)
#define RAFTD PROC_BIT(PROC_RAFTD)
#define STORED PROC_BIT(PROC_STORED)
#define ANY (SUP | CHILD)
#define SOCK IPC_VIA_SOCKET
#define RING IPC_VIA_RING

static const struct ipc_route ipc_routes[] = {
	{cairn_ipc_IPC_ANY_HELLO_SEND, ANY, ANY, cairn_ipc_Hello_fields,
	    cairn_ipc_Hello_size, SOCK, 0},
	{cairn_ipc_IPC_ANY_RING_WAKE, CHILD, CHILD, cairn_ipc_Empty_fields, 0, SOCK, 0},
	{cairn_ipc_IPC_CHILD_HEARTBEAT_SEND, CHILD, CHILD, cairn_ipc_Heartbeat_fields,
	    cairn_ipc_Heartbeat_size, RING, 0},
	{cairn_ipc_IPC_CHILD_CONFIG_SET, SUP, CHILD, cairn_ipc_ChildConfig_fields,
	    cairn_ipc_ChildConfig_size, SOCK, 0},
	{cairn_ipc_IPC_CHILD_CHANNEL_ADOPT, SUP, CHILD, cairn_ipc_ChannelAdopt_fields,
	    cairn_ipc_ChannelAdopt_size, SOCK, 2},
	{cairn_ipc_IPC_CHILD_PROCESS_STOP, SUP, CHILD, cairn_ipc_Empty_fields, 0, SOCK, 0},
	{cairn_ipc_IPC_SUPERVISOR_CHANNEL_FAIL, CHILD, SUP, cairn_ipc_ChannelFail_fields,
	    cairn_ipc_ChannelFail_size, SOCK, 0},
	/* Raft peer messages: bounded in shared/raft_peer.h (nanopb cannot
	 * size their pointer fields). */
	{cairn_ipc_IPC_RAFTD_PEER_RECV, NETD, RAFTD, cairn_ipc_RaftMsg_fields,
	    RAFT_PEER_MSG_BYTES_MAX, RING, 0},
	{cairn_ipc_IPC_NETD_PEER_SEND, RAFTD, NETD, cairn_ipc_RaftMsg_fields,
	    RAFT_PEER_MSG_BYTES_MAX, RING, 0},
	{cairn_ipc_IPC_RAFTD_PROPOSAL_SEND, NETD | STORED, RAFTD, cairn_ipc_Proposal_fields,
	    RAFT_PEER_MSG_BYTES_MAX, RING, 0},
	{cairn_ipc_IPC_NETD_PROPOSAL_FAIL, RAFTD, NETD, cairn_ipc_RaftReply_fields,
	    cairn_ipc_RaftReply_size, RING, 0},
	{cairn_ipc_IPC_RAFTD_READ_INDEX_GET, NETD, RAFTD, cairn_ipc_Empty_fields, 0, RING, 0},
	{cairn_ipc_IPC_NETD_READ_INDEX_SET, RAFTD, NETD, cairn_ipc_RaftReply_fields,
	    cairn_ipc_RaftReply_size, RING, 0},
	{cairn_ipc_IPC_STORED_ENTRIES_APPLY, RAFTD, STORED, cairn_ipc_ApplyEntries_fields,
	    RAFT_PEER_MSG_BYTES_MAX, RING, 0},
	{cairn_ipc_IPC_RAFTD_APPLY_RESUME, STORED, RAFTD, cairn_ipc_Applied_fields,
	    cairn_ipc_Applied_size, RING, 0},
	{cairn_ipc_IPC_RAFTD_APPLIED_SET, STORED, RAFTD, cairn_ipc_Applied_fields,
	    cairn_ipc_Applied_size, RING, 0},
	{cairn_ipc_IPC_STORED_SNAPSHOT_INSTALL, RAFTD, STORED, cairn_ipc_RaftSnapshotMeta_fields,
	    RAFT_PEER_MSG_OVERHEAD_BYTES, RING, 0},
	{cairn_ipc_IPC_CHILD_RAFT_STATUS_SET, RAFTD, NETD | STORED, cairn_ipc_RaftStatus_fields,
	    cairn_ipc_RaftStatus_size, RING, 0},
	{cairn_ipc_IPC_NETD_RESULT_SET, STORED, NETD, cairn_ipc_Result_fields,
	    RAFT_PEER_MSG_BYTES_MAX, RING, 0},
	{cairn_ipc_IPC_STORED_WATCH_CREATE, NETD, STORED, cairn_ipc_WatchCreate_fields,
	    cairn_ipc_WatchCreate_size, RING, 0},
	{cairn_ipc_IPC_STORED_WATCH_CANCEL, NETD, STORED, cairn_ipc_Empty_fields, 0, RING, 0},
	{cairn_ipc_IPC_STORED_WATCH_PROGRESS, NETD, STORED, cairn_ipc_Empty_fields, 0, RING, 0},
	{cairn_ipc_IPC_NETD_WATCH_EVENTS, STORED, NETD, cairn_ipc_WatchEvents_fields,
	    RAFT_PEER_MSG_BYTES_MAX, RING, 0},
	{cairn_ipc_IPC_STORED_READ_GET, NETD, STORED, cairn_ipc_Read_fields,
	    RAFT_PEER_MSG_BYTES_MAX, RING, 0},
	{cairn_ipc_IPC_NETD_STORE_STATUS_SET, STORED, NETD, cairn_ipc_StoreStatus_fields,
	    cairn_ipc_StoreStatus_size, RING, 0},
	{cairn_ipc_IPC_STORED_MAINT_DO, NETD, STORED, cairn_ipc_Maint_fields, cairn_ipc_Maint_size,
	    RING, 0},
	{cairn_ipc_IPC_STORED_LEASE_GET, NETD, STORED, cairn_ipc_LeaseAsk_fields,
	    cairn_ipc_LeaseAsk_size, RING, 0},
	{cairn_ipc_IPC_STORED_AUTH_CHECK, NETD, STORED, cairn_ipc_AuthCheck_fields,
	    cairn_ipc_AuthCheck_size, RING, 0},
	{cairn_ipc_IPC_CHILD_LISTENER_ADOPT, SUP, NETD, cairn_ipc_Listener_fields,
	    cairn_ipc_Listener_size, SOCK, 1},
	{cairn_ipc_IPC_CHILD_MEMBER_ADOPT, SUP, STORED | NETD, cairn_ipc_BootstrapMember_fields,
	    cairn_ipc_BootstrapMember_size, SOCK, 0},
	{cairn_ipc_IPC_RAFTD_TRANSFER_GET, NETD, RAFTD, cairn_ipc_Transfer_fields,
	    cairn_ipc_Transfer_size, RING, 0},
	{cairn_ipc_IPC_NETD_TRANSFER_SET, RAFTD, NETD, cairn_ipc_RaftReply_fields,
	    cairn_ipc_RaftReply_size, RING, 0},
	{cairn_ipc_IPC_STORED_MEMBER_CHANGE, NETD, STORED, cairn_ipc_MemberChange_fields,
	    cairn_ipc_MemberChange_size, RING, 0},
	{cairn_ipc_IPC_RAFTD_CONF_SEND, STORED, RAFTD, cairn_ipc_ConfProposal_fields,
	    cairn_ipc_ConfProposal_size, RING, 0},
	{cairn_ipc_IPC_SUPERVISOR_MEMBER_REMOVED, NETD, SUP, cairn_ipc_Empty_fields, 0, SOCK, 0},
	{cairn_ipc_IPC_STORED_SNAPSHOT_RECV, NETD, STORED, cairn_ipc_SnapshotPart_fields,
	    RAFT_PEER_MSG_BYTES_MAX, RING, 0},
	{cairn_ipc_IPC_RAFTD_SNAPSHOT_STATUS, NETD, RAFTD, cairn_ipc_SnapshotStatus_fields,
	    cairn_ipc_SnapshotStatus_size, RING, 0},
	{cairn_ipc_IPC_STORED_WATCH_HOLD, NETD, STORED, cairn_ipc_WatchHold_fields,
	    cairn_ipc_WatchHold_size, RING, 0},
	{cairn_ipc_IPC_SUPERVISOR_JOIN_INFO, NETD, SUP, cairn_ipc_JoinInfo_fields,
	    cairn_ipc_JoinInfo_size, SOCK, 0},
	{cairn_ipc_IPC_NETD_METRICS_SET, RAFTD | STORED, NETD, cairn_ipc_Metrics_fields,
	    cairn_ipc_Metrics_size, RING, 0},
	{cairn_ipc_IPC_NETD_SUPERVISOR_METRICS_SET, SUP, NETD, cairn_ipc_Metrics_fields,
	    cairn_ipc_Metrics_size, SOCK, 0},
};

#define IPC_ROUTES_LEN (sizeof(ipc_routes) / sizeof(ipc_routes[0]))

const struct ipc_route *
ipc_route_find(unsigned type)
{
	for (size_t i = 0; i < IPC_ROUTES_LEN; i++)
		if (ipc_routes[i].type == type)
			return &ipc_routes[i];
	return NULL;
}

const struct ipc_route *
ipc_route_table(size_t *len)
{
	*len = IPC_ROUTES_LEN;
	return ipc_routes;
}

int
ipc_route_check(const struct frame_hdr *h, enum cairn_proc from,
    enum cairn_proc to, unsigned via, const struct ipc_route **out,
    const char **why)
{
	const struct ipc_route *r = ipc_route_find(h->type);

	*out = NULL;
	if (r == NULL)
		*why = "unknown frame type";
	else if ((r->senders & PROC_BIT(from)) == 0)
		*why = "frame type not allowed from this sender";
	else if ((r->receivers & PROC_BIT(to)) == 0)
		*why = "frame type not allowed to this receiver";
	else if ((r->via & via) == 0)
		*why = "frame type not allowed on this transport";
	else if ((h->flags & ~FRAME_F_KNOWN) != 0)
		*why = "unknown frame flags";
	else if (h->length > r->max_bytes)
		*why = "frame longer than its type allows";
	else {
		*out = r;
		return 0;
	}
	return CAIRN_EPROTO;
}

const char *
ipc_type_name(unsigned type)
{
	const char *n = cairn_ipc_IpcType_name((cairn_ipc_IpcType)type);

	return n ? n : "unknown";
}
