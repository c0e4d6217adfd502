/*
 * Tests: a growing buffer in memory, as a snapshot's sink and source
 * (stored/snapshot.h's callbacks).
 */
#ifndef CAIRN_TESTS_MEMBUF_H
#define CAIRN_TESTS_MEMBUF_H

#include <stddef.h>
#include <stdint.h>

struct membuf {
	uint8_t *p;                  /* owned: free() it */
	size_t len, cap;
	size_t off;                  /* where mem_source reads next */
};

/* Appends n bytes; 0. */
int mem_sink(void *arg, const uint8_t *p, size_t n);
/* Gives the next n bytes: 0, or -1 past the end. */
int mem_source(void *arg, uint8_t *p, size_t n);

#endif
