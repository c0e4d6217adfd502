/*
 * netd and the client library: TLS with mbedTLS. An end's configuration
 * (certificate and key, trusted CAs and CRL, cipher suites, ALPN) is read
 * from its files once (keys wiped from memory when freed); each
 * connection does its handshake on the socket's bufferevent, then its
 * plaintext goes through a libevent filter on top of it.
 */
#ifndef CAIRN_TLS_H
#define CAIRN_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

#include "shared/cipher_suites.h"

/* A handshake must be over within this. */
#define TLS_HANDSHAKE_TIMEOUT_MS 10000
/* TLS bytes queued for the socket beyond which the plaintext waits. */
#define TLS_OUT_BYTES_MAX (256u << 10)
/* A certificate's common name as a user name (etcd's CN-based auth). */
#define TLS_CN_BYTES_MAX 256

/* The files and choices one TLS end is made of. Borrowed. */
struct tls_files {
	const char *cert_file, *key_file, *trusted_ca_file, *crl_file, *cipher_suites;
	bool client_cert_auth;      /* a server: require and verify the client's */
	bool auto_tls;              /* no files: a self-signed certificate */
	bool alpn;                  /* offer "h2" and "http/1.1" */
	const char *allowed_cn;     /* a server: the one client CN let in ("": any) */
};

struct tls_server {
	bool ready;
	bool client;                /* the dialling end */
	char allowed_cn[TLS_CN_BYTES_MAX + 1]; /* tls_files' */
	mbedtls_ssl_config conf;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_x509_crt cert, ca;
	mbedtls_x509_crl crl;
	mbedtls_pk_context key;     /* wiped by mbedtls_pk_free */
	int suites[CIPHER_SUITES_MAX + 1]; /* --cipher-suites, 0-ended; mbedTLS keeps a pointer */
};

/* Reads an end's files into t: a server, or with 'client' the end that
 * dials (its certificate, if any, sent as a client certificate; the
 * server's verified against trusted_ca_file when one is given). A server
 * with no certificate makes one with auto_tls, or stays not ready.
 * Returns 0, or CAIRN_EINVAL with the reason logged. */
int tls_end_init(struct tls_server *t, const struct tls_files *f, bool client);
void tls_server_free(struct tls_server *t);
/* --auto-tls (tls_self.c): a self-signed certificate and its key into t
 * (its random generator seeded). 0 or CAIRN_EINVAL (logged). */
int tls_self_cert(struct tls_server *t);
/* The common name of a certificate, or false when it has none that fits
 * out[cap]. */
bool tls_cert_cn(const mbedtls_x509_crt *crt, char *out, size_t cap);
/* A host that is an IP address: mbedTLS 2.28 matches names only, so a
 * certificate's IP addresses cannot be checked (its chain still is):
 * such a host is not given to tls_start. */
bool tls_host_is_ip(const char *host);
/* Logs mbedTLS's text for rc. */
void tls_log(const char *what, int rc);

/* The outcome of a handshake: bev, the plaintext (a filter over the raw
 * bufferevent; the callee owns it), with the negotiated ALPN protocol and
 * the verified peer certificate's common name (NULL: none); or bev NULL
 * when the handshake failed (the raw bufferevent is freed). */
typedef void tls_done_fn(void *arg, struct bufferevent *bev, const char *alpn, const char *cn);
struct tls_conn;

/* Shakes hands on raw (taken) with conf, checking the server's name
 * against host when given (a client); *counter (if not NULL) is lowered
 * once the handshake is over. Returns 0, after which done is called once
 * (maybe before tls_start returns), or CAIRN_EIO (raw freed, done not
 * called). *handshake (if not NULL) names the handshake until done is
 * called, for tls_cancel. */
int tls_start(struct event_base *base, struct bufferevent *raw, struct tls_server *conf,
    const char *host, size_t *counter, tls_done_fn *done, void *arg,
    struct tls_conn **handshake);
/* Abandons a handshake under way (its owner goes away): the socket
 * closes, done is never called. */
void tls_cancel(struct tls_conn *t);

#endif
