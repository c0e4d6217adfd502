/*
 * Tests: directed scenarios of the Raft core, driven message by message,
 * for cases random simulation rarely reaches (thesis figure 3.7, "figure
 * 8" of the Raft paper), plus the basic contract of the API.
 */
#include <CUnit/CUnit.h>

#include "raftd/alloc_heap.h"
#include "raftd/core.h"
#include "shared/err.h"
#include "tests/lib/runner.h"
#include "tests/unit/core_harness.h"

static void
test_single_member_commits_alone(void)
{
	start(1);
	elect(1, M(1));
	CU_ASSERT_EQUAL(rcore_propose(&cores[1], (const uint8_t *)"x", 1), 0);
	flush(1);
	/* No-op and proposal, durable on the only member: committed. */
	CU_ASSERT_EQUAL(cores[1].hs.commit, 2);
	CU_ASSERT_EQUAL(cores[1].applied, 2);
	stop();
}

static void
test_follower_proposal_fails_fast(void)
{
	start(3);
	CU_ASSERT_EQUAL(rcore_propose(&cores[2], (const uint8_t *)"x", 1), CAIRN_ENOLEADER);
	stop();
}

static void
test_replication_commits_on_majority(void)
{
	start(3);
	elect(1, M(1) | M(2) | M(3));
	CU_ASSERT_EQUAL(rcore_propose(&cores[1], (const uint8_t *)"x", 1), 0);
	flush(1);
	/* Only member 2 hears the leader: 2 of 3 is a majority. */
	beat(1);
	deliver(M(1) | M(2), ALL_TYPES, 0);
	CU_ASSERT_EQUAL(cores[1].hs.commit, 2);
	CU_ASSERT_EQUAL(rlog_last_index(&cores[3].log), 0);
	stop();
}

/*
 * Raft paper figure 8 (thesis figure 3.7). Member 1 leads term A and
 * leaves 70 entries on members 1 and 2 only. It is elected again in a
 * later term B (votes from 2 and 3) and its first append to member 3
 * carries 64 entries of term A, not its own no-op of term B. Members 1, 2
 * and 3 now hold them: a majority, but of an earlier term. Committing them
 * by counting replicas would be unsafe (member 5, with an entry of a term
 * between A and B at index 2, could still win and overwrite them), so the
 * commit index must not move.
 */
static void
test_figure8_no_commit_of_earlier_terms_by_counting(void)
{
	uint64_t commit_before;

	start(5);
	elect(1, M(1) | M(2) | M(3) | M(4) | M(5));
	beat(1);
	deliver(M(1) | M(2) | M(3) | M(4) | M(5), ALL_TYPES, 0); /* no-op at 1 committed */
	for (int i = 0; i < 70; i++)
		CU_ASSERT_EQUAL_FATAL(rcore_propose(&cores[1], (const uint8_t *)"a", 1), 0);
	flush(1);
	for (int i = 0; i < 3; i++) {
		beat(1);
		deliver(M(1) | M(2), ALL_TYPES, 0);
	}
	CU_ASSERT_EQUAL_FATAL(rlog_last_index(&cores[2].log), 71);
	/* Member 5 leads a term in between, alone, leaving its no-op at 2. */
	elect(5, M(3) | M(4) | M(5));
	deliver(0, 0, 0);
	CU_ASSERT_EQUAL_FATAL(rlog_last_index(&cores[5].log), 2);
	/* Member 1 restarts and is elected again, by 2 and 3; its appends are
	 * held back, then one heartbeat starts the exchanges. */
	restart(1);
	elect(1, M(1) | M(2) | M(3));
	CU_ASSERT_FATAL(cores[1].hs.term > cores[5].hs.term);
	commit_before = cores[1].hs.commit;
	beat(1);
	CU_ASSERT_EQUAL_FATAL(rlog_last_index(&cores[1].log), 72); /* 71 + no-op */
	/* Member 1 talks to 2 and 3 only, and 3 gets one batch: 64 entries.
	 * Member 2, which had them all, catches up to the no-op of term B. */
	for (int step = 0; step < 64 && nqueue > 0; step++) {
		for (unsigned i = 0; i < nqueue;) {
			const struct rmsg *m = &queue[i].m;
			bool with2 = (m->from == 1 && m->to == 2) || (m->from == 2 && m->to == 1);
			bool with3 = (m->from == 1 && m->to == 3) || (m->from == 3 && m->to == 1);

			if (with3 && m->to == 3 && rlog_last_index(&cores[3].log) >= 65)
				with3 = false;
			if (!with2 && !with3) {
				drop_at(i);
				continue;
			}
			i++;
		}
		deliver(M(1) | M(2) | M(3), ALL_TYPES, 1);
	}
	CU_ASSERT_EQUAL_FATAL(rlog_last_index(&cores[3].log), 65);
	CU_ASSERT_EQUAL(cores[1].prs[2].match, 65);
	CU_ASSERT_EQUAL(cores[1].prs[1].match, 72);
	/* Entries 2..65 of term A are on 1, 2 and 3; the no-op of term B only
	 * on 1 and 2. */
	CU_ASSERT_EQUAL(cores[1].hs.commit, commit_before);
	stop();
}

static void
test_check_quorum_step_down(void)
{
	start(3);
	elect(1, M(1) | M(2) | M(3));
	beat(1);
	deliver(M(1) | M(2) | M(3), ALL_TYPES, 0);
	/* Hearing from a quorum, it stays leader over many timeouts. */
	for (int i = 0; i < 50; i++) {
		beat(1);
		deliver(M(1) | M(2) | M(3), ALL_TYPES, 0);
	}
	CU_ASSERT_EQUAL(cores[1].role, RCORE_LEADER);
	/* Cut off from both followers: it steps down within two timeouts,
	 * in the same term, knowing no leader. */
	for (int i = 0; i < 20 && cores[1].role == RCORE_LEADER; i++) {
		beat(1);
		deliver(0, 0, 0);
	}
	CU_ASSERT_EQUAL(cores[1].role, RCORE_FOLLOWER);
	CU_ASSERT_EQUAL(cores[1].leader, 0);
	CU_ASSERT_EQUAL(rcore_propose(&cores[1], (const uint8_t *)"x", 1), CAIRN_ENOLEADER);
	stop();
}

/* Member 3 is cut off for many election timeouts, then rejoins. */
static uint64_t
isolate_and_rejoin(bool pre_vote)
{
	uint64_t term;

	for (uint64_t id = 1; id <= 3; id++)
		cores[id].cfg.pre_vote = pre_vote;
	elect(1, M(1) | M(2) | M(3));
	beat(1);
	deliver(M(1) | M(2) | M(3), ALL_TYPES, 0);
	term = cores[1].hs.term;
	for (int i = 0; i < 200; i++) {
		beat(1);
		rcore_tick(&cores[3]);
		flush(3);
		deliver(M(1) | M(2), ALL_TYPES, 0); /* 3's messages are lost */
	}
	for (int i = 0; i < 20; i++) {
		beat(1);
		rcore_tick(&cores[3]);
		flush(3);
		deliver(M(1) | M(2) | M(3), ALL_TYPES, 0);
	}
	return term;
}

static void
test_pre_vote_prevents_disruption(void)
{
	uint64_t term;

	start(3);
	term = isolate_and_rejoin(true);
	/* The rejoining member never raised its term: nothing was disturbed. */
	CU_ASSERT_EQUAL(cores[1].role, RCORE_LEADER);
	CU_ASSERT_EQUAL(cores[1].hs.term, term);
	CU_ASSERT_EQUAL(cores[3].hs.term, term);
	CU_ASSERT_EQUAL(cores[3].leader, 1);
	stop();
	/* Without pre-vote the same story deposes the leader: the test can tell. */
	start(3);
	term = isolate_and_rejoin(false);
	CU_ASSERT(cores[1].hs.term > term);
	stop();
}

/* Member 3 stops hearing the leader but still reaches everyone: its
 * pre-votes must be refused by members that do hear the leader. */
static void
test_pre_vote_refused_while_leader_alive(void)
{
	uint64_t term;
	unsigned prevotes = 0;

	start(3);
	for (uint64_t id = 1; id <= 3; id++)
		cores[id].cfg.pre_vote = true;
	elect(1, M(1) | M(2) | M(3));
	beat(1);
	deliver(M(1) | M(2) | M(3), ALL_TYPES, 0);
	term = cores[1].hs.term;
	for (int i = 0; i < 100; i++) {
		beat(1);
		rcore_tick(&cores[3]);
		flush(3);
		for (unsigned k = 0; k < nqueue;) {
			prevotes += queue[k].m.type == RMSG_PREVOTE && queue[k].m.from == 3;
			if (queue[k].m.from == 1 && queue[k].m.to == 3)
				drop_at(k);
			else
				k++;
		}
		deliver(M(1) | M(2) | M(3), ALL_TYPES, 0);
	}
	CU_ASSERT(prevotes > 0); /* it did try */
	CU_ASSERT_EQUAL(cores[1].role, RCORE_LEADER);
	CU_ASSERT_EQUAL(cores[1].hs.term, term);
	CU_ASSERT_EQUAL(cores[2].hs.term, term);
	stop();
}

/* A snapshot marker made durable without the hard state written after
 * it (power lost between the two): the snapshot counts as committed. */
static void
test_init_snapshot_beyond_commit(void)
{
	struct rcore c;
	struct rcore_config cfg = {.id = 1, .election_ticks = 10, .heartbeat_ticks = 1,
	    .alloc = alloc_heap};
	struct rcore_start s = {.hs = {.term = 2, .commit = 3},
	    .snap.meta = {.index = 9, .term = 2, .conf = {.n = 1, .m = {{.id = 1}}}},
	    .applied = 9};

	CU_ASSERT_EQUAL_FATAL(rcore_init(&c, &cfg, &s), 0);
	CU_ASSERT_EQUAL(c.hs.commit, 9);
	CU_ASSERT_EQUAL(rlog_last_index(&c.log), 9);
	rcore_close(&c);
	/* Applied beyond both is still refused. */
	s.applied = 10;
	CU_ASSERT_EQUAL(rcore_init(&c, &cfg, &s), CAIRN_EINVAL);
}

/* --max-request-bytes (plus the envelope) bounds what may be proposed. */
static void
test_propose_bound(void)
{
	struct rcore c;
	struct rcore_config cfg = {.id = 1, .election_ticks = 10, .heartbeat_ticks = 1,
	    .max_entry_bytes = 100, .alloc = alloc_heap};
	struct rcore_start s = {.snap.meta.conf = {.n = 1, .m = {{.id = 1}}}};
	uint8_t data[101] = {0};

	CU_ASSERT_EQUAL_FATAL(rcore_init(&c, &cfg, &s), 0);
	while (c.role != RCORE_LEADER) {
		rcore_tick(&c);
		while (rcore_has_update(&c)) {
			struct rcore_update u;

			rcore_update(&c, &u);
			rcore_advance(&c, &u);
		}
	}
	CU_ASSERT_EQUAL(rcore_propose(&c, data, 101), CAIRN_ETOOBIG);
	CU_ASSERT_EQUAL(rcore_propose(&c, data, 100), 0);
	rcore_close(&c);
}

static CU_TestInfo core_tests[] = {
	{"proposals above max_entry_bytes are refused", test_propose_bound},
	{"a snapshot beyond the recovered commit index counts as committed",
	    test_init_snapshot_beyond_commit},
	{"pre-vote: refused while the leader is alive", test_pre_vote_refused_while_leader_alive},
	{"pre-vote: a rejoining member does not disrupt", test_pre_vote_prevents_disruption},
	{"check-quorum: a cut-off leader steps down", test_check_quorum_step_down},
	{"a single member commits alone", test_single_member_commits_alone},
	{"a proposal on a follower fails fast", test_follower_proposal_fails_fast},
	{"replication commits on a majority", test_replication_commits_on_majority},
	{"figure 8: no commit of earlier terms by counting",
	    test_figure8_no_commit_of_earlier_terms_by_counting},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"core", NULL, NULL, NULL, NULL, core_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
