/*
 * cairnctl: tables as etcdctl 3.4 prints them with -w table, its use of
 * github.com/olekukonko/tablewriter 0.0.5: SetHeader, Append,
 * SetAlignment(ALIGN_RIGHT), Render. +---+ borders, headers centred and
 * auto-formatted (upper case, '_' as a space), cells wrapped at spaces past
 * 30 columns, widths in terminal cells as go-runewidth counts them.
 */
#ifndef CAIRN_CTL_TABLEW_H
#define CAIRN_CTL_TABLEW_H

#include <stddef.h>
#include <stdio.h>

/* tablewriter's MAX_ROW_WIDTH: cells wider than this wrap at spaces. */
#define TABLEW_WRAP_WIDTH 30

struct tablew;

/* A table of ncols columns (ncols >= 1) headed by header[0..ncols)
 * (copied), as NewWriter and SetHeader make it. Never NULL. */
struct tablew *tablew_new(size_t ncols, const char *const *header);
/* Appends a row of ncols NUL-terminated cells (copied). */
void tablew_append(struct tablew *t, const char *const *row);
/* Writes t to out as Render does with ALIGN_RIGHT (etcdctl's setting). */
void tablew_render(const struct tablew *t, FILE *out);
/* Frees t and what it holds; NULL is ignored. */
void tablew_free(struct tablew *t);

/* The width tablewriter's DisplayWidth gives s[0..n): ANSI colour
 * sequences left out, then go-runewidth's StringWidth (a grapheme
 * cluster counts as its first rune of non-zero width; East Asian
 * ambiguous runes are wide when the locale's variables say CJK, as
 * go-runewidth reads them). */
size_t tablew_width(const char *s, size_t n);
/* go-runewidth's StringWidth alone (ANSI sequences counted as text), as
 * tablewriter's WrapString measures words. */
size_t tablew_width_runes(const char *s, size_t n);

#endif
