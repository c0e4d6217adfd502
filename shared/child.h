/*
 * Children: the skeleton all three children share: adopt the fixed
 * descriptors, read the configuration the supervisor sends, drop
 * privileges, then run the event loop of the control channel and the
 * peer channels (hello, heartbeats, rewiring after a peer restarts).
 */
#ifndef CAIRN_CHILD_H
#define CAIRN_CHILD_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

#include "shared/chan.h"
#include "shared/proto/ipc.pb.h"

/* How long a child waits for its configuration before giving up. */
#define CHILD_CONFIG_WAIT_MS 10000
/* Listening sockets the supervisor may pass netd (NetdConfig.listeners). */
#define CHILD_LISTENERS_MAX 16
/* The bootstrap members stored may be given (RaftConfig.members' bound). */
#define CHILD_MEMBERS_MAX 16

struct child;
struct chan_msg;

/* What one child process adds to the skeleton. Every hook may be NULL. */
struct child_ops {
	/* After the configuration, before the privilege drop (perhaps as
	 * root): open what the process's user may not reach. 0 or an error
	 * (logged by the hook) that ends the process. */
	int (*prepare)(struct child *c);
	/* After the configuration and the privilege drop, before the loop:
	 * 0, or an error (logged by the hook) that ends the process. */
	int (*start)(struct child *c);
	/* A frame from a peer that the skeleton does not handle (hello and
	 * heartbeats it does): 0, or CAIRN_EPROTO to cut that peer off and
	 * report it to the supervisor. */
	int (*frame)(struct child *c, enum cairn_proc from, struct chan_msg *m);
	/* A channel to 'peer' came up (first start, or the peer restarted):
	 * say what the peer must know to begin. */
	void (*peer_up)(struct child *c, enum cairn_proc peer);
	/* The channel to 'peer' was read: the peer may have made room in
	 * our ring to it, so sends that met CAIRN_EAGAIN may go on. */
	void (*peer_drained)(struct child *c, enum cairn_proc peer);
	/* Every CHILD_METRICS_MS (raftd, stored): fill this process's figures
	 * in *m for netd's /metrics (the skeleton adds the process's own and
	 * sends it). NULL: the process's own only. */
	void (*metrics)(struct child *c, cairn_ipc_Metrics *m);
	/* The loop ended: release what start took. */
	void (*stop)(struct child *c);
};

struct child_peer {
	struct child *owner;
	enum cairn_proc id;
	struct chan ch;
	struct event *ev;           /* readable socket */
	uint64_t heartbeats_seen;   /* since the channel came up */
	uint64_t heartbeat_seq;     /* ours, sent */
};

/* How often raftd and stored send netd their figures for /metrics. */
#define CHILD_METRICS_MS 1000u

/* A listening socket the supervisor bound and passed (netd only). */
struct child_listener {
	int fd;                     /* owned by the child */
	cairn_ipc_Listener info;
};

struct child {
	enum cairn_proc self;
	struct event_base *base;
	struct chan ctl;            /* to the supervisor */
	struct event *ctl_ev;
	struct event *heartbeat_ev;
	uint64_t heartbeats;        /* timer ticks, for the metrics' period */
	struct event *sigterm_ev;
	struct child_peer peers[PROC_COUNT]; /* indexed by enum cairn_proc */
	cairn_ipc_ChildConfig cfg;
	struct child_listener listeners[CHILD_LISTENERS_MAX];
	size_t listeners_len;       /* cfg.netd.listeners, all received */
	cairn_ipc_BootstrapMember members[CHILD_MEMBERS_MAX]; /* stored only */
	size_t members_len;         /* cfg.bootstrap_members, all received */
	const struct child_ops *ops;
	void *state;                /* the process's own, set by ops->start */
};

/* A frame hook for a process that only hears statuses yet (netd until
 * its work lands): logs raftd's, ignores stored's; refuses any other
 * frame. */
int child_frame_status_only(struct child *c, enum cairn_proc from, struct chan_msg *m);

/* Runs the child 'self' until the supervisor stops it or goes away.
 * Returns the exit status for main(). */
int child_main(enum cairn_proc self, const struct child_ops *ops, int argc, char **argv);

#endif
