/*
 * Tests: directed scenarios of the Raft core, driven message by message,
 * for cases random simulation rarely reaches (thesis figure 3.7, "figure
 * 8" of the Raft paper), plus the basic contract of the API.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "raftd/alloc_heap.h"
#include "raftd/core.h"
#include "shared/err.h"
#include "tests/lib/runner.h"

#define N 5
#define QUEUE_MAX 4096

static struct rcore cores[N + 1]; /* by member id 1..N */
static struct {
	struct rmsg m;
	struct raft_entry *ents;
} queue[QUEUE_MAX];
static unsigned nqueue;

/* Queues a deep copy of m: its entries belong to the sender's log. */
static void
enqueue(const struct rmsg *m)
{
	struct raft_entry *e = m->n ? malloc(m->n * sizeof(*e)) : NULL;

	CU_ASSERT_FATAL(nqueue < QUEUE_MAX);
	for (size_t i = 0; i < m->n; i++) {
		e[i] = m->entries[i];
		if (e[i].len) {
			e[i].data = malloc(e[i].len);
			memcpy((void *)(uintptr_t)e[i].data, m->entries[i].data, e[i].len);
		}
	}
	queue[nqueue].m = *m;
	queue[nqueue].m.entries = e;
	queue[nqueue].ents = e;
	nqueue++;
}

static void
drop_at(unsigned i)
{
	for (size_t k = 0; k < queue[i].m.n; k++)
		free((void *)(uintptr_t)queue[i].ents[k].data);
	free(queue[i].ents);
	memmove(&queue[i], &queue[i + 1], (nqueue - i - 1) * sizeof(queue[0]));
	nqueue--;
}

/* Persists (nothing to do here), sends and applies one member's updates. */
static void
flush(uint64_t id)
{
	while (rcore_has_update(&cores[id])) {
		struct rcore_update u;

		rcore_update(&cores[id], &u);
		for (size_t i = 0; i < u.nmsgs; i++)
			enqueue(&u.msgs[i]);
		rcore_advance(&cores[id], &u);
	}
}

/* Voters 1..n, nothing persisted yet. */
static struct rcore_start
fresh_start(size_t n)
{
	struct rcore_start s = {.snap.meta.conf.n = (uint32_t)n};

	for (size_t i = 0; i < n; i++)
		s.snap.meta.conf.m[i].id = i + 1;
	return s;
}

static void
start(size_t n)
{
	struct rcore_start s = fresh_start(n);

	for (uint64_t id = 1; id <= n; id++) {
		struct rcore_config cfg = {.id = id, .election_ticks = 10, .heartbeat_ticks = 1,
		    .seed = runner_seed(), .check_quorum = true, .alloc = alloc_heap};

		CU_ASSERT_EQUAL_FATAL(rcore_init(&cores[id], &cfg, &s), 0);
	}
	nqueue = 0;
}

static void
stop(size_t n)
{
	while (nqueue > 0)
		drop_at(0);
	for (uint64_t id = 1; id <= n; id++)
		rcore_close(&cores[id]);
}

/* Delivers queued messages whose sender and receiver are both in 'group'
 * (a bit per member id) and whose type is in 'types' (a bit per type);
 * drops the others. 'max' bounds the deliveries (0: until quiet). */
static void
deliver(unsigned group, unsigned types, unsigned max)
{
	unsigned done = 0;

	while (nqueue > 0 && (max == 0 || done < max)) {
		struct rmsg m = queue[0].m;
		bool ok = (group >> m.from & 1) && (group >> m.to & 1) && (types >> m.type & 1);

		if (ok) {
			rcore_step(&cores[m.to], &m);
			flush(m.to);
			done++;
		}
		drop_at(0);
	}
}

#define ALL_TYPES ((1u << (RMSG_TYPE_LAST + 1)) - 1)
#define VOTES (1u << RMSG_VOTE | 1u << RMSG_VOTE_RESP | 1u << RMSG_PREVOTE | 1u << RMSG_PREVOTE_RESP)
#define M(id) (1u << (id))

/* Ticks member id until it campaigns, then runs the election in 'group'
 * with only vote messages passing; a lost election (a term where others
 * already voted) is tried again, as the timeout would. */
static void
elect(uint64_t id, unsigned group)
{
	for (int tries = 0; tries < 5 && cores[id].role != RCORE_LEADER; tries++) {
		uint64_t term = cores[id].hs.term;

		for (int i = 0; i < 100 && cores[id].hs.term == term &&
		    cores[id].role != RCORE_PRECANDIDATE; i++) {
			rcore_tick(&cores[id]);
			flush(id);
		}
		deliver(group, VOTES, 0);
	}
	CU_ASSERT_EQUAL_FATAL(cores[id].role, RCORE_LEADER);
}

/* Crash and restart: a new core from what the old one had made durable
 * (in these tests, everything it handed out). */
static void
restart(uint64_t id, size_t n)
{
	struct rcore fresh;
	struct rcore_config cfg = cores[id].cfg;
	struct rcore_start s = fresh_start(n);

	cfg.seed++;
	s.hs = cores[id].hs;
	s.ents = cores[id].log.ents;
	s.n = cores[id].log.len;
	CU_ASSERT_EQUAL_FATAL(rcore_init(&fresh, &cfg, &s), 0);
	rcore_close(&cores[id]);
	cores[id] = fresh;
}

/* One heartbeat of the leader: it (re)sends every follower what it lacks. */
static void
beat(uint64_t id)
{
	rcore_tick(&cores[id]);
	flush(id);
}

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
	stop(1);
}

static void
test_follower_proposal_fails_fast(void)
{
	start(3);
	CU_ASSERT_EQUAL(rcore_propose(&cores[2], (const uint8_t *)"x", 1), CAIRN_ENOLEADER);
	stop(3);
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
	stop(3);
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
	restart(1, 5);
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
	stop(5);
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
	stop(3);
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
	stop(3);
	/* Without pre-vote the same story deposes the leader: the test can tell. */
	start(3);
	term = isolate_and_rejoin(false);
	CU_ASSERT(cores[1].hs.term > term);
	stop(3);
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
	stop(3);
}

static CU_TestInfo core_tests[] = {
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
