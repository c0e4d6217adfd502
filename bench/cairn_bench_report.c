/*
 * cairn-bench: the report of a run. Keeps latency samples per series and
 * errors per gRPC status code, and prints them as etcd's benchmark does
 * (its pkg/report: summary, a histogram with bars, the latency
 * distribution, the errors), plus percentiles per series, or as JSON.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cairn_bench.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

/* etcd's histogram: 10 buckets from fastest to slowest, bars of at most
 * 40 characters. */
#define REPORT_HIST_BUCKETS 10
#define REPORT_BAR_MAX 40
#define REPORT_BAR "\xe2\x88\x8e" /* U+220E, etcd's bar character */

/* etcd's percentiles, in its order. */
static const double report_pcts[] = { 10, 25, 50, 75, 90, 95, 99, 99.9 };
#define REPORT_PCTS (sizeof(report_pcts) / sizeof(report_pcts[0]))

static const char *const report_codes[BENCH_GRPC_CODES] = {
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
	"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
	"ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
	"UNAUTHENTICATED",
};

/* Figures of a set of samples, sorted. */
struct report_stats {
	uint64_t *ns;              /* owned, sorted */
	size_t n;
	uint64_t count, errors;
	double sum_s, sumsq_s, fastest_s, slowest_s;
};

void
report_init(struct bench_report *r, const char *command, bool precise)
{
	memset(r, 0, sizeof(*r));
	r->command = command;
	r->precise = precise;
	r->rng = 0x9e3779b97f4a7c15ull;
}

void
report_free(struct bench_report *r)
{
	for (unsigned i = 0; i < r->nseries; i++)
		free(r->series[i].ns);
	memset(r, 0, sizeof(*r));
}

unsigned
report_series(struct bench_report *r, const char *name, bool in_total)
{
	struct bench_series *s;

	CAIRN_ASSERT(r->nseries < BENCH_SERIES_MAX);
	s = &r->series[r->nseries];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->in_total = in_total;
	s->min_ns = UINT64_MAX;
	return r->nseries++;
}

void
report_observe(struct bench_report *r, unsigned series, uint64_t ns)
{
	struct bench_series *s;
	double sec = (double)ns / 1e9;

	CAIRN_ASSERT(series < r->nseries);
	s = &r->series[series];
	s->count++;
	s->sum_s += sec;
	s->sumsq_s += sec * sec;
	if (ns < s->min_ns)
		s->min_ns = ns;
	if (ns > s->max_ns)
		s->max_ns = ns;
	if (s->n < BENCH_SAMPLES_MAX) {
		if (s->n == s->cap) {
			s->cap = s->cap > 0 ? s->cap * 2 : 4096;
			if (s->cap > BENCH_SAMPLES_MAX)
				s->cap = BENCH_SAMPLES_MAX;
			s->ns = xrealloc(s->ns, s->cap * sizeof(*s->ns));
		}
		s->ns[s->n++] = ns;
		return;
	}
	/* Reservoir sampling (Vitter's algorithm R): the sample stays uniform. */
	{
		uint64_t j = drive_rand(&r->rng) % s->count;

		if (j < BENCH_SAMPLES_MAX)
			s->ns[j] = ns;
	}
}

void
report_error(struct bench_report *r, unsigned series, int code, const char *message)
{
	CAIRN_ASSERT(series < r->nseries);
	CAIRN_ASSERT(code != GC_OK);
	if (code < 0 || code >= BENCH_GRPC_CODES)
		code = GC_UNKNOWN;
	r->series[series].errors++;
	if (r->errors[code]++ == 0)
		snprintf(r->errmsg[code], sizeof(r->errmsg[code]), "%s", message);
}

void
report_counter(struct bench_report *r, const char *name, uint64_t add)
{
	unsigned i;

	for (i = 0; i < r->ncounters; i++)
		if (strcmp(r->counters[i].name, name) == 0)
			break;
	if (i == r->ncounters) {
		CAIRN_ASSERT(r->ncounters < BENCH_COUNTERS_MAX);
		snprintf(r->counters[i].name, sizeof(r->counters[i].name), "%s", name);
		r->counters[i].v = 0;
		r->ncounters++;
	}
	r->counters[i].v += add;
}

uint64_t
report_errors(const struct bench_report *r)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < BENCH_GRPC_CODES; i++)
		n += r->errors[i];
	return n;
}

static int
report_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The figures of one series (which >= 0) or of the summary's series. */
static void
report_stats(const struct bench_report *r, int which, struct report_stats *st)
{
	size_t n = 0, at = 0;
	uint64_t min = UINT64_MAX, max = 0;

	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < r->nseries; i++) {
		const struct bench_series *s = &r->series[i];

		if (which >= 0 ? (int)i != which : !s->in_total)
			continue;
		n += s->n;
		st->count += s->count;
		st->errors += s->errors;
		st->sum_s += s->sum_s;
		st->sumsq_s += s->sumsq_s;
		if (s->count > 0 && s->min_ns < min)
			min = s->min_ns;
		if (s->count > 0 && s->max_ns > max)
			max = s->max_ns;
	}
	st->ns = xmalloc((n > 0 ? n : 1) * sizeof(*st->ns));
	for (unsigned i = 0; i < r->nseries; i++) {
		const struct bench_series *s = &r->series[i];

		if (which >= 0 ? (int)i != which : !s->in_total)
			continue;
		if (s->n > 0)
			memcpy(st->ns + at, s->ns, s->n * sizeof(*s->ns));
		at += s->n;
	}
	st->n = n;
	qsort(st->ns, n, sizeof(*st->ns), report_cmp);
	st->fastest_s = st->count > 0 ? (double)min / 1e9 : 0;
	st->slowest_s = st->count > 0 ? (double)max / 1e9 : 0;
}

static double
report_secs(const struct bench_report *r)
{
	return r->t1_ns > r->t0_ns ? (double)(r->t1_ns - r->t0_ns) / 1e9 : 0;
}

static double
report_average(const struct report_stats *st)
{
	return st->count > 0 ? st->sum_s / (double)st->count : 0;
}

static double
report_stddev(const struct report_stats *st)
{
	double avg = report_average(st), var;

	if (st->count == 0)
		return 0;
	var = st->sumsq_s / (double)st->count - avg * avg;
	return var > 0 ? sqrt(var) : 0;
}

/* The p-th percentile: etcd's rule, the first sample at or past p% of
 * the sorted samples. */
static double
report_pct(const struct report_stats *st, double p)
{
	size_t i;

	if (st->n == 0)
		return 0;
	i = (size_t)ceil(p / 100.0 * (double)st->n);
	if (i >= st->n)
		i = st->n - 1;
	return (double)st->ns[i] / 1e9;
}

static void
report_sec(const struct bench_report *r, FILE *out, double sec)
{
	fprintf(out, r->precise ? "%g secs" : "%4.4f secs", sec);
}

/* etcd's "Response time histogram": bucket i holds samples up to
 * fastest + i * (slowest - fastest) / 10. */
static void
report_histogram(const struct bench_report *r, const struct report_stats *st, FILE *out,
    double *le, uint64_t *counts)
{
	double width = (st->slowest_s - st->fastest_s) / REPORT_HIST_BUCKETS;
	uint64_t max = 0;
	size_t b = 0;

	for (size_t i = 0; i < REPORT_HIST_BUCKETS; i++)
		le[i] = st->fastest_s + width * (double)i;
	le[REPORT_HIST_BUCKETS] = st->slowest_s;
	memset(counts, 0, (REPORT_HIST_BUCKETS + 1) * sizeof(*counts));
	for (size_t i = 0; i < st->n;) {
		if ((double)st->ns[i] / 1e9 <= le[b] || b == REPORT_HIST_BUCKETS) {
			if (++counts[b] > max)
				max = counts[b];
			i++;
		} else {
			b++;
		}
	}
	if (out == NULL)
		return;
	fprintf(out, "\nResponse time histogram:\n");
	for (size_t i = 0; i <= REPORT_HIST_BUCKETS; i++) {
		uint64_t bar = max > 0 ? counts[i] * REPORT_BAR_MAX / max : 0;

		fprintf(out, r->precise ? "  %g [%llu]\t|" : "  %4.4f [%llu]\t|", le[i],
		    (unsigned long long)counts[i]);
		for (uint64_t k = 0; k < bar; k++)
			fputs(REPORT_BAR, out);
		fputc('\n', out);
	}
}

static void
report_errors_text(const struct bench_report *r, FILE *out)
{
	if (report_errors(r) == 0)
		return;
	fprintf(out, "\nError distribution:\n");
	for (int c = 0; c < BENCH_GRPC_CODES; c++)
		if (r->errors[c] > 0)
			fprintf(out, "  [%llu]\t%s (%d): %s\n", (unsigned long long)r->errors[c],
			    report_codes[c], c, r->errmsg[c]);
}

/* The per-series table: one line a series. */
static void
report_series_text(const struct bench_report *r, FILE *out)
{
	double secs = report_secs(r);

	fprintf(out, "\nPer operation (latency in ms):\n");
	fprintf(out, "  %-10s %9s %7s %10s %8s %8s %8s %8s %8s %8s\n", "op", "ok", "errors",
	    "ops/s", "average", "p50", "p90", "p99", "p99.9", "slowest");
	for (unsigned i = 0; i < r->nseries; i++) {
		struct report_stats st;

		if (r->series[i].count == 0 && r->series[i].errors == 0)
			continue; /* a side series with nothing to show (k8s's watch) */
		report_stats(r, (int)i, &st);
		fprintf(out, "  %-10s %9llu %7llu %10.1f %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f\n",
		    r->series[i].name, (unsigned long long)st.count,
		    (unsigned long long)st.errors, secs > 0 ? (double)st.count / secs : 0,
		    report_average(&st) * 1e3, report_pct(&st, 50) * 1e3,
		    report_pct(&st, 90) * 1e3, report_pct(&st, 99) * 1e3,
		    report_pct(&st, 99.9) * 1e3, st.slowest_s * 1e3);
		free(st.ns);
	}
}

void
report_print_text(const struct bench_report *r, FILE *out)
{
	struct report_stats st;
	double secs = report_secs(r), le[REPORT_HIST_BUCKETS + 1];
	uint64_t counts[REPORT_HIST_BUCKETS + 1];

	report_stats(r, -1, &st);
	fprintf(out, "\nSummary:\n");
	fprintf(out, "  Total:\t");
	report_sec(r, out, secs);
	fprintf(out, ".\n  Requests:\t%llu (%llu ok, %llu errors).\n",
	    (unsigned long long)(st.count + st.errors), (unsigned long long)st.count,
	    (unsigned long long)st.errors);
	fprintf(out, "  Slowest:\t");
	report_sec(r, out, st.slowest_s);
	fprintf(out, ".\n  Fastest:\t");
	report_sec(r, out, st.fastest_s);
	fprintf(out, ".\n  Average:\t");
	report_sec(r, out, report_average(&st));
	fprintf(out, ".\n  Stddev:\t");
	report_sec(r, out, report_stddev(&st));
	fprintf(out, r->precise ? ".\n  Requests/sec:\t%g\n" : ".\n  Requests/sec:\t%4.4f\n",
	    secs > 0 ? (double)st.count / secs : 0);
	if (st.count > 0) {
		report_histogram(r, &st, out, le, counts);
		fprintf(out, "\nLatency distribution:\n");
		for (size_t i = 0; i < REPORT_PCTS; i++) {
			fprintf(out, "  %g%% in ", report_pcts[i]);
			report_sec(r, out, report_pct(&st, report_pcts[i]));
			fprintf(out, ".\n");
		}
	}
	if (r->nseries > 1)
		report_series_text(r, out);
	if (r->ncounters > 0) {
		fprintf(out, "\nCounters:\n");
		for (unsigned i = 0; i < r->ncounters; i++)
			fprintf(out, "  %s:\t%llu\n", r->counters[i].name,
			    (unsigned long long)r->counters[i].v);
	}
	report_errors_text(r, out);
	free(st.ns);
}

/* {"fastest":...,"p99.9":...}: the latency figures of st, in seconds. */
static void
report_latency_json(const struct report_stats *st, FILE *out)
{
	fprintf(out, "{\"fastest\":%.9f,\"slowest\":%.9f,\"average\":%.9f,\"stddev\":%.9f",
	    st->fastest_s, st->slowest_s, report_average(st), report_stddev(st));
	for (size_t i = 0; i < REPORT_PCTS; i++)
		fprintf(out, ",\"p%g\":%.9f", report_pcts[i], report_pct(st, report_pcts[i]));
	fputc('}', out);
}

/* A JSON string: s[n] escaped. */
static void
report_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void
report_ops_json(const struct bench_report *r, FILE *out)
{
	double secs = report_secs(r);

	fprintf(out, ",\"ops\":{");
	for (unsigned i = 0; i < r->nseries; i++) {
		struct report_stats st;

		report_stats(r, (int)i, &st);
		fprintf(out, "%s", i > 0 ? "," : "");
		report_json_str(out, r->series[i].name);
		fprintf(out, ":{\"in_total\":%s,\"ok\":%llu,\"errors\":%llu,"
		    "\"requests_per_sec\":%.3f,\"latency_s\":", r->series[i].in_total ? "true" :
		    "false", (unsigned long long)st.count, (unsigned long long)st.errors,
		    secs > 0 ? (double)st.count / secs : 0);
		report_latency_json(&st, out);
		fputc('}', out);
		free(st.ns);
	}
	fputc('}', out);
}

void
report_print_json(const struct bench_report *r, FILE *out)
{
	struct report_stats st;
	double secs = report_secs(r), le[REPORT_HIST_BUCKETS + 1];
	uint64_t counts[REPORT_HIST_BUCKETS + 1];
	bool first = true;

	report_stats(r, -1, &st);
	fprintf(out, "{\"command\":");
	report_json_str(out, r->command);
	fprintf(out, ",\"total\":%llu,\"ok\":%llu,\"errors\":%llu,\"duration_s\":%.6f,"
	    "\"requests_per_sec\":%.3f,\"latency_s\":", (unsigned long long)(st.count + st.errors),
	    (unsigned long long)st.count, (unsigned long long)report_errors(r), secs,
	    secs > 0 ? (double)st.count / secs : 0);
	report_latency_json(&st, out);
	fprintf(out, ",\"histogram\":[");
	if (st.count > 0) {
		report_histogram(r, &st, NULL, le, counts);
		for (size_t i = 0; i <= REPORT_HIST_BUCKETS; i++)
			fprintf(out, "%s{\"le_s\":%.9f,\"count\":%llu}", i > 0 ? "," : "", le[i],
			    (unsigned long long)counts[i]);
	}
	fprintf(out, "],\"errors_by_code\":{");
	for (int c = 0; c < BENCH_GRPC_CODES; c++) {
		if (r->errors[c] == 0)
			continue;
		fprintf(out, "%s\"%s\":{\"code\":%d,\"count\":%llu,\"message\":", first ? "" : ",",
		    report_codes[c], c, (unsigned long long)r->errors[c]);
		report_json_str(out, r->errmsg[c]);
		fputc('}', out);
		first = false;
	}
	fputc('}', out);
	report_ops_json(r, out);
	fprintf(out, ",\"counters\":{");
	for (unsigned i = 0; i < r->ncounters; i++) {
		fprintf(out, "%s", i > 0 ? "," : "");
		report_json_str(out, r->counters[i].name);
		fprintf(out, ":%llu", (unsigned long long)r->counters[i].v);
	}
	fprintf(out, "}}\n");
	free(st.ns);
}
