/*
 * Fuzz target: a client connection to netd as a whole: the first bytes'
 * sniffing, HTTP/2 (nghttp2 and netd's glue: flow control, headers,
 * streams), gRPC framing and every method's request decoding, HTTP/1.1
 * and the JSON gateway. A netd is started by its own hooks with no
 * listener and no raftd or stored (requests that reach them fail as when
 * they are down); the input goes in over a socketpair, netd's answers
 * are read and dropped, then netd is stopped: nothing may crash, trip a
 * sanitizer or leak. An even first byte puts HTTP/2's client preface
 * before the rest (the fuzzer need not find it); an odd one sends the
 * rest as it is (HTTP/1.1, or bytes netd must refuse).
 */
#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "netd/netd.h"
#include "netd/sniff.h"
#include "shared/assert.h"
#include "shared/log.h"
#include "shared/xmalloc.h"
#include "tests/fuzz/fuzz.h"

/* Within a socket's buffer: written at once, before netd reads. */
#define FUZZ_H2_INPUT_MAX (64u << 10)
/* Loop turns: enough for every answer of an input this size. */
#define FUZZ_H2_TURNS 64

static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/* Reads what netd answered: the bytes. */
static size_t
drain(int fd)
{
	char buf[16384];
	size_t total = 0;
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) > 0)
		total += (size_t)r;
	return total;
}

static void
put(int fd, const void *p, size_t n)
{
	CAIRN_ASSERT(n == 0 || write(fd, p, n) == (ssize_t)n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct child *c;
	size_t answered = 0;
	int sv[2];

	if (size == 0 || size > FUZZ_H2_INPUT_MAX)
		return 0;
	log_set_level(LOG_FATAL);
	c = xcalloc(1, sizeof(*c));
	c->self = PROC_NETD;
	c->base = event_base_new();
	CAIRN_ASSERT(c->base != NULL);
	c->ctl.sock = -1;
	for (int p = 0; p < PROC_COUNT; p++)
		c->peers[p].ch.sock = -1;
	c->cfg.netd.max_request_bytes = (3u << 20) / 2; /* etcd's default */
	CAIRN_ASSERT(netd_ops.start(c) == 0);
	CAIRN_ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
	sniff_accept(c->state, sv[0], false);
	if ((data[0] & 1) == 0)
		put(sv[1], preface, sizeof(preface) - 1);
	put(sv[1], data + 1, size - 1);
	CAIRN_ASSERT(shutdown(sv[1], SHUT_WR) == 0);
	for (int i = 0; i < FUZZ_H2_TURNS; i++) {
		CAIRN_ASSERT(event_base_loop(c->base, EVLOOP_NONBLOCK) >= 0);
		answered += drain(sv[1]);
	}
	/* FUZZ_H2_VERBOSE: how much netd answered, to see a seed served. */
	if (getenv("FUZZ_H2_VERBOSE") != NULL)
		fprintf(stderr, "input of %zu bytes: %zu bytes answered\n", size, answered);
	netd_ops.stop(c);
	close(sv[1]);
	event_base_free(c->base);
	free(c);
	return 0;
}
