/*
 * raftd: the core's memory from the C heap; see alloc_heap.h.
 */
#include <stdlib.h>

#include "raftd/alloc_heap.h"

static void *
alloc_heap_alloc(void *ctx, size_t bytes)
{
	(void)ctx;
	return malloc(bytes);
}

static void
alloc_heap_free(void *ctx, void *p, size_t bytes)
{
	(void)ctx;
	(void)bytes;
	free(p);
}

const struct rlog_alloc alloc_heap = {
	.alloc = alloc_heap_alloc,
	.free = alloc_heap_free,
	.ctx = NULL,
};
