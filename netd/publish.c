/*
 * netd: publishing the member's attributes (see publish.h).
 */
#include <stdio.h>
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
	p += pbw_put_varint(p, PBW_TAG(etcdserverpb_Member_ID_tag, PBW_VARINT));
	p += pbw_put_varint(p, n->raft.member_id);
	p += pbw_put_varint(p, PBW_TAG(etcdserverpb_Member_name_tag, PBW_LEN));
	p += pbw_put_varint(p, strlen(name));
	memcpy(p, name, strlen(name));
	p += strlen(name);
	for (pb_size_t i = 0; i < nc->client_urls_count; i++) {
		size_t ul = strlen(nc->client_urls[i]);

		p += pbw_put_varint(p, PBW_TAG(etcdserverpb_Member_clientURLs_tag, PBW_LEN));
		p += pbw_put_varint(p, ul);
		memcpy(p, nc->client_urls[i], ul);
		p += ul;
	}
	*len = (size_t)(p - buf);
	return buf;
}

/* etcd's start-up phrases, which operators' tooling (and etcd's own e2e
 * harness) wait for: the member published, the cluster's version (cairn
 * speaks etcd 3.4's API, a cluster version fixed at 3.4), and each client
 * URL ready. */
static void
publish_log_ready(const struct netd *n)
{
	const cairn_ipc_NetdConfig *nc = &n->c->cfg.netd;
	char id[17], attrs[PUBLISH_ATTRS_BYTES];
	struct log_fields f;
	size_t len;

	snprintf(id, sizeof(id), "%llx", (unsigned long long)n->raft.member_id);
	len = (size_t)snprintf(attrs, sizeof(attrs), "{Name:%s ClientURLs:[", n->c->cfg.name);
	for (pb_size_t i = 0; i < nc->client_urls_count && len < sizeof(attrs); i++)
		len += (size_t)snprintf(attrs + len, sizeof(attrs) - len, "%s%s", i ? " " : "",
		    nc->client_urls[i]);
	if (len < sizeof(attrs))
		snprintf(attrs + len, sizeof(attrs) - len, "]}");
	log_fields_init(&f);
	log_field_str(&f, "local-member-id", id);
	log_field_str(&f, "local-member-attributes", attrs);
	log_infof(&f, "published local member to cluster through raft");
	log_fields_init(&f);
	log_field_str(&f, "cluster-version", "3.4");
	log_infof(&f, "enabled capabilities for version");
	for (size_t i = 0; i < n->listeners_len; i++) {
		if (n->listeners[i].info.kind != cairn_ipc_Listener_Kind_CLIENT)
			continue;
		log_fields_init(&f);
		log_field_str(&f, "address", n->listeners[i].info.url);
		log_infof(&f, "ready to serve client requests");
	}
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
	if ((rc = backend_propose_internal(n, irr, irr_len, PENDING_PUBLISH)) != 0) {
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
		publish_log_ready(n);
		return;
	}
	log_debug("publishing the member's attributes: %s; again in %d ms", err_str(code),
	    PUBLISH_RETRY_MS);
	evtimer_add(pub->retry_ev, &tv);
}
