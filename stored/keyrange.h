/*
 * stored: etcd's key ranges: [key, end) with an empty end meaning the key
 * alone and the end "\0" meaning every key from key on (with key "\0":
 * every key). Keys compare bytewise, a prefix first.
 */
#ifndef CAIRN_STORED_KEYRANGE_H
#define CAIRN_STORED_KEYRANGE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static inline int
keyrange_cmp(const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen)
{
	uint32_t n = alen < blen ? alen : blen;
	int c = n > 0 ? memcmp(a, b, n) : 0;

	if (c != 0)
		return c;
	return alen == blen ? 0 : alen < blen ? -1 : 1;
}

/* The end "\0": no upper bound. */
static inline bool
keyrange_open_end(const uint8_t *end, uint32_t end_len)
{
	return end_len == 1 && end[0] == 0;
}

/* Whether k lies in [key, end). */
static inline bool
keyrange_has(const uint8_t *key, uint32_t key_len, const uint8_t *end, uint32_t end_len,
    const uint8_t *k, uint32_t k_len)
{
	if (end_len == 0)
		return keyrange_cmp(k, k_len, key, key_len) == 0;
	if (keyrange_cmp(k, k_len, key, key_len) < 0)
		return false;
	return keyrange_open_end(end, end_len) || keyrange_cmp(k, k_len, end, end_len) < 0;
}

#endif
