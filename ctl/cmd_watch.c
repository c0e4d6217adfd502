/*
 * cairnctl: watch (etcdctl's watch_command.go): its arguments read again
 * from the command line as etcdctl reads os.Args ("--" and an
 * exec-command, ETCDCTL_WATCH_KEY and ETCDCTL_WATCH_RANGE_END), the
 * watch's answers printed as they come (and the command run for each
 * event), and -i: watch and progress requests read line by line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctl/commands.h"
#include "ctl/goexec.h"
#include "ctl/goquote.h"
#include "ctl/print.h"
#include "ctl/watcher.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

/* The longest line -i reads, and what it reads at a time. */
#define WATCH_LINE_BYTES_MAX (64u << 20)
#define WATCH_READ_BYTES 65536

/* etcdctl's argument errors (watch_command.go). */
#define WATCH_ERR_ARGS "bad number of arguments"
#define WATCH_ERR_ENV "bad number of arguments (found conflicting environment key)"
#define WATCH_ERR_SEP "bad number of arguments (found separator --, but no commands)"

struct watch_opts {
	bool interactive, prefix, prev_kv;
	int64_t rev;
};

/* The command line's flags, and those of the current -i line (etcdctl
 * parses each with a flag set of the watch command's own). */
static struct watch_opts watch_opt, watch_line;

struct ctl_flag watch_flags[] = {
	{ "interactive", 'i', CTL_FLAG_BOOL, "false", "Interactive mode", &watch_opt.interactive,
	  false },
	{ "prefix", 0, CTL_FLAG_BOOL, "false", "Watch on a prefix if prefix is set",
	  &watch_opt.prefix, false },
	{ "prev-kv", 0, CTL_FLAG_BOOL, "false",
	  "get the previous key-value pair before the event happens", &watch_opt.prev_kv, false },
	{ "rev", 0, CTL_FLAG_INT64, "0", "Revision to start watching", &watch_opt.rev, false },
	{ 0 },
};

static struct ctl_flag watch_line_flags[] = {
	{ "interactive", 'i', CTL_FLAG_BOOL, "false", "Interactive mode", &watch_line.interactive,
	  false },
	{ "prefix", 0, CTL_FLAG_BOOL, "false", "Watch on a prefix if prefix is set",
	  &watch_line.prefix, false },
	{ "prev-kv", 0, CTL_FLAG_BOOL, "false",
	  "get the previous key-value pair before the event happens", &watch_line.prev_kv, false },
	{ "rev", 0, CTL_FLAG_INT64, "0", "Revision to start watching", &watch_line.rev, false },
	{ 0 },
};

/* A watch's channel: its exec-command (owned copies), and whether it
 * closed. Every channel stays on watch_chs until the end. */
struct watch_ch {
	SLIST_ENTRY(watch_ch) entry;
	struct watcher_sub *ws;
	char **exec;
	size_t nexec;
	bool closed;
};

/* An answer waiting to be printed (owned copies), in arrival order:
 * printing and commands run in the main flow, never inside the loop's
 * callbacks, as etcdctl's printing goroutine runs apart. */
struct watch_item {
	STAILQ_ENTRY(watch_item) entry;
	struct watch_ch *ch;
	uint8_t *msg;
	struct watcher_resp r;
	char err[WATCHER_ERR_BYTES_MAX];
};

static STAILQ_HEAD(, watch_item) watch_queue = STAILQ_HEAD_INITIALIZER(watch_queue);
static SLIST_HEAD(, watch_ch) watch_chs = SLIST_HEAD_INITIALIZER(watch_chs);

static const char *const watch_env_names[] = {
	"ETCDCTL_WATCH_KEY", "ETCDCTL_WATCH_RANGE_END", NULL,
};

/* A list of borrowed strings. */
struct watch_args {
	char **v;
	size_t n;
};

static void
watch_resp(void *arg, const struct watcher_resp *r)
{
	struct watch_item *it = xcalloc(1, sizeof(*it));

	it->ch = arg;
	it->r = *r;
	it->msg = xmalloc(r->msg.n + 1);
	if (r->msg.n > 0)
		memcpy(it->msg, r->msg.p, r->msg.n);
	it->r.msg = (struct pbv){ it->msg, r->msg.n, r->msg.present };
	snprintf(it->err, sizeof(it->err), "%s", r->err);
	it->r.err = it->err;
	STAILQ_INSERT_TAIL(&watch_queue, it, entry);
}

static void
watch_end(void *arg)
{
	struct watch_ch *ch = arg;

	ch->closed = true;
}

/* Go's %q of s, as a NUL-terminated string (owned). */
static char *
watch_quote(const uint8_t *p, size_t n)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	CAIRN_ASSERT(f != NULL);
	goquote_write(f, p, n);
	fclose(f);
	return s;
}

/* "NAME=" and Go's %q of p[n] (owned). */
static char *
watch_env_q(const char *name, const uint8_t *p, size_t n)
{
	char *q = watch_quote(p, n);
	size_t len = strlen(name) + strlen(q) + 2;
	char *e = xmalloc(len);

	snprintf(e, len, "%s=%s", name, q);
	free(q);
	return e;
}

/* printWatchCh's command for each event, with the event in
 * ETCD_WATCH_*; a failure ends etcdctl with status 1. */
static void
watch_exec(const struct watch_item *it)
{
	char rev[64], err[GOEXEC_ERR_BYTES_MAX];
	struct pbv ev;
	size_t off = 0;

	snprintf(rev, sizeof(rev), "ETCD_WATCH_REVISION=%" PRId64,
	    watcher_header_revision(it->r.msg));
	while (pbv_next(it->r.msg, WATCHER_RESP_EVENTS, &off, &ev)) {
		struct pbv kv = pbv_bytes(ev, WATCHER_EV_KV), k = pbv_bytes(kv, 1), v = pbv_bytes(kv, 5);
		uint64_t t = pbv_varint(ev, WATCHER_EV_TYPE);
		char tname[32];
		char *extra[5];

		if (t == WATCHER_EV_PUT || t == WATCHER_EV_DELETE)
			snprintf(tname, sizeof(tname), "%s", t == WATCHER_EV_PUT ? "PUT" : "DELETE");
		else
			snprintf(tname, sizeof(tname), "%" PRId32, (int32_t)t);
		extra[0] = rev;
		extra[1] = watch_env_q("ETCD_WATCH_EVENT_TYPE", (const uint8_t *)tname, strlen(tname));
		extra[2] = watch_env_q("ETCD_WATCH_KEY", k.p, k.n);
		extra[3] = watch_env_q("ETCD_WATCH_VALUE", v.p, v.n);
		extra[4] = NULL;
		if (goexec_run(client_base(), it->ch->exec, extra, true, err, sizeof(err)) != 0) {
			fputs("command [", stderr);
			for (size_t i = 0; i < it->ch->nexec; i++) {
				if (i > 0)
					fputc(' ', stderr);
				goquote_write(stderr, (const uint8_t *)it->ch->exec[i],
				    strlen(it->ch->exec[i]));
			}
			fprintf(stderr, "] error (%s)\n", err);
			exit(CTL_EXIT_ERROR);
		}
		for (size_t i = 1; i < 4; i++)
			free(extra[i]);
	}
}

/* printWatchCh for one answer. */
static void
watch_handle(struct watch_item *it)
{
	if (it->r.canceled)
		fprintf(stderr, "watch was canceled (%s)\n", it->r.err);
	if (it->r.progress)
		printf("progress notify: %" PRId64 "\n", watcher_header_revision(it->r.msg));
	print_watch(global_format(), &it->r);
	fflush(stdout);
	if (it->ch->nexec > 0)
		watch_exec(it);
}

/* Prints what waits; or, with nothing waiting, runs the loop once. */
static void
watch_step(void)
{
	struct watch_item *it;

	if (STAILQ_EMPTY(&watch_queue)) {
		event_base_loop(client_base(), EVLOOP_ONCE);
		return;
	}
	while ((it = STAILQ_FIRST(&watch_queue)) != NULL) {
		STAILQ_REMOVE_HEAD(&watch_queue, entry);
		watch_handle(it);
		free(it->msg);
		free(it);
	}
}

/* The index of the first "--" of a, or -1. */
static ssize_t
watch_sep(const struct watch_args *a)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], "--") == 0)
			return (ssize_t)i;
	return -1;
}

/* etcdctl's check "ETCDCTL_WATCH_KEY=foo watch foo -- echo 1": walking
 * both lists from their ends, a word of the parsed arguments that is not
 * the command line's while at its "--" means a key was given too. */
static bool
watch_env_conflict(const struct watch_args *w, const struct watch_args *raw, ssize_t exec_idx)
{
	ssize_t ridx = (ssize_t)raw->n - 1;

	for (ssize_t widx = (ssize_t)w->n - 1; widx >= 0; widx--) {
		if (ridx >= 0 && strcmp(w->v[widx], raw->v[ridx]) == 0) {
			ridx--;
			continue;
		}
		if (ridx == exec_idx)
			return true;
	}
	return false;
}

/* Parses words[n] (copied first) with the watch command's flags into
 * watch_line; the words left in *left (owned array, borrowed strings).
 * NULL, or pflag's error text. */
static const char *
watch_line_parse(char **words, size_t n, struct watch_args *left)
{
	static char err[CTL_FLAG_ERR_BYTES_MAX];
	struct ctl_flagsets fs = { .sets = { watch_line_flags }, .n = 1 };
	bool help;
	int nleft;

	left->v = xcalloc(n + 1, sizeof(*left->v));
	memcpy(left->v, words, n * sizeof(*words));
	left->n = 0;
	flag_defaults(watch_line_flags);
	if (flag_parse(&fs, (int)n, left->v, &nleft, &help, err, sizeof(err)) != 0)
		return err;
	if (help)
		return "pflag: help requested";
	left->n = (size_t)nleft;
	return NULL;
}

/*
 * etcdctl's parseWatchArgs: the watch's arguments (*wargs) and the
 * exec-command (*xargs) from os.Args and the parsed arguments (cmd), or
 * for an -i line (interactive) from its words, the key and range end of
 * the environment put first. Arrays owned, strings borrowed. NULL, or
 * the error text.
 */
static const char *
watch_parse_args(struct watch_args cmd, char *env_key, char *env_range, bool interactive,
    struct watch_args *wargs, struct watch_args *xargs)
{
	struct watch_args raw = { cairnctl_os_argv, (size_t)cairnctl_os_argc }, sep, parsed;
	ssize_t exec_idx, idx;
	size_t end_idx, k = 0;
	const char *err;

	*xargs = (struct watch_args){ NULL, 0 };
	for (size_t i = 0; i < raw.n; i++) {
		if (strcmp(raw.v[i], "watch") == 0) {
			raw.v += i + 1;
			raw.n -= i + 1;
			break;
		}
	}
	if (!interactive) {
		exec_idx = watch_sep(&raw);
		if (exec_idx >= 0 && (size_t)exec_idx == raw.n - 1)
			return WATCH_ERR_SEP;
		if (exec_idx < 0 && raw.n < 1 && env_key[0] == '\0')
			return WATCH_ERR_ARGS;
		if (exec_idx >= 0 && env_key[0] != '\0' && watch_env_conflict(&cmd, &raw, exec_idx))
			return WATCH_ERR_ENV;
		if (exec_idx < 0 && cmd.n > 0 && env_key[0] != '\0')
			return WATCH_ERR_ENV;
		sep = raw;
		parsed = cmd;
	} else {
		cmd.v++;
		cmd.n--;
		exec_idx = watch_sep(&cmd);
		if (exec_idx >= 0 && (size_t)exec_idx == cmd.n - 1)
			return WATCH_ERR_SEP;
		if ((err = watch_line_parse(cmd.v, cmd.n, &parsed)) != NULL) {
			free(parsed.v);
			return err;
		}
		if ((exec_idx < 0 && env_key[0] == '\0' && parsed.n < 1) ||
		    (exec_idx < 0 && parsed.n > 0 && env_key[0] != '\0')) {
			free(parsed.v);
			return parsed.n < 1 ? WATCH_ERR_ARGS : WATCH_ERR_ENV;
		}
		sep = cmd;
	}
	idx = watch_sep(&sep);
	wargs->v = xcalloc(parsed.n + 3, sizeof(*wargs->v));
	if (env_key[0] != '\0') {
		wargs->v[k++] = env_key;
		if (env_range[0] != '\0')
			wargs->v[k++] = env_range;
	}
	memcpy(wargs->v + k, parsed.v, parsed.n * sizeof(*parsed.v));
	wargs->n = k + parsed.n;
	if (interactive)
		free(parsed.v);
	if (idx < 0)
		return NULL;
	xargs->v = sep.v + idx + 1;
	xargs->n = sep.n - (size_t)idx - 1;
	/* The words from the command's first on are the command's. */
	for (end_idx = wargs->n; end_idx > 0; end_idx--)
		if (strcmp(wargs->v[end_idx - 1], xargs->v[0]) == 0)
			break;
	wargs->n = end_idx > 0 ? end_idx - 1 : 0;
	return NULL;
}

/* etcdctl's getWatchChan: the watch of args with o's options, its
 * answers queued for ch. NULL, or the error text. */
static const char *
watch_chan(struct watcher *w, const struct watch_args *args, const struct watch_opts *o,
    const struct watch_args *xargs, struct watch_ch **out)
{
	const char *key, *end = "";
	char *pend = NULL;
	size_t klen, elen;
	struct watch_ch *ch;

	if (args->n < 1)
		return WATCH_ERR_ARGS;
	key = args->v[0];
	if (args->n == 2) {
		if (o->prefix)
			return "`range_end` and `--prefix` are mutually exclusive";
		end = args->v[1];
	}
	klen = strlen(key);
	elen = strlen(end);
	if (o->prefix && klen == 0) {
		/* WithPrefix of "": every key, from "\0" to the end. */
		static const char zero[1];

		key = end = zero;
		klen = elen = 1;
	} else if (o->prefix) {
		pend = xmalloc(klen + 1);
		elen = watcher_prefix_end(key, klen, pend);
		end = pend;
	}
	ch = xcalloc(1, sizeof(*ch));
	SLIST_INSERT_HEAD(&watch_chs, ch, entry);
	ch->nexec = xargs->n;
	ch->exec = xcalloc(xargs->n + 1, sizeof(*ch->exec));
	for (size_t i = 0; i < xargs->n; i++)
		ch->exec[i] = xstrdup(xargs->v[i]);
	ch->ws = watcher_watch(w, (const uint8_t *)key, klen, (const uint8_t *)end, elen, o->rev,
	    o->prev_kv, watch_resp, watch_end, ch);
	free(pend);
	*out = ch;
	return NULL;
}

/* Frees every channel (closed, nothing of theirs queued). */
static void
watch_chs_free(void)
{
	struct watch_ch *ch;

	while ((ch = SLIST_FIRST(&watch_chs)) != NULL) {
		CAIRN_ASSERT(ch->closed);
		SLIST_REMOVE_HEAD(&watch_chs, entry);
		for (size_t i = 0; i < ch->nexec; i++)
			free(ch->exec[i]);
		free(ch->exec);
		free(ch);
	}
}

/* ---- -i ------------------------------------------------------------- */

static struct {
	char *buf;                     /* owned */
	size_t len, cap;
	bool pollable, ready, eof;
	struct event *ev;              /* owned */
} watch_in;

static void
watch_in_ready(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	watch_in.ready = true;
}

/* Whether epoll takes fd (not a regular file nor /dev/null), asked of
 * a probe of its own: libevent would log the refusal. */
static bool
watch_in_pollable(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(EPOLL_CLOEXEC);
	bool ok;

	if (ep < 0)
		return false;
	ok = epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0;
	close(ep);
	return ok;
}

/* Standard input on the loop when it can be polled (a pipe, a
 * terminal); a file is read as it is, never waiting. */
static void
watch_in_open(void)
{
	if (!watch_in_pollable(STDIN_FILENO))
		return;
	watch_in.ev = event_new(client_base(), STDIN_FILENO, EV_READ | EV_PERSIST, watch_in_ready,
	    NULL);
	CAIRN_ASSERT(watch_in.ev != NULL);
	watch_in.pollable = event_add(watch_in.ev, NULL) == 0;
}

/* bufio.Reader.ReadString('\n') without its newline (owned), printing
 * answers meanwhile; at the end of input, etcdctl's error (exit 3). */
static char *
watch_in_line(void)
{
	for (;;) {
		char *nl = watch_in.len > 0 ? memchr(watch_in.buf, '\n', watch_in.len) : NULL;
		ssize_t n;

		if (nl != NULL) {
			size_t len = (size_t)(nl - watch_in.buf);
			char *line = xmalloc(len + 1);

			memcpy(line, watch_in.buf, len);
			line[len] = '\0';
			memmove(watch_in.buf, nl + 1, watch_in.len - len - 1);
			watch_in.len -= len + 1;
			return line;
		}
		if (watch_in.eof)
			ctl_fail(CTL_EXIT_INVALID_INPUT, "Error reading watch request line: EOF");
		if (watch_in.pollable && !watch_in.ready) {
			watch_step();
			continue;
		}
		watch_in.ready = false;
		if (watch_in.cap - watch_in.len < WATCH_READ_BYTES) {
			if (watch_in.cap >= WATCH_LINE_BYTES_MAX)
				ctl_fail(CTL_EXIT_INVALID_INPUT, "Error reading watch request line: "
				    "line longer than %u bytes", WATCH_LINE_BYTES_MAX);
			watch_in.cap = watch_in.cap * 2 + WATCH_READ_BYTES;
			watch_in.buf = xrealloc(watch_in.buf, watch_in.cap);
		}
		n = read(STDIN_FILENO, watch_in.buf + watch_in.len, WATCH_READ_BYTES);
		if (n == 0)
			watch_in.eof = true;
		else if (n > 0)
			watch_in.len += (size_t)n;
		else if (errno != EINTR && errno != EAGAIN)
			ctl_fail(CTL_EXIT_INVALID_INPUT, "Error reading watch request line: read "
			    "/dev/stdin: %s", strerror(errno));
	}
}

/* One "watch ..." line: a new watch, waited for until created. */
static void
watch_in_watch(struct watcher *w, const char *line, char **words, size_t n, char *env_key,
    char *env_range)
{
	struct watch_args wargs, xargs, cmd = { words, n };
	struct watch_ch *ch;
	const char *err;

	if (n < 2 && env_key[0] == '\0') {
		fprintf(stderr, "Invalid command %s (command type or key is not provided)\n", line);
		return;
	}
	if ((err = watch_parse_args(cmd, env_key, env_range, true, &wargs, &xargs)) != NULL)
		ctl_fail(CTL_EXIT_BAD_ARGS, "%s", err);
	err = watch_chan(w, &wargs, &watch_line, &xargs, &ch);
	free(wargs.v);
	if (err != NULL) {
		fprintf(stderr, "Invalid command %s (%s)\n", line, err);
		return;
	}
	/* clientv3's Watch returns once the server created the watch. */
	while (!ch->closed && !watcher_returned(ch->ws))
		watch_step();
}

/* etcdctl's watchInteractiveFunc. */
static void
watch_interactive(char *env_key, char *env_range)
{
	struct watcher *w;

	client_open();
	w = watcher_new(true);
	watch_in_open();
	for (;;) {
		char *line = watch_in_line(), *words[TXN_WORDS_MAX];
		size_t n = txn_argify(line, words);

		if (n < 1)
			fprintf(stderr, "Invalid command: %s (watch and progress supported)\n", line);
		else if (strcmp(words[0], "watch") == 0)
			watch_in_watch(w, line, words, n, env_key, env_range);
		else if (strcmp(words[0], "progress") == 0)
			watcher_progress(w);
		else
			fprintf(stderr, "Invalid command %s (only support watch)\n", line);
		for (size_t i = 0; i < n; i++)
			free(words[i]);
		free(line);
	}
}

int
watch_run(int argc, char **argv)
{
	static char none[1];
	char *env_key = getenv("ETCDCTL_WATCH_KEY");
	char *env_range = getenv("ETCDCTL_WATCH_RANGE_END");
	struct watch_args wargs, xargs, cmd = { argv, (size_t)argc };
	struct watcher *w;
	struct watch_ch *ch;
	const char *err;

	/* etcdctl's watch reads these itself: no warning about them. */
	global_env_extra = watch_env_names;
	env_key = env_key != NULL ? env_key : none;
	env_range = env_range != NULL ? env_range : none;
	if (env_key[0] == '\0' && env_range[0] != '\0') {
		char *q = watch_quote((const uint8_t *)env_range, strlen(env_range));

		ctl_fail(CTL_EXIT_BAD_ARGS, "ETCDCTL_WATCH_KEY is empty but got "
		    "ETCDCTL_WATCH_RANGE_END=%s", q);
	}
	if (watch_opt.interactive)
		watch_interactive(env_key, env_range);
	if ((err = watch_parse_args(cmd, env_key, env_range, false, &wargs, &xargs)) != NULL)
		ctl_fail(CTL_EXIT_BAD_ARGS, "%s", err);
	client_open();
	w = watcher_new(true);
	if ((err = watch_chan(w, &wargs, &watch_opt, &xargs, &ch)) != NULL)
		ctl_fail(CTL_EXIT_BAD_ARGS, "%s", err);
	free(wargs.v);
	while (!ch->closed || !STAILQ_EMPTY(&watch_queue))
		watch_step();
	watcher_free(w);
	watch_chs_free();
	client_close();
	ctl_fail(CTL_EXIT_INTERRUPTED, "watch is canceled by the server");
}
