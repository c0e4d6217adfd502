/*
 * Tests: cairnctl's table writer (ctl/tablew.c, tablewriter 0.0.5 as
 * etcdctl 3.4 uses it) and Go's texts (ctl/gotext.c). The expected
 * outputs were made by the Go originals: tablewriter (Debian's
 * golang-github-olekukonko-tablewriter-dev, the one etcdctl is built
 * with), time.Duration.String and strconv.ParseUint, for the same input.
 */
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/gotext.h"
#include "ctl/tablew.h"
#include "tests/lib/runner.h"

/* The most columns a case has. */
#define CASE_COLUMNS_MAX 6
#define CASE_ROWS_MAX 2

struct table_case {
	size_t ncols, nrows;
	const char *hdr[CASE_COLUMNS_MAX];
	const char *rows[CASE_ROWS_MAX][CASE_COLUMNS_MAX];
};

static const struct table_case cases[] = {
	{ 6, 2, { "ID", "Status", "Name", "Peer Addrs", "Client Addrs", "Is Learner" },
	  { { "8e9e05c52164694d", "started", "default", "http://localhost:2380",
	      "http://127.0.0.1:2379", "false" },
	    { "1f2", "unstarted", "", "http://127.0.0.1:1,http://127.0.0.1:2", "", "true" } } },
	{ 4, 2, { "endpoint", "health", "took", "error" },
	  { { "127.0.0.1:1", "false", "",
	      "etcdserver: authentication failed, invalid user ID or password" },
	    { "127.0.0.1:2", "true", "812.345\302\265s", "" } } },
	{ 2, 1, { "endpoint", "errors" },
	  { { "a", "memberID:10276657743932975437 alarm:NOSPACE , memberID:1 alarm:CORRUPT " } } },
	/* CJK (wide), combining marks, a ZWJ sequence and a flag (one
	 * grapheme each), ANSI colours (no width); Title's '_' and '.'. */
	{ 4, 1, { "a_b.c", "x.1", "..", " _ " },
	  { { "\346\227\245\346\234\254\350\252\236", "e\314\201\314\201",
	      "\360\237\221\250\342\200\215\360\237\221\251 \360\237\207\253\360\237\207\267",
	      "\033[31mred\033[0m" } } },
	{ 4, 0, { "hash", "revision", "total keys", "total size" }, { { NULL } } },
	/* Newlines as spaces, double spaces kept, minimum raggedness. */
	{ 1, 2, { "multi" },
	  { { "two\nlines and  spaces" },
	    { "a b c d e f g h i j k l m n o p q r s t u v w x y z" } } },
};

/* What tablewriter draws for each case. */
static const char *const drawn[] = {
	"+------------------+-----------+---------+---------------------------------------+-----------------------+------------+\n"
	    "|        ID        |  STATUS   |  NAME   |              PEER ADDRS               |     CLIENT ADDRS      | IS LEARNER |\n"
	    "+------------------+-----------+---------+---------------------------------------+-----------------------+------------+\n"
	    "| 8e9e05c52164694d |   started | default |                 http://localhost:2380 | http://127.0.0.1:2379 |      false |\n"
	    "|              1f2 | unstarted |         | http://127.0.0.1:1,http://127.0.0.1:2 |                       |       true |\n"
	    "+------------------+-----------+---------+---------------------------------------+-----------------------+------------+\n",
	"+-------------+--------+-----------+--------------------------------+\n"
	    "|  ENDPOINT   | HEALTH |   TOOK    |             ERROR              |\n"
	    "+-------------+--------+-----------+--------------------------------+\n"
	    "| 127.0.0.1:1 |  false |           |     etcdserver: authentication |\n"
	    "|             |        |           |     failed, invalid user ID or |\n"
	    "|             |        |           |                       password |\n"
	    "| 127.0.0.1:2 |   true | 812.345\302\265s |                                |\n"
	    "+-------------+--------+-----------+--------------------------------+\n",
	"+----------+--------------------------------+\n"
	    "| ENDPOINT |             ERRORS             |\n"
	    "+----------+--------------------------------+\n"
	    "|        a |  memberID:10276657743932975437 |\n"
	    "|          |     alarm:NOSPACE , memberID:1 |\n"
	    "|          |                 alarm:CORRUPT  |\n"
	    "+----------+--------------------------------+\n",
	"+--------+-----+------+-----+\n"
	    "| A B C  | X 1 |  .   |     |\n"
	    "+--------+-----+------+-----+\n"
	    "| \346\227\245\346\234\254\350\252\236 |   e\314\201\314\201 | \360\237\221\250\342\200\215\360\237\221\251 \360\237\207\253\360\237\207\267 | \033[31mred\033[0m |\n"
	    "+--------+-----+------+-----+\n",
	"+------+----------+------------+------------+\n"
	    "| HASH | REVISION | TOTAL KEYS | TOTAL SIZE |\n"
	    "+------+----------+------------+------------+\n"
	    "+------+----------+------------+------------+\n",
	"+--------------------------------+\n"
	    "|             MULTI              |\n"
	    "+--------------------------------+\n"
	    "|                 two lines and  |\n"
	    "|                         spaces |\n"
	    "|  a b c d e f g h i j k l m n o |\n"
	    "|          p q r s t u v w x y z |\n"
	    "+--------------------------------+\n",
};

static void
test_tables(void)
{
	CU_ASSERT_EQUAL_FATAL(sizeof(cases) / sizeof(cases[0]), sizeof(drawn) / sizeof(drawn[0]));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct table_case *c = &cases[i];
		struct tablew *t = tablew_new(c->ncols, c->hdr);
		char *text = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&text, &len);

		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		for (size_t r = 0; r < c->nrows; r++)
			tablew_append(t, c->rows[r]);
		tablew_render(t, out);
		fclose(out);
		tablew_free(t);
		if (!runner_bytes_eq((const uint8_t *)text, len, (const uint8_t *)drawn[i],
		    strlen(drawn[i])))
			CU_FAIL("a table not drawn as tablewriter draws it");
		free(text);
	}
}

static void
test_widths(void)
{
	/* go-runewidth: wide CJK, a cluster of combining marks, an emoji ZWJ
	 * sequence, a regional-indicator flag, a control character. */
	CU_ASSERT_EQUAL(tablew_width("abc", 3), 3);
	CU_ASSERT_EQUAL(tablew_width("\346\227\245\346\234\254", 6), 4);
	CU_ASSERT_EQUAL(tablew_width("e\314\201\314\201", 5), 1);
	CU_ASSERT_EQUAL(tablew_width("\360\237\221\250\342\200\215\360\237\221\251", 11), 2);
	CU_ASSERT_EQUAL(tablew_width("\360\237\207\253\360\237\207\267", 8), 1);
	CU_ASSERT_EQUAL(tablew_width("a\tb", 3), 2);
	CU_ASSERT_EQUAL(tablew_width("\033[1;31mx\033[0m", 12), 1);
	CU_ASSERT_EQUAL(tablew_width_runes("\033[0m", 4), 3);
	/* Invalid UTF-8: one replacement character per byte. */
	CU_ASSERT_EQUAL(tablew_width("\377\376", 2), 2);
}

static const struct {
	int64_t ns;
	const char *text;
} durations[] = {
	{ 0, "0s" },
	{ 1, "1ns" },
	{ 999, "999ns" },
	{ 1000, "1\302\265s" },
	{ 1500, "1.5\302\265s" },
	{ 812345, "812.345\302\265s" },
	{ 999999, "999.999\302\265s" },
	{ 1000000, "1ms" },
	{ 1500000, "1.5ms" },
	{ 999999999, "999.999999ms" },
	{ 1000000000, "1s" },
	{ 61000000000, "1m1s" },
	{ 3723500000000, "1h2m3.5s" },
	{ -1500, "-1.5\302\265s" },
	{ 5000736021, "5.000736021s" },
};

static void
test_durations(void)
{
	char buf[GOTEXT_DURATION_BYTES];

	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		gotext_duration(buf, sizeof(buf), durations[i].ns);
		CU_ASSERT_STRING_EQUAL(buf, durations[i].text);
	}
}

static const struct {
	const char *in;
	uint64_t v;
	const char *err;        /* "": parsed */
} hexes[] = {
	{ "8e9e05c52164694d", UINT64_C(10276657743932975437), "" },
	{ "FFFFFFFFFFFFFFFF", UINT64_C(18446744073709551615), "" },
	{ "", UINT64_C(0), "strconv.ParseUint: parsing \"\": invalid syntax" },
	{ "zz", UINT64_C(0), "strconv.ParseUint: parsing \"zz\": invalid syntax" },
	{ "0x12", UINT64_C(0), "strconv.ParseUint: parsing \"0x12\": invalid syntax" },
	{ "-1", UINT64_C(0), "strconv.ParseUint: parsing \"-1\": invalid syntax" },
	{ "1ffffffffffffffff", UINT64_C(18446744073709551615), "strconv.ParseUint: parsing \"1ffffffffffffffff\": value out of range" },
	{ "fffffffffffffffffz", UINT64_C(18446744073709551615), "strconv.ParseUint: parsing \"fffffffffffffffffz\": value out of range" },
	{ "g", UINT64_C(0), "strconv.ParseUint: parsing \"g\": invalid syntax" },
	{ "a\011b", UINT64_C(0), "strconv.ParseUint: parsing \"a\\tb\": invalid syntax" },
	{ "\303\251", UINT64_C(0), "strconv.ParseUint: parsing \"\303\251\": invalid syntax" },
};

static void
test_parse_hex(void)
{
	char err[256];

	for (size_t i = 0; i < sizeof(hexes) / sizeof(hexes[0]); i++) {
		uint64_t v = 0;
		int rc = gotext_parse_hex(hexes[i].in, &v, err, sizeof(err));

		if (hexes[i].err[0] == '\0') {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_EQUAL(v, hexes[i].v);
		} else {
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT_STRING_EQUAL(err, hexes[i].err);
		}
	}
}

static CU_TestInfo tablew_tests[] = {
	{"tables as tablewriter draws them", test_tables},
	{"display widths", test_widths},
	{"time.Duration.String", test_durations},
	{"strconv.ParseUint(s, 16, 64)", test_parse_hex},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"tablew", NULL, NULL, NULL, NULL, tablew_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
