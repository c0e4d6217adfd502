/*
 * All processes that speak TLS (netd, the client library): one end's
 * configuration from its files (see tls.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>

#include "shared/cipher_suites.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/tls.h"
#include "shared/xmalloc.h"

static const char *tls_alpn[] = {"h2", "http/1.1", NULL};

void
tls_log(const char *what, int rc)
{
	char buf[128];

	mbedtls_strerror(rc, buf, sizeof(buf));
	log_errorx("%s: %s", what, buf);
}

/* The common name of a certificate, or false when it has none that fits
 * out[cap]. */
bool
tls_cert_cn(const mbedtls_x509_crt *crt, char *out, size_t cap)
{
	for (const mbedtls_x509_name *nm = &crt->subject; nm != NULL; nm = nm->next) {
		if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &nm->oid) != 0)
			continue;
		if (nm->val.len >= cap || memchr(nm->val.p, 0, nm->val.len) != NULL)
			return false;
		memcpy(out, nm->val.p, nm->val.len);
		out[nm->val.len] = '\0';
		return true;
	}
	return false;
}

/* etcd's --peer-cert-allowed-cn, checked with the chain: a client
 * certificate of another CN fails the handshake with the "bad
 * certificate" alert the dialler reports, as Go's does. */
static int
tls_verify_cn(void *arg, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	const struct tls_server *t = arg;
	char cn[TLS_CN_BYTES_MAX + 1];

	if (depth == 0 && (!tls_cert_cn(crt, cn, sizeof(cn)) || strcmp(cn, t->allowed_cn) != 0))
		*flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
	return 0;
}

static const mbedtls_ecp_group_id tls_curves[] = {
	MBEDTLS_ECP_DP_CURVE25519, MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_SECP384R1,
	MBEDTLS_ECP_DP_SECP521R1, MBEDTLS_ECP_DP_NONE,
};

int
tls_end_init(struct tls_server *t, const struct tls_files *f, bool client)
{
	static const char pers[] = "cairn-tls";
	char err[128];
	size_t n;
	int rc;

	bool self = f->cert_file[0] == '\0' && f->key_file[0] == '\0';
	/* A server needs a certificate; a client may go without. */
	bool own = !self || f->auto_tls;

	if (!own && !client)
		return 0;
	mbedtls_ssl_config_init(&t->conf);
	mbedtls_entropy_init(&t->entropy);
	mbedtls_ctr_drbg_init(&t->drbg);
	mbedtls_x509_crt_init(&t->cert);
	mbedtls_x509_crt_init(&t->ca);
	mbedtls_x509_crl_init(&t->crl);
	mbedtls_pk_init(&t->key);
	t->ready = true; /* initialised: tls_server_free frees it */
	t->client = client;
	snprintf(t->allowed_cn, sizeof(t->allowed_cn), "%s", f->allowed_cn ? f->allowed_cn : "");
	if ((rc = mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy,
	    (const unsigned char *)pers, sizeof(pers) - 1)) != 0) {
		tls_log("cannot seed the random generator", rc);
		return CAIRN_EINVAL;
	}
	if (self && own && tls_self_cert(t) != 0)
		return CAIRN_EINVAL;
	if (!self && (rc = mbedtls_x509_crt_parse_file(&t->cert, f->cert_file)) != 0) {
		tls_log(f->cert_file, rc);
		return CAIRN_EINVAL;
	}
	if (!self && (rc = mbedtls_pk_parse_keyfile(&t->key, f->key_file, NULL)) != 0) {
		tls_log(f->key_file, rc);
		return CAIRN_EINVAL;
	}
	if ((rc = mbedtls_ssl_config_defaults(&t->conf, client ? MBEDTLS_SSL_IS_CLIENT :
	    MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT)) != 0 ||
	    (own && (rc = mbedtls_ssl_conf_own_cert(&t->conf, &t->cert, &t->key)) != 0) ||
	    (f->alpn && (rc = mbedtls_ssl_conf_alpn_protocols(&t->conf, tls_alpn)) != 0)) {
		tls_log("cannot configure TLS", rc);
		return CAIRN_EINVAL;
	}
	mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
	/* Key exchange curves in Go's order: mbedTLS's default list starts
	 * at secp521r1, whose handshakes cost about 7 times P-256's
	 * (bench/netd_bench.sh). */
	mbedtls_ssl_conf_curves(&t->conf, tls_curves);
	/* TLS 1.2 at least, as etcd's Go servers; mbedTLS 2.28 has no 1.3. */
	mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	    MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_NONE);
	if (cipher_suites_parse(f->cipher_suites, t->suites, &n, err, sizeof(err)) != 0) {
		log_errorx("%s", err);
		return CAIRN_EINVAL;
	}
	if (n > 0) /* else mbedTLS's defaults, as Go's when none is given */
		mbedtls_ssl_conf_ciphersuites(&t->conf, t->suites);
	if (f->trusted_ca_file[0] != '\0' &&
	    (rc = mbedtls_x509_crt_parse_file(&t->ca, f->trusted_ca_file)) != 0) {
		tls_log(f->trusted_ca_file, rc);
		return CAIRN_EINVAL;
	}
	if (f->crl_file[0] != '\0' &&
	    (rc = mbedtls_x509_crl_parse_file(&t->crl, f->crl_file)) != 0) {
		tls_log(f->crl_file, rc);
		return CAIRN_EINVAL;
	}
	/* A server with client certificate auth: etcd's
	 * RequireAndVerifyClientCert against the trusted CA. A client (a peer
	 * dialling): the server's certificate verified against it, when one
	 * is given (etcd's --peer-auto-tls skips the check). */
	if (f->client_cert_auth || (client && f->trusted_ca_file[0] != '\0')) {
		mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, f->crl_file[0] != '\0' ? &t->crl : NULL);
		mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	}
	if (!client && t->allowed_cn[0] != '\0')
		mbedtls_ssl_conf_verify(&t->conf, tls_verify_cn, t);
	return 0;
}

void
tls_server_free(struct tls_server *t)
{
	if (!t->ready)
		return;
	mbedtls_pk_free(&t->key);
	mbedtls_x509_crt_free(&t->cert);
	mbedtls_x509_crt_free(&t->ca);
	mbedtls_x509_crl_free(&t->crl);
	mbedtls_ssl_config_free(&t->conf);
	mbedtls_ctr_drbg_free(&t->drbg);
	mbedtls_entropy_free(&t->entropy);
	t->ready = false;
}


bool
tls_host_is_ip(const char *host)
{
	struct in6_addr a;

	return inet_pton(AF_INET, host, &a) == 1 || inet_pton(AF_INET6, host, &a) == 1;
}
