/*
 * Tests: runs CUnit suites and prints one TAP line per test case, so that
 * automake's TAP driver counts every case in the final "N passed, M failed".
 */
#ifndef CAIRN_TEST_RUNNER_H
#define CAIRN_TEST_RUNNER_H

#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Runs 'suites' (a CU_SuiteInfo array ending in CU_SUITE_INFO_NULL).
 * Returns the exit status for main(): 0 when every case passed. */
int runner_run(CU_SuiteInfo *suites);

/* The seed for this run: CAIRN_TEST_SEED from the environment, or a fixed
 * default. Printed with every failure so a failing run reproduces. */
uint64_t runner_seed(void);

/* A small deterministic generator (splitmix64) for tests. */
uint64_t runner_rand(uint64_t *state);

/* Whether got[got_len] equals want[want_len]; when not, prints the bytes
 * got as a TAP comment, to compare with what etcd answered. */
bool runner_bytes_eq(const uint8_t *got, size_t got_len, const uint8_t *want,
    size_t want_len);

#endif
