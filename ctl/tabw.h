/*
 * cairnctl: Go's text/tabwriter as etcdctl's help uses it (minwidth 0,
 * tabwidth 8, padding 1, tabs as padding): cells end with '\t', columns
 * align over blocks of consecutive lines, so usage texts match byte for
 * byte.
 */
#ifndef CAIRN_CTL_TABW_H
#define CAIRN_CTL_TABW_H

#include <stdio.h>

/* Writes text (borrowed, NUL-terminated) to out, aligned. */
void tabw_write(FILE *out, const char *text);

#endif
