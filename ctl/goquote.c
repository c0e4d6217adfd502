/*
 * cairnctl: strconv.Quote over bytes. shared/go_quote.c quotes short
 * NUL-terminated texts into a bounded buffer for the server's messages;
 * this one writes whole keys and values, UTF-8 aware, as Go does.
 */
#include <stdbool.h>

#include "ctl/goquote.h"

size_t
goquote_rune(const uint8_t *p, size_t n, uint32_t *r)
{
	uint32_t c = p[0], min;
	size_t len;

	if (c < 0x80) {
		*r = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*r = c;
	return len;
}

/* unicode.IsPrint for runes past ASCII, to the precision keys need: the
 * C1 controls, non-ASCII spaces, format characters and non-characters
 * are not printable. */
static bool
goquote_printable(uint32_t r)
{
	if (r < 0xa1)
		return false;
	if (r == 0xad || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0x3000)
		return false;
	if ((r >= 0x2000 && r <= 0x200f) || (r >= 0x202a && r <= 0x202f) ||
	    (r >= 0x2060 && r <= 0x206f) || (r >= 0xfff0 && r <= 0xfffb))
		return false;
	if ((r & 0xfffe) == 0xfffe || (r >= 0xe000 && r <= 0xf8ff) || r >= 0xf0000)
		return false;
	return true;
}

void
goquote_write(FILE *out, const uint8_t *p, size_t n)
{
	static const char names[] = "abtnvfr";

	fputc('"', out);
	for (size_t i = 0; i < n;) {
		uint32_t r;
		size_t len = goquote_rune(p + i, n - i, &r);

		if (len == 0) {
			fprintf(out, "\\x%02x", p[i]);
			i++;
			continue;
		}
		if (r == '"' || r == '\\')
			fprintf(out, "\\%c", (int)r);
		else if (r >= 0x20 && r < 0x7f)
			fputc((int)r, out);
		else if (r >= 0x07 && r <= 0x0d)
			fprintf(out, "\\%c", names[r - 0x07]);
		else if (r < 0x20 || r == 0x7f)
			fprintf(out, "\\x%02x", r);
		else if (goquote_printable(r))
			fwrite(p + i, 1, len, out);
		else if (r < 0x10000)
			fprintf(out, "\\u%04x", r);
		else
			fprintf(out, "\\U%08x", r);
		i += len;
	}
	fputc('"', out);
}
