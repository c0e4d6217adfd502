/*
 * supervisor: restart backoff and crash-loop detection for one child.
 * Postfix throttles a service that keeps failing at start-up; we do the
 * same, and give up when a child is plainly unable to run.
 */
#include "shared/assert.h"
#include "supervisor/restart.h"

void
restart_init(struct restart_policy *p)
{
	*p = (struct restart_policy){.backoff_ms = RESTART_BACKOFF_MIN_MS};
}

void
restart_started(struct restart_policy *p, uint64_t now_ms)
{
	p->started_ms = now_ms;
}

int64_t
restart_on_death(struct restart_policy *p, uint64_t now_ms)
{
	uint64_t oldest;
	int64_t delay;

	CAIRN_ASSERT(now_ms >= p->started_ms);
	if (now_ms - p->started_ms >= RESTART_STABLE_MS)
		p->backoff_ms = RESTART_BACKOFF_MIN_MS;
	p->deaths_ms[p->deaths_next] = now_ms;
	p->deaths_next = (p->deaths_next + 1) % RESTART_DEATHS_MAX;
	if (p->deaths_len < RESTART_DEATHS_MAX)
		p->deaths_len++;
	/* With the ring full, deaths_next indexes the oldest of the last five. */
	oldest = p->deaths_ms[p->deaths_next];
	if (p->deaths_len == RESTART_DEATHS_MAX && now_ms - oldest < RESTART_WINDOW_MS)
		return -1;
	delay = p->backoff_ms;
	p->backoff_ms *= 2;
	if (p->backoff_ms > RESTART_BACKOFF_MAX_MS)
		p->backoff_ms = RESTART_BACKOFF_MAX_MS;
	CAIRN_ASSERT(delay >= RESTART_BACKOFF_MIN_MS && delay <= RESTART_BACKOFF_MAX_MS);
	return delay;
}
