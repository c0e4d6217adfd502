/*
 * raftd: the core's in-memory log window; see entries.h.
 */
#include <string.h>

#include "raftd/entries.h"
#include "shared/assert.h"
#include "shared/err.h"

void
rlog_init(struct rlog *l, const struct rlog_alloc *a)
{
	memset(l, 0, sizeof(*l));
	l->a = *a;
	l->first = 1;
}

static void
rlog_free_data(struct rlog *l, struct raft_entry *e)
{
	if (e->len > 0)
		l->a.free(l->a.ctx, (void *)(uintptr_t)e->data, e->len);
	e->data = NULL;
	e->len = 0;
}

void
rlog_close(struct rlog *l)
{
	for (size_t i = 0; i < l->len; i++)
		rlog_free_data(l, &l->ents[i]);
	if (l->cap > 0)
		l->a.free(l->a.ctx, l->ents, l->cap * sizeof(*l->ents));
	l->ents = NULL;
	l->len = l->cap = 0;
}

uint64_t
rlog_last_index(const struct rlog *l)
{
	return l->first + l->len - 1;
}

uint64_t
rlog_last_term(const struct rlog *l)
{
	return l->len > 0 ? l->ents[l->len - 1].term : l->prev_term;
}

bool
rlog_term(const struct rlog *l, uint64_t index, uint64_t *term)
{
	if (index == l->first - 1) {
		*term = l->prev_term;
		return true;
	}
	if (index < l->first || index > rlog_last_index(l))
		return false;
	*term = l->ents[index - l->first].term;
	return true;
}

const struct raft_entry *
rlog_at(const struct rlog *l, uint64_t index)
{
	CAIRN_ASSERT(index >= l->first);
	CAIRN_ASSERT(index <= rlog_last_index(l));
	return &l->ents[index - l->first];
}

void
rlog_truncate_after(struct rlog *l, uint64_t index)
{
	CAIRN_ASSERT(index + 1 >= l->first);
	while (l->len > 0 && rlog_last_index(l) > index)
		rlog_free_data(l, &l->ents[--l->len]);
}

void
rlog_compact(struct rlog *l, uint64_t index)
{
	size_t drop;

	CAIRN_ASSERT(index >= l->first && index <= rlog_last_index(l));
	drop = (size_t)(index - l->first + 1);
	l->prev_term = l->ents[drop - 1].term;
	for (size_t i = 0; i < drop; i++)
		rlog_free_data(l, &l->ents[i]);
	/* Once per snapshot (--snapshot-count entries): a move is cheap. */
	memmove(l->ents, l->ents + drop, (l->len - drop) * sizeof(*l->ents));
	l->len -= drop;
	l->first = index + 1;
}

void
rlog_reset(struct rlog *l, uint64_t index, uint64_t term)
{
	while (l->len > 0)
		rlog_free_data(l, &l->ents[--l->len]);
	l->first = index + 1;
	l->prev_term = term;
}

/* Grows the array to hold 'need' entries; false when it cannot. */
static bool
rlog_reserve(struct rlog *l, size_t need)
{
	size_t cap = l->cap ? l->cap : 64;
	struct raft_entry *n;

	if (need <= l->cap)
		return true;
	if (need > RLOG_ENTRIES_MAX)
		return false;
	while (cap < need)
		cap *= 2;
	n = l->a.alloc(l->a.ctx, cap * sizeof(*n));
	if (n == NULL)
		return false;
	if (l->len > 0)
		memcpy(n, l->ents, l->len * sizeof(*n));
	if (l->cap > 0)
		l->a.free(l->a.ctx, l->ents, l->cap * sizeof(*l->ents));
	l->ents = n;
	l->cap = cap;
	return true;
}

int
rlog_append(struct rlog *l, const struct raft_entry *e, size_t n)
{
	size_t done;

	if (n == 0)
		return 0;
	CAIRN_ASSERT(e[0].index == rlog_last_index(l) + 1);
	if (!rlog_reserve(l, l->len + n))
		return CAIRN_EAGAIN;
	for (done = 0; done < n; done++) {
		struct raft_entry *d = &l->ents[l->len + done];
		void *data = NULL;

		CAIRN_ASSERT(e[done].index == e[0].index + done);
		if (e[done].len > 0 && (data = l->a.alloc(l->a.ctx, e[done].len)) == NULL)
			break;
		*d = e[done];
		if (data != NULL)
			memcpy(data, e[done].data, e[done].len);
		d->data = data;
	}
	if (done < n) {
		/* All or nothing: release what this call copied. */
		for (size_t i = 0; i < done; i++)
			rlog_free_data(l, &l->ents[l->len + i]);
		return CAIRN_EAGAIN;
	}
	l->len += n;
	return 0;
}
