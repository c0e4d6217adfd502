/*
 * cairnctl: cheggaaa/pb.v1's progress bar as etcdctl's check commands
 * draw it ("\r" and the line again at each refresh; the bar's width from
 * the terminal's, none when there is no terminal).
 */
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "ctl/gotext.h"
#include "ctl/pbar.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

/* pb's DEFAULT_REFRESH_RATE. */
#define PBAR_REFRESH_MS 200
/* The widest line drawn (a terminal's columns at most). */
#define PBAR_LINE_BYTES_MAX 4096
#define PBAR_BOX_BYTES_MAX 64
#define NS_PER_SEC 1000000000LL

/* etcdctl's bar.Format("Bom !"): start, current, current's end, empty,
 * end. */
#define PBAR_START "B"
#define PBAR_CURRENT 'o'
#define PBAR_CURRENT_N 'm'
#define PBAR_EMPTY ' '
#define PBAR_END "!"

struct pbar {
	int64_t total, current, previous;
	int64_t start_ns, change_ns;
	bool finished;
	struct event *refresh;         /* owned */
};

/* pb's terminalWidth: the columns of /dev/tty (opened once, as pb's init
 * does), or of standard input when there is none; 0 when neither is a
 * terminal. */
static int
pbar_width(void)
{
	static int fd = -2;
	struct winsize ws;

	if (fd == -2) {
		fd = open("/dev/tty", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fd = STDIN_FILENO;
	}
	if (ioctl(fd, TIOCGWINSZ, &ws) != 0)
		return 0;
	return ws.ws_col;
}

/* pb's formatDuration of the time left: "%02dm%02ds", hours and days
 * before when there are any. */
static void
pbar_left(char *dst, size_t cap, int64_t ns)
{
	const int64_t hour = 3600 * NS_PER_SEC, day = 24 * hour;
	size_t n = 0;

	if (ns > day) {
		n += (size_t)snprintf(dst + n, cap - n, "%lldd", (long long)(ns / day));
		ns -= ns / day * day;
	}
	if (ns > hour) {
		n += (size_t)snprintf(dst + n, cap - n, "%lldh", (long long)(ns / hour));
		ns -= ns / hour * hour;
	}
	snprintf(dst + n, cap - n, "%02lldm%02llds", (long long)(ns / (60 * NS_PER_SEC)),
	    (long long)(ns % (60 * NS_PER_SEC) / NS_PER_SEC));
}

/* The bar itself, size cells wide: its start, current filled to curSize
 * (the last as CurrentN while some stays empty), empty, its end. */
static void
pbar_bar(char *dst, size_t cap, int64_t total, int64_t current, int size)
{
	int cur = (int)ceil((double)current / (double)total * size), empty;
	size_t n = 0;

	empty = size - cur;
	if (empty < 0)
		empty = 0;
	if (cur > size)
		cur = size;
	CAIRN_ASSERT((size_t)size + 3 <= cap);
	dst[n++] = PBAR_START[0];
	if (empty <= 0) {
		for (int i = 0; i < cur; i++)
			dst[n++] = PBAR_CURRENT;
	} else if (cur > 0) {
		for (int i = 0; i < cur - 1; i++)
			dst[n++] = PBAR_CURRENT;
		dst[n++] = PBAR_CURRENT_N;
	}
	for (int i = 0; i < empty; i++)
		dst[n++] = PBAR_EMPTY;
	dst[n++] = PBAR_END[0];
	dst[n] = '\0';
}

/* pb's write: the line for total and current, drawn unless finished. */
static void
pbar_write(struct pbar *b, bool final)
{
	char percent[PBAR_BOX_BYTES_MAX], counters[PBAR_BOX_BYTES_MAX];
	char left[PBAR_BOX_BYTES_MAX] = "", bar[PBAR_LINE_BYTES_MAX] = "";
	char out[PBAR_LINE_BYTES_MAX + 8 * PBAR_BOX_BYTES_MAX];
	int64_t now = ctl_now_ns(), from_start = now - b->start_ns;
	int width = pbar_width(), used, len;

	snprintf(percent, sizeof(percent), " %6.02f%%",
	    (double)b->current / ((double)b->total / 100));
	snprintf(counters, sizeof(counters), " %lld / %lld ", (long long)b->current,
	    (long long)b->total);
	if (final) {
		char d[GOTEXT_DURATION_BYTES];

		gotext_duration(d, sizeof(d), from_start / NS_PER_SEC * NS_PER_SEC);
		snprintf(left, sizeof(left), " %s", d);
	} else if (b->current > 0) {
		int64_t per = (b->change_ns - b->start_ns) / b->current;
		int64_t ns = (b->total - b->current) * per - (now - b->change_ns);

		ns = ns / NS_PER_SEC * NS_PER_SEC;
		if (ns > 0) {
			left[0] = ' ';
			pbar_left(left + 1, sizeof(left) - 1, ns);
		}
	}
	used = (int)(strlen(counters) + strlen(PBAR_START) + strlen(PBAR_END) + strlen(percent) +
	    strlen(left));
	if (width - used > 0 && width - used < PBAR_LINE_BYTES_MAX - 3)
		pbar_bar(bar, sizeof(bar), b->total, b->current, width - used);
	len = snprintf(out, sizeof(out), "%s%s%s%s", counters, bar, percent, left);
	if (b->finished)
		return;
	printf("\r%s%*s", out, len < width ? width - len : 0, "");
	fflush(stdout);
}

/* pb's Update: the time of a change noted, then the line drawn. */
static void
pbar_update(struct pbar *b)
{
	if (b->previous != b->current) {
		b->change_ns = ctl_now_ns();
		b->previous = b->current;
	}
	pbar_write(b, false);
}

static void
pbar_tick(evutil_socket_t fd, short what, void *arg)
{
	struct pbar *b = arg;
	struct timeval tv = { 0, PBAR_REFRESH_MS * 1000 };

	(void)fd;
	(void)what;
	pbar_update(b);
	evtimer_add(b->refresh, &tv);
}

struct pbar *
pbar_start(struct event_base *base, int64_t total)
{
	struct pbar *b = xcalloc(1, sizeof(*b));
	struct timeval tv = { 0, PBAR_REFRESH_MS * 1000 };

	CAIRN_ASSERT(total > 0);
	b->total = total;
	b->start_ns = ctl_now_ns();
	b->refresh = evtimer_new(base, pbar_tick, b);
	CAIRN_ASSERT(b->refresh != NULL);
	pbar_update(b);
	evtimer_add(b->refresh, &tv);
	return b;
}

void
pbar_add(struct pbar *b, int64_t n)
{
	b->current += n;
}

void
pbar_finish(struct pbar *b)
{
	if (b->finished)
		return;
	evtimer_del(b->refresh);
	pbar_write(b, true);
	b->finished = true;
	putchar('\n');
	fflush(stdout);
}

void
pbar_free(struct pbar *b)
{
	if (b == NULL)
		return;
	event_free(b->refresh);
	free(b);
}
