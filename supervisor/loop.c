/*
 * supervisor: the event loop. Reaps children (SIGCHLD), restarts them with
 * backoff, listens to their control channels (protocol-failure reports),
 * and stops the member on SIGTERM/SIGINT or when a child crash-loops.
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "shared/err.h"
#include "shared/log.h"
#include "shared/proc_stats.h"
#include "supervisor/join.h"
#include "supervisor/supervisor.h"

uint64_t
supervisor_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool
loop_all_down(const struct supervisor *s)
{
	for (int p = PROC_NETD; p < PROC_COUNT; p++)
		if (s->children[p].pid != 0)
			return false;
	return true;
}

static struct sup_child *
loop_child_by_pid(struct supervisor *s, pid_t pid)
{
	for (int p = PROC_NETD; p < PROC_COUNT; p++)
		if (s->children[p].pid == pid)
			return &s->children[p];
	return NULL;
}

static void
loop_kill(struct sup_child *c, int sig)
{
	if (c->pid != 0)
		kill(c->pid, sig);
}

/* A child reports that a peer broke the protocol. netd is the one process
 * that reads hostile input, so when netd accuses a trusted process we
 * restart netd (a lying netd gains nothing); otherwise the accused. */
static void
loop_channel_fail(struct supervisor *s, struct sup_child *from,
    const cairn_ipc_ChannelFail *fail)
{
	enum cairn_proc accused = (enum cairn_proc)fail->peer;
	struct sup_child *victim;
	struct log_fields f;

	if (accused <= PROC_SUPERVISOR || accused >= PROC_COUNT || accused == from->proc)
		accused = from->proc;
	victim = from->proc == PROC_NETD ? from : &s->children[accused];
	log_fields_init(&f);
	log_field_str(&f, "reporter", proc_name(from->proc));
	log_field_str(&f, "accused", proc_name(accused));
	log_field_str(&f, "reason", fail->reason);
	log_warnxf(&f, "%s reports a protocol failure of %s; restarting %s",
	    proc_name(from->proc), proc_name(accused), proc_name(victim->proc));
	loop_kill(victim, SIGKILL);
}

/* Another member told netd this one was removed from the cluster: it
 * stops for good (status 0), as etcd's server does, with etcd's words. */
static void
loop_member_removed(struct supervisor *s)
{
	struct log_fields f;

	log_fields_init(&f);
	log_field_str(&f, "error", "the member has been permanently removed from the cluster");
	log_warnxf(&f, "server error");
	log_fields_init(&f);
	log_field_str(&f, "data-dir", s->cfg->data_dir);
	log_warnxf(&f, "data-dir used by this member must be removed");
	loop_stop(s, 0);
}

static void
loop_ctl_readable(evutil_socket_t fd, short what, void *arg)
{
	struct sup_child *c = arg;
	struct supervisor *s = c->owner;
	struct chan_msg m;
	int rc;

	(void)fd;
	(void)what;
	while ((rc = chan_recv(&c->ctl, &m)) == 0) {
		if (m.hdr.type == cairn_ipc_IPC_SUPERVISOR_CHANNEL_FAIL)
			loop_channel_fail(s, c, &m.body.fail);
		else if (m.hdr.type == cairn_ipc_IPC_SUPERVISOR_MEMBER_REMOVED)
			loop_member_removed(s);
		else if (m.hdr.type == cairn_ipc_IPC_SUPERVISOR_JOIN_INFO && c->proc == PROC_NETD)
			join_answer(s, &m.body.join);
		/* Hellos need no action: the route table let nothing else in. */
		chan_msg_release(&m);
	}
	if (rc == CAIRN_EPROTO) {
		log_warnx("%s broke the control protocol: %s; restarting it",
		    proc_name(c->proc), c->ctl.fail_reason);
		loop_kill(c, SIGKILL);
	}
	/* On CAIRN_ECLOSED the child is dying: SIGCHLD does the rest. */
	if (rc != CAIRN_EAGAIN && c->ctl_ev != NULL)
		event_del(c->ctl_ev);
}

/* netd's listening sockets, after its configuration. The supervisor
 * keeps its copies: every netd gets the same sockets. */
static void
loop_send_listeners(const struct supervisor *s, struct sup_child *c)
{
	CAIRN_ASSERT(c->proc == PROC_NETD);
	CAIRN_ASSERT(c->cfg.netd.listeners == s->listeners.len);
	for (size_t i = 0; i < s->listeners.len; i++) {
		const struct listen_socket *l = &s->listeners.socks[i];

		if (chan_send_fds(&c->ctl, cairn_ipc_IPC_CHILD_LISTENER_ADOPT, 0, &l->info,
		    &l->fd, 1) != 0) {
			log_warnx("cannot pass netd its socket for %s", l->info.url);
			return;
		}
	}
}

/* The bootstrap members, after the configuration (stored, netd). */
static void
loop_send_members(const struct supervisor *s, struct sup_child *c)
{
	CAIRN_ASSERT(c->proc == PROC_STORED || c->proc == PROC_NETD);
	CAIRN_ASSERT(c->cfg.bootstrap_members == s->members_len);
	for (size_t i = 0; i < c->cfg.bootstrap_members; i++) {
		if (chan_send(&c->ctl, cairn_ipc_IPC_CHILD_MEMBER_ADOPT, 0, &s->members[i]) != 0) {
			log_warnx("cannot pass %s the bootstrap members", proc_name(c->proc));
			return;
		}
	}
}

void
loop_child_started(struct supervisor *s, struct sup_child *c)
{
	struct log_fields f;

	restart_started(&c->policy, supervisor_now_ms());
	c->ctl_ev = event_new(s->base, c->ctl.sock, EV_READ | EV_PERSIST, loop_ctl_readable, c);
	if (c->ctl_ev == NULL || event_add(c->ctl_ev, NULL) == -1)
		fatalx("cannot watch the control channel of %s", proc_name(c->proc));
	if (chan_send_hello(&c->ctl) != 0 ||
	    chan_send(&c->ctl, cairn_ipc_IPC_CHILD_CONFIG_SET, 0, &c->cfg) != 0)
		log_warnx("cannot send %s its configuration", proc_name(c->proc));
	else if (c->proc == PROC_NETD || c->proc == PROC_STORED) {
		if (c->proc == PROC_NETD)
			loop_send_listeners(s, c);
		loop_send_members(s, c);
	}
	log_fields_init(&f);
	log_field_str(&f, "child", proc_name(c->proc));
	log_field_int(&f, "child-pid", c->pid);
	log_infof(&f, "started %s", proc_exe(c->proc));
}

static void
loop_restart(evutil_socket_t fd, short what, void *arg)
{
	struct sup_child *c = arg;

	(void)fd;
	(void)what;
	if (c->pid != 0 || c->owner->stopping)
		return;
	if (spawn_child(c->owner, c->proc) != 0) {
		log_errorx("cannot restart %s; stopping the member", proc_name(c->proc));
		loop_stop(c->owner, 1);
	}
}

static void
loop_log_death(const struct sup_child *c, pid_t pid, int status)
{
	struct log_fields f;

	log_fields_init(&f);
	log_field_str(&f, "child", proc_name(c->proc));
	log_field_int(&f, "child-pid", pid);
	if (WIFSIGNALED(status)) {
		log_field_str(&f, "signal", strsignal(WTERMSIG(status)));
		log_field_int(&f, "signal-number", WTERMSIG(status));
		log_warnxf(&f, "%s was killed by signal %d", proc_name(c->proc), WTERMSIG(status));
	} else {
		log_field_int(&f, "exit-status", WEXITSTATUS(status));
		log_warnxf(&f, "%s exited with status %d", proc_name(c->proc), WEXITSTATUS(status));
	}
}

/* Decides what a death means: restart later, or stop the member. */
static void
loop_child_died(struct supervisor *s, struct sup_child *c, pid_t pid, int status)
{
	int64_t delay;
	struct timeval tv;

	if (s->stopping) {
		if (WIFSIGNALED(status) || WEXITSTATUS(status) != 0)
			loop_log_death(c, pid, status);
		return;
	}
	/* The netd that asked the join question, replaced at once. */
	if (c->proc == PROC_NETD && s->join_netd_restart) {
		s->join_netd_restart = false;
		if (spawn_child(s, c->proc) != 0) {
			log_errorx("cannot start netd; stopping the member");
			loop_stop(s, 1);
		}
		return;
	}
	loop_log_death(c, pid, status);
	delay = restart_on_death(&c->policy, supervisor_now_ms());
	if (delay < 0) {
		log_errorx("%s died %u times within %u s; stopping the member",
		    proc_name(c->proc), RESTART_DEATHS_MAX, RESTART_WINDOW_MS / 1000);
		loop_stop(s, 1);
		return;
	}
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	log_info("restarting %s in %lld ms", proc_name(c->proc), (long long)delay);
	evtimer_add(c->restart_ev, &tv);
}

static void
loop_sigchld(evutil_socket_t fd, short what, void *arg)
{
	struct supervisor *s = arg;
	pid_t pid;
	int status;

	(void)fd;
	(void)what;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct sup_child *c = loop_child_by_pid(s, pid);

		if (c == NULL)
			continue;
		c->pid = 0;
		if (c->ctl_ev != NULL)
			event_free(c->ctl_ev);
		c->ctl_ev = NULL;
		chan_close(&c->ctl);
		loop_child_died(s, c, pid, status);
	}
	if (s->stopping && loop_all_down(s))
		event_base_loopexit(s->base, NULL);
}

static void
loop_stop_grace(evutil_socket_t fd, short what, void *arg)
{
	struct supervisor *s = arg;

	(void)fd;
	(void)what;
	for (int p = PROC_NETD; p < PROC_COUNT; p++) {
		if (s->children[p].pid != 0)
			log_warnx("%s did not stop in time; killing it", proc_name(p));
		loop_kill(&s->children[p], SIGKILL);
	}
}

void
loop_stop(struct supervisor *s, int status)
{
	struct timeval grace = {SUPERVISOR_STOP_GRACE_MS / 1000,
	    (SUPERVISOR_STOP_GRACE_MS % 1000) * 1000};
	cairn_ipc_Empty empty = cairn_ipc_Empty_init_zero;

	if (status > s->exit_status)
		s->exit_status = status;
	if (s->stopping)
		return;
	s->stopping = true;
	for (int p = PROC_NETD; p < PROC_COUNT; p++) {
		struct sup_child *c = &s->children[p];

		evtimer_del(c->restart_ev);
		/* A child that cannot hear us gets SIGTERM instead. */
		if (c->pid != 0 && chan_send(&c->ctl, cairn_ipc_IPC_CHILD_PROCESS_STOP, 0, &empty) != 0)
			loop_kill(c, SIGTERM);
	}
	evtimer_add(s->stop_ev, &grace);
	if (loop_all_down(s))
		event_base_loopexit(s->base, NULL);
}

static void
loop_sigterm(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	log_info("received %s; stopping the member", strsignal((int)sig));
	loop_stop(arg, 0);
}

/* The supervisor's own figures, to netd for /metrics, every second. */
static void
loop_metrics(evutil_socket_t fd, short what, void *arg)
{
	struct supervisor *s = arg;
	struct sup_child *netd = &s->children[PROC_NETD];
	cairn_ipc_Metrics m = cairn_ipc_Metrics_init_zero;

	(void)fd;
	(void)what;
	if (netd->pid == 0 || s->stopping)
		return;
	m.proc = PROC_SUPERVISOR;
	m.has_stats = true;
	proc_stats_read(&m.stats);
	(void)chan_send(&netd->ctl, cairn_ipc_IPC_NETD_SUPERVISOR_METRICS_SET, 0, &m);
}

void
loop_setup(struct supervisor *s)
{
	struct timeval second = {1, 0};

	s->sigchld_ev = evsignal_new(s->base, SIGCHLD, loop_sigchld, s);
	s->sigterm_ev = evsignal_new(s->base, SIGTERM, loop_sigterm, s);
	s->sigint_ev = evsignal_new(s->base, SIGINT, loop_sigterm, s);
	s->stop_ev = evtimer_new(s->base, loop_stop_grace, s);
	proc_stats_open();
	s->metrics_ev = event_new(s->base, -1, EV_PERSIST, loop_metrics, s);
	if (s->metrics_ev == NULL || event_add(s->metrics_ev, &second) == -1)
		fatalx("cannot time the supervisor's metrics");
	if (s->sigchld_ev == NULL || s->sigterm_ev == NULL || s->sigint_ev == NULL ||
	    s->stop_ev == NULL || event_add(s->sigchld_ev, NULL) == -1 ||
	    event_add(s->sigterm_ev, NULL) == -1 || event_add(s->sigint_ev, NULL) == -1)
		fatalx("cannot set up the supervisor's event loop");
	for (int p = PROC_NETD; p < PROC_COUNT; p++) {
		s->children[p].restart_ev = evtimer_new(s->base, loop_restart, &s->children[p]);
		if (s->children[p].restart_ev == NULL)
			fatalx("evtimer_new");
	}
}
