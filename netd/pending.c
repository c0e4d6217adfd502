/*
 * netd: the request-id table. Slot = id modulo the table size, so a
 * lookup is one probe; a new id skips the ids whose slot is taken.
 */
#include <stdlib.h>

#include "netd/pending.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

#define PENDING_MASK (PENDING_SLOTS - 1)

CAIRN_STATIC_ASSERT((PENDING_SLOTS & PENDING_MASK) == 0, "a power of two");

void
pending_init(struct pending_table *t)
{
	t->slots = xcalloc(PENDING_SLOTS, sizeof(*t->slots));
	t->next_id = 1;
	t->used = 0;
}

void
pending_close(struct pending_table *t)
{
	free(t->slots);
	t->slots = NULL;
}

struct pending *
pending_add(struct pending_table *t, struct gstream *stream, enum pending_wait wait)
{
	CAIRN_ASSERT(wait != PENDING_FREE);
	if (t->used == PENDING_SLOTS)
		return NULL;
	for (;;) {
		uint64_t id = t->next_id++;
		struct pending *p = &t->slots[id & PENDING_MASK];

		if (id == 0 || p->wait != PENDING_FREE)
			continue;
		p->id = id;
		p->wait = wait;
		p->then = PENDING_RESULT;
		p->due_ms = 0;
		p->stream = stream;
		t->used++;
		return p;
	}
}

struct pending *
pending_find(struct pending_table *t, uint64_t id)
{
	struct pending *p = &t->slots[id & PENDING_MASK];

	return p->wait != PENDING_FREE && p->id == id ? p : NULL;
}

void
pending_remove(struct pending_table *t, struct pending *p)
{
	CAIRN_ASSERT(p->wait != PENDING_FREE);
	CAIRN_ASSERT(t->used > 0);
	p->wait = PENDING_FREE;
	p->stream = NULL;
	p->ctx = NULL;
	p->relay_to = p->relay_ref = 0;
	p->id = 0;
	t->used--;
}
