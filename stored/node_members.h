/*
 * stored: the members table seen from the node: the bootstrap members
 * written into a new store, and etcd's MemberListResponse for netd.
 */
#ifndef CAIRN_STORED_NODE_MEMBERS_H
#define CAIRN_STORED_NODE_MEMBERS_H

#include "stored/node.h"

/* The most members a MemberList answers with (etcd's own clusters stay
 * far below; raftd takes at most RAFT_MEMBERS_MAX voters and learners). */
#define STORED_MEMBER_LIST_MAX 64

/* Writes the supervisor's bootstrap members into a new store (consistent
 * index 0, no members yet); nothing otherwise. 0 or the store's error. */
int stored_members_bootstrap(struct stored_node *n);
/* etcd's MemberListResponse into out: a header without a revision (as
 * etcd's ClusterServer makes it) and the members by ascending ID. 0, or
 * the store's error with out unspecified. */
int stored_member_list(struct stored_node *n, struct spb *out);
/* Appends the removed members' IDs to out (MEMBERS_REMOVED_FIELD, up to
 * MEMBERS_REMOVED_MAX: shared/raft_peer.h), for netd to tell them. 0 or the store's
 * error. */
int stored_members_removed(struct stored_node *n, struct spb *out);
/* A membership change netd asks for (request 'id'): checked as etcd
 * checks it (member_check.h, and the admin permission while auth is on),
 * then sent to raftd to propose; refused to netd otherwise. CAIRN_EPROTO
 * for a malformed one. */
int stored_member_change(struct stored_node *n, uint64_t id, const cairn_ipc_MemberChange *in);
/* The answer to an applied change of 'op' (etcd's MemberAddResponse, or
 * MemberRemove's, Update's, Promote's) into out; member: the entry's
 * record, MemberAddResponse's new member. 0 or the store's error. */
int stored_member_changed(struct stored_node *n, uint8_t op, const uint8_t *member, uint32_t len,
    struct spb *out);

#endif
