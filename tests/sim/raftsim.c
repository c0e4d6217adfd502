/*
 * Tests: raftsim, the deterministic Raft simulator.
 *   raftsim --seed S [--seeds N] --nodes N --steps K --faults LIST
 * LIST: drop,dup,reorder,delay,partition,crash,restart,confchange,learner,
 * transfer,snapshot (or "all", or "none").
 * Each step delivers a message, ticks, proposes (on the leader, or on a
 * follower that forwards it), asks for a read index, or injects a fault;
 * after it the invariants are checked. Then faults stop, and the cluster
 * must elect a leader and commit a last proposal on every member. On a
 * violation: the seed, the failure and the last events, and exit 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/err.h"
#include "shared/log.h"
#include "tests/sim/sim.h"

#define SIM_HEAL_STEPS 20000
#define SIM_READ_RETRY_STEPS 200  /* a heal-phase read unanswered this long is asked again */
#define SIM_CRASH_STEPS_MAX 400   /* a crashed node stays down at most this */

/* Hands one node's updates to its disk, the network and its state
 * machine, in the order the real raftd uses, checking as it goes. */
static int
sim_flush(struct sim *s, struct sim_node *node)
{
	while (node->up && rcore_has_update(&node->core)) {
		struct rcore_update u;
		uint64_t commit_before = node->commit_persisted;
		int rc;

		rcore_update(&node->core, &u);
		if (u.role == RCORE_LEADER && inv_on_leader(s, node, u.hs.term) != 0)
			return -1;
		rc = sim_node_persist(s, node, &u);
		if (rc != 0)
			return rc < 0 ? -1 : 0; /* crashed before the sync: told no one */
		if (u.role == RCORE_LEADER && u.hs.commit > commit_before)
			inv_on_commit(s, node, commit_before, u.hs.commit);
		for (size_t i = 0; i < u.nmsgs; i++)
			sim_net_send(s, &u.msgs[i]);
		for (size_t i = 0; i < u.ncommitted; i++) {
			if (u.committed[i].index != node->applied + 1)
				return sim_fail(s, "node %llu applies index %llu after %llu",
				    (unsigned long long)node->id,
				    (unsigned long long)u.committed[i].index,
				    (unsigned long long)node->applied);
			node->chain = sim_chain(node->chain, &u.committed[i]);
			if (inv_on_apply(s, node, &u.committed[i]) != 0)
				return -1;
			node->applied++;
		}
		for (size_t i = 0; i < u.nreads; i++)
			if (inv_on_read(s, node, &u.reads[i]) != 0)
				return -1;
		rcore_advance(&node->core, &u);
		if (sim_node_maybe_compact(s, node) != 0)
			return -1;
	}
	return 0;
}

/* A snapshot travels as a stream whose sender learns how it went. */
static int
sim_snapshot_report(struct sim *s, struct sim_node *from, uint64_t to, bool ok)
{
	if (from == NULL || !from->up)
		return 0;
	rcore_snapshot_status(&from->core, to, ok);
	return sim_flush(s, from);
}

/* Delivers one message that is due: the oldest, or any with reorder. */
static int
sim_deliver(struct sim *s)
{
	unsigned i = 0, tries = 0;
	struct sim_msg m;
	struct sim_node *from, *to;

	if (s->nnet == 0)
		return 0;
	if (s->faults & SIM_F_REORDER)
		i = (unsigned)(sim_rand(s) % s->nnet);
	/* The oldest due message, or (reorder) a due one at random. */
	if (!(s->faults & SIM_F_REORDER))
		while (s->net[i].deliver_at > s->now)
			i++;
	while (s->net[i].deliver_at > s->now && tries++ < 64)
		i = (unsigned)(sim_rand(s) % s->nnet);
	if (s->net[i].deliver_at > s->now)
		return 0;
	sim_net_take(s, i, &m);
	from = sim_node_by_id(s, m.m.from);
	to = sim_node_by_id(s, m.m.to);
	if (to != NULL && to->up && from != NULL && from->group == to->group) {
		sim_tracef(s, "%llu -> %llu type %u term %llu index %llu n %zu commit %llu%s",
		    (unsigned long long)m.m.from, (unsigned long long)m.m.to, m.m.type,
		    (unsigned long long)m.m.term, (unsigned long long)m.m.index, m.m.n,
		    (unsigned long long)m.m.commit, m.m.reject ? " reject" : "");
		s->stats->transfers += m.m.type == RMSG_TIMEOUT_NOW;
		s->stats->forwarded += m.m.type == RMSG_PROPOSE;
		rcore_step(&to->core, &m.m);
		sim_msg_free(&m);
		if (sim_flush(s, to) != 0)
			return -1;
		return m.m.type == RMSG_SNAPSHOT ? sim_snapshot_report(s, from, m.m.to, true) : 0;
	}
	sim_msg_free(&m);
	return m.m.type == RMSG_SNAPSHOT ? sim_snapshot_report(s, from, m.m.to, false) : 0;
}

static int
sim_tick_all(struct sim *s)
{
	s->now++;
	for (unsigned i = 0; i < s->n; i++) {
		struct sim_node *node = &s->nodes[i];

		if (!node->up) {
			if (s->step < node->down_until)
				continue;
			if (sim_node_start(s, node) != 0)
				return -1;
			sim_tracef(s, "node %llu restarts", (unsigned long long)node->id);
		}
		rcore_tick(&node->core);
		if (sim_flush(s, node) != 0)
			return -1;
	}
	return 0;
}

static struct sim_node *
sim_leader(struct sim *s)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->nodes[i].up && s->nodes[i].core.role == RCORE_LEADER)
			return &s->nodes[i];
	return NULL;
}

/* Mostly on a leader; sometimes on any member, which forwards it. */
static int
sim_propose(struct sim *s)
{
	struct sim_node *node = sim_leader(s);
	char data[64];
	int len;

	if (node == NULL || sim_rand(s) % 4 == 0)
		node = &s->nodes[sim_rand(s) % s->n];
	if (!node->up)
		return 0;
	len = snprintf(data, sizeof(data), "seed %llu proposal %llu",
	    (unsigned long long)s->seed, (unsigned long long)++s->proposals);
	if (rcore_propose(&node->core, (const uint8_t *)data, (uint32_t)len) == 0)
		sim_tracef(s, "node %llu proposes #%llu", (unsigned long long)node->id,
		    (unsigned long long)s->proposals);
	return sim_flush(s, node);
}

/* A read index asked of any member; the answer is checked when it comes. */
static int
sim_read(struct sim *s)
{
	struct sim_node *node = &s->nodes[sim_rand(s) % s->n];
	uint64_t ctx;

	if (!node->up)
		return 0;
	ctx = inv_read_begin(s);
	if (rcore_read_index(&node->core, ctx) == 0)
		sim_tracef(s, "node %llu reads #%llu", (unsigned long long)node->id,
		    (unsigned long long)ctx);
	return sim_flush(s, node);
}

static const struct rcore_progress *
sim_member(const struct sim_node *leader, uint64_t id)
{
	for (size_t i = 0; i < leader->core.nprs; i++)
		if (leader->core.prs[i].id == id)
			return &leader->core.prs[i];
	return NULL;
}

/* The leader proposes a membership change of a random node: voters come
 * and go; learners come and are promoted. */
static int
sim_conf_fault(struct sim *s, bool learners)
{
	struct sim_node *leader = sim_leader(s), *node = &s->nodes[sim_rand(s) % s->n];
	const struct rcore_progress *p;
	enum raft_conf_op op;
	int rc;

	if (leader == NULL)
		return 0;
	p = sim_member(leader, node->id);
	if (learners)
		op = p == NULL ? RAFT_CONF_ADD_LEARNER : RAFT_CONF_PROMOTE;
	else
		op = p == NULL ? RAFT_CONF_ADD : RAFT_CONF_REMOVE;
	rc = rcore_propose_conf(&leader->core, op, node->id, (const uint8_t *)"url", 3);
	s->stats->conf_changes += rc == 0;
	sim_tracef(s, "node %llu proposes conf op %d of %llu: %s", (unsigned long long)leader->id,
	    (int)op, (unsigned long long)node->id, rc ? err_str(rc) : "ok");
	return sim_flush(s, leader);
}

static int
sim_transfer_fault(struct sim *s)
{
	struct sim_node *leader = sim_leader(s), *node = &s->nodes[sim_rand(s) % s->n];
	int rc;

	if (leader == NULL)
		return 0;
	rc = rcore_transfer(&leader->core, node->id);
	sim_tracef(s, "node %llu transfers to %llu: %s", (unsigned long long)leader->id,
	    (unsigned long long)node->id, rc ? err_str(rc) : "ok");
	return sim_flush(s, leader);
}

/* One fault, chosen among those enabled; crashes and partitions (with
 * their healing) weigh most, as before the newer faults came. */
static int
sim_fault(struct sim *s)
{
	uint64_t r = sim_rand(s) % 100;
	struct sim_node *node = &s->nodes[sim_rand(s) % s->n];

	if ((s->faults & SIM_F_CRASH) && r < 25 && node->up) {
		sim_node_crash(s, node, false);
		node->down_until = s->step + 1 + sim_rand(s) % SIM_CRASH_STEPS_MAX;
	} else if ((s->faults & SIM_F_PARTITION) && r >= 25 && r < 45) {
		for (unsigned i = 0; i < s->n; i++)
			s->nodes[i].group = (unsigned)(sim_rand(s) % 2);
		sim_tracef(s, "partition");
	} else if ((s->faults & SIM_F_PARTITION) && r >= 45 && r < 65) {
		for (unsigned i = 0; i < s->n; i++)
			s->nodes[i].group = 0;
		sim_tracef(s, "partition healed");
	} else if ((s->faults & SIM_F_RESTART) && r >= 65 && r < 72 && node->up) {
		sim_node_crash(s, node, false);
		node->down_until = s->step + 1;
	} else if ((s->faults & SIM_F_CONFCHANGE) && r >= 72 && r < 82)
		return sim_conf_fault(s, false);
	else if ((s->faults & SIM_F_LEARNER) && r >= 82 && r < 92)
		return sim_conf_fault(s, true);
	else if ((s->faults & SIM_F_TRANSFER) && r >= 92)
		return sim_transfer_fault(s);
	return 0;
}

static bool
sim_any_due(const struct sim *s)
{
	for (unsigned i = 0; i < s->nnet; i++)
		if (s->net[i].deliver_at <= s->now)
			return true;
	return false;
}

/* The mix of events. A round trip is much shorter than a tick (etcd's
 * heartbeat is 100 ms), so due messages are nearly always delivered
 * before the clock moves. While healing (faults false) nothing new is
 * proposed and nothing breaks. */
static int
sim_one_step(struct sim *s, bool faults)
{
	uint64_t r = sim_rand(s) % 1000;

	s->step++;
	if (r < 10)
		return faults ? sim_fault(s) : 0;
	if (r < 60)
		return faults ? sim_propose(s) : 0;
	if (r < 75)
		return faults ? sim_read(s) : 0;
	if (sim_any_due(s) && r < 990)
		return sim_deliver(s);
	return sim_tick_all(s);
}

/* After the faults: everyone up and connected, no loss; a last proposal
 * must reach every member's state machine. */
/* The heal phase's proposal is still in some current leader's log. An
 * uncommitted entry may be overwritten by a later leader; then it must be
 * proposed again. */
static bool
sim_target_alive(struct sim *s, uint64_t index, uint64_t term)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct sim_node *node = &s->nodes[i];
		uint64_t t;

		if (node->up && node->core.role == RCORE_LEADER &&
		    (!rlog_term(&node->core.log, index, &t) || t != term))
			return false;
	}
	return true;
}

/* Proposes "last" on the leader, if there is one; returns its index. */
static int
sim_propose_last(struct sim *s, uint64_t *index, uint64_t *term)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct sim_node *node = &s->nodes[i];

		if (!node->up || node->core.role != RCORE_LEADER ||
		    rcore_propose(&node->core, (const uint8_t *)"last", 4) != 0)
			continue;
		*index = rlog_last_index(&node->core.log);
		*term = node->core.hs.term;
		return sim_flush(s, node);
	}
	return 0;
}

/* Whether every member in the leader's membership has applied 'index'. */
static bool
sim_members_applied(struct sim *s, uint64_t index)
{
	struct sim_node *leader = sim_leader(s);

	if (leader == NULL)
		return false;
	for (size_t i = 0; i < leader->core.nprs; i++) {
		const struct sim_node *node = sim_node_by_id(s, leader->core.prs[i].id);

		if (!node->up || node->applied < index)
			return false;
	}
	return true;
}

/* Asks every member of the leader's membership for a read index; a
 * read refused or unanswered for SIM_READ_RETRY_STEPS is asked again.
 * Returns 1 once every member has one answered ok. */
static int
sim_heal_reads(struct sim *s, uint64_t *ctx, uint64_t *asked_at)
{
	struct sim_node *leader = sim_leader(s);
	bool all = leader != NULL;

	for (size_t i = 0; leader != NULL && i < leader->core.nprs; i++) {
		struct sim_node *node = sim_node_by_id(s, leader->core.prs[i].id);
		unsigned k = (unsigned)(node - s->nodes);

		if (ctx[k] != 0 && s->h.reads[ctx[k]].ok)
			continue;
		all = false;
		if (ctx[k] != 0 && s->step - asked_at[k] < SIM_READ_RETRY_STEPS)
			continue;
		ctx[k] = inv_read_begin(s);
		asked_at[k] = s->step;
		(void)rcore_read_index(&node->core, ctx[k]);
		if (sim_flush(s, node) != 0)
			return -1;
	}
	return all ? 1 : 0;
}

/* After the faults: everyone up and connected, no loss; a last proposal
 * must reach every member's state machine, then a read index must be
 * served on every member. */
static int
sim_heal(struct sim *s)
{
	uint64_t target = 0, target_term = 0;
	uint64_t ctx[SIM_NODES_MAX] = {0}, asked_at[SIM_NODES_MAX] = {0};
	bool applied = false;
	int rc;

	s->faults &= ~(unsigned)(SIM_F_DROP | SIM_F_DUP);
	for (unsigned i = 0; i < s->n; i++) {
		s->nodes[i].group = 0;
		s->nodes[i].down_until = 0;
	}
	for (uint64_t k = 0; k < SIM_HEAL_STEPS; k++) {
		bool done = target != 0;

		if (sim_one_step(s, false) != 0 || inv_check_all(s) != 0)
			return -1;
		applied = applied || (done && sim_members_applied(s, target));
		if (applied && (rc = sim_heal_reads(s, ctx, asked_at)) != 0)
			return rc < 0 ? -1 : 0;
		if (applied)
			continue;
		if (target != 0 && !sim_target_alive(s, target, target_term))
			target = 0;
		if (target == 0 && sim_propose_last(s, &target, &target_term) != 0)
			return -1;
	}
	if (applied)
		return sim_fail(s, "no progress: the healed cluster did not serve a read index on "
		    "every member within %d steps", SIM_HEAL_STEPS);
	return sim_fail(s, "no progress: the healed cluster did not apply a last proposal "
	    "within %d steps", SIM_HEAL_STEPS);
}

static int
sim_run(struct sim *s, uint64_t seed, unsigned nodes, uint64_t steps, unsigned faults)
{
	struct sim_stats *stats = s->stats;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	s->stats = stats;
	s->seed = seed;
	s->rng = seed;
	s->faults = faults;
	s->n = nodes;
	for (unsigned i = 0; i < nodes; i++)
		s->nodes[i].id = i + 1;
	for (unsigned i = 0; i < nodes && rc == 0; i++)
		rc = sim_node_start(s, &s->nodes[i]);
	for (uint64_t k = 0; k < steps && rc == 0; k++)
		rc = sim_one_step(s, true) != 0 || inv_check_all(s) != 0 ? -1 : 0;
	if (rc == 0)
		rc = sim_heal(s);
	return rc;
}

static void
sim_report_node(const struct sim_node *node)
{
	const struct rcore *c = &node->core;

	printf("  node %llu %s", (unsigned long long)node->id, node->up ? "up" : "down");
	if (node->up) {
		printf(" role %d term %llu vote %llu leader %llu last %llu/%llu commit %llu "
		    "applied %llu snap %llu members", (int)c->role, (unsigned long long)c->hs.term,
		    (unsigned long long)c->hs.vote, (unsigned long long)c->leader,
		    (unsigned long long)rlog_last_index(&c->log),
		    (unsigned long long)rlog_last_term(&c->log), (unsigned long long)c->hs.commit,
		    (unsigned long long)node->applied, (unsigned long long)c->snap.meta.index);
		for (size_t i = 0; i < c->nprs; i++)
			printf(" %llu%s", (unsigned long long)c->prs[i].id, c->prs[i].learner ? "L" : "");
	}
	printf("\n");
}

static void
sim_report(const struct sim *s, unsigned nodes, uint64_t steps, const char *faults)
{
	unsigned n = s->ntrace < SIM_TRACE_MAX ? s->ntrace : SIM_TRACE_MAX;

	printf("raftsim: FAILED seed %llu (--seed %llu --nodes %u --steps %llu --faults %s)\n",
	    (unsigned long long)s->seed, (unsigned long long)s->seed, nodes,
	    (unsigned long long)steps, faults);
	printf("raftsim: %s\nraftsim: last events:\n", s->failure);
	for (unsigned i = 0; i < n; i++)
		printf("  %s\n", s->trace[(s->ntrace - n + i) % SIM_TRACE_MAX]);
	printf("raftsim: nodes at the end:\n");
	for (unsigned i = 0; i < s->n; i++)
		sim_report_node(&s->nodes[i]);
}

static int
sim_parse_faults(const char *list, unsigned *out)
{
	static const struct { const char *name; unsigned bit; } names[] = {
		{"drop", SIM_F_DROP}, {"dup", SIM_F_DUP}, {"reorder", SIM_F_REORDER},
		{"delay", SIM_F_DELAY}, {"partition", SIM_F_PARTITION}, {"crash", SIM_F_CRASH},
		{"restart", SIM_F_RESTART}, {"confchange", SIM_F_CONFCHANGE},
		{"learner", SIM_F_LEARNER}, {"transfer", SIM_F_TRANSFER},
		{"snapshot", SIM_F_SNAPSHOT},
	};
	char buf[256], *save = NULL;

	*out = 0;
	if (strcmp(list, "all") == 0) {
		*out = SIM_F_ALL;
		return 0;
	}
	if (strcmp(list, "none") == 0)
		return 0;
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		size_t i = 0;

		while (i < sizeof(names) / sizeof(names[0]) && strcmp(t, names[i].name) != 0)
			i++;
		if (i == sizeof(names) / sizeof(names[0])) {
			fprintf(stderr, "raftsim: unknown fault '%s'\n", t);
			return -1;
		}
		*out |= names[i].bit;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct sim s;
	struct sim_stats stats = {0};
	uint64_t seed = 1, nseeds = 1, steps = 2000;
	unsigned nodes = 3, faults = SIM_F_ALL;
	const char *flist = "all";
	unsigned failed = 0;

	/* Torn-tail repairs are expected here; the trace tells the story. */
	log_init("raftsim", LOG_ERROR);
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--seed") == 0)
			seed = strtoull(argv[i + 1], NULL, 0);
		else if (strcmp(argv[i], "--seeds") == 0)
			nseeds = strtoull(argv[i + 1], NULL, 0);
		else if (strcmp(argv[i], "--nodes") == 0)
			nodes = (unsigned)strtoul(argv[i + 1], NULL, 0);
		else if (strcmp(argv[i], "--steps") == 0)
			steps = strtoull(argv[i + 1], NULL, 0);
		else if (strcmp(argv[i], "--faults") == 0)
			flist = argv[i + 1];
		else {
			fprintf(stderr, "raftsim: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if ((argc % 2) == 0 || nodes < 1 || nodes > SIM_NODES_MAX ||
	    sim_parse_faults(flist, &faults) != 0) {
		fprintf(stderr, "usage: raftsim --seed S [--seeds N] --nodes 1..%d --steps K "
		    "--faults drop,dup,reorder,delay,partition,crash,restart,confchange,learner,"
		    "transfer,snapshot|all|none\n", SIM_NODES_MAX);
		return 2;
	}
	s.stats = &stats;
	for (uint64_t k = 0; k < nseeds; k++) {
		if (sim_run(&s, seed + k, nodes, steps, faults) != 0) {
			sim_report(&s, nodes, steps, flist);
			failed++;
		}
		sim_free_all(&s);
	}
	printf("raftsim: %llu seeds from %llu, %u nodes, %llu steps, faults %s: %u failed\n",
	    (unsigned long long)nseeds, (unsigned long long)seed, nodes,
	    (unsigned long long)steps, flist, failed);
	printf("raftsim: exercised: %llu compactions, %llu snapshot installs, %llu conf changes, "
	    "%llu transfers, %llu forwarded proposals, %llu reads (%llu refused)\n",
	    (unsigned long long)stats.compactions, (unsigned long long)stats.installs,
	    (unsigned long long)stats.conf_changes, (unsigned long long)stats.transfers,
	    (unsigned long long)stats.forwarded, (unsigned long long)stats.reads_ok,
	    (unsigned long long)stats.reads_refused);
	return failed ? 1 : 0;
}
