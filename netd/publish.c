/*
 * netd: publishing the member's attributes (see publish.h).
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "netd/backend.h"
#include "netd/netd.h"
#include "netd/publish.h"
#include "netd/svc.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/pbwire.h"
#include "shared/xmalloc.h"

/* etcdserverpb.Member's fields. */
#define MEMBER_ID 1
#define MEMBER_NAME 2
#define MEMBER_CLIENT_URLS 4

/* The Member message REQ_MEMBER_ATTR carries; *len set; freed by the
 * caller. */
static uint8_t *
publish_member(const struct netd *n, size_t *len)
{
	const cairn_ipc_NetdConfig *nc = &n->c->cfg.netd;
	const char *name = n->c->cfg.name;
	size_t cap = 1 + PBW_VARINT_BYTES_MAX + 1 + PBW_VARINT_BYTES_MAX + strlen(name);
	uint8_t *buf, *p;

	for (pb_size_t i = 0; i < nc->client_urls_count; i++)
		cap += 1 + PBW_VARINT_BYTES_MAX + strlen(nc->client_urls[i]);
	p = buf = xmalloc(cap);
	p += pbw_put_varint(p, PBW_TAG(MEMBER_ID, PBW_VARINT));
	p += pbw_put_varint(p, n->raft.member_id);
	p += pbw_put_varint(p, PBW_TAG(MEMBER_NAME, PBW_LEN));
	p += pbw_put_varint(p, strlen(name));
	memcpy(p, name, strlen(name));
	p += strlen(name);
	for (pb_size_t i = 0; i < nc->client_urls_count; i++) {
		size_t ul = strlen(nc->client_urls[i]);

		p += pbw_put_varint(p, PBW_TAG(MEMBER_CLIENT_URLS, PBW_LEN));
		p += pbw_put_varint(p, ul);
		memcpy(p, nc->client_urls[i], ul);
		p += ul;
	}
	*len = (size_t)(p - buf);
	return buf;
}

static void
publish_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	publish_poke(arg);
}

void
publish_init(struct netd *n)
{
	n->publish.retry_ev = evtimer_new(n->c->base, publish_retry, n);
	if (n->publish.retry_ev == NULL)
		fatalx("evtimer_new");
}

void
publish_free(struct netd *n)
{
	if (n->publish.retry_ev != NULL)
		event_free(n->publish.retry_ev);
	n->publish.retry_ev = NULL;
}

void
publish_poke(struct netd *n)
{
	struct publish *pub = &n->publish;
	uint8_t *member, *irr;
	size_t len, irr_len;
	int rc;

	if (pub->done || pub->in_flight || n->raft.leader == 0 || n->raft.member_id == 0 ||
	    evtimer_pending(pub->retry_ev, NULL))
		return;
	member = publish_member(n, &len);
	irr = svc_wrap_plain(REQ_MEMBER_ATTR, member, len, &irr_len);
	free(member);
	if ((rc = backend_propose_internal(n, irr, irr_len)) != 0) {
		publish_result(n, rc);
		return;
	}
	pub->in_flight = true;
}

void
publish_result(struct netd *n, int code)
{
	struct publish *pub = &n->publish;
	struct timeval tv = {0, PUBLISH_RETRY_MS * 1000};

	pub->in_flight = false;
	if (code == 0) {
		pub->done = true;
		log_infof(NULL, "published local member to cluster through raft");
		return;
	}
	log_debug("publishing the member's attributes: %s; again in %d ms", err_str(code),
	    PUBLISH_RETRY_MS);
	evtimer_add(pub->retry_ev, &tv);
}
