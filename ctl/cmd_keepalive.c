/*
 * cairnctl: lease keep-alive (etcdctl's lease_command.go over clientv3's
 * lessor): a LeaseKeepAlive stream on the client's event loop, renewing
 * the lease as clientv3 does until it expires, or once with --once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "ctl/commands.h"
#include "ctl/lease.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

/* clientv3's lessor: retryConnWait (between sends, and before a stream
 * is opened again), its deadline loop's period, and defaultTTL (the first
 * answer's wait when dial-timeout + 1 s is 1 s). */
#define KA_SEND_TICK_MS 500
#define KA_REOPEN_MS 500
#define KA_DEADLINE_TICK_MS 1000
#define KA_DEFAULT_FIRST_MS 5000
/* KeepAliveOnce asks again at once after an UNAVAILABLE or INTERNAL end;
 * a pause keeps that from spinning while no connection is up. */
#define KA_ONCE_RETRY_MS 25
#define KA_ERR_BYTES (GC_MESSAGE_BYTES_MAX + 128)

static const char ka_path[] = "/etcdserverpb.Lease/LeaseKeepAlive";

static bool ka_once_flag;

struct ctl_flag lease_keepalive_flags[] = {
	{ "once", 0, CTL_FLAG_BOOL, "false",
	  "Resets the keep-alive time to its original value and exits immediately",
	  &ka_once_flag, false },
	{ 0 },
};

/* One keep-alive: its lease, the stream (NULL between streams) and what
 * clientv3's keepAlive struct holds (next send, deadline). */
struct ka {
	int64_t id;
	enum ctl_format f;
	struct gc_stream *s;
	struct event *send_tick, *deadline_tick, *reopen;
	uint64_t next_ms, deadline_ms;
	bool opening, open_failed; /* the stream ended within gc_stream_open */
	bool done;                 /* the lease expired or was revoked */
	/* --once: the first answer (owned) or the end of the stream. */
	uint8_t *answer;
	size_t answer_len;
	bool answered, ended;
	struct gc_result end;
};

static struct timeval
ka_tv(unsigned ms)
{
	return (struct timeval){ ms / 1000, (ms % 1000) * 1000 };
}

static void
ka_send(struct ka *ka)
{
	struct pbout req = { 0 };

	if (ka->id != 0)
		pbout_varint(&req, LEASE_REQ_ID, (uint64_t)ka->id);
	/* A stream that ended refuses it: the next stream sends again. */
	(void)gc_stream_send(ka->s, req.buf, req.len);
	pbout_close(&req);
}

static void
ka_finish(struct ka *ka)
{
	ka->done = true;
	event_base_loopbreak(client_base());
}

/* clientv3's recvKeepAlive: an answer for another lease is dropped; TTL
 * 0 or less ends the keep-alive; otherwise the next send is due in a
 * third of the TTL and the deadline is a TTL away. */
static void
ka_on_msg(void *arg, struct gc_stream *s, const uint8_t *msg, size_t len)
{
	struct ka *ka = arg;
	struct pbv r = pbv_of(msg, len);
	int64_t ttl = (int64_t)pbv_varint(r, LEASE_KA_TTL);
	uint64_t now = ctl_now_ms();

	if (ka->done || s != ka->s || (int64_t)pbv_varint(r, LEASE_KA_ID) != ka->id)
		return;
	if (ttl <= 0) {
		ka_finish(ka);
		return;
	}
	ka->next_ms = now + (uint64_t)ttl * 1000 / 3;
	ka->deadline_ms = now + (uint64_t)ttl * 1000;
	print_lease_keepalive(ka->f, r);
	fflush(stdout);
}

/* The stream ended (an error, or the server went): another one in
 * retryConnWait, as recvKeepAliveLoop does. */
static void
ka_on_end(void *arg, struct gc_stream *s, const struct gc_result *r)
{
	struct ka *ka = arg;
	struct timeval tv = ka_tv(KA_REOPEN_MS);

	(void)r;
	if (ka->opening)
		ka->open_failed = true;
	else if (s != ka->s)
		return;
	ka->s = NULL;
	if (!ka->done)
		evtimer_add(ka->reopen, &tv);
}

static void
ka_open(struct ka *ka)
{
	struct gc_stream *s;

	ka->opening = true;
	ka->open_failed = false;
	s = gc_stream_open_flags(client_gc(), ka_path, ka_on_msg, ka_on_end, ka,
	    GC_STREAM_REQUIRE_LEADER);
	ka->opening = false;
	if (s == NULL && !ka->open_failed) {
		struct timeval tv = ka_tv(KA_REOPEN_MS);

		evtimer_add(ka->reopen, &tv);
		return;
	}
	if (ka->open_failed)
		return;
	ka->s = s;
	/* sendKeepAliveLoop's first round comes at once. */
	if (ka->next_ms < ctl_now_ms())
		ka_send(ka);
}

static void
ka_reopen_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	ka_open(arg);
}

static void
ka_send_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ka *ka = arg;

	(void)fd;
	(void)what;
	if (ka->s != NULL && !ka->done && ka->next_ms < ctl_now_ms())
		ka_send(ka);
}

/* clientv3's deadlineLoop: no answer within the TTL, the lease may be
 * gone. */
static void
ka_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ka *ka = arg;

	(void)fd;
	(void)what;
	if (ka->deadline_ms < ctl_now_ms())
		ka_finish(ka);
}

/* lessor.KeepAlive and etcdctl's loop over its answers. */
static int
ka_keep(struct ka *ka)
{
	struct event_base *base = client_base();
	struct timeval send_tv = ka_tv(KA_SEND_TICK_MS), deadline_tv = ka_tv(KA_DEADLINE_TICK_MS);
	uint64_t first_ms = (uint64_t)(ctl_g.dial_timeout_ns / 1000000) + 1000;
	char hex[LEASE_HEX_BYTES];

	if (first_ms == 1000)
		first_ms = KA_DEFAULT_FIRST_MS;
	ka->send_tick = event_new(base, -1, EV_PERSIST, ka_send_cb, ka);
	ka->deadline_tick = event_new(base, -1, EV_PERSIST, ka_deadline_cb, ka);
	ka->reopen = evtimer_new(base, ka_reopen_cb, ka);
	CAIRN_ASSERT(ka->send_tick != NULL);
	CAIRN_ASSERT(ka->deadline_tick != NULL);
	CAIRN_ASSERT(ka->reopen != NULL);
	ka->next_ms = 0;
	ka->deadline_ms = ctl_now_ms() + first_ms;
	event_add(ka->send_tick, &send_tv);
	event_add(ka->deadline_tick, &deadline_tv);
	ka_open(ka);
	while (!ka->done)
		if (event_base_loop(base, EVLOOP_ONCE) < 0)
			ctl_fail(CTL_EXIT_ERROR, "event loop failed");
	if (ka->s != NULL)
		gc_stream_cancel(ka->s);
	event_free(ka->send_tick);
	event_free(ka->deadline_tick);
	event_free(ka->reopen);
	if (ka->f == CTL_OUT_SIMPLE) {
		lease_hex(hex, ka->id);
		printf("lease %s expired or revoked.\n", hex);
	}
	return CTL_EXIT_SUCCESS;
}

static void
ka_once_msg(void *arg, struct gc_stream *s, const uint8_t *msg, size_t len)
{
	struct ka *ka = arg;

	(void)s;
	if (ka->answered)
		return;
	ka->answered = true;
	ka->answer = xmalloc(len > 0 ? len : 1);
	if (len > 0)
		memcpy(ka->answer, msg, len);
	ka->answer_len = len;
}

static void
ka_once_end(void *arg, struct gc_stream *s, const struct gc_result *r)
{
	struct ka *ka = arg;

	(void)s;
	ka->ended = true;
	ka->end = *r;
	ka->s = NULL;
}

/* One stream, one request, its first answer: clientv3's keepAliveOnce.
 * 0 with ka->answer set, or the stream's end in ka->end. */
static int
ka_once_try(struct ka *ka)
{
	struct event_base *base = client_base();
	struct gc_stream *s;

	ka->answered = ka->ended = false;
	ka->s = NULL;
	s = gc_stream_open(client_gc(), ka_path, ka_once_msg, ka_once_end, ka);
	if (s == NULL) {
		ka->end = (struct gc_result){ .status = GC_UNAVAILABLE };
		snprintf(ka->end.message, sizeof(ka->end.message), "too many calls waiting");
		return -1;
	}
	if (!ka->ended) {
		ka->s = s;
		ka_send(ka);
	}
	while (!ka->answered && !ka->ended)
		if (event_base_loop(base, EVLOOP_ONCE) < 0)
			ctl_fail(CTL_EXIT_ERROR, "event loop failed");
	if (ka->s != NULL)
		gc_stream_cancel(ka->s);
	return ka->answered ? 0 : -1;
}

/* lessor.KeepAliveOnce: asked again while the failure is UNAVAILABLE or
 * INTERNAL (not one of etcd's errors); TTL 0 or less is "lease not
 * found". */
static int
ka_once(struct ka *ka)
{
	char err[KA_ERR_BYTES];
	struct pbv r;

	while (ka_once_try(ka) != 0) {
		struct timeval tv = ka_tv(KA_ONCE_RETRY_MS);

		/* The server ended the stream without an answer: Recv's io.EOF. */
		if (ka->end.status == GC_OK)
			ctl_fail(CTL_EXIT_BAD_CONNECTION, "EOF");
		client_error_text(ka->end.status, ka->end.message, err, sizeof(err));
		if ((ka->end.status != GC_UNAVAILABLE && ka->end.status != GC_INTERNAL) ||
		    strcmp(err, ka->end.message) == 0)
			ctl_fail(CTL_EXIT_BAD_CONNECTION, "%s", err);
		event_base_loopexit(client_base(), &tv);
		event_base_dispatch(client_base());
	}
	r = pbv_of(ka->answer, ka->answer_len);
	if ((int64_t)pbv_varint(r, LEASE_KA_TTL) <= 0)
		ctl_fail(CTL_EXIT_BAD_CONNECTION, "etcdserver: requested lease not found");
	print_lease_keepalive(ka->f, r);
	free(ka->answer);
	return CTL_EXIT_SUCCESS;
}

int
lease_keepalive_run(int argc, char **argv)
{
	struct ka ka = { 0 };
	int rc;

	if (argc != 1)
		ctl_fail(CTL_EXIT_BAD_ARGS, "lease keep-alive command needs lease ID as argument");
	ka.id = lease_from_arg(argv[0]);
	client_open();
	ka.f = global_format();
	rc = ka_once_flag ? ka_once(&ka) : ka_keep(&ka);
	client_close();
	return rc;
}
