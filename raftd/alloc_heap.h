/*
 * raftd: the core's memory from the C heap, for the processes and tools
 * that run a core (raftd, the simulator, tests, benchmarks). The core
 * itself never calls malloc: it only uses the allocator it is given.
 */
#ifndef CAIRN_RAFT_ALLOC_HEAP_H
#define CAIRN_RAFT_ALLOC_HEAP_H

#include "raftd/entries.h"

/* malloc and free; alloc returns NULL when the heap is exhausted. */
extern const struct rlog_alloc alloc_heap;

#endif
