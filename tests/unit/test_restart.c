/*
 * Tests: the supervisor's restart policy (backoff, reset, crash loop).
 * Time is an input: no clock, no sleeps.
 */
#include <CUnit/CUnit.h>

#include "supervisor/restart.h"
#include "tests/lib/runner.h"

static void
test_backoff_doubles_to_five_seconds(void)
{
	struct restart_policy p;
	static const int64_t want[] = {100, 200, 400, 800, 1600, 3200, 5000, 5000};
	uint64_t now = 1000;

	restart_init(&p);
	restart_started(&p, now);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		/* Deaths 10 s apart: never 5 within 30 s, never 30 s up. */
		now += 10000;
		CU_ASSERT_EQUAL(restart_on_death(&p, now), want[i]);
		now += (uint64_t)want[i];
		restart_started(&p, now);
	}
}

static void
test_reset_after_thirty_seconds_up(void)
{
	struct restart_policy p;
	uint64_t now = 0;

	restart_init(&p);
	restart_started(&p, now);
	CU_ASSERT_EQUAL(restart_on_death(&p, now += 100), 100);
	restart_started(&p, now += 100);
	CU_ASSERT_EQUAL(restart_on_death(&p, now += 100), 200);
	restart_started(&p, now += 200);
	/* Up 30 s: the next death starts over at 100 ms. */
	CU_ASSERT_EQUAL(restart_on_death(&p, now += 30000), 100);
	restart_started(&p, now += 100);
	/* Up 29.999 s: no reset. */
	CU_ASSERT_EQUAL(restart_on_death(&p, now += 29999), 200);
}

static void
test_five_deaths_in_thirty_seconds_stop(void)
{
	struct restart_policy p;
	uint64_t now = 0;

	restart_init(&p);
	restart_started(&p, now);
	for (int i = 0; i < 4; i++) {
		int64_t d = restart_on_death(&p, now += 10);

		CU_ASSERT(d > 0);
		restart_started(&p, now += (uint64_t)d);
	}
	CU_ASSERT_EQUAL(restart_on_death(&p, now += 10), -1);
}

static void
test_five_deaths_spread_over_more_than_thirty_seconds(void)
{
	struct restart_policy p;
	uint64_t now = 0;

	restart_init(&p);
	restart_started(&p, now);
	/* Deaths every 7.6 s: the 5th is 30.4 s after the 1st. */
	for (int i = 0; i < 12; i++) {
		int64_t d = restart_on_death(&p, now += 7600);

		CU_ASSERT(d > 0);
		restart_started(&p, now);
	}
}

static CU_TestInfo restart_tests[] = {
	{"backoff doubles from 100 ms to 5 s", test_backoff_doubles_to_five_seconds},
	{"backoff resets after 30 s up", test_reset_after_thirty_seconds_up},
	{"5 deaths within 30 s stop the member", test_five_deaths_in_thirty_seconds_stop},
	{"5 deaths over more than 30 s do not", test_five_deaths_spread_over_more_than_thirty_seconds},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"restart", NULL, NULL, NULL, NULL, restart_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
