/*
 * cairnctl: the column alignment of Go's text/tabwriter for tab padding:
 * a column's width is its widest cell plus one, rounded up to a tab stop,
 * taken over each run of consecutive lines that have a cell there.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/tabw.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

#define TABW_TAB 8
#define TABW_PADDING 1
/* Column nesting a help text uses: two levels; the bound is generous. */
#define TABW_COLUMNS_MAX 64

struct tabw_line {
	const char *start;      /* the line's text (not NUL-terminated) */
	size_t len;             /* without its newline */
	bool newline;           /* ended by '\n' (the last line may not be) */
	size_t ncells;          /* tab-terminated cells, plus the trailing one */
};

/* The width Go counts for a cell: its runes (UTF-8 continuation bytes
 * do not count). */
static size_t
tabw_runes(const char *p, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)p[i] & 0xc0) != 0x80)
			w++;
	return w;
}

/* Cell j of line l: *p and *n (the trailing cell when j == ncells - 1). */
static void
tabw_cell(const struct tabw_line *l, size_t j, const char **p, size_t *n)
{
	const char *s = l->start, *end = l->start + l->len;

	for (size_t k = 0; k < j; k++)
		s = (const char *)memchr(s, '\t', (size_t)(end - s)) + 1;
	const char *t = memchr(s, '\t', (size_t)(end - s));
	*p = s;
	*n = t != NULL ? (size_t)(t - s) : (size_t)(end - s);
}

struct tabw {
	FILE *out;
	struct tabw_line *lines;
	size_t widths[TABW_COLUMNS_MAX];
	size_t nwidths;
};

static void
tabw_write_lines(struct tabw *w, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		const struct tabw_line *l = &w->lines[i];

		for (size_t j = 0; j < l->ncells; j++) {
			const char *p;
			size_t n, textw;

			tabw_cell(l, j, &p, &n);
			fwrite(p, 1, n, w->out);
			if (j + 1 == l->ncells || j >= w->nwidths)
				continue;
			textw = tabw_runes(p, n);
			size_t cellw = (w->widths[j] + TABW_TAB - 1) / TABW_TAB * TABW_TAB;
			CAIRN_ASSERT(cellw >= textw);
			for (size_t t = 0; t < (cellw - textw + TABW_TAB - 1) / TABW_TAB; t++)
				fputc('\t', w->out);
		}
		if (l->newline)
			fputc('\n', w->out);
	}
}

/* Go's tabwriter format(): lines [line0, line1) at column nwidths. */
static void
tabw_format(struct tabw *w, size_t line0, size_t line1)
{
	size_t column = w->nwidths;

	CAIRN_ASSERT(column < TABW_COLUMNS_MAX);
	for (size_t this = line0; this < line1; this++) {
		size_t width = 0;

		if (column + 1 >= w->lines[this].ncells)
			continue;
		tabw_write_lines(w, line0, this);
		line0 = this;
		for (; this < line1; this++) {
			const struct tabw_line *l = &w->lines[this];
			const char *p;
			size_t n;

			if (column + 1 >= l->ncells)
				break;
			tabw_cell(l, column, &p, &n);
			if (tabw_runes(p, n) + TABW_PADDING > width)
				width = tabw_runes(p, n) + TABW_PADDING;
		}
		w->widths[w->nwidths++] = width;
		tabw_format(w, line0, this);
		w->nwidths--;
		/* The line that ended the block (if any) has no cell here:
		 * the loop's this++ passes it, as Go's does. */
		line0 = this;
	}
	tabw_write_lines(w, line0, line1);
}

void
tabw_write(FILE *out, const char *text)
{
	struct tabw w = { .out = out };
	size_t cap = 16, n = 0;
	const char *p = text;

	CAIRN_ASSERT(out != NULL);
	w.lines = xmalloc(cap * sizeof(*w.lines));
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		struct tabw_line l = { .start = p };

		l.len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		l.newline = nl != NULL;
		l.ncells = 1;
		for (size_t i = 0; i < l.len; i++)
			if (p[i] == '\t')
				l.ncells++;
		if (n == cap) {
			cap *= 2;
			w.lines = xrealloc(w.lines, cap * sizeof(*w.lines));
		}
		w.lines[n++] = l;
		/* A line of one cell ends every column block: Go flushes there. */
		if (l.ncells == 1) {
			tabw_format(&w, 0, n);
			n = 0;
		}
		p = nl != NULL ? nl + 1 : p + l.len;
	}
	tabw_format(&w, 0, n);
	free(w.lines);
}
