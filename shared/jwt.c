/*
 * etcd's JWT tokens (see jwt.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>
#include <mbedtls/ecdsa.h>

#include "shared/jwt.h"
#include "shared/err.h"
#include "shared/xmalloc.h"

/* Go's time.ParseDuration for what ttl= takes: a sum of numbers with
 * units h, m, s, ms (e.g. "5m", "1s", "1h30m"); whole seconds, at least 1. */
static int
jwt_parse_ttl(const char *v, int64_t *out)
{
	double total = 0;
	char *end;

	if (*v == '\0')
		return CAIRN_EINVAL;
	while (*v != '\0') {
		double x = strtod(v, &end);

		if (end == v || x < 0)
			return CAIRN_EINVAL;
		if (strncmp(end, "ms", 2) == 0) {
			total += x / 1000;
			v = end + 2;
		} else if (*end == 'h' || *end == 'm' || *end == 's') {
			total += x * (*end == 'h' ? 3600 : *end == 'm' ? 60 : 1);
			v = end + 1;
		} else {
			return CAIRN_EINVAL;
		}
	}
	*out = total < 1 ? 1 : (int64_t)total;
	return 0;
}

static int
jwt_method(struct jwt *j, const char *m)
{
	static const struct {
		const char *name;
		mbedtls_md_type_t md;
		bool ecdsa;
	} methods[] = {
		{"RS256", MBEDTLS_MD_SHA256, false}, {"RS384", MBEDTLS_MD_SHA384, false},
		{"RS512", MBEDTLS_MD_SHA512, false}, {"ES256", MBEDTLS_MD_SHA256, true},
		{"ES384", MBEDTLS_MD_SHA384, true}, {"ES512", MBEDTLS_MD_SHA512, true},
	};

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (strcmp(m, methods[i].name) == 0) {
			j->alg = methods[i].name;
			j->md = methods[i].md;
			j->ecdsa = methods[i].ecdsa;
			return 0;
		}
	}
	return CAIRN_EINVAL;
}

static mbedtls_pk_context *
jwt_pub(struct jwt *j)
{
	return j->pub_in_crt ? &j->crt.pk : &j->pub;
}

/* The keys, as the method wants them: a public key, or a certificate's. */
static int
jwt_read_keys(struct jwt *j, const char *pub, const char *priv, char *err, size_t errlen)
{
	mbedtls_pk_type_t want = j->ecdsa ? MBEDTLS_PK_ECKEY : MBEDTLS_PK_RSA;

	if (mbedtls_pk_parse_public_keyfile(&j->pub, pub) != 0) {
		if (mbedtls_x509_crt_parse_file(&j->crt, pub) != 0) {
			snprintf(err, errlen, "auth: cannot read the JWT public key %s", pub);
			return CAIRN_EINVAL;
		}
		j->pub_in_crt = true;
	}
	if (!mbedtls_pk_can_do(jwt_pub(j), want)) {
		snprintf(err, errlen, "auth: the JWT public key %s is not for %s", pub, j->alg);
		return CAIRN_EINVAL;
	}
	if (priv == NULL)
		return 0;
	if (mbedtls_pk_parse_keyfile(&j->priv, priv, NULL) != 0 ||
	    !mbedtls_pk_can_do(&j->priv, want)) {
		snprintf(err, errlen, "auth: cannot read the JWT private key %s for %s", priv, j->alg);
		return CAIRN_EINVAL;
	}
	j->can_sign = true;
	return 0;
}

int
jwt_init(struct jwt *j, const char *opts, char *err, size_t errlen)
{
	char *copy, *rest, *o, *pub = NULL, *priv = NULL, *method = NULL;
	int rc = 0;

	memset(j, 0, sizeof(*j));
	mbedtls_pk_init(&j->priv);
	mbedtls_pk_init(&j->pub);
	mbedtls_x509_crt_init(&j->crt);
	mbedtls_entropy_init(&j->entropy);
	mbedtls_ctr_drbg_init(&j->drbg);
	j->ttl_s = JWT_TTL_S_DEFAULT;
	if (opts == NULL || strcmp(opts, "simple") == 0 || opts[0] == '\0')
		return 0;
	copy = rest = xstrdup(opts);
	o = strsep(&rest, ",");
	if (strcmp(o, "jwt") != 0) {
		snprintf(err, errlen, "auth: invalid auth options (--auth-token %s)", opts);
		free(copy);
		return CAIRN_EINVAL;
	}
	while (rc == 0 && (o = strsep(&rest, ",")) != NULL) {
		char *eq = strchr(o, '=');

		if (eq == NULL) {
			rc = CAIRN_EINVAL;
			break;
		}
		*eq = '\0';
		if (strcmp(o, "pub-key") == 0)
			pub = eq + 1;
		else if (strcmp(o, "priv-key") == 0)
			priv = eq + 1;
		else if (strcmp(o, "sign-method") == 0)
			method = eq + 1;
		else if (strcmp(o, "ttl") == 0)
			rc = jwt_parse_ttl(eq + 1, &j->ttl_s);
		else
			rc = CAIRN_EINVAL;
	}
	if (rc != 0 || method == NULL || pub == NULL) {
		snprintf(err, errlen, "auth: invalid auth options (--auth-token %s)", opts);
		rc = CAIRN_EINVAL;
	} else if ((rc = jwt_method(j, method)) != 0) {
		snprintf(err, errlen, "auth: invalid auth signature method (%s)", method);
	} else if ((rc = jwt_read_keys(j, pub, priv, err, errlen)) == 0 &&
	    mbedtls_ctr_drbg_seed(&j->drbg, mbedtls_entropy_func, &j->entropy,
	    (const unsigned char *)"cairn-jwt", 9) != 0) {
		snprintf(err, errlen, "auth: cannot seed the JWT signer");
		rc = CAIRN_EIO;
	}
	j->on = rc == 0;
	free(copy);
	return rc;
}

void
jwt_free(struct jwt *j)
{
	mbedtls_pk_free(&j->priv);
	mbedtls_pk_free(&j->pub);
	mbedtls_x509_crt_free(&j->crt);
	mbedtls_ctr_drbg_free(&j->drbg);
	mbedtls_entropy_free(&j->entropy);
	j->on = j->can_sign = false;
}

/* ---- base64url (RFC 7515: no padding) ------------------------------------ */

static int
b64url_encode(const uint8_t *in, size_t len, char *out, size_t cap, size_t *olen)
{
	size_t n;

	if (mbedtls_base64_encode((unsigned char *)out, cap, &n, in, len) != 0)
		return CAIRN_EINVAL;
	while (n > 0 && out[n - 1] == '=')
		n--;
	for (size_t i = 0; i < n; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	out[n] = '\0';
	*olen = n;
	return 0;
}

static int
b64url_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *olen)
{
	char buf[JWT_BYTES_MAX + 4];
	size_t n = 0;

	if (len > JWT_BYTES_MAX)
		return CAIRN_EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (c == '+' || c == '/' || c == '=')
			return CAIRN_EINVAL; /* base64url only */
		buf[n++] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	while (n % 4 != 0)
		buf[n++] = '=';
	return mbedtls_base64_decode(out, cap, olen, (const unsigned char *)buf, n) == 0 ?
	    0 : CAIRN_EINVAL;
}

/* ---- signatures ------------------------------------------------------------ */

static size_t
jwt_ec_bytes(const mbedtls_pk_context *pk)
{
	return (mbedtls_pk_ec(*pk)->grp.pbits + 7) / 8;
}

/* The signature of in[len] into sig[cap] (*slen): JWS's form. */
static int
jwt_sig_make(struct jwt *j, const uint8_t *in, size_t len, uint8_t *sig, size_t cap,
    size_t *slen)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(j->md);
	uint8_t hash[MBEDTLS_MD_MAX_SIZE];
	size_t hl = mbedtls_md_get_size(md);
	int rc;

	if (mbedtls_md(md, in, len, hash) != 0)
		return CAIRN_EIO;
	if (!j->ecdsa) {
		if (cap < mbedtls_pk_get_len(&j->priv))
			return CAIRN_EINVAL;
		return mbedtls_pk_sign(&j->priv, j->md, hash, hl, sig, slen, mbedtls_ctr_drbg_random,
		    &j->drbg) == 0 ? 0 : CAIRN_EIO;
	} else {
		mbedtls_ecp_keypair *ec = mbedtls_pk_ec(j->priv);
		size_t kb = jwt_ec_bytes(&j->priv);
		mbedtls_mpi r, s;

		if (cap < 2 * kb)
			return CAIRN_EINVAL;
		mbedtls_mpi_init(&r);
		mbedtls_mpi_init(&s);
		rc = mbedtls_ecdsa_sign(&ec->grp, &r, &s, &ec->d, hash, hl, mbedtls_ctr_drbg_random,
		    &j->drbg) == 0 && mbedtls_mpi_write_binary(&r, sig, kb) == 0 &&
		    mbedtls_mpi_write_binary(&s, sig + kb, kb) == 0 ? 0 : CAIRN_EIO;
		mbedtls_mpi_free(&r);
		mbedtls_mpi_free(&s);
		*slen = 2 * kb;
		return rc;
	}
}

static bool
jwt_sig_ok(struct jwt *j, const uint8_t *in, size_t len, const uint8_t *sig, size_t slen)
{
	mbedtls_pk_context *pub = jwt_pub(j);
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(j->md);
	uint8_t hash[MBEDTLS_MD_MAX_SIZE];
	size_t hl = mbedtls_md_get_size(md);
	bool ok;

	if (mbedtls_md(md, in, len, hash) != 0)
		return false;
	if (!j->ecdsa) {
		return mbedtls_pk_verify(pub, j->md, hash, hl, sig, slen) == 0;
	} else {
		mbedtls_ecp_keypair *ec = mbedtls_pk_ec(*pub);
		size_t kb = jwt_ec_bytes(pub);
		mbedtls_mpi r, s;

		if (slen != 2 * kb)
			return false;
		mbedtls_mpi_init(&r);
		mbedtls_mpi_init(&s);
		ok = mbedtls_mpi_read_binary(&r, sig, kb) == 0 &&
		    mbedtls_mpi_read_binary(&s, sig + kb, kb) == 0 &&
		    mbedtls_ecdsa_verify(&ec->grp, hash, hl, &ec->Q, &r, &s) == 0;
		mbedtls_mpi_free(&r);
		mbedtls_mpi_free(&s);
		return ok;
	}
}

/* ---- tokens ------------------------------------------------------------------ */

/* A JSON string's contents, escaped as Go's encoding/json does for what a
 * user name may hold (quotes, backslashes, control characters, <>&). */
static size_t
jwt_json_str(const char *s, char *out, size_t cap)
{
	size_t o = 0;

	for (; *s != '\0' && o + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, cap - o, "\\%c", c);
		else if (c < 0x20 || c == '<' || c == '>' || c == '&')
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return o;
}

int
jwt_sign(struct jwt *j, const char *user, uint64_t revision, int64_t now_s, char *out,
    size_t cap)
{
	char head[64], claims[3 * 256 + 96], name[6 * 256 + 1];
	uint8_t sig[1024];
	size_t o, n, slen;
	int len;

	if (!j->on || !j->can_sign)
		return CAIRN_EINVAL;
	jwt_json_str(user, name, sizeof(name));
	snprintf(head, sizeof(head), "{\"alg\":\"%s\",\"typ\":\"JWT\"}", j->alg);
	len = snprintf(claims, sizeof(claims), "{\"exp\":%" PRId64 ",\"revision\":%" PRIu64
	    ",\"username\":\"%s\"}", now_s + j->ttl_s, revision, name);
	if (len < 0 || (size_t)len >= sizeof(claims))
		return CAIRN_EINVAL;
	if (b64url_encode((const uint8_t *)head, strlen(head), out, cap, &o) != 0 || o + 1 >= cap)
		return CAIRN_EINVAL;
	out[o++] = '.';
	if (b64url_encode((const uint8_t *)claims, (size_t)len, out + o, cap - o, &n) != 0)
		return CAIRN_EINVAL;
	o += n;
	if (jwt_sig_make(j, (const uint8_t *)out, o, sig, sizeof(sig), &slen) != 0 || o + 1 >= cap)
		return CAIRN_EINVAL;
	out[o++] = '.';
	return b64url_encode(sig, slen, out + o, cap - o, &n);
}

/* A claim's value in the claims JSON jwt_sign wrote (and signed): the
 * number after "key":, or the string (escapes kept only for \" and \\). */
static bool
jwt_claim_num(const char *json, const char *key, int64_t *v)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	if ((p = strstr(json, pat)) == NULL)
		return false;
	*v = strtoll(p + strlen(pat), NULL, 10);
	return true;
}

static bool
jwt_claim_str(const char *json, const char *key, char *out, size_t cap)
{
	char pat[32];
	const char *p;
	size_t o = 0;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	if ((p = strstr(json, pat)) == NULL)
		return false;
	for (p += strlen(pat); *p != '"' && *p != '\0'; p++) {
		if (*p == '\\' && p[1] == 'u' && strlen(p) >= 6) {
			char hex[5] = {p[2], p[3], p[4], p[5], '\0'};

			if (o + 1 < cap)
				out[o++] = (char)strtol(hex, NULL, 16);
			p += 5;
			continue;
		}
		if (*p == '\\' && p[1] != '\0')
			p++;
		if (o + 1 < cap)
			out[o++] = *p;
	}
	out[o] = '\0';
	return *p == '"';
}

int
jwt_verify(struct jwt *j, const char *tok, int64_t now_s, char *user, size_t cap)
{
	const char *dot1 = strchr(tok, '.'), *dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
	uint8_t sig[1024], claims[JWT_BYTES_MAX], head[256];
	size_t slen, clen, hlen;
	char want[64];
	int64_t exp;

	if (!j->on || dot2 == NULL || strlen(tok) > JWT_BYTES_MAX ||
	    b64url_decode(dot2 + 1, strlen(dot2 + 1), sig, sizeof(sig), &slen) != 0 ||
	    !jwt_sig_ok(j, (const uint8_t *)tok, (size_t)(dot2 - tok), sig, slen) ||
	    b64url_decode(tok, (size_t)(dot1 - tok), head, sizeof(head) - 1, &hlen) != 0 ||
	    b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), claims, sizeof(claims) - 1,
	    &clen) != 0)
		return CAIRN_EAUTHTOKEN;
	/* Signed by a member with the keys: the header names our method. */
	head[hlen] = '\0';
	claims[clen] = '\0';
	snprintf(want, sizeof(want), "\"alg\":\"%s\"", j->alg);
	if (strstr((char *)head, want) == NULL || !jwt_claim_num((char *)claims, "exp", &exp) ||
	    exp <= now_s || !jwt_claim_str((char *)claims, "username", user, cap) || user[0] == '\0')
		return CAIRN_EAUTHTOKEN;
	return 0;
}
