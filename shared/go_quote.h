/*
 * All processes: Go's %q quoting of a string, the form etcd's error texts
 * give a value in ("invalid value \"x\" for flag ...", "parse \"url\": ...").
 */
#ifndef CAIRN_GO_QUOTE_H
#define CAIRN_GO_QUOTE_H

#include <stddef.h>

/*
 * Writes 's' (borrowed) to dst[cap] between double quotes, as Go's %q
 * would, so that it stays on one line: '"' and '\\' escaped, \n and \t by
 * name, other control bytes as \xNN. Text that does not fit is cut at a
 * whole escape; the quotes and the NUL always fit. Needs cap >= 3.
 */
void go_quote(char *dst, size_t cap, const char *s);

#endif
