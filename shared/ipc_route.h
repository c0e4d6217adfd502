/*
 * All processes: the route of every IPC frame type: who may send it, who
 * may receive it, on which transport, its nanopb descriptor, its largest
 * payload and how many descriptors ride with it. ipc_route_check() is the
 * one place a received header is judged, before its payload is copied.
 */
#ifndef CAIRN_IPC_ROUTE_H
#define CAIRN_IPC_ROUTE_H

#include <pb.h>
#include <stdint.h>

#include "shared/frame.h"
#include "shared/proc.h"
#include "shared/proto/ipc.pb.h"

/* Bumped whenever a frame or payload changes meaning; hellos compare it. */
#define CAIRN_IPC_VERSION 1

/* Transports, as a mask in a route. */
#define IPC_VIA_SOCKET 1u
#define IPC_VIA_RING 2u

struct ipc_route {
	unsigned type;               /* cairn_ipc_IpcType */
	uint32_t senders;            /* PROC_BIT mask */
	uint32_t receivers;          /* PROC_BIT mask */
	const pb_msgdesc_t *fields;  /* payload message */
	uint32_t max_bytes;          /* payload bound */
	unsigned via;                /* IPC_VIA_* mask */
	unsigned nfds;               /* descriptors passed with it (socket only) */
};

/* Every decoded payload fits in this union. */
union ipc_msg {
	cairn_ipc_Hello hello;
	cairn_ipc_Heartbeat heartbeat;
	cairn_ipc_Empty empty;
	cairn_ipc_ChildConfig config;
	cairn_ipc_ChannelAdopt adopt;
	cairn_ipc_Listener listener; /* IPC_CHILD_LISTENER_ADOPT */
	cairn_ipc_BootstrapMember member; /* IPC_CHILD_MEMBER_ADOPT */
	cairn_ipc_Transfer transfer; /* IPC_RAFTD_TRANSFER_GET */
	cairn_ipc_ChannelFail fail;
	cairn_ipc_RaftMsg raft;      /* IPC_RAFTD_PEER_RECV, IPC_NETD_PEER_SEND */
	cairn_ipc_Proposal proposal;
	cairn_ipc_RaftReply reply;   /* PROPOSAL_FAIL, READ_INDEX_SET */
	cairn_ipc_ApplyEntries apply;
	cairn_ipc_Applied applied;   /* APPLY_RESUME, APPLIED_SET */
	cairn_ipc_RaftSnapshotMeta snap;
	cairn_ipc_RaftStatus status;
	cairn_ipc_Result result;
	cairn_ipc_WatchCreate watch;
	cairn_ipc_WatchEvents events;
	cairn_ipc_Read read;
	cairn_ipc_StoreStatus store;
	cairn_ipc_Maint maint;
	cairn_ipc_LeaseAsk lease;
	cairn_ipc_AuthCheck auth;
	cairn_ipc_MemberChange change; /* IPC_STORED_MEMBER_CHANGE */
	cairn_ipc_ConfProposal conf;   /* IPC_RAFTD_CONF_SEND */
	cairn_ipc_SnapshotPart part;   /* IPC_STORED_SNAPSHOT_RECV */
	cairn_ipc_SnapshotStatus snap_status; /* IPC_RAFTD_SNAPSHOT_STATUS */
	cairn_ipc_WatchHold hold;      /* IPC_STORED_WATCH_HOLD */
	cairn_ipc_JoinInfo join;       /* IPC_SUPERVISOR_JOIN_INFO */
	cairn_ipc_Metrics metrics;     /* IPC_NETD_(SUPERVISOR_)METRICS_SET */
};

/* The route of 'type', or NULL when the type has none. */
const struct ipc_route *ipc_route_find(unsigned type);

/* The whole table, for tests. */
const struct ipc_route *ipc_route_table(size_t *len);

/* Judges a received header: known type, sender 'from' and receiver 'to'
 * allowed, transport 'via' allowed, no unknown flags, length within the
 * route's bound. Returns 0 and the route in *out, or CAIRN_EPROTO with a
 * short reason in *why (a string literal). */
int ipc_route_check(const struct frame_hdr *h, enum cairn_proc from,
    enum cairn_proc to, unsigned via, const struct ipc_route **out,
    const char **why);

/* The type's name from ipc.proto ("IPC_ANY_HELLO_SEND"), or "unknown". */
const char *ipc_type_name(unsigned type);

#endif
