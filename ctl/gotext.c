/*
 * cairnctl: Go's strconv.ParseUint errors, time.Duration.String and the
 * runtime's nil-dereference panic, in etcdctl's words (ctl/gotext.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/goquote.h"
#include "ctl/gotext.h"
#include "shared/assert.h"

/* Go's exit status for a panic. */
#define GOTEXT_PANIC_EXIT 2

/* Writes Go's NumError text for ParseUint of s to err. */
static void
gotext_num_error(const char *s, const char *why, char *err, size_t errlen)
{
	char *quoted = NULL;
	size_t n = 0;
	FILE *q = open_memstream(&quoted, &n);

	CAIRN_ASSERT(q != NULL);
	goquote_write(q, (const uint8_t *)s, strlen(s));
	fclose(q);
	snprintf(err, errlen, "strconv.ParseUint: parsing %s: %s", quoted, why);
	free(quoted);
}

int
gotext_parse_hex(const char *s, uint64_t *v, char *err, size_t errlen)
{
	const uint64_t cutoff = UINT64_MAX / 16 + 1;
	uint64_t n = 0;

	CAIRN_ASSERT(s != NULL);
	if (s[0] == '\0') {
		gotext_num_error(s, "invalid syntax", err, errlen);
		return -1;
	}
	for (const char *p = s; *p != '\0'; p++) {
		char c = *p;
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else {
			/* Other letters are digits past the base: the same
			 * error as any other byte. */
			gotext_num_error(s, "invalid syntax", err, errlen);
			return -1;
		}
		if (n >= cutoff) {
			gotext_num_error(s, "value out of range", err, errlen);
			return -1;
		}
		n = n * 16 + d;
	}
	*v = n;
	return 0;
}

/* Go's fmtFrac: the last prec digits of *v as a fraction (trailing zeros
 * left out) written backwards before *w; *v divided by 10^prec. */
static void
gotext_frac(char *buf, size_t *w, uint64_t *v, int prec)
{
	bool print = false;

	for (int i = 0; i < prec; i++) {
		unsigned digit = (unsigned)(*v % 10);

		print = print || digit != 0;
		if (print)
			buf[--*w] = (char)('0' + digit);
		*v /= 10;
	}
	if (print)
		buf[--*w] = '.';
}

/* Go's fmtInt: v in decimal, backwards before *w. */
static void
gotext_int(char *buf, size_t *w, uint64_t v)
{
	if (v == 0) {
		buf[--*w] = '0';
		return;
	}
	for (; v > 0; v /= 10)
		buf[--*w] = (char)('0' + v % 10);
}

void
gotext_duration(char *dst, size_t cap, int64_t ns)
{
	char buf[GOTEXT_DURATION_BYTES];
	size_t w = sizeof(buf) - 1;
	uint64_t u = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;

	buf[w] = '\0';
	buf[--w] = 's';
	if (u == 0) {
		snprintf(dst, cap, "0s");
		return;
	}
	if (u < 1000000000) {
		int prec = 6;

		if (u < 1000) {
			prec = 0;
			buf[--w] = 'n';
		} else if (u < 1000000) {
			prec = 3;
			w -= 2;
			memcpy(buf + w, "\xc2\xb5", 2); /* µ, U+00B5 */
		} else {
			buf[--w] = 'm';
		}
		gotext_frac(buf, &w, &u, prec);
		gotext_int(buf, &w, u);
	} else {
		gotext_frac(buf, &w, &u, 9);
		gotext_int(buf, &w, u % 60);
		u /= 60;
		if (u > 0) {
			buf[--w] = 'm';
			gotext_int(buf, &w, u % 60);
			u /= 60;
			if (u > 0) {
				buf[--w] = 'h';
				gotext_int(buf, &w, u);
			}
		}
	}
	if (ns < 0)
		buf[--w] = '-';
	snprintf(dst, cap, "%s", buf + w);
}

void
gotext_nil_panic(const char *func, const char *file)
{
	fflush(stdout);
	fprintf(stderr, "panic: runtime error: invalid memory address or nil pointer "
	    "dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x0]\n\n"
	    "goroutine 1 [running]:\n%s(...)\n\t%s\n", func, file);
	exit(GOTEXT_PANIC_EXIT);
}
