/*
 * supervisor and netd: etcd's member and cluster IDs (see member_id.h).
 */
#include <mbedtls/sha1.h>
#include <mbedtls/version.h>
#include <string.h>

#include "shared/assert.h"
#include "shared/member_id.h"

/* mbedTLS 3 dropped the _ret suffix that 2.x (Debian 12) still needs. */
#if MBEDTLS_VERSION_MAJOR >= 3
#define sha1_starts mbedtls_sha1_starts
#define sha1_update mbedtls_sha1_update
#define sha1_finish mbedtls_sha1_finish
#else
#define sha1_starts mbedtls_sha1_starts_ret
#define sha1_update mbedtls_sha1_update_ret
#define sha1_finish mbedtls_sha1_finish_ret
#endif

static void
hash_start(mbedtls_sha1_context *c)
{
	int rc;

	mbedtls_sha1_init(c);
	rc = sha1_starts(c);
	CAIRN_ASSERT(rc == 0);
}

static void
hash_add(mbedtls_sha1_context *c, const void *p, size_t n)
{
	int rc = sha1_update(c, p, n);

	CAIRN_ASSERT(rc == 0);
}

/* Ends the hash: its first 8 bytes, big-endian, are etcd's ID. */
static uint64_t
hash_id(mbedtls_sha1_context *c)
{
	unsigned char d[20];
	uint64_t id = 0;
	int rc = sha1_finish(c, d);

	CAIRN_ASSERT(rc == 0);
	mbedtls_sha1_free(c);
	for (size_t i = 0; i < 8; i++)
		id = id << 8 | d[i];
	return id;
}

uint64_t
member_id_make(const char *const *urls, size_t n, const char *token, const char *stamp)
{
	mbedtls_sha1_context c;

	hash_start(&c);
	for (size_t i = 0; i < n; i++) {
		CAIRN_ASSERT(i == 0 || strcmp(urls[i - 1], urls[i]) <= 0);
		hash_add(&c, urls[i], strlen(urls[i]));
	}
	hash_add(&c, token, strlen(token));
	if (stamp != NULL)
		hash_add(&c, stamp, strlen(stamp));
	return hash_id(&c);
}

uint64_t
member_id_cluster(const uint64_t *ids, size_t n)
{
	mbedtls_sha1_context c;

	hash_start(&c);
	for (size_t i = 0; i < n; i++) {
		unsigned char be[8];

		CAIRN_ASSERT(i == 0 || ids[i - 1] < ids[i]);
		for (size_t k = 0; k < 8; k++)
			be[k] = (unsigned char)(ids[i] >> (56 - 8 * k));
		hash_add(&c, be, sizeof(be));
	}
	return hash_id(&c);
}
