/*
 * raftd: what the files of the Raft core share among themselves; callers
 * use core.h only.
 */
#ifndef CAIRN_RAFT_CORE_IMPL_H
#define CAIRN_RAFT_CORE_IMPL_H

#include "raftd/core.h"

/* core.c */
bool rcore_send(struct rcore *c, const struct rmsg *m);
bool rcore_outbox_full(const struct rcore *c);
void rcore_become_follower(struct rcore *c, uint64_t term, uint64_t leader);
void rcore_become_leader(struct rcore *c);
bool rcore_leader_alive(const struct rcore *c);
/* A leader's message (append, heartbeat, snapshot): from an older term
 * it is refused with *r and false is returned; otherwise we follow its
 * sender and restart the election clock. */
bool rcore_hear_leader(struct rcore *c, const struct rmsg *m, struct rmsg *r);
struct rcore_progress *rcore_progress(struct rcore *c, uint64_t id);
bool rcore_promotable(const struct rcore *c);
size_t rcore_quorum(const struct rcore *c);

/* core_election.c */
void rcore_campaign(struct rcore *c);
void rcore_pre_campaign(struct rcore *c);
void rcore_step_prevote(struct rcore *c, const struct rmsg *m);
void rcore_step_vote(struct rcore *c, const struct rmsg *m);
void rcore_step_vote_resp(struct rcore *c, const struct rmsg *m);
void rcore_check_quorum(struct rcore *c);

/* core_progress.c: per-follower flow control */
void pr_become_probe(struct rcore_progress *p);
void pr_become_replicate(struct rcore_progress *p);
void pr_become_snapshot(struct rcore_progress *p, uint64_t index);
bool pr_paused(const struct rcore_progress *p, unsigned max_inflight);
bool pr_inflight_full(const struct rcore_progress *p, unsigned max_inflight);
void pr_inflight_add(struct rcore_progress *p, uint64_t last);
void pr_inflight_free_to(struct rcore_progress *p, uint64_t index);
void pr_inflight_free_first(struct rcore_progress *p);
/* Returns the quorum-th largest of one value over the voters. */
uint64_t pr_quorum_value(const struct rcore *c, uint64_t (*get)(const struct rcore_progress *));

/* core_replicate.c */
bool rcore_send_append(struct rcore *c, struct rcore_progress *p, bool send_empty);
void rcore_broadcast_append(struct rcore *c);
void rcore_step_append(struct rcore *c, const struct rmsg *m);
void rcore_step_append_resp(struct rcore *c, const struct rmsg *m);
bool rcore_maybe_commit(struct rcore *c);
/* Raises the commit index to 'index' (never lowers it), applying the
 * membership changes it commits. */
void rcore_commit_to(struct rcore *c, uint64_t index);

/* core_read.c: heartbeats and read index */
void rcore_broadcast_heartbeat(struct rcore *c);
void rcore_step_heartbeat(struct rcore *c, const struct rmsg *m);
void rcore_step_heartbeat_resp(struct rcore *c, const struct rmsg *m);
void rcore_step_read_index(struct rcore *c, const struct rmsg *m);
void rcore_step_read_index_resp(struct rcore *c, const struct rmsg *m);
/* The leader's first commit of its term: waiting reads get an index. */
void rcore_reads_on_commit(struct rcore *c);
/* Leadership lost: every pending read is refused. */
void rcore_reads_abandon(struct rcore *c);
void rcore_reads_out(struct rcore *c, uint64_t ctx, uint64_t index, bool ok);

/* core_snapshot.c */
void rcore_send_snapshot(struct rcore *c, struct rcore_progress *p);
void rcore_step_snapshot(struct rcore *c, const struct rmsg *m);

/* core_conf.c */
/* Sets the members from 'conf', keeping what is known of those that stay. */
void rcore_conf_set(struct rcore *c, const struct raft_conf *conf);
void rcore_conf_get(const struct rcore *c, struct raft_conf *conf);
/* Applies the membership change in entry 'e' (committed). */
void rcore_conf_apply(struct rcore *c, const struct raft_entry *e);
/* The membership as of 'index' (snapshot index <= index <= commit). */
void rcore_conf_at(const struct rcore *c, uint64_t index, struct raft_conf *conf);

/* core_propose.c */
/* Frees the entry copy of an RMSG_PROPOSE or RMSG_PROPOSE_RESP we sent. */
void rcore_forward_free(struct rcore *c, const struct rmsg *m);
/* Sends a proposal's entry to the leader: head then data, one entry of
 * 'type'. Returns 0 or CAIRN_EAGAIN. */
int rcore_forward(struct rcore *c, uint8_t type, const uint8_t *head, uint32_t hlen,
    const uint8_t *data, uint32_t len);
/* The leader's part of rcore_propose_conf: its checks, then the entry. */
int rcore_conf_append(struct rcore *c, uint8_t op, uint64_t id, const uint8_t *ctx,
    uint32_t len);
void rcore_step_propose(struct rcore *c, const struct rmsg *m);
void rcore_step_propose_resp(struct rcore *c, const struct rmsg *m);
/* Frees the refusals handed out (or never handed out, at close). */
void rcore_refused_release(struct rcore *c);
void rcore_step_timeout_now(struct rcore *c, const struct rmsg *m);
void rcore_transfer_tick(struct rcore *c);
/* Leader removed from the membership: hand over, then step down. */
void rcore_transfer_away(struct rcore *c);
/* Leader: the transfer target may have caught up. */
void rcore_transfer_check(struct rcore *c, struct rcore_progress *p);

#endif
