/*
 * Tests: JSON-line logging: the fields etcd's zap logs have, in order,
 * escaping of anything a message or field may hold, and level filtering.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shared/log.h"
#include "tests/lib/runner.h"

static char out[2 * LOG_LINE_BYTES_MAX];

/* Runs 'emit' with stderr redirected and leaves what it wrote in 'out'. */
static void
capture(void (*emit)(void))
{
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	dup2(fileno(tmp), STDERR_FILENO);
	emit();
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
}

static void
emit_plain(void)
{
	log_init("netd", LOG_INFO);
	log_info("hello %d", 42);
}

static void
test_line_shape(void)
{
	capture(emit_plain);
	CU_ASSERT_EQUAL(strncmp(out, "{\"level\":\"info\",\"ts\":\"", 22), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Z\",\"caller\":\"tests/unit/test_log.c:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\",\"msg\":\"hello 42\",\"proc\":\"netd\",\"pid\":"));
	CU_ASSERT_EQUAL(out[strlen(out) - 2], '}');
	CU_ASSERT_EQUAL(strchr(out, '\n'), out + strlen(out) - 1);
}

static void
emit_escapes(void)
{
	struct log_fields f;

	log_init("stored", LOG_INFO);
	log_fields_init(&f);
	log_field_str(&f, "path", "a\"b\\c\nd\x01");
	log_field_int(&f, "n", -7);
	log_infof(&f, "quote \" backslash \\ tab \t");
}

static void
test_escaping_and_fields(void)
{
	capture(emit_escapes);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"msg\":\"quote \\\" backslash \\\\ tab \\u0009\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, ",\"path\":\"a\\\"b\\\\c\\u000ad\\u0001\",\"n\":-7}\n"));
	/* One line only: the newline in the field was escaped. */
	CU_ASSERT_EQUAL(strchr(out, '\n'), out + strlen(out) - 1);
}

static void
emit_filtered(void)
{
	log_init("raftd", LOG_WARN);
	log_info("not shown");
	log_debug("not shown either");
	log_warnx("shown");
	errno = ENOENT;
	log_warn("with errno");
}

static void
test_level_filter_and_errno(void)
{
	capture(emit_filtered);
	CU_ASSERT_PTR_NULL(strstr(out, "not shown"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"level\":\"warn\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"msg\":\"with errno\",\"proc\":\"raftd\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"error\":\"No such file or directory\""));
}

static void
emit_long(void)
{
	static char big[3 * LOG_LINE_BYTES_MAX];

	memset(big, 'x', sizeof(big) - 1);
	log_init("netd", LOG_INFO);
	log_info("%s", big);
}

static void
test_long_message_cut_not_split(void)
{
	capture(emit_long);
	CU_ASSERT(strlen(out) <= LOG_LINE_BYTES_MAX);
	CU_ASSERT_EQUAL(strchr(out, '\n'), out + strlen(out) - 1);
	CU_ASSERT_EQUAL(out[strlen(out) - 2], '}');
}

static void
test_level_names(void)
{
	static const char *const names[] = {"debug", "info", "warn", "error", "panic", "fatal"};
	enum log_level l;

	for (int i = 0; i < 6; i++) {
		CU_ASSERT_EQUAL(log_level_parse(names[i], &l), 0);
		CU_ASSERT_EQUAL((int)l, i);
	}
	CU_ASSERT_EQUAL(log_level_parse("verbose", &l), -1);
}

static CU_TestInfo log_tests[] = {
	{"line shape: level, ts, caller, msg, proc, pid", test_line_shape},
	{"escaping and fields", test_escaping_and_fields},
	{"level filter and errno", test_level_filter_and_errno},
	{"long message is cut, never split", test_long_message_cut_not_split},
	{"etcd's level names", test_level_names},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"log", NULL, NULL, NULL, NULL, log_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
