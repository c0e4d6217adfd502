/*
 * netd: --auto-tls, a self-signed certificate made at start as etcd's
 * transport.SelfCert makes one: an ECDSA P-256 key, subject O=etcd, a
 * random serial, valid for a year, for server authentication. It lives in
 * memory only (etcd also writes it under the data dir's fixtures/); its
 * clients skip verification (etcdctl --insecure-skip-tls-verify).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>

#include "shared/tls.h"
#include "shared/err.h"
#include "shared/log.h"

#define SELF_VALID_SECONDS (365 * 24 * 3600)
#define SELF_DER_BYTES_MAX 2048
/* extKeyUsage: SEQUENCE { id-kp-serverAuth }. */
static const unsigned char self_eku[] = {0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05,
    0x07, 0x03, 0x01};

static void
self_time(char out[16], time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y%m%d%H%M%S", &tm);
}

int
tls_self_cert(struct tls_server *t)
{
	mbedtls_x509write_cert w;
	mbedtls_mpi serial;
	unsigned char der[SELF_DER_BYTES_MAX], rnd[16];
	char from[16], until[16];
	time_t now = time(NULL);
	int rc, len;

	mbedtls_x509write_crt_init(&w);
	mbedtls_mpi_init(&serial);
	self_time(from, now);
	self_time(until, now + SELF_VALID_SECONDS);
	if ((rc = mbedtls_pk_setup(&t->key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY))) != 0 ||
	    (rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(t->key),
	    mbedtls_ctr_drbg_random, &t->drbg)) != 0 ||
	    (rc = mbedtls_ctr_drbg_random(&t->drbg, rnd, sizeof(rnd))) != 0)
		goto out;
	rnd[0] &= 0x7f; /* a positive serial */
	mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&w, &t->key);
	mbedtls_x509write_crt_set_issuer_key(&w, &t->key);
	if ((rc = mbedtls_mpi_read_binary(&serial, rnd, sizeof(rnd))) != 0 ||
	    (rc = mbedtls_x509write_crt_set_serial(&w, &serial)) != 0 ||
	    (rc = mbedtls_x509write_crt_set_subject_name(&w, "O=etcd")) != 0 ||
	    (rc = mbedtls_x509write_crt_set_issuer_name(&w, "O=etcd")) != 0 ||
	    (rc = mbedtls_x509write_crt_set_validity(&w, from, until)) != 0 ||
	    (rc = mbedtls_x509write_crt_set_key_usage(&w, MBEDTLS_X509_KU_DIGITAL_SIGNATURE |
	    MBEDTLS_X509_KU_KEY_ENCIPHERMENT)) != 0 ||
	    (rc = mbedtls_x509write_crt_set_extension(&w, MBEDTLS_OID_EXTENDED_KEY_USAGE,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0, self_eku, sizeof(self_eku))) != 0)
		goto out;
	/* The DER is written at the end of the buffer. */
	if ((len = mbedtls_x509write_crt_der(&w, der, sizeof(der), mbedtls_ctr_drbg_random,
	    &t->drbg)) < 0) {
		rc = len;
		goto out;
	}
	rc = mbedtls_x509_crt_parse_der(&t->cert, der + sizeof(der) - len, (size_t)len);
out:
	mbedtls_x509write_crt_free(&w);
	mbedtls_mpi_free(&serial);
	if (rc != 0) {
		log_errorx("cannot make a self-signed certificate (--auto-tls): mbedTLS error -0x%04x",
		    (unsigned)-rc);
		return CAIRN_EINVAL;
	}
	log_info("made a self-signed certificate for the client URLs (--auto-tls)");
	return 0;
}
