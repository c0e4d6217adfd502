/*
 * cairnctl: go-humanize's Bytes: base 1000, one decimal below 10 units,
 * rounded as it rounds (floor(x * 10 + 0.5) / 10).
 */
#include <math.h>
#include <stdio.h>

#include "ctl/humanize.h"

void
humanize_bytes(char *dst, size_t cap, uint64_t n)
{
	static const char *const sizes[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
	double e, val;

	if (n < 10) {
		snprintf(dst, cap, "%llu B", (unsigned long long)n);
		return;
	}
	e = floor(log((double)n) / log(1000.0));
	val = floor((double)n / pow(1000.0, e) * 10 + 0.5) / 10;
	snprintf(dst, cap, val < 10 ? "%.1f %s" : "%.0f %s", val, sizes[(int)e]);
}
