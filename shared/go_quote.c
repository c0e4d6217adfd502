/*
 * All processes: Go's %q of a string, for error texts that must read as
 * etcd's do.
 */
#include <stdio.h>
#include <string.h>

#include "shared/assert.h"
#include "shared/go_quote.h"

void
go_quote(char *dst, size_t cap, const char *s)
{
	size_t n = 0;

	CAIRN_ASSERT(cap >= 3);
	CAIRN_ASSERT(s != NULL);
	dst[n++] = '"';
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char tmp[5];
		size_t k;

		if (c == '"' || c == '\\')
			k = (size_t)snprintf(tmp, sizeof(tmp), "\\%c", c);
		else if (c == '\n')
			k = (size_t)snprintf(tmp, sizeof(tmp), "\\n");
		else if (c == '\t')
			k = (size_t)snprintf(tmp, sizeof(tmp), "\\t");
		else if (c < 0x20 || c == 0x7f)
			k = (size_t)snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		else
			k = (size_t)snprintf(tmp, sizeof(tmp), "%c", c);
		if (n + k + 2 > cap)
			break;
		memcpy(dst + n, tmp, k);
		n += k;
	}
	dst[n++] = '"';
	dst[n] = '\0';
}
