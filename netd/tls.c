/*
 * netd: TLS on its listeners (see tls.h): the client URLs' configuration
 * from NetdConfig, and a new https connection served once its handshake
 * is over, by ALPN.
 */
#include <string.h>

#include "netd/h2.h"
#include "netd/http1.h"
#include "netd/netd.h"
#include "netd/tls.h"
#include "shared/log.h"

int
tls_server_init(struct tls_server *t, const cairn_ipc_NetdConfig *cfg)
{
	const struct tls_files f = {.cert_file = cfg->cert_file, .key_file = cfg->key_file,
	    .trusted_ca_file = cfg->trusted_ca_file, .crl_file = cfg->client_crl_file,
	    .cipher_suites = cfg->cipher_suites, .client_cert_auth = cfg->client_cert_auth,
	    .auto_tls = cfg->auto_tls, .alpn = true};

	return tls_end_init(t, &f, false);
}

/* A client URL's connection after its handshake: HTTP/2 by ALPN, else
 * HTTP/1.1. */
static void
tls_client_ready(void *arg, struct bufferevent *bev, const char *alpn, const char *cn)
{
	struct netd *n = arg;

	if (bev == NULL)
		return;
	if (alpn != NULL && strcmp(alpn, "h2") == 0)
		h2_start(n, bev, true, cn);
	else
		http1_start(n, bev, false);
}

void
tls_accept(struct netd *n, int fd)
{
	struct bufferevent *raw = netd_client_bev(n, fd);

	if (raw == NULL)
		return;
	/* Counted with the client connections while it shakes hands. */
	n->conns_len++;
	(void)tls_start(n->c->base, raw, n->tls, NULL, &n->conns_len, tls_client_ready, n, NULL);
}
