/*
 * cairnctl: concurrency.Session (clientv3/concurrency/session.go) over
 * clientv3's lessor (clientv3/lease.go): the lease granted, a keep-alive
 * sent when a third of its TTL has passed (looked at every 500 ms), the
 * session over when an answer says the lease is gone or none came within
 * the TTL; a broken stream opened again after 500 ms. And etcdctl's
 * signal.Notify for lock and elect.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "ctl/ctl.h"
#include "ctl/pbview.h"
#include "ctl/session.h"
#include "shared/assert.h"

/* clientv3's retryConnWait (the send loop's period, and the wait before
 * a stream is opened again), and its deadline loop's period. */
#define SESSION_TICK_MS 500
#define SESSION_DEADLINE_TICKS 2

/* LeaseGrant and LeaseKeepAlive fields (rpc.proto). */
enum {
	GRANT_REQ_TTL = 1,
	GRANT_ID = 2,
	KA_REQ_ID = 1,
	KA_ID = 2, KA_TTL = 3,
};

static struct {
	int64_t id;
	bool open, done;
	struct gc_stream *st;          /* NULL while none is open */
	uint64_t next_ms;              /* the next keep-alive is due then */
	uint64_t deadline_ms;          /* no answer by then: expired */
	struct event *tick;            /* owned: the send and deadline loops */
	unsigned ticks;
	uint64_t reopen_ms;            /* a broken stream opens again then */
	struct event *sigs[2];         /* owned: SIGINT, SIGTERM */
	bool interrupted;
} session;

static void
session_send(void)
{
	struct pbout req = { 0 };

	pbout_varint(&req, KA_REQ_ID, (uint64_t)session.id);
	(void)gc_stream_send(session.st, req.buf, req.len);
	pbout_close(&req);
}

/* clientv3's recvKeepAlive. */
static void
session_msg(void *arg, struct gc_stream *s, const uint8_t *p, size_t n)
{
	struct pbv m = pbv_of(p, n);
	int64_t ttl = (int64_t)pbv_varint(m, KA_TTL);
	uint64_t now = ctl_now_ms();

	(void)arg;
	(void)s;
	if ((int64_t)pbv_varint(m, KA_ID) != session.id || session.done)
		return;
	if (ttl <= 0) {
		session.done = true;
		return;
	}
	session.next_ms = now + (uint64_t)ttl * 1000 / 3;
	session.deadline_ms = now + (uint64_t)ttl * 1000;
}

static void
session_end(void *arg, struct gc_stream *s, const struct gc_result *r)
{
	(void)arg;
	(void)s;
	(void)r;
	session.st = NULL;
	/* recvKeepAliveLoop waits retryConnWait, then resetRecv. */
	session.reopen_ms = ctl_now_ms() + SESSION_TICK_MS;
}

static void
session_stream(void)
{
	char err[GC_MESSAGE_BYTES_MAX + 128];

	if (client_stream_auth(err, sizeof(err)) != 0) {
		session.reopen_ms = ctl_now_ms() + SESSION_TICK_MS;
		return;
	}
	session.st = gc_stream_open_flags(client_gc(), "/etcdserverpb.Lease/LeaseKeepAlive",
	    session_msg, session_end, NULL, GC_STREAM_REQUIRE_LEADER);
	CAIRN_ASSERT(session.st != NULL);
	/* sendKeepAliveLoop's first round runs at once. */
	if (session.next_ms < ctl_now_ms())
		session_send();
}

static void
session_tick(evutil_socket_t fd, short what, void *arg)
{
	uint64_t now = ctl_now_ms();

	(void)fd;
	(void)what;
	(void)arg;
	if (session.done)
		return;
	if (++session.ticks % SESSION_DEADLINE_TICKS == 0 && session.deadline_ms < now) {
		session.done = true;
		return;
	}
	if (session.st == NULL && session.reopen_ms <= now)
		session_stream();
	else if (session.st != NULL && session.next_ms < now)
		session_send();
}

int
session_open(int64_t ttl, char *err, size_t errlen)
{
	struct timeval tv = { 0, SESSION_TICK_MS * 1000 };
	struct pbout req = { 0 };
	struct gc_result r;
	uint64_t now;
	int rc;

	CAIRN_ASSERT(!session.open);
	if (ttl <= 0)
		ttl = SESSION_TTL_DEFAULT;
	pbout_varint(&req, GRANT_REQ_TTL, (uint64_t)ttl);
	rc = client_try_untimed("/etcdserverpb.Lease/LeaseGrant", &req, CTL_RETRY_UNAVAILABLE, &r,
	    err, errlen);
	pbout_close(&req);
	if (rc != 0)
		return -1;
	session.id = (int64_t)pbv_varint(pbv_of(r.msg, r.len), GRANT_ID);
	session.open = true;
	now = ctl_now_ms();
	/* The first answer is due within the dial timeout and a second. */
	session.deadline_ms = now + (uint64_t)(ctl_g.dial_timeout_ns / 1000000) + 1000;
	session.next_ms = now - 1;
	session.tick = event_new(client_base(), -1, EV_PERSIST, session_tick, NULL);
	CAIRN_ASSERT(session.tick != NULL);
	event_add(session.tick, &tv);
	session_stream();
	return 0;
}

int64_t
session_lease(void)
{
	CAIRN_ASSERT(session.open);
	return session.id;
}

bool
session_done(void)
{
	return session.done;
}

static void
session_signal(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	session.interrupted = true;
}

void
session_catch_signals(void)
{
	static const int sigs[2] = { SIGINT, SIGTERM };

	for (size_t i = 0; i < 2; i++) {
		session.sigs[i] = evsignal_new(client_base(), sigs[i], session_signal, NULL);
		CAIRN_ASSERT(session.sigs[i] != NULL);
		event_add(session.sigs[i], NULL);
	}
}

bool
session_interrupted(void)
{
	return session.interrupted;
}

void
session_wait(void)
{
	event_base_loop(client_base(), EVLOOP_ONCE);
}
