/*
 * netd: etcd's leader monitor. A stream whose client asked for a leader
 * (metadata hasleader: true, clientv3's WithRequireLeader: etcdctl's
 * watch, the lease keep-alive stream) ends with "etcdserver: no leader"
 * (UNAVAILABLE) once the member has had no leader at NO_LEADER_ROUNDS
 * looks in a row, one every election timeout; the client then knows
 * its watch may miss events, rather than waiting on a partitioned member.
 */
#ifndef CAIRN_NETD_NO_LEADER_H
#define CAIRN_NETD_NO_LEADER_H

#include <stdint.h>

struct netd;

/* etcd's maxNoLeaderCnt. */
#define NO_LEADER_ROUNDS 3
/* The look's period when none was configured (etcd's default election
 * timeout), and the shortest one taken. */
#define NO_LEADER_PERIOD_MS_DEFAULT 1000
#define NO_LEADER_PERIOD_MS_MIN 10

/* Starts looking every election_ms (0: the default). */
void no_leader_init(struct netd *n, uint32_t election_ms);
void no_leader_free(struct netd *n);

#endif
