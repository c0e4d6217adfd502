/*
 * Tests: a growing buffer in memory (see membuf.h).
 */
#include <string.h>

#include "shared/xmalloc.h"
#include "tests/lib/membuf.h"

int
mem_sink(void *arg, const uint8_t *p, size_t n)
{
	struct membuf *m = arg;

	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2;
		m->p = xrealloc(m->p, m->cap);
	}
	memcpy(m->p + m->len, p, n);
	m->len += n;
	return 0;
}

int
mem_source(void *arg, uint8_t *p, size_t n)
{
	struct membuf *m = arg;

	if (m->off + n > m->len)
		return -1;
	memcpy(p, m->p + m->off, n);
	m->off += n;
	return 0;
}
