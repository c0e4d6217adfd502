/*
 * Tests: both ends of a real channel (socketpair + sealed memfd) opened in
 * one process, for tests that play both sides or hand one side to a child.
 */
#ifndef CAIRN_TEST_CHAN_PAIR_H
#define CAIRN_TEST_CHAN_PAIR_H

#include "shared/chan.h"

/* Opens 'a' as process pa and 'b' as process pb over a fresh channel with
 * rings of ring_bytes (0: socket only). Returns 0 or a CAIRN_E* code. */
int chan_pair_open(struct chan *a, enum cairn_proc pa, struct chan *b,
    enum cairn_proc pb, uint32_t ring_bytes);

/* Number of open descriptors of this process (for leak checks). */
int chan_pair_count_fds(void);

#endif
