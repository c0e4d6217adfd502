/*
 * netd: the member's attributes (--name and --advertise-client-urls)
 * published through Raft, as etcd publishes them at start, so that every
 * member's MemberList shows this member's name and client URLs. Proposed
 * once a leader is known, and again every PUBLISH_RETRY_MS until applied.
 * A restarted netd publishes again (the same values: nothing changes).
 */
#ifndef CAIRN_NETD_PUBLISH_H
#define CAIRN_NETD_PUBLISH_H

#include <stdbool.h>

/* etcd retries its publish after each request timeout; cairn sooner:
 * raftd answers a proposal that cannot be served at once. */
#define PUBLISH_RETRY_MS 500
/* The attributes as the start-up log shows them (longer ones are cut). */
#define PUBLISH_ATTRS_BYTES 1024

struct netd;

struct publish {
	struct event *retry_ev;     /* owned */
	bool done;                  /* applied */
	bool in_flight;             /* proposed, no answer yet */
};

void publish_init(struct netd *n);
void publish_free(struct netd *n);
/* raftd's status changed: publishes when a leader is known and the
 * attributes are not yet applied nor under way. */
void publish_poke(struct netd *n);
/* The proposal's outcome: 0 (applied), or why not (retried). */
void publish_result(struct netd *n, int code);

#endif
