/*
 * Tests: directed scenarios of the Raft core beyond elections: log repair
 * (Raft paper figure 7), ReadIndex from a stale leader, leadership
 * transfer, learners, one membership change at a time, snapshot install,
 * flow control, and the quorum table the product documents.
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "raftd/core.h"
#include "shared/err.h"
#include "tests/lib/runner.h"
#include "tests/unit/core_harness.h"

/* Members 1..n as a group. */
static unsigned
group_upto(size_t n)
{
	return (1u << (n + 1)) - 2;
}

static uint64_t
last_index(uint64_t id)
{
	return rlog_last_index(&cores[id].log);
}

static uint64_t
last_term(uint64_t id)
{
	return rlog_last_term(&cores[id].log);
}

static uint64_t
term_at(uint64_t id, uint64_t index)
{
	uint64_t t = 0;

	(void)rlog_term(&cores[id].log, index, &t);
	return t;
}

/* A proposal on member id, its update sent; returns rcore_propose's. */
static int
propose(uint64_t id, const char *data)
{
	int rc = rcore_propose(&cores[id], (const uint8_t *)data, (uint32_t)strlen(data));

	flush(id);
	return rc;
}

static int
propose_conf(uint64_t id, enum raft_conf_op op, uint64_t member)
{
	int rc = rcore_propose_conf(&cores[id], op, member, NULL, 0);

	flush(id);
	return rc;
}

/* The leader's view of member 'id', or NULL when it is no member. */
static const struct rcore_progress *
progress_of(uint64_t leader, uint64_t id)
{
	for (size_t i = 0; i < cores[leader].nprs; i++)
		if (cores[leader].prs[i].id == id)
			return &cores[leader].prs[i];
	return NULL;
}

/* Heartbeat rounds of 'leader', each delivered in 'group' until quiet. */
static void
rounds(uint64_t leader, unsigned group, int n)
{
	for (int i = 0; i < n; i++) {
		beat(leader);
		deliver(group, ALL_TYPES, 0);
	}
}

/* Queued messages of one type from one member to another. */
static unsigned
count_queued(uint64_t from, uint64_t to, uint8_t type)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nqueue; i++)
		n += queue[i].m.from == from && queue[i].m.to == to && queue[i].m.type == type;
	return n;
}

/* Whether member id holds the leader's log: same last index, and the
 * same term at every index both hold (not compacted away). */
static bool
log_matches(uint64_t id, uint64_t leader)
{
	uint64_t a, b;

	if (last_index(id) != last_index(leader))
		return false;
	for (uint64_t i = 1; i <= last_index(leader); i++)
		if (rlog_term(&cores[id].log, i, &a) && rlog_term(&cores[leader].log, i, &b) && a != b)
			return false;
	return true;
}

/*
 * Raft paper figure 7 (thesis figure 3.6): each digit is the term of one
 * entry, from index 1. The leader of term 8 finds followers missing
 * entries (a, b), holding extra uncommitted ones (c, d), or both (e, f).
 */
static const char *const fig7_logs[] = {
	"1114455666",    /* member 1, the leader */
	"111445566",     /* (a) */
	"1114",          /* (b) */
	"11144556666",   /* (c) */
	"111445566677",  /* (d) */
	"1114444",       /* (e) */
	"11122233333",   /* (f) */
};
static struct raft_entry fig7_ents[7][12];

/* Members 1..7 restart from the figure's logs, in term 7, entries up
 * to 3 committed (all agree on them). */
static void
fig7_start(void)
{
	struct setup s;

	setup_init(&s, 7);
	for (uint64_t id = 1; id <= 7; id++) {
		const char *terms = fig7_logs[id - 1];
		size_t n = strlen(terms);

		for (size_t i = 0; i < n; i++)
			fig7_ents[id - 1][i] = (struct raft_entry){.term = (uint64_t)(terms[i] - '0'),
			    .index = i + 1, .type = RAFT_ENTRY_NORMAL};
		s.start[id].ents = fig7_ents[id - 1];
		s.start[id].n = n;
		s.start[id].hs = (struct raft_hardstate){.term = 7, .commit = 3};
	}
	start_with(&s);
}

static void
test_figure7_leader_repairs_follower_logs(void)
{
	const unsigned all = group_upto(7);

	fig7_start();
	/* Votes from (a), (b), (e), (f): (c) and (d) have later logs. */
	elect(1, all);
	CU_ASSERT_EQUAL(cores[1].hs.term, 8);
	rounds(1, all, 10);
	CU_ASSERT_EQUAL(last_index(1), 11); /* its log and the no-op of term 8 */
	CU_ASSERT_EQUAL(term_at(1, 11), 8);
	for (uint64_t id = 2; id <= 7; id++) {
		CU_ASSERT(log_matches(id, 1));
		CU_ASSERT_EQUAL(cores[id].hs.commit, 11);
		CU_ASSERT_EQUAL(seen[id].applied, 11);
	}
	/* The conflicting entries are gone: (c)'s and (d)'s 11th of terms 6
	 * and 7, (d)'s 12th, and (f)'s of terms 2 and 3. */
	CU_ASSERT_EQUAL(term_at(4, 11), 8);
	CU_ASSERT_EQUAL(term_at(5, 11), 8);
	CU_ASSERT_EQUAL(last_index(5), 11);
	CU_ASSERT_EQUAL(term_at(7, 4), 4);
	CU_ASSERT(applied_agree());
	stop();
}

/*
 * Member 1 leads, then is cut off from the other four, which elect member
 * 2 and write. Member 1's read must never be served: with check-quorum it
 * steps down within two election timeouts; without, it learns member 2's
 * term when the partition heals. Either way its read is refused.
 */
static void
stale_leader_read(bool check_quorum)
{
	const unsigned all = group_upto(5), majority = all & ~M(1);
	const struct rcore_read *r;
	struct setup s;
	uint64_t write_commit;

	setup_init(&s, 5);
	for (uint64_t id = 1; id <= 5; id++)
		s.cfg[id].check_quorum = check_quorum;
	start_with(&s);
	elect(1, all);
	rounds(1, all, 2);
	CU_ASSERT_EQUAL_FATAL(rcore_read_index(&cores[1], 100), 0);
	flush(1);
	elect(2, majority);
	CU_ASSERT_EQUAL(propose(2, "w"), 0);
	for (int i = 0; i < 30; i++) {
		beat(1); /* whatever it sends is lost */
		rounds(2, majority, 1);
	}
	write_commit = last_index(2);
	CU_ASSERT_EQUAL(cores[2].hs.commit, write_commit);
	CU_ASSERT_EQUAL_FATAL(rcore_read_index(&cores[2], 200), 0);
	flush(2);
	rounds(2, majority, 1);
	r = seen_read(2, 200);
	CU_ASSERT(r != NULL && r->ok && r->index >= write_commit);
	/* Cut off, member 1 served nothing; with check-quorum it stepped
	 * down (and may since campaign alone) and refused. */
	r = seen_read(1, 100);
	CU_ASSERT(check_quorum ? r != NULL && !r->ok : r == NULL);
	CU_ASSERT(check_quorum ? cores[1].role != RCORE_LEADER : cores[1].role == RCORE_LEADER);
	rounds(2, all, 2);
	r = seen_read(1, 100);
	CU_ASSERT(r != NULL && !r->ok);
	CU_ASSERT_EQUAL(seen[1].nreads, 1);
	if (!check_quorum)
		CU_ASSERT_EQUAL(cores[1].leader, 2); /* it learnt member 2's term */
	stop();
}

static void
test_read_index_refused_on_stale_leader(void)
{
	stale_leader_read(true);
	stale_leader_read(false);
}

static void
test_read_index_forwarded_and_without_leader(void)
{
	const unsigned all = group_upto(3);
	const struct rcore_read *r;

	start(3);
	CU_ASSERT_EQUAL(rcore_read_index(&cores[2], 1), CAIRN_ENOLEADER);
	elect(1, all);
	rounds(1, all, 2);
	CU_ASSERT_EQUAL(propose(1, "w"), 0);
	rounds(1, all, 1);
	/* Member 2 asks its leader, which confirms a round, then answers. */
	CU_ASSERT_EQUAL_FATAL(rcore_read_index(&cores[2], 7), 0);
	flush(2);
	CU_ASSERT_EQUAL(count_queued(2, 1, RMSG_READ_INDEX), 1);
	rounds(1, all, 1);
	r = seen_read(2, 7);
	CU_ASSERT(r != NULL && r->ok && r->index == cores[1].hs.commit);
	CU_ASSERT_EQUAL(cores[1].hs.commit, 2); /* no-op and write */
	stop();
}

/* Member 3 misses five entries; a transfer to it catches it up first,
 * then tells it to campaign. */
static void
test_transfer_to_lagging_follower(void)
{
	const unsigned all = group_upto(3);
	unsigned timeout_now = 0;
	uint64_t term;

	start(3);
	elect(1, all);
	rounds(1, all, 2);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(propose(1, "x"), 0);
	deliver(M(1) | M(2), ALL_TYPES, 0);
	CU_ASSERT_FATAL(last_index(3) + 5 == last_index(1));
	term = cores[1].hs.term;
	CU_ASSERT_EQUAL(rcore_transfer(&cores[1], 3), 0);
	flush(1);
	CU_ASSERT_EQUAL(count_queued(1, 3, RMSG_TIMEOUT_NOW), 0);
	CU_ASSERT_EQUAL(propose(1, "y"), CAIRN_EPROPDROPPED);
	beat(1);
	for (int i = 0; i < 1000 && nqueue > 0; i++) {
		/* The moment it is told to campaign, its log is the leader's. */
		if (queue[0].m.type == RMSG_TIMEOUT_NOW) {
			timeout_now++;
			CU_ASSERT_EQUAL(queue[0].m.to, 3);
			CU_ASSERT(log_matches(3, 1));
		}
		deliver(all, ALL_TYPES, 1);
	}
	CU_ASSERT_EQUAL(timeout_now, 1);
	CU_ASSERT_EQUAL(cores[3].role, RCORE_LEADER);
	CU_ASSERT_EQUAL(cores[3].hs.term, term + 1);
	CU_ASSERT_EQUAL(cores[1].role, RCORE_FOLLOWER);
	CU_ASSERT_EQUAL(cores[1].leader, 3);
	stop();
}

static void
test_transfer_refused(void)
{
	struct setup s;

	setup_init(&s, 4);
	setup_learner(&s, 4);
	start_with(&s);
	elect(1, group_upto(4));
	rounds(1, group_upto(4), 2);
	CU_ASSERT_EQUAL(rcore_transfer(&cores[1], 4), CAIRN_EBADTRANSFEREE); /* learner */
	CU_ASSERT_EQUAL(rcore_transfer(&cores[1], 9), CAIRN_EBADTRANSFEREE); /* unknown */
	CU_ASSERT_EQUAL(rcore_transfer(&cores[1], 1), CAIRN_EBADTRANSFEREE); /* itself */
	CU_ASSERT_EQUAL(rcore_transfer(&cores[2], 3), CAIRN_ENOTLEADER);
	CU_ASSERT_EQUAL(cores[1].transferee, 0);
	CU_ASSERT_EQUAL(propose(1, "x"), 0);
	stop();
}

/* Member 3 is down: the transfer is given up after an election timeout
 * and proposals flow again, under the same leader. */
static void
test_transfer_abandoned(void)
{
	const unsigned up = M(1) | M(2);
	uint64_t term;

	start(3);
	elect(1, group_upto(3));
	rounds(1, group_upto(3), 2);
	term = cores[1].hs.term;
	CU_ASSERT_EQUAL(rcore_transfer(&cores[1], 3), 0);
	flush(1);
	rounds(1, up, 5);
	CU_ASSERT_EQUAL(propose(1, "x"), CAIRN_EPROPDROPPED);
	rounds(1, up, 5);
	CU_ASSERT_EQUAL(propose(1, "y"), 0);
	rounds(1, up, 1);
	CU_ASSERT_EQUAL(cores[1].role, RCORE_LEADER);
	CU_ASSERT_EQUAL(cores[1].hs.term, term);
	CU_ASSERT_EQUAL(cores[2].hs.commit, last_index(1));
	stop();
}

/* Two voters and learner 3: it gets the log, never a vote request, and
 * its acknowledgement does not make a majority. */
static void
test_learner_receives_but_never_counts(void)
{
	const unsigned all = group_upto(3);
	struct setup s;
	uint64_t commit, term;

	setup_init(&s, 3);
	setup_learner(&s, 3);
	start_with(&s);
	elect(1, all);
	rounds(1, all, 2);
	CU_ASSERT_EQUAL(propose(1, "a"), 0);
	rounds(1, all, 1);
	CU_ASSERT(log_matches(3, 1));
	CU_ASSERT_EQUAL(cores[3].hs.commit, cores[1].hs.commit);
	/* Voter 2 down: the learner acknowledges, nothing commits. */
	commit = cores[1].hs.commit;
	CU_ASSERT_EQUAL(propose(1, "b"), 0);
	deliver(M(1) | M(3), ALL_TYPES, 0);
	CU_ASSERT_EQUAL(progress_of(1, 3)->match, last_index(1));
	CU_ASSERT_EQUAL(cores[1].hs.commit, commit);
	/* Leader 1 down: voter 2 campaigns but asks only voters. */
	term = cores[3].hs.term;
	for (int i = 0; i < 100 && cores[2].role == RCORE_FOLLOWER; i++)
		beat(2);
	CU_ASSERT_EQUAL(count_queued(2, 3, RMSG_VOTE), 0);
	deliver(M(2) | M(3), ALL_TYPES, 0);
	CU_ASSERT_NOT_EQUAL(cores[2].role, RCORE_LEADER);
	/* Hearing nothing for many timeouts, the learner never campaigns. */
	for (int i = 0; i < 100; i++)
		beat(3);
	CU_ASSERT_EQUAL(nqueue, 0);
	CU_ASSERT_EQUAL(cores[3].role, RCORE_FOLLOWER);
	CU_ASSERT_EQUAL(cores[3].hs.term, term);
	stop();
}

/* Member 3 starts outside the membership {1, 2}; it is added as a
 * learner while cut off, promoted only once caught up, then counts. */
static void
test_learner_promotion(void)
{
	const unsigned all = group_upto(3), voters = M(1) | M(2);
	struct setup s;
	uint64_t commit;

	setup_init(&s, 3);
	for (uint64_t id = 1; id <= 3; id++)
		s.start[id].snap.meta.conf.n = 2;
	start_with(&s);
	elect(1, voters);
	rounds(1, voters, 2);
	for (int i = 0; i < 20; i++)
		CU_ASSERT_EQUAL(propose(1, "x"), 0);
	CU_ASSERT_EQUAL(propose_conf(1, RAFT_CONF_ADD_LEARNER, 3), 0);
	rounds(1, voters, 2);
	CU_ASSERT_FATAL(progress_of(1, 3) != NULL && progress_of(1, 3)->learner);
	CU_ASSERT_EQUAL(propose_conf(1, RAFT_CONF_PROMOTE, 3), CAIRN_ELEARNERNOTREADY);
	CU_ASSERT_EQUAL(propose_conf(1, RAFT_CONF_PROMOTE, 2), CAIRN_ENOTLEARNER);
	CU_ASSERT_EQUAL(propose_conf(1, RAFT_CONF_PROMOTE, 9), CAIRN_EMEMBERNOTFOUND);
	rounds(1, all, 4);
	CU_ASSERT(log_matches(3, 1));
	CU_ASSERT_EQUAL(propose_conf(1, RAFT_CONF_PROMOTE, 3), 0);
	rounds(1, all, 2);
	CU_ASSERT_FALSE(progress_of(1, 3)->learner);
	CU_ASSERT(progress_of(3, 3) != NULL && !progress_of(3, 3)->learner);
	/* A voter now: with voter 2 down, members 1 and 3 commit. */
	commit = cores[1].hs.commit;
	CU_ASSERT_EQUAL(propose(1, "y"), 0);
	deliver(M(1) | M(3), ALL_TYPES, 0);
	CU_ASSERT_EQUAL(cores[1].hs.commit, commit + 1);
	stop();
}

/* One change at a time, none before the new leader's no-op commits;
 * learners 4 and 5 are ids only (no core): their messages are lost. */
static void
test_conf_one_at_a_time(void)
{
	const unsigned all = group_upto(3);

	start(3);
	elect(1, all); /* its no-op's appends were dropped */
	CU_ASSERT_EQUAL(propose_conf(1, RAFT_CONF_ADD_LEARNER, 4), CAIRN_ECONFPENDING);
	rounds(1, all, 2);
	CU_ASSERT_EQUAL(propose_conf(1, RAFT_CONF_ADD_LEARNER, 4), 0);
	CU_ASSERT_EQUAL(propose_conf(1, RAFT_CONF_ADD_LEARNER, 5), CAIRN_ECONFPENDING);
	rounds(1, all, 2);
	CU_ASSERT(progress_of(1, 4) != NULL);
	CU_ASSERT(progress_of(2, 4) != NULL);
	CU_ASSERT_EQUAL(propose_conf(1, RAFT_CONF_ADD_LEARNER, 5), 0);
	rounds(1, all, 2);
	CU_ASSERT(progress_of(1, 5) != NULL);
	CU_ASSERT_EQUAL(propose_conf(1, RAFT_CONF_ADD, 2), CAIRN_EMEMBEREXIST);
	CU_ASSERT_EQUAL(propose_conf(1, RAFT_CONF_ADD_LEARNER, 4), CAIRN_EMEMBEREXIST);
	CU_ASSERT_EQUAL(propose_conf(1, RAFT_CONF_REMOVE, 9), CAIRN_EMEMBERNOTFOUND);
	CU_ASSERT_EQUAL(cores[1].nprs, 5);
	stop();
}

/* Member 4 joins as a member added by MemberAdd starts: no membership,
 * no state. Added as a learner, it refuses every append (it cannot apply
 * the log without the membership it starts from); the leader, which has
 * no snapshot yet, asks for one (rcore_snapshot_wanted), then sends it;
 * member 4 installs it, catches up, and once promoted counts for the
 * quorum: with member 3 cut off, 1, 2 and 4 commit. */
static void
test_join_takes_snapshot(void)
{
	const unsigned all = group_upto(4), three = group_upto(3);
	struct raft_snapshot_marker marker;
	uint64_t commit;
	struct setup s;

	setup_init(&s, 4);
	for (uint64_t id = 1; id <= 3; id++)
		s.start[id].snap.meta.conf.n = 3;
	s.start[4].snap.meta.conf.n = 0;
	start_with(&s);
	CU_ASSERT_EQUAL(cores[4].nprs, 0);
	elect(1, three);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(propose(1, "x"), 0);
	rounds(1, three, 2);
	CU_ASSERT_EQUAL(propose_conf(1, RAFT_CONF_ADD_LEARNER, 4), 0);
	rounds(1, all, 3);
	CU_ASSERT_EQUAL(progress_of(1, 4)->match, 0);
	CU_ASSERT_EQUAL(last_index(4), 0);
	CU_ASSERT_EQUAL(seen[4].snapshots, 0);
	CU_ASSERT_EQUAL(sent[RMSG_SNAPSHOT], 0);
	CU_ASSERT(rcore_snapshot_wanted(&cores[1]));
	CU_ASSERT(!rcore_snapshot_wanted(&cores[1]));
	CU_ASSERT_EQUAL_FATAL(rcore_compact(&cores[1], cores[1].applied, 0, &marker), 0);
	rounds(1, all, 3);
	CU_ASSERT_EQUAL(sent[RMSG_SNAPSHOT], 1);
	CU_ASSERT_EQUAL(seen[4].snapshots, 1);
	CU_ASSERT_EQUAL(seen[4].snapshot.index, marker.index);
	CU_ASSERT_EQUAL(cores[4].nprs, 4);
	CU_ASSERT_EQUAL(last_index(4), last_index(1));
	CU_ASSERT_EQUAL(propose_conf(1, RAFT_CONF_PROMOTE, 4), 0);
	rounds(1, all, 3);
	CU_ASSERT(progress_of(1, 4) != NULL && !progress_of(1, 4)->learner);
	commit = cores[1].hs.commit;
	CU_ASSERT_EQUAL(propose(1, "y"), 0);
	deliver(M(1) | M(2) | M(4), ALL_TYPES, 0);
	CU_ASSERT_EQUAL(cores[1].hs.commit, commit + 1);
	CU_ASSERT(applied_agree());
	stop();
}

/* A follower forwards a change to the leader, which applies its checks:
 * a good one is appended and applied everywhere, a bad one refused back
 * to the follower, with why. */
static void
test_conf_forwarded(void)
{
	const unsigned all = group_upto(3);
	uint64_t last;

	start(3);
	elect(1, all);
	rounds(1, all, 2);
	last = rlog_last_index(&cores[1].log);
	CU_ASSERT_EQUAL(propose_conf(2, RAFT_CONF_ADD, 1), 0); /* exists: refused */
	rounds(1, all, 2);
	CU_ASSERT_EQUAL(cores[1].nprs, 3);
	CU_ASSERT_EQUAL(rlog_last_index(&cores[1].log), last);
	CU_ASSERT_EQUAL_FATAL(seen[2].nrefused, 1);
	CU_ASSERT_EQUAL(seen[2].refused[0], CAIRN_EMEMBEREXIST);
	CU_ASSERT_EQUAL(seen[3].nrefused, 0);
	CU_ASSERT_EQUAL(propose_conf(2, RAFT_CONF_ADD_LEARNER, 6), 0);
	rounds(1, all, 2);
	CU_ASSERT(progress_of(1, 6) != NULL && progress_of(1, 6)->learner);
	CU_ASSERT(progress_of(3, 6) != NULL);
	CU_ASSERT_EQUAL(propose_conf(3, RAFT_CONF_REMOVE, 6), 0);
	rounds(1, all, 2);
	CU_ASSERT(progress_of(1, 6) == NULL);
	CU_ASSERT(progress_of(2, 6) == NULL);
	CU_ASSERT_EQUAL(propose_conf(3, (enum raft_conf_op)0, 6), CAIRN_EINVAL);
	stop();
}

/* One round of ticks of members 1..3 with delivery; false if member 1
 * asked for a vote in it. */
static bool
tick_all_no_votes_from_1(unsigned group)
{
	bool quiet;

	for (uint64_t id = 1; id <= 3; id++)
		beat(id);
	quiet = count_queued(1, 2, RMSG_VOTE) + count_queued(1, 2, RMSG_PREVOTE) +
	    count_queued(1, 3, RMSG_VOTE) + count_queued(1, 3, RMSG_PREVOTE) == 0;
	deliver(group, ALL_TYPES, 0);
	return quiet;
}

/* Leader 1 removes itself: once that commits it leaves (within two
 * election timeouts, handing over or not), never campaigns again, and
 * members 2 and 3 go on without it. */
static void
test_conf_leader_removes_itself(void)
{
	const unsigned all = group_upto(3);
	uint64_t term, leader = 0;
	bool quiet = true, follower = true;

	start(3);
	elect(1, all);
	rounds(1, all, 2);
	term = cores[1].hs.term;
	CU_ASSERT_EQUAL(propose_conf(1, RAFT_CONF_REMOVE, 1), 0);
	deliver(all, ALL_TYPES, 0);
	CU_ASSERT_FATAL(progress_of(1, 1) == NULL); /* committed and applied */
	for (int i = 0; i < 20 && cores[1].role == RCORE_LEADER; i++)
		tick_all(all);
	CU_ASSERT_EQUAL_FATAL(cores[1].role, RCORE_FOLLOWER);
	for (int i = 0; i < 300; i++) {
		quiet &= tick_all_no_votes_from_1(all);
		follower &= cores[1].role == RCORE_FOLLOWER;
	}
	CU_ASSERT(quiet);
	CU_ASSERT(follower);
	for (uint64_t id = 2; id <= 3; id++)
		if (cores[id].role == RCORE_LEADER)
			leader = id;
	CU_ASSERT_FATAL(leader != 0);
	CU_ASSERT(cores[leader].hs.term > term);
	CU_ASSERT(progress_of(leader, 1) == NULL);
	CU_ASSERT_EQUAL(propose(leader, "z"), 0);
	deliver(M(2) | M(3), ALL_TYPES, 0);
	CU_ASSERT_EQUAL(cores[leader].hs.commit, last_index(leader));
	stop();
}

/* Commits 30 entries without member 3, then compacts keeping 5 behind:
 * returns the snapshot's marker. */
static struct raft_snapshot_marker
snapshot_while_cut_off(void)
{
	struct raft_snapshot_marker marker = {0}, again;
	uint64_t applied;

	for (int i = 0; i < 30; i++)
		CU_ASSERT_EQUAL(propose(1, "x"), 0);
	rounds(1, M(1) | M(2), 1);
	applied = seen[1].applied;
	CU_ASSERT_EQUAL(applied, 31);
	CU_ASSERT_EQUAL(cores[1].applied, applied);
	CU_ASSERT_EQUAL(rcore_compact(&cores[1], applied + 1, 7, &marker), CAIRN_EINVAL);
	CU_ASSERT_EQUAL(rcore_compact(&cores[1], applied, 7, &marker), 0);
	CU_ASSERT_EQUAL(rcore_compact(&cores[1], applied, 8, &again), CAIRN_EINVAL);
	CU_ASSERT_EQUAL(rcore_compact(&cores[1], applied - 1, 8, &again), CAIRN_EINVAL);
	CU_ASSERT_EQUAL(marker.index, applied);
	CU_ASSERT_EQUAL(marker.term, cores[1].hs.term);
	CU_ASSERT_EQUAL(marker.conf.n, 3);
	/* Written after the snapshot: member 3 needs them too. */
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(propose(1, "y"), 0);
	deliver(M(1) | M(2), ALL_TYPES, 0);
	return marker;
}

/* Three members keeping 5 entries behind a snapshot; member 1 leads. */
static void
start_compacting_3(unsigned all)
{
	struct setup s;

	setup_init(&s, 3);
	for (uint64_t id = 1; id <= 3; id++)
		s.cfg[id].catchup_entries = 5;
	start_with(&s);
	elect(1, all);
}

static void
test_snapshot_install_then_catch_up(void)
{
	const unsigned all = group_upto(3);
	struct raft_snapshot_marker marker;
	unsigned snapshots = 0;
	start_compacting_3(all);
	rounds(1, all, 2);
	marker = snapshot_while_cut_off();
	beat(1);
	for (int i = 0; i < 1000 && nqueue > 0; i++) {
		bool snap = queue[0].m.type == RMSG_SNAPSHOT;

		deliver(all, ALL_TYPES, 1);
		if (!snap)
			continue;
		/* Installed: applied jumps to the snapshot, nothing before it
		 * applied one by one. */
		snapshots++;
		CU_ASSERT_EQUAL(seen[3].snapshots, 1);
		CU_ASSERT_EQUAL(seen[3].snapshot.index, marker.index);
		CU_ASSERT_EQUAL(seen[3].snapshot.term, marker.term);
		CU_ASSERT_EQUAL(seen[3].snapshot.conf.n, 3);
		CU_ASSERT_EQUAL(seen[3].applied, marker.index);
		CU_ASSERT_EQUAL(seen[3].applied_term[marker.index], 0);
	}
	CU_ASSERT_EQUAL(snapshots, 1);
	rounds(1, all, 2);
	CU_ASSERT_EQUAL(last_index(3), last_index(1));
	CU_ASSERT_EQUAL(last_term(3), last_term(1));
	CU_ASSERT_EQUAL(seen[3].applied, cores[1].hs.commit);
	CU_ASSERT_EQUAL(seen[3].applied_term[marker.index + 1], cores[1].hs.term);
	CU_ASSERT(applied_agree());
	stop();
}

/* Every member holds the whole log, compacted on member 2 behind a
 * snapshot. Member 2, elected, starts each follower's next index after
 * its last entry (thesis figure 3.1), so nobody is sent the snapshot, and
 * one round of appends brings everyone its no-op. */
static void
test_new_leader_probes_from_its_last_index(void)
{
	const unsigned all = group_upto(3);
	struct raft_snapshot_marker marker;
	start_compacting_3(all);
	for (int i = 0; i < 20; i++)
		CU_ASSERT_EQUAL(propose(1, "x"), 0);
	rounds(1, all, 2);
	CU_ASSERT_EQUAL_FATAL(seen[2].applied, 21);
	CU_ASSERT_EQUAL_FATAL(rcore_compact(&cores[2], 21, 1, &marker), 0);
	elect(2, all);
	rounds(2, all, 1);
	CU_ASSERT_EQUAL(sent[RMSG_SNAPSHOT], 0);
	CU_ASSERT(log_matches(1, 2));
	CU_ASSERT(log_matches(3, 2));
	CU_ASSERT_EQUAL(cores[2].hs.commit, 22);
	stop();
}

/* Member 3 never answers: the leader keeps at most max_inflight = 4
 * appends with entries outstanding to it, over 50 proposals. */
static void
test_flow_max_inflight(void)
{
	const unsigned all = group_upto(3);
	unsigned appends = 0;
	struct setup s;

	setup_init(&s, 3);
	s.cfg[1].max_inflight = 4;
	start_with(&s);
	elect(1, all);
	rounds(1, all, 2);
	CU_ASSERT_EQUAL(progress_of(1, 3)->state, RCORE_PR_REPLICATE);
	for (int i = 0; i < 50; i++) {
		CU_ASSERT_EQUAL(propose(1, "x"), 0);
		if (i % 5 == 4)
			beat(1);
		for (unsigned k = 0; k < nqueue; k++)
			appends += queue[k].m.type == RMSG_APPEND && queue[k].m.to == 3 &&
			    queue[k].m.n > 0;
		deliver(M(1) | M(2), ALL_TYPES, 0);
	}
	CU_ASSERT_EQUAL(appends, 4);
	CU_ASSERT_EQUAL(cores[1].hs.commit, 51);
	stop();
}

/* Delivers everything in 'group' one by one; returns the most entries
 * one append to member 3 carried, and checks an entry over 100 bytes
 * travels alone. */
static size_t
deliver_watching_batches(unsigned group, bool *big_seen)
{
	size_t most = 0;

	for (int i = 0; i < 10000 && nqueue > 0; i++) {
		const struct rmsg *m = &queue[0].m;

		if (m->type == RMSG_APPEND && m->to == 3) {
			most = m->n > most ? m->n : most;
			for (size_t k = 0; k < m->n; k++)
				if (m->entries[k].len > 100) {
					*big_seen = true;
					CU_ASSERT_EQUAL(m->n, 1);
				}
		}
		deliver(group, ALL_TYPES, 1);
	}
	return most;
}

/* max_msg_bytes = 100 and entries of 40 bytes: two per append at most;
 * an entry of 150 bytes still goes, alone. */
static void
test_flow_max_msg_bytes(void)
{
	const unsigned all = group_upto(3);
	static const char small[] = "0123456789012345678901234567890123456789";
	char big[151];
	bool big_seen = false;
	struct setup s;

	memset(big, 'b', 150);
	big[150] = '\0';
	setup_init(&s, 3);
	s.cfg[1].max_msg_bytes = 100;
	start_with(&s);
	elect(1, all);
	rounds(1, all, 2);
	for (int i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(propose(1, small), 0);
	CU_ASSERT_EQUAL(propose(1, big), 0);
	CU_ASSERT_EQUAL(propose(1, small), 0);
	deliver(M(1) | M(2), ALL_TYPES, 0); /* member 3 misses all of them */
	beat(1);
	CU_ASSERT_EQUAL(deliver_watching_batches(all, &big_seen), 2);
	CU_ASSERT(big_seen);
	CU_ASSERT(log_matches(3, 1));
	stop();
}

/* Member 3's answers to appends are lost, its answers to heartbeats are
 * not: in probe state, it gets exactly one append per heartbeat round. */
static void
test_flow_probe_one_per_heartbeat(void)
{
	const unsigned all = group_upto(3);

	start(3);
	elect(1, all);
	for (int round = 0; round < 5; round++) {
		unsigned appends = 0;

		for (int i = 0; i < 3; i++)
			CU_ASSERT_EQUAL(propose(1, "x"), 0);
		beat(1);
		for (int i = 0; i < 1000 && nqueue > 0; i++) {
			appends += queue[0].m.type == RMSG_APPEND && queue[0].m.to == 3;
			if (queue[0].m.type == RMSG_APPEND_RESP && queue[0].m.from == 3)
				drop_at(0);
			else
				deliver(all, ALL_TYPES, 1);
		}
		CU_ASSERT_EQUAL(appends, 1);
	}
	CU_ASSERT_EQUAL(progress_of(1, 3)->state, RCORE_PR_PROBE);
	rounds(1, all, 2);
	CU_ASSERT_EQUAL(progress_of(1, 3)->state, RCORE_PR_REPLICATE);
	CU_ASSERT(log_matches(3, 1));
	stop();
}

/* In replicate state the last append to member 3 is lost; nothing more
 * is proposed, yet heartbeats bring it everything. */
static void
test_flow_lost_append_recovered(void)
{
	const unsigned all = group_upto(3);
	bool dropped = false;

	start(3);
	elect(1, all);
	rounds(1, all, 2);
	CU_ASSERT_EQUAL(progress_of(1, 3)->state, RCORE_PR_REPLICATE);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(propose(1, "x"), 0);
	for (unsigned k = nqueue; k-- > 0 && !dropped;) {
		if (queue[k].m.type == RMSG_APPEND && queue[k].m.to == 3 && queue[k].m.n > 0) {
			CU_ASSERT_EQUAL(queue[k].m.index + queue[k].m.n, last_index(1));
			drop_at(k);
			dropped = true;
		}
	}
	CU_ASSERT_FATAL(dropped);
	deliver(all, ALL_TYPES, 0);
	rounds(1, all, 3);
	CU_ASSERT(log_matches(3, 1));
	CU_ASSERT_EQUAL(cores[3].hs.commit, last_index(1));
	stop();
}

/* n members, a quorum q of them up: a write commits. One fewer up: the
 * leader steps down, its last write never commits, nobody is elected and
 * proposals anywhere fail fast. */
static void
quorum_case(size_t n)
{
	const size_t q = n / 2 + 1;
	unsigned up = group_upto(q);
	uint64_t commit, term;

	start(n);
	elect(1, up);
	CU_ASSERT_EQUAL(propose(1, "w"), 0);
	rounds(1, up, 2);
	for (uint64_t id = 1; id <= q; id++)
		CU_ASSERT_EQUAL(cores[id].hs.commit, 2); /* no-op and write */
	if (q > 1) {
		up = group_upto(q - 1);
		commit = cores[1].hs.commit;
		term = cores[1].hs.term;
		CU_ASSERT_EQUAL(propose(1, "lost"), 0);
		for (int i = 0; i < 300; i++) {
			tick_all(up);
			for (uint64_t id = 1; id < q; id++)
				CU_ASSERT(cores[id].role != RCORE_LEADER || (id == 1 && cores[id].hs.term == term));
		}
		for (uint64_t id = 1; id < q; id++) {
			CU_ASSERT_NOT_EQUAL(cores[id].role, RCORE_LEADER);
			CU_ASSERT_EQUAL(cores[id].hs.commit, commit);
			CU_ASSERT_EQUAL(propose(id, "w"), CAIRN_ENOLEADER);
		}
	}
	stop();
}

static void
test_quorum_table(void)
{
	for (size_t n = 1; n <= HARNESS_MEMBERS_MAX; n += 2)
		quorum_case(n);
}

static CU_TestInfo scenario_tests[] = {
	{"figure 7: the leader brings every follower to its log",
	    test_figure7_leader_repairs_follower_logs},
	{"read index: a stale leader's read is refused", test_read_index_refused_on_stale_leader},
	{"read index: forwarded by a follower; no leader", test_read_index_forwarded_and_without_leader},
	{"transfer: a lagging target catches up, then leads", test_transfer_to_lagging_follower},
	{"transfer: learner, unknown, self, follower refused", test_transfer_refused},
	{"transfer: abandoned after an election timeout", test_transfer_abandoned},
	{"learner: receives the log, never votes or counts", test_learner_receives_but_never_counts},
	{"learner: promoted once caught up, then counts", test_learner_promotion},
	{"membership: one change at a time", test_conf_one_at_a_time},
	{"membership: a member that joins starts from a snapshot", test_join_takes_snapshot},
	{"membership: a follower forwards a change, told of a refusal", test_conf_forwarded},
	{"membership: a leader removing itself leaves for good", test_conf_leader_removes_itself},
	{"snapshot: install, then catch up", test_snapshot_install_then_catch_up},
	{"snapshot: none sent by a new leader to up-to-date followers",
	    test_new_leader_probes_from_its_last_index},
	{"flow: at most max_inflight appends outstanding", test_flow_max_inflight},
	{"flow: max_msg_bytes bounds an append's entries", test_flow_max_msg_bytes},
	{"flow: probe state sends one append per heartbeat", test_flow_probe_one_per_heartbeat},
	{"flow: a lost append in replicate state is recovered", test_flow_lost_append_recovered},
	{"quorum: 1/3/5/7 members commit with 1/2/3/4 up, not fewer", test_quorum_table},
	CU_TEST_INFO_NULL,
};

/* A test stopped by a fatal assertion leaves its members open. */
static void
tear_down(void)
{
	stop();
}

static CU_SuiteInfo suites[] = {
	{"core scenarios", NULL, NULL, NULL, tear_down, scenario_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
