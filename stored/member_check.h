/*
 * stored: etcd's checks of a membership change before it is proposed,
 * against the members table: the strict reconfiguration checks
 * (--strict-reconfig-check: etcd's IsReadyToAddVotingMember,
 * IsReadyToRemoveVotingMember, IsReadyToPromoteMember, where a started
 * member is one that published its name) and ValidateConfigurationChange
 * (removed IDs, IDs taken or unknown, peer URLs taken, one learner at
 * most). etcd runs the latter at apply; cairn runs it here, because
 * raftd applies a membership entry to Raft by its own rule (members.h),
 * which the entry must then not fail.
 */
#ifndef CAIRN_STORED_MEMBER_CHECK_H
#define CAIRN_STORED_MEMBER_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "shared/req.h"
#include "stored/mvcc.h"

/* etcd's maxLearners. */
#define MEMBER_LEARNERS_MAX 1

struct member_change {
	uint8_t op;                   /* enum raft_conf_op */
	uint64_t id;
	const struct req_bytes *urls; /* ADD, ADD_LEARNER, UPDATE */
	uint32_t nurls;
	bool strict;                  /* --strict-reconfig-check */
};

/* 0, or etcd's refusal: CAIRN_ENOTENOUGHSTARTED, CAIRN_EMEMBERNOTFOUND
 * (also for a removed ID), CAIRN_EMEMBEREXIST, CAIRN_EPEERURLEXIST,
 * CAIRN_ETOOMANYLEARNERS, CAIRN_ENOTLEARNER; or the store's error. */
int member_check(struct mvcc *s, const struct member_change *c);

#endif
