/*
 * cairnctl: how many terminal cells text takes in etcdctl's tables:
 * tablewriter's DisplayWidth, go-runewidth's StringWidth over uniseg's
 * grapheme clusters (UAX #29), with the tables of ctl/tablew_uni.c.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/tablew.h"
#include "ctl/tablew_uni.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

#define TABLEW_RUNE_ERROR 0xFFFDu
/* The longest locale charset name looked at (longer ones are cut). */
#define TABLEW_CHARSET_BYTES 128
#define TABLEW_RUNE_MAX 0x10FFFFu

/* Go's utf8.DecodeRune: the rune at p[0..n) (n >= 1) and its length;
 * an invalid or short sequence is U+FFFD of one byte. */
static uint32_t
tablew_rune(const unsigned char *p, size_t n, size_t *len)
{
	unsigned char b = p[0], lo = 0x80, hi = 0xBF;
	size_t need;
	uint32_t r;

	*len = 1;
	if (b < 0x80)
		return b;
	if (b >= 0xC2 && b <= 0xDF) {
		need = 2;
		r = b & 0x1F;
	} else if (b >= 0xE0 && b <= 0xEF) {
		need = 3;
		r = b & 0x0F;
		lo = b == 0xE0 ? 0xA0 : 0x80;
		hi = b == 0xED ? 0x9F : 0xBF;
	} else if (b >= 0xF0 && b <= 0xF4) {
		need = 4;
		r = b & 0x07;
		lo = b == 0xF0 ? 0x90 : 0x80;
		hi = b == 0xF4 ? 0x8F : 0xBF;
	} else {
		return TABLEW_RUNE_ERROR;
	}
	if (n < need || p[1] < lo || p[1] > hi)
		return TABLEW_RUNE_ERROR;
	for (size_t i = 1; i < need; i++) {
		if (i > 1 && (p[i] < 0x80 || p[i] > 0xBF))
			return TABLEW_RUNE_ERROR;
		r = r << 6 | (p[i] & 0x3F);
	}
	*len = need;
	return r;
}

/* The range of t[0..n) holding r, or NULL. */
static const struct tablew_range *
tablew_find(const struct tablew_range *t, size_t n, uint32_t r)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r < t[mid].first)
			hi = mid;
		else if (r > t[mid].last)
			lo = mid + 1;
		else
			return &t[mid];
	}
	return NULL;
}

#define TABLEW_IN(tab, r) (tablew_find(tab, tab##_len, (r)) != NULL)

/* go-runewidth's isEastAsian for a locale name (LC_ALL and so on). */
static bool
tablew_east_asian_locale(const char *locale)
{
	static const char *const multibyte[] = { "utf-8", "utf8", "jis", "eucjp", "euckr",
		"euccn", "sjis", "cp932", "cp51932", "cp936", "cp949", "cp950", "big5", "gbk",
		"gb2312", NULL };
	char charset[TABLEW_CHARSET_BYTES];
	const char *dot = locale;
	size_t n, i = 0;
	bool multi = false;

	/* ^[a-z][a-z][a-z]?(?:_[A-Z][A-Z])?\.(.+): the part after the dot. */
	while (i < 3 && islower((unsigned char)dot[i]))
		i++;
	if (i >= 2) {
		if (dot[i] == '_' && isupper((unsigned char)dot[i + 1]) &&
		    isupper((unsigned char)dot[i + 2]))
			i += 3;
		if (dot[i] == '.' && dot[i + 1] != '\0')
			locale = dot + i + 1;
	}
	snprintf(charset, sizeof(charset), "%s", locale);
	for (char *c = charset; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	n = strlen(charset);
	if (n >= 11 && strcmp(charset + n - 11, "@cjk_narrow") == 0)
		return false;
	charset[strcspn(charset, "@")] = '\0';
	for (const char *const *m = multibyte; *m != NULL; m++)
		if (strcmp(charset, *m) == 0)
			multi = true;
	return multi && (charset[0] != 'u' || strncmp(dot, "ja", 2) == 0 ||
	    strncmp(dot, "ko", 2) == 0 || strncmp(dot, "zh", 2) == 0);
}

/* go-runewidth's EastAsianWidth, from RUNEWIDTH_EASTASIAN or the locale. */
static bool
tablew_east_asian(void)
{
	static int cached = -1;
	const char *env, *locale;

	if (cached >= 0)
		return cached == 1;
	env = getenv("RUNEWIDTH_EASTASIAN");
	if (env != NULL && env[0] != '\0') {
		cached = strcmp(env, "1") == 0;
		return cached == 1;
	}
	if ((locale = getenv("LC_ALL")) == NULL || locale[0] == '\0')
		if ((locale = getenv("LC_CTYPE")) == NULL || locale[0] == '\0')
			locale = getenv("LANG");
	if (locale == NULL || strcmp(locale, "POSIX") == 0 || strcmp(locale, "C") == 0 ||
	    (locale[0] == 'C' && (locale[1] == '.' || locale[1] == '-')))
		cached = 0;
	else
		cached = tablew_east_asian_locale(locale);
	return cached == 1;
}

/* go-runewidth's RuneWidth. */
static int
tablew_rune_width(uint32_t r)
{
	if (r > TABLEW_RUNE_MAX)
		return 0;
	if (!tablew_east_asian()) {
		if (r < 0x20 || (r >= 0x7F && r <= 0x9F) || r == 0xAD)
			return 0;
		if (r < 0x300 || TABLEW_IN(tablew_narrow, r))
			return 1;
		if (TABLEW_IN(tablew_nonprint, r) || TABLEW_IN(tablew_combining, r))
			return 0;
		return TABLEW_IN(tablew_doublewidth, r) ? 2 : 1;
	}
	if (TABLEW_IN(tablew_nonprint, r) || TABLEW_IN(tablew_combining, r))
		return 0;
	if (TABLEW_IN(tablew_narrow, r))
		return 1;
	if (TABLEW_IN(tablew_ambiguous, r) || TABLEW_IN(tablew_doublewidth, r))
		return 2;
	return 1;
}

/* uniseg's grapheme parser states. */
enum tablew_gr {
	GR_ANY, GR_CR, GR_CONTROL_LF, GR_L, GR_LVV, GR_LVTT, GR_PREPEND, GR_EXT_PICT,
	GR_EXT_PICT_ZWJ, GR_RI_ODD, GR_RI_EVEN,
};

/* One of uniseg's transitions: (state, property) -> (next state, whether
 * a cluster ends before the rune, the rule's number). */
struct tablew_tr {
	uint8_t state, prop, next;
	bool boundary;
	uint16_t rule;
};

static const struct tablew_tr tablew_transitions[] = {
	{ GR_ANY, TABLEW_GP_CR, GR_CR, true, 50 },
	{ GR_ANY, TABLEW_GP_LF, GR_CONTROL_LF, true, 50 },
	{ GR_ANY, TABLEW_GP_CONTROL, GR_CONTROL_LF, true, 50 },
	{ GR_CR, TABLEW_GP_ANY, GR_ANY, true, 40 },
	{ GR_CONTROL_LF, TABLEW_GP_ANY, GR_ANY, true, 40 },
	{ GR_CR, TABLEW_GP_LF, GR_ANY, false, 30 },
	{ GR_ANY, TABLEW_GP_L, GR_L, true, 9990 },
	{ GR_L, TABLEW_GP_L, GR_L, false, 60 },
	{ GR_L, TABLEW_GP_V, GR_LVV, false, 60 },
	{ GR_L, TABLEW_GP_LV, GR_LVV, false, 60 },
	{ GR_L, TABLEW_GP_LVT, GR_LVTT, false, 60 },
	{ GR_ANY, TABLEW_GP_LV, GR_LVV, true, 9990 },
	{ GR_ANY, TABLEW_GP_V, GR_LVV, true, 9990 },
	{ GR_LVV, TABLEW_GP_V, GR_LVV, false, 70 },
	{ GR_LVV, TABLEW_GP_T, GR_LVTT, false, 70 },
	{ GR_ANY, TABLEW_GP_LVT, GR_LVTT, true, 9990 },
	{ GR_ANY, TABLEW_GP_T, GR_LVTT, true, 9990 },
	{ GR_LVTT, TABLEW_GP_T, GR_LVTT, false, 80 },
	{ GR_ANY, TABLEW_GP_EXTEND, GR_ANY, false, 90 },
	{ GR_ANY, TABLEW_GP_ZWJ, GR_ANY, false, 90 },
	{ GR_ANY, TABLEW_GP_SPACING_MARK, GR_ANY, false, 91 },
	{ GR_ANY, TABLEW_GP_PREPEND, GR_PREPEND, true, 9990 },
	{ GR_PREPEND, TABLEW_GP_ANY, GR_ANY, false, 92 },
	{ GR_ANY, TABLEW_GP_EXT_PICT, GR_EXT_PICT, true, 9990 },
	{ GR_EXT_PICT, TABLEW_GP_EXTEND, GR_EXT_PICT, false, 110 },
	{ GR_EXT_PICT, TABLEW_GP_ZWJ, GR_EXT_PICT_ZWJ, false, 110 },
	{ GR_EXT_PICT_ZWJ, TABLEW_GP_EXT_PICT, GR_EXT_PICT, false, 110 },
	{ GR_ANY, TABLEW_GP_RI, GR_RI_ODD, true, 9990 },
	{ GR_RI_ODD, TABLEW_GP_RI, GR_RI_EVEN, false, 120 },
	{ GR_RI_EVEN, TABLEW_GP_RI, GR_RI_ODD, true, 120 },
};

static const struct tablew_tr *
tablew_tr_find(unsigned state, unsigned prop)
{
	for (size_t i = 0; i < sizeof(tablew_transitions) / sizeof(tablew_transitions[0]); i++)
		if (tablew_transitions[i].state == state && tablew_transitions[i].prop == prop)
			return &tablew_transitions[i];
	return NULL;
}

/* uniseg's transitionGraphemeState: the state after rune r, and whether
 * a cluster boundary comes before r. */
static unsigned
tablew_gr_step(unsigned state, uint32_t r, bool *boundary)
{
	const struct tablew_range *g = tablew_find(tablew_grapheme, tablew_grapheme_len, r);
	unsigned prop = g != NULL ? g->prop : TABLEW_GP_ANY;
	const struct tablew_tr *t = tablew_tr_find(state, prop), *any_prop, *any_state;

	if (t != NULL) {
		*boundary = t->boundary;
		return t->next;
	}
	any_prop = tablew_tr_find(state, TABLEW_GP_ANY);
	any_state = tablew_tr_find(GR_ANY, prop);
	if (any_prop != NULL && any_state != NULL) {
		*boundary = any_prop->rule < any_state->rule ? any_prop->boundary :
		    any_state->boundary;
		return any_state->next;
	}
	if (any_prop != NULL || any_state != NULL) {
		t = any_prop != NULL ? any_prop : any_state;
		*boundary = t->boundary;
		return t->next;
	}
	*boundary = true;
	return GR_ANY;
}

/* go-runewidth's StringWidth of s[0..n). */
static size_t
tablew_string_width(const unsigned char *s, size_t n)
{
	size_t width = 0, i = 0, len;
	unsigned state = GR_ANY;
	int cluster = 0;        /* the current cluster's width so far */

	while (i < n) {
		uint32_t r = tablew_rune(s + i, n - i, &len);
		bool boundary = true;
		unsigned next = tablew_gr_step(state, r, &boundary);

		if (i == 0)
			boundary = true;
		if (boundary) {
			width += (size_t)cluster;
			cluster = 0;
		}
		if (cluster == 0)
			cluster = tablew_rune_width(r);
		state = next;
		i += len;
	}
	return width + (size_t)cluster;
}

/* The last byte of an ANSI colour sequence: [m|K] (the bar included). */
static bool
tablew_ansi_end(char c)
{
	return c == 'm' || c == '|' || c == 'K';
}

/* The length of tablewriter's ANSI colour sequence at p[0..n)
 * (\033\[(?:[0-9]{1,3}(?:;[0-9]{1,3})*)?[m|K]), or 0. */
static size_t
tablew_ansi(const char *p, size_t n)
{
	size_t i = 2, digits;

	if (n < 3 || p[0] != '\033' || p[1] != '[')
		return 0;
	for (bool first = true;; first = false) {
		if (!first) {
			if (i >= n || p[i] != ';')
				break;
			i++;
		}
		for (digits = 0; i < n && digits < 3 && isdigit((unsigned char)p[i]); digits++)
			i++;
		if (digits == 0)
			return first && i < n && tablew_ansi_end(p[i]) ? i + 1 : 0;
	}
	return i < n && tablew_ansi_end(p[i]) ? i + 1 : 0;
}

size_t
tablew_width_runes(const char *s, size_t n)
{
	CAIRN_ASSERT(s != NULL || n == 0);
	return tablew_string_width((const unsigned char *)s, n);
}

size_t
tablew_width(const char *s, size_t n)
{
	char *plain;
	size_t m = 0, w;

	CAIRN_ASSERT(s != NULL || n == 0);
	if (memchr(s, '\033', n) == NULL)
		return tablew_string_width((const unsigned char *)s, n);
	plain = xmalloc(n);
	for (size_t i = 0; i < n;) {
		size_t skip = tablew_ansi(s + i, n - i);

		if (skip == 0)
			plain[m++] = s[i++];
		else
			i += skip;
	}
	w = tablew_string_width((const unsigned char *)plain, m);
	free(plain);
	return w;
}
