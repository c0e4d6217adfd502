/*
 * supervisor: the restart policy of one child, pure (time is an input):
 * backoff from 100 ms doubling to 5 s, reset once the child has been up
 * 30 s; 5 deaths within 30 s stop the member (DESIGN.md section 7).
 */
#ifndef CAIRN_SUPERVISOR_RESTART_H
#define CAIRN_SUPERVISOR_RESTART_H

#include <stdint.h>

#define RESTART_BACKOFF_MIN_MS 100u
#define RESTART_BACKOFF_MAX_MS 5000u
#define RESTART_STABLE_MS 30000u /* up this long: backoff starts over */
#define RESTART_DEATHS_MAX 5u    /* this many deaths ... */
#define RESTART_WINDOW_MS 30000u /* ... within this window stop the member */

struct restart_policy {
	uint64_t deaths_ms[RESTART_DEATHS_MAX]; /* the last deaths, a ring */
	unsigned deaths_len;
	unsigned deaths_next;
	uint64_t started_ms;
	uint32_t backoff_ms;
};

void restart_init(struct restart_policy *p);
/* The child was (re)started at now_ms. */
void restart_started(struct restart_policy *p, uint64_t now_ms);
/* The child died at now_ms: returns the delay before restarting it in ms,
 * or -1 when it died too often and the member must stop. */
int64_t restart_on_death(struct restart_policy *p, uint64_t now_ms);

#endif
