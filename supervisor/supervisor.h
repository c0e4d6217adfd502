/*
 * supervisor: the state of the cairn process: its children, their control
 * channels and restart policies, and the event loop that watches them.
 */
#ifndef CAIRN_SUPERVISOR_H
#define CAIRN_SUPERVISOR_H

#include <event2/event.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "shared/chan.h"
#include "shared/proto/ipc.pb.h"
#include "supervisor/config.h"
#include "supervisor/listen.h"
#include "supervisor/members.h"
#include "supervisor/restart.h"

/* Period of the children's heartbeats to one another. */
#define SUPERVISOR_HEARTBEAT_MS 100u
/* After asking children to stop, kill what is left after this long. */
#define SUPERVISOR_STOP_GRACE_MS 4000u

struct supervisor;

struct sup_child {
	struct supervisor *owner;
	enum cairn_proc proc;
	pid_t pid;                  /* 0 when not running */
	char exe[PATH_MAX];
	struct chan ctl;            /* control channel, open while running */
	struct event *ctl_ev;
	struct event *restart_ev;   /* pending restart timer */
	struct restart_policy policy;
	cairn_ipc_ChildConfig cfg;  /* sent after every (re)start */
};

struct supervisor {
	const struct config *cfg;   /* borrowed */
	struct event_base *base;
	struct sup_child children[PROC_COUNT]; /* PROC_NETD.. used */
	struct listen_set listeners; /* bound before any child; netd's */
	/* The bootstrap membership (none once a WAL exists), and as stored
	 * and netd get it (RAFT_MEMBERS_MAX). */
	struct members *ms;         /* borrowed */
	cairn_ipc_BootstrapMember members[16];
	size_t members_len;
	/* Joining a running cluster (join.c): netd alone asks for its
	 * members while 'joining'; then 'join' (raftd's new WAL has no
	 * membership) and the asking netd is replaced at once. */
	bool joining, join, join_netd_restart;
	struct event *sigchld_ev;
	struct event *sigterm_ev;
	struct event *sigint_ev;
	struct event *stop_ev;      /* grace timer while stopping */
	struct event *metrics_ev;   /* its figures to netd, every second */
	bool stopping;
	int exit_status;
};

/* datadir.c: creates cfg->data_dir (0700) and member/ inside it. */
int datadir_prepare(const struct config *cfg);

/* spawn.c: finds each child's executable next to cairn or in libexec. */
int spawn_find_exes(struct supervisor *s);
/* spawn.c: starts child 'proc' with its channels; 0 or CAIRN_E*. */
int spawn_child(struct supervisor *s, enum cairn_proc proc);

/* supervisor.c: each child's configuration from cfg and ms. */
void supervisor_configure_children(struct supervisor *s);

/* loop.c */
void loop_setup(struct supervisor *s);
void loop_child_started(struct supervisor *s, struct sup_child *ch);
void loop_stop(struct supervisor *s, int status);

uint64_t supervisor_now_ms(void);

#endif
