/*
 * netd: etcd's leader monitor (no_leader.h): streams that asked for a
 * leader end once the member has had none for a while.
 */
#include "netd/no_leader.h"

#include "netd/grpc.h"
#include "netd/h2.h"
#include "netd/netd.h"
#include "shared/err.h"
#include "shared/log.h"

/* Ends every open streaming call on the member's HTTP/2 connections that
 * asked for a leader. Unary calls are judged when they start (grpc.c). */
static size_t
no_leader_end_streams(struct netd *n)
{
	struct conn *c;
	struct gstream *s, *next;
	size_t ended = 0;

	TAILQ_FOREACH(c, &n->conns, entry) {
		for (s = TAILQ_FIRST(&c->streams); s != NULL; s = next) {
			next = TAILQ_NEXT(s, entry);
			if (!s->require_leader || s->answered || s->method == NULL ||
			    s->method->stream == NULL)
				continue;
			grpc_reply_err(s, CAIRN_ENOLEADER);
			ended++;
		}
	}
	return ended;
}

static void
no_leader_look(evutil_socket_t fd, short what, void *arg)
{
	struct netd *n = arg;
	size_t ended;

	(void)fd;
	(void)what;
	if (n->raft.leader != 0) {
		n->no_leader_rounds = 0;
		return;
	}
	if (++n->no_leader_rounds < NO_LEADER_ROUNDS)
		return;
	n->no_leader_rounds = 0;
	if ((ended = no_leader_end_streams(n)) > 0)
		log_warnx("no leader: ended %zu stream(s) that require one", ended);
}

void
no_leader_init(struct netd *n, uint32_t election_ms)
{
	uint32_t ms = election_ms == 0 ? NO_LEADER_PERIOD_MS_DEFAULT : election_ms;
	struct timeval tv;

	if (ms < NO_LEADER_PERIOD_MS_MIN)
		ms = NO_LEADER_PERIOD_MS_MIN;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000 * 1000);
	n->no_leader_ev = event_new(n->c->base, -1, EV_PERSIST, no_leader_look, n);
	if (n->no_leader_ev == NULL || event_add(n->no_leader_ev, &tv) != 0)
		fatalx("cannot start the leader monitor");
}

void
no_leader_free(struct netd *n)
{
	if (n->no_leader_ev != NULL)
		event_free(n->no_leader_ev);
	n->no_leader_ev = NULL;
}
