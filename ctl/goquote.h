/*
 * cairnctl: Go's %q (strconv.Quote) of arbitrary bytes, as etcdctl's
 * fields format prints keys and values: printable UTF-8 kept, invalid
 * bytes as \xNN, controls by name or number.
 */
#ifndef CAIRN_CTL_GOQUOTE_H
#define CAIRN_CTL_GOQUOTE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Decodes one UTF-8 rune at p[n] (n > 0) into *r: its length, or 0 when
 * invalid (overlong, a surrogate, past U+10FFFF: Go's RuneError of width
 * 1). */
size_t goquote_rune(const uint8_t *p, size_t n, uint32_t *r);

/* Writes p[n] (borrowed; NULs allowed) quoted to out. */
void goquote_write(FILE *out, const uint8_t *p, size_t n);

#endif
