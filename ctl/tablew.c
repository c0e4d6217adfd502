/*
 * cairnctl: tablewriter's Table as etcdctl uses it: cells measured and
 * wrapped as parseDimension does (minimum raggedness, WrapWords), headers
 * centred (Pad) after Title, rows right-aligned (PadLeft), +---+ lines.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/tablew.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

/* WrapWords' penalty for a line longer than the limit (defaultPenalty). */
#define TABLEW_PENALTY 100000
/* The cost a break starts from (math.MaxInt32). */
#define TABLEW_COST_MAX INT32_MAX
#define TABLEW_ROWS_MIN 8

/* A cell once wrapped: its lines (owned). */
struct tablew_cell {
	char **lines;
	size_t n;
};

struct tablew {
	size_t ncols;
	struct tablew_cell *header;     /* ncols */
	size_t header_h;                /* its lines (rs[headerRowIdx]) */
	struct tablew_cell *cells;      /* nrows * ncols */
	size_t *row_h;                  /* each row's lines */
	size_t nrows, cap;
	size_t *cs;                     /* each column's width */
	bool *cs_set;                   /* whether cs has the key yet */
};

static size_t
tablew_w(const char *s)
{
	return tablew_width(s, strlen(s));
}

/* A word's text, for WrapWords (not NUL-terminated). */
struct tablew_word {
	const char *p;
	size_t n, width;
};

/* WrapWords(words, 1, lim, defaultPenalty): where each line starts;
 * brk[i] is the word after the line starting at word i. */
static void
tablew_wrap_words(const struct tablew_word *w, size_t n, int64_t lim, size_t *brk)
{
	int64_t *sum = xcalloc(n + 1, sizeof(*sum)), *cost = xcalloc(n, sizeof(*cost));

	for (size_t i = 0; i < n; i++)
		sum[i + 1] = sum[i] + (int64_t)w[i].width;
	for (size_t i = n; i-- > 0;) {
		/* length[i][j]: words i..j with one space between each. */
		int64_t whole = sum[n] - sum[i] + (int64_t)(n - 1 - i);

		cost[i] = TABLEW_COST_MAX;
		brk[i] = 0;
		if (whole <= lim) {
			cost[i] = 0;
			brk[i] = n;
			continue;
		}
		for (size_t j = i + 1; j < n; j++) {
			int64_t len = sum[j] - sum[i] + (int64_t)(j - 1 - i);
			int64_t d = lim - len, c = d * d + cost[j];

			if (len > lim)
				c += TABLEW_PENALTY;
			if (c < cost[i]) {
				cost[i] = c;
				brk[i] = j;
			}
		}
	}
	free(sum);
	free(cost);
}

/* WrapString(s, lim): s split at spaces (newlines as spaces), joined
 * again line by line. Fills c. */
static void
tablew_wrap(const char *s, size_t lim, struct tablew_cell *c)
{
	size_t n = 1, k = 0, *brk;
	struct tablew_word *w;
	const char *p = s;
	int64_t limit = (int64_t)lim;

	for (const char *q = s; *q != '\0'; q++)
		if (*q == ' ' || *q == '\n')
			n++;
	w = xcalloc(n, sizeof(*w));
	for (;;) {
		size_t len = strcspn(p, " \n");

		w[k].p = p;
		w[k].n = len;
		w[k].width = tablew_width_runes(p, len);
		if ((int64_t)w[k].width > limit)
			limit = (int64_t)w[k].width;
		k++;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	CAIRN_ASSERT(k == n);
	brk = xcalloc(n, sizeof(*brk));
	tablew_wrap_words(w, n, limit, brk);
	c->lines = xcalloc(n, sizeof(*c->lines));
	c->n = 0;
	for (size_t i = 0; i < n; i = brk[i]) {
		const char *start = w[i].p;
		size_t last = brk[i] - 1, len;
		char *line;

		CAIRN_ASSERT(brk[i] > i);
		/* The words joined by spaces: the text between them, with its
		 * newlines as spaces (WrapString replaced them). */
		len = (size_t)(w[last].p + w[last].n - start);
		line = xmalloc(len + 1);
		for (size_t b = 0; b < len; b++)
			line[b] = start[b] == '\n' ? ' ' : start[b];
		line[len] = '\0';
		c->lines[c->n++] = line;
	}
	free(brk);
	free(w);
}

/* parseDimension(str, col, row): the cell's lines, the column's width. */
static void
tablew_parse(struct tablew *t, const char *str, size_t col, struct tablew_cell *c)
{
	size_t max = 0, wmax;
	const char *p = str;

	/* The widest line, at most TABLEW_WRAP_WIDTH; then the lines joined
	 * by spaces (reflow) and wrapped at that width. */
	for (;;) {
		size_t len = strcspn(p, "\n"), w = tablew_width(p, len);

		if (w > max)
			max = w;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	if (max > TABLEW_WRAP_WIDTH)
		max = TABLEW_WRAP_WIDTH;
	tablew_wrap(str, max, c);
	wmax = max;
	for (size_t i = 0; i < c->n; i++)
		if (tablew_w(c->lines[i]) > wmax)
			wmax = tablew_w(c->lines[i]);
	if (!t->cs_set[col] || t->cs[col] < wmax)
		t->cs[col] = wmax;
	t->cs_set[col] = true;
}

struct tablew *
tablew_new(size_t ncols, const char *const *header)
{
	struct tablew *t = xcalloc(1, sizeof(*t));

	CAIRN_ASSERT(ncols >= 1);
	CAIRN_ASSERT(header != NULL);
	t->ncols = ncols;
	t->cs = xcalloc(ncols, sizeof(*t->cs));
	t->cs_set = xcalloc(ncols, sizeof(*t->cs_set));
	t->header = xcalloc(ncols, sizeof(*t->header));
	for (size_t i = 0; i < ncols; i++) {
		tablew_parse(t, header[i], i, &t->header[i]);
		if (t->header[i].n > t->header_h)
			t->header_h = t->header[i].n;
	}
	return t;
}

void
tablew_append(struct tablew *t, const char *const *row)
{
	struct tablew_cell *c;

	CAIRN_ASSERT(t != NULL);
	CAIRN_ASSERT(row != NULL);
	if (t->nrows == t->cap) {
		t->cap = t->cap == 0 ? TABLEW_ROWS_MIN : t->cap * 2;
		t->cells = xrealloc(t->cells, t->cap * t->ncols * sizeof(*t->cells));
		t->row_h = xrealloc(t->row_h, t->cap * sizeof(*t->row_h));
	}
	c = &t->cells[t->nrows * t->ncols];
	t->row_h[t->nrows] = 0;
	for (size_t i = 0; i < t->ncols; i++) {
		tablew_parse(t, row[i], i, &c[i]);
		if (c[i].n > t->row_h[t->nrows])
			t->row_h[t->nrows] = c[i].n;
	}
	t->nrows++;
}

static void
tablew_spaces(FILE *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fputc(' ', out);
}

/* printLine: +---+---+ */
static void
tablew_line(const struct tablew *t, FILE *out)
{
	fputc('+', out);
	for (size_t i = 0; i < t->ncols; i++) {
		for (size_t k = 0; k < t->cs[i] + 2; k++)
			fputc('-', out);
		fputc('+', out);
	}
	fputc('\n', out);
}

static bool
tablew_num_or_space(char c)
{
	return (c >= '0' && c <= '9') || c == ' ';
}

/* The length of the Unicode space (Go's unicode.IsSpace) that p[0..n)
 * starts with (at_end: ends with), or 0. */
static size_t
tablew_space(const char *p, size_t n, bool at_end)
{
	/* Go's unicode.IsSpace, as UTF-8. */
	static const char *const spaces[] = {
		"\t", "\n", "\v", "\f", "\r", " ", "\xc2\x85", "\xc2\xa0", "\xe1\x9a\x80",
		"\xe2\x80\x80", "\xe2\x80\x81", "\xe2\x80\x82", "\xe2\x80\x83", "\xe2\x80\x84",
		"\xe2\x80\x85", "\xe2\x80\x86", "\xe2\x80\x87", "\xe2\x80\x88", "\xe2\x80\x89",
		"\xe2\x80\x8a", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f",
		"\xe3\x80\x80", NULL
	};

	for (const char *const *sp = spaces; *sp != NULL; sp++) {
		size_t k = strlen(*sp);

		if (k <= n && memcmp(at_end ? p + n - k : p, *sp, k) == 0)
			return k;
	}
	return 0;
}

/* Title(name) into a new string: '_' and some '.' as spaces, trimmed,
 * upper-cased (ASCII letters only: etcdctl's headers are ASCII). */
static char *
tablew_title(const char *name)
{
	size_t n = strlen(name), b = 0, e, k;
	char *s = xstrdup(name);

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '_')
			s[i] = ' ';
		else if (s[i] == '.' && ((i != 0 && !tablew_num_or_space(s[i - 1])) ||
		    (i != n - 1 && !tablew_num_or_space(s[i + 1]))))
			s[i] = ' ';
	}
	e = n;
	while (b < e && (k = tablew_space(s + b, e - b, false)) > 0)
		b += k;
	while (e > b && (k = tablew_space(s + b, e - b, true)) > 0)
		e -= k;
	memmove(s, s + b, e - b);
	s[e - b] = '\0';
	if (e == b && n > 0)
		strcpy(s, " ");
	for (char *p = s; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return s;
}

/* printHeading: each header line centred in its column (Pad). */
static void
tablew_heading(const struct tablew *t, FILE *out)
{
	for (size_t x = 0; x < t->header_h; x++) {
		fputc('|', out);
		for (size_t y = 0; y < t->ncols; y++) {
			const struct tablew_cell *c = &t->header[y];
			char *h = tablew_title(x < c->n ? c->lines[x] : "");
			size_t w = tablew_w(h), gap = t->cs[y] > w ? t->cs[y] - w : 0;

			fputc(' ', out);
			tablew_spaces(out, gap / 2);
			fputs(h, out);
			tablew_spaces(out, gap - gap / 2);
			fputs(" |", out);
			free(h);
		}
		fputc('\n', out);
	}
	tablew_line(t, out);
}

/* printRow: lines of each cell right-aligned (PadLeft); a cell with
 * fewer lines than its row goes on with "  ". */
static void
tablew_row(const struct tablew *t, FILE *out, size_t r)
{
	const struct tablew_cell *row = &t->cells[r * t->ncols];

	for (size_t x = 0; x < t->row_h[r]; x++) {
		for (size_t y = 0; y < t->ncols; y++) {
			const char *s = x < row[y].n ? row[y].lines[x] : "  ";
			size_t w = tablew_w(s);

			fputs("| ", out);
			tablew_spaces(out, t->cs[y] > w ? t->cs[y] - w : 0);
			fputs(s, out);
			fputc(' ', out);
		}
		fputs("|\n", out);
	}
}

void
tablew_render(const struct tablew *t, FILE *out)
{
	CAIRN_ASSERT(t != NULL);
	CAIRN_ASSERT(out != NULL);
	tablew_line(t, out);
	tablew_heading(t, out);
	for (size_t r = 0; r < t->nrows; r++)
		tablew_row(t, out, r);
	tablew_line(t, out);
}

static void
tablew_cell_free(struct tablew_cell *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->lines[i]);
	free(c->lines);
}

void
tablew_free(struct tablew *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->ncols; i++)
		tablew_cell_free(&t->header[i]);
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		tablew_cell_free(&t->cells[i]);
	free(t->header);
	free(t->cells);
	free(t->row_h);
	free(t->cs);
	free(t->cs_set);
	free(t);
}
