/*
 * stored: the order of the key index's history (see hist_order.h).
 */
#include <string.h>

#include "stored/hist_order.h"
#include "stored/rev_codec.h"
#include "shared/be.h"

/* A record too short to hold a revision (never written) sorts as a key
 * with revision 0, so a corrupt page cannot make the order inconsistent. */
static void
hist_split(const DBT *d, uint32_t *klen, const uint8_t **rev)
{
	static const uint8_t zero[HIST_REV_BYTES];

	if (d->size < HIST_REV_BYTES) {
		*klen = d->size;
		*rev = zero;
		return;
	}
	*klen = d->size - HIST_REV_BYTES;
	*rev = (const uint8_t *)d->data + *klen;
}

int
hist_order(DB *db, const DBT *a, const DBT *b)
{
	uint32_t alen, blen;
	const uint8_t *arev, *brev;
	int c;

	(void)db;
	hist_split(a, &alen, &arev);
	hist_split(b, &blen, &brev);
	c = memcmp(a->data, b->data, alen < blen ? alen : blen);
	if (c != 0)
		return c;
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return memcmp(arev, brev, HIST_REV_BYTES);
}

void
hist_key_put(uint8_t *buf, const uint8_t *key, uint32_t key_len, struct mvcc_rev rev)
{
	memcpy(buf, key, key_len);
	be_put64(buf + key_len, (uint64_t)rev.main);
	be_put64(buf + key_len + 8, (uint64_t)rev.sub);
}

bool
hist_key_get(const uint8_t *buf, uint32_t len, const uint8_t **key, uint32_t *key_len,
    struct mvcc_rev *rev)
{
	if (len < HIST_REV_BYTES)
		return false;
	*key = buf;
	*key_len = len - HIST_REV_BYTES;
	rev->main = (int64_t)be_get64(buf + *key_len);
	rev->sub = (int64_t)be_get64(buf + *key_len + 8);
	return true;
}
