/*
 * stored: etcd's members tables, changed by the membership entries Raft
 * commits (raftd/conf_change.h): an added, updated or promoted member is
 * kept as its entry's context says (an etcdserverpb.Member, encoded:
 * MemberList answers with the records as they are); a removed one moves
 * to members_removed, as etcd keeps it, so that it is never let back. A
 * new store starts with the bootstrap members (--initial-cluster), as
 * etcd's first entries add them.
 */
#ifndef CAIRN_STORED_MEMBERS_H
#define CAIRN_STORED_MEMBERS_H

#include <stdbool.h>
#include <stdint.h>

#include "stored/mvcc.h"

/* Writes a member's record as it is (bootstrap, published attributes). */
int members_put(struct mvcc *s, DB_TXN *txn, uint64_t id, const uint8_t *rec, uint32_t len);
/*
 * Applies one membership entry (op: enum raft_conf_op) within txn, by the
 * rule raftd's core applies it to the Raft membership (the two must
 * agree): ADD and ADD_LEARNER keep ctx as the new record unless the ID is
 * a member (CAIRN_EMEMBEREXIST) or RAFT_MEMBERS_MAX are
 * (CAIRN_ETOOMANYMEMBERS); REMOVE moves a member to members_removed;
 * UPDATE replaces a member's peer URLs with ctx's; PROMOTE clears a
 * learner's flag (else CAIRN_ENOTLEARNER). CAIRN_EMEMBERNOTFOUND for a
 * change to no member. Those refusals change nothing; CAIRN_EIO or
 * CAIRN_ECORRUPT: the store failed.
 */
int members_apply(struct mvcc *s, DB_TXN *txn, uint8_t op, uint64_t id, const uint8_t *ctx,
    uint32_t len);
/* The number of members (not the removed ones). */
int members_count(struct mvcc *s, size_t *n);
/* The member's record: 0 (*out and *len set, borrowed from s until its
 * next read), CAIRN_ENOENT; *removed when it was removed. */
int members_get(struct mvcc *s, uint64_t id, const uint8_t **out, uint32_t *len,
    bool *removed);

/* Calls fn for each member's record (not the removed ones), in the
 * table's order; rec is borrowed for the call. Stops at fn's first
 * non-zero return, which it returns. */
typedef int members_fn(void *arg, uint64_t id, const uint8_t *rec, uint32_t len);
int members_list(struct mvcc *s, members_fn *fn, void *arg);
/* The same for the removed members. */
int members_list_removed(struct mvcc *s, members_fn *fn, void *arg);

#endif
