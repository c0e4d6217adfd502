/*
 * netd and stored: bcrypt hashes of passwords (see password.h).
 */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "shared/err.h"
#include "shared/password.h"
#include "shared/xmalloc.h"

/* A password as libcrypt wants it: NUL-terminated, no NUL inside. */
static bool
password_cstr(const uint8_t *pw, size_t n, char buf[PASSWORD_BYTES_MAX + 1])
{
	if (n > PASSWORD_BYTES_MAX || (n > 0 && memchr(pw, 0, n) != NULL))
		return false;
	if (n > 0)
		memcpy(buf, pw, n);
	buf[n] = 0;
	return true;
}

int
password_hash(const uint8_t *pw, size_t n, unsigned cost,
    const uint8_t salt[PASSWORD_SALT_BYTES], char out[PASSWORD_HASH_BYTES_MAX], size_t *out_len)
{
	char phrase[PASSWORD_BYTES_MAX + 1], setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *h;
	int rc = 0;

	if (cost < PASSWORD_COST_MIN || cost > PASSWORD_COST_MAX || !password_cstr(pw, n, phrase))
		return CAIRN_EINVAL;
	if (crypt_gensalt_rn("$2b$", cost, (const char *)salt, PASSWORD_SALT_BYTES, setting,
	    sizeof(setting)) == NULL) {
		explicit_bzero(phrase, sizeof(phrase));
		return CAIRN_EIO;
	}
	/* struct crypt_data is 32 KiB: not on the stack. */
	cd = xcalloc(1, sizeof(*cd));
	h = crypt_rn(phrase, setting, cd, sizeof(*cd));
	if (h == NULL || h[0] == '*' || strlen(h) >= PASSWORD_HASH_BYTES_MAX)
		rc = CAIRN_EIO;
	else {
		*out_len = strlen(h);
		memcpy(out, h, *out_len + 1);
	}
	explicit_bzero(phrase, sizeof(phrase));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

bool
password_check(const uint8_t *hash, size_t hash_len, const uint8_t *pw, size_t n)
{
	char phrase[PASSWORD_BYTES_MAX + 1], setting[PASSWORD_HASH_BYTES_MAX];
	struct crypt_data *cd;
	const char *h;
	bool ok;

	if (hash_len == 0 || hash_len >= sizeof(setting) || memchr(hash, 0, hash_len) != NULL ||
	    !password_cstr(pw, n, phrase))
		return false;
	memcpy(setting, hash, hash_len);
	setting[hash_len] = 0;
	cd = xcalloc(1, sizeof(*cd));
	h = crypt_rn(phrase, setting, cd, sizeof(*cd));
	/* Both strings are hashes of the same length: compare all of it. */
	ok = h != NULL && strlen(h) == hash_len;
	if (ok) {
		unsigned char diff = 0;

		for (size_t i = 0; i < hash_len; i++)
			diff |= (unsigned char)h[i] ^ (unsigned char)setting[i];
		ok = diff == 0;
	}
	explicit_bzero(phrase, sizeof(phrase));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}
