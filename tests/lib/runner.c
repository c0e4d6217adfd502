/*
 * Tests: CUnit runner with TAP output ("ok N - suite: case"). Failures are
 * printed as TAP diagnostics with file, line and the failed condition.
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/runner.h"

static unsigned runner_n;

uint64_t
runner_seed(void)
{
	const char *s = getenv("CAIRN_TEST_SEED");

	return s ? strtoull(s, NULL, 0) : 0x5eedc0ffeeULL;
}

uint64_t
runner_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
on_complete(const CU_pTest test, const CU_pSuite suite,
    const CU_pFailureRecord fail)
{
	runner_n++;
	if (fail == NULL) {
		printf("ok %u - %s: %s\n", runner_n, suite->pName, test->pName);
	} else {
		printf("not ok %u - %s: %s\n", runner_n, suite->pName, test->pName);
		for (CU_pFailureRecord f = fail; f != NULL; f = f->pNext)
			printf("# %s:%u: %s\n", f->strFileName, f->uiLineNumber,
			    f->strCondition);
		printf("# CAIRN_TEST_SEED=%#" PRIx64 "\n", runner_seed());
	}
	fflush(stdout);
}

static void
on_suite_init_failure(const CU_pSuite suite)
{
	runner_n++;
	printf("not ok %u - %s: suite set-up failed\n", runner_n, suite->pName);
}

int
runner_run(CU_SuiteInfo *suites)
{
	unsigned failed;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (CU_initialize_registry() != CUE_SUCCESS ||
	    CU_register_suites(suites) != CUE_SUCCESS) {
		printf("Bail out! CUnit: %s\n", CU_get_error_msg());
		return 1;
	}
	CU_set_test_complete_handler(on_complete);
	CU_set_suite_init_failure_handler(on_suite_init_failure);
	CU_run_all_tests();
	printf("1..%u\n", runner_n);
	failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}

bool
runner_bytes_eq(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
	if (got_len == want_len && (got_len == 0 || memcmp(got, want, got_len) == 0))
		return true;
	printf("# got %zu bytes:", got_len);
	for (size_t i = 0; i < got_len; i++)
		printf(" %02x", got[i]);
	printf("\n");
	return false;
}
