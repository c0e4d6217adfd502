/*
 * Children: start-up. Check the inherited descriptors, take the
 * configuration from the supervisor (trusted), open the peer channels
 * found at fixed numbers, drop privileges, and only then read anything a
 * peer sends (STYLE.md convention 1).
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/child.h"
#include "shared/child_loop.h"
#include "shared/err.h"
#include "shared/fdnums.h"
#include "shared/log.h"
#include "shared/privdrop.h"
#include "shared/proc_stats.h"

static bool
fd_is_socket(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* Keeps a listening socket the supervisor passed. */
static void
child_take_listener(struct child *c, struct chan_msg *m)
{
	struct child_listener *l = &c->listeners[c->listeners_len++];

	if (m->nfds != 1)
		fatalx("a listener from the supervisor without its socket");
	l->fd = m->fds[0];
	m->fds[0] = -1;
	l->info = m->body.listener;
	fcntl(l->fd, F_SETFD, FD_CLOEXEC);
}

/* Waits for the supervisor's hello, configuration, then the listening
 * sockets and bootstrap members the configuration announces. */
static void
child_read_config(struct child *c)
{
	struct chan_msg m;
	bool hello = false, configured = false;

	while (!configured || c->listeners_len < c->cfg.netd.listeners ||
	    c->members_len < c->cfg.bootstrap_members) {
		int rc = chan_recv(&c->ctl, &m);

		if (rc == CAIRN_EAGAIN) {
			if (chan_wait(&c->ctl, CHILD_CONFIG_WAIT_MS) != 0)
				fatalx("no configuration from the supervisor");
			continue;
		}
		if (rc != 0)
			fatalx("control channel: %s", rc == CAIRN_EPROTO ?
			    c->ctl.fail_reason : err_str(rc));
		if (m.hdr.type == cairn_ipc_IPC_ANY_HELLO_SEND && !hello) {
			hello = true;
		} else if (m.hdr.type == cairn_ipc_IPC_CHILD_CONFIG_SET && hello && !configured) {
			c->cfg = m.body.config;
			configured = true;
			if (c->cfg.netd.listeners > CHILD_LISTENERS_MAX)
				fatalx("%u listeners from the supervisor; at most %d",
				    c->cfg.netd.listeners, CHILD_LISTENERS_MAX);
			if (c->cfg.bootstrap_members > CHILD_MEMBERS_MAX)
				fatalx("%u members from the supervisor; at most %d",
				    c->cfg.bootstrap_members, CHILD_MEMBERS_MAX);
		} else if (m.hdr.type == cairn_ipc_IPC_CHILD_LISTENER_ADOPT && configured &&
		    c->listeners_len < c->cfg.netd.listeners) {
			child_take_listener(c, &m);
		} else if (m.hdr.type == cairn_ipc_IPC_CHILD_MEMBER_ADOPT && configured &&
		    c->members_len < c->cfg.bootstrap_members) {
			c->members[c->members_len++] = m.body.member;
		} else
			fatalx("unexpected %s before configuration", ipc_type_name(m.hdr.type));
		chan_msg_release(&m);
	}
}

/* Whether the channel to 'peer' is at its fixed numbers: a peer that is
 * down at our start arrives later through IPC_CHILD_CHANNEL_ADOPT. Must
 * run before anything else opens descriptors (libevent would take the
 * free fixed numbers). */
static bool
child_has_fixed(enum cairn_proc peer)
{
	int sock = CAIRN_FD_CHAN_SOCK(peer), mem = CAIRN_FD_CHAN_MEM(peer);

	if (fcntl(sock, F_GETFD) == -1)
		return false;
	if (!fd_is_socket(sock) || fcntl(mem, F_GETFD) == -1)
		fatalx("descriptors %d/%d for %s are not a channel", sock, mem, proc_name(peer));
	fcntl(sock, F_SETFD, FD_CLOEXEC);
	fcntl(mem, F_SETFD, FD_CLOEXEC);
	return true;
}

static void
child_init(struct child *c, enum cairn_proc self)
{
	memset(c, 0, sizeof(*c));
	c->self = self;
	chan_init(&c->ctl);
	for (int p = 0; p < PROC_COUNT; p++)
		chan_init(&c->peers[p].ch);
	log_init(proc_name(self), LOG_INFO);
	signal(SIGPIPE, SIG_IGN);
	if (!fd_is_socket(CAIRN_FD_CONTROL))
		fatalx("descriptor %d is not a socket: %s must be started by cairn",
		    CAIRN_FD_CONTROL, proc_exe(self));
	fcntl(CAIRN_FD_CONTROL, F_SETFD, FD_CLOEXEC);
	if (chan_open(&c->ctl, self, PROC_SUPERVISOR, CAIRN_FD_CONTROL, -1, 0) != 0)
		fatalx("cannot open the control channel");
}

int
child_main(enum cairn_proc self, const struct child_ops *ops, int argc, char **argv)
{
	static struct child c;
	bool fixed[PROC_COUNT] = {false};
	enum log_level lvl;

	(void)argc;
	(void)argv;
	child_init(&c, self);
	c.ops = ops;
	for (int p = PROC_NETD; p < PROC_COUNT; p++)
		fixed[p] = p != (int)self && child_has_fixed((enum cairn_proc)p);
	if (chan_send_hello(&c.ctl) != 0)
		fatalx("cannot greet the supervisor");
	child_read_config(&c);
	lvl = (enum log_level)c.cfg.log_level;
	if (lvl <= LOG_FATAL)
		log_set_level(lvl);
	if ((c.cfg.ring_bytes & (c.cfg.ring_bytes - 1)) != 0 || c.cfg.ring_bytes < 4096)
		fatalx("ring size %u from the supervisor is not a power of two", c.cfg.ring_bytes);
	c.base = event_base_new();
	if (c.base == NULL)
		fatalx("event_base_new");
	for (int p = PROC_NETD; p < PROC_COUNT; p++)
		if (fixed[p])
			child_peer_adopt(&c, (enum cairn_proc)p, CAIRN_FD_CHAN_SOCK(p),
			    CAIRN_FD_CHAN_MEM(p));
	if (ops->prepare != NULL && ops->prepare(&c) != 0)
		return 1;
	proc_stats_open(); /* /proc, before a chroot hides it */
	if (c.cfg.drop_privs)
		privdrop_apply(c.cfg.chroot_dir, c.cfg.uid, c.cfg.gid);
	log_debug("started");
	if (ops->start != NULL && ops->start(&c) != 0)
		return 1;
	for (int p = PROC_NETD; p < PROC_COUNT; p++)
		child_peer_announce(&c, (enum cairn_proc)p);
	return child_loop_run(&c);
}

int
child_frame_status_only(struct child *c, enum cairn_proc from, struct chan_msg *m)
{
	(void)c;
	if (m->hdr.type == cairn_ipc_IPC_NETD_STORE_STATUS_SET)
		return 0;
	if (m->hdr.type != cairn_ipc_IPC_CHILD_RAFT_STATUS_SET) {
		log_warnx("unexpected %s from %s", ipc_type_name(m->hdr.type), proc_name(from));
		return CAIRN_EPROTO;
	}
	log_debug("raft term %llu, leader %llx", (unsigned long long)m->body.status.term,
	    (unsigned long long)m->body.status.leader);
	return 0;
}
