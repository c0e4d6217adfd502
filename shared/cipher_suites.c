/*
 * supervisor and netd: etcd's cipher suite names (see cipher_suites.h).
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/ssl.h>

#include "shared/cipher_suites.h"
#include "shared/err.h"

static const char *const tls13[] = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256"};

/* One name's mbedTLS ID; 0 for a TLS 1.3 suite (nothing to set); -1 for
 * a name etcd does not take or mbedTLS does not have. */
static int
cipher_suite_id(const char *name)
{
	char m[CIPHER_SUITE_NAME_BYTES_MAX + sizeof("_SHA256")];
	size_t len = strlen(name);

	for (size_t i = 0; i < sizeof(tls13) / sizeof(tls13[0]); i++)
		if (strcmp(name, tls13[i]) == 0)
			return 0;
	if (len == 0 || len > CIPHER_SUITE_NAME_BYTES_MAX || strncmp(name, "TLS_", 4) != 0)
		return -1;
	for (size_t i = 0; i <= len; i++)
		m[i] = name[i] == '_' ? '-' : name[i];
	if (strcmp(name, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305") == 0 ||
	    strcmp(name, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305") == 0)
		strcat(m, "-SHA256");
	return mbedtls_ssl_get_ciphersuite_id(m) > 0 ? mbedtls_ssl_get_ciphersuite_id(m) : -1;
}

int
cipher_suites_parse(const char *csv, int *ids, size_t *n, char *err, size_t errlen)
{
	const char *p = csv;

	*n = 0;
	while (p != NULL && *p != '\0') {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		char name[CIPHER_SUITE_NAME_BYTES_MAX + 1];
		int id = -1;

		if (len <= CIPHER_SUITE_NAME_BYTES_MAX) {
			memcpy(name, p, len);
			name[len] = '\0';
			id = cipher_suite_id(name);
		}
		if (id < 0 || (id > 0 && *n == CIPHER_SUITES_MAX)) {
			snprintf(err, errlen, "unexpected TLS cipher suite \"%.*s\"",
			    len > CIPHER_SUITE_NAME_BYTES_MAX ? CIPHER_SUITE_NAME_BYTES_MAX : (int)len,
			    p);
			return CAIRN_EINVAL;
		}
		if (id > 0)
			ids[(*n)++] = id;
		p = comma != NULL ? comma + 1 : NULL;
	}
	ids[*n] = 0;
	return 0;
}
