/*
 * cairnctl: passwords read from standard input as etcdctl reads them:
 * speakeasy's prompt (stty -echo, a line read a byte at a time, stty echo)
 * and fmt.Scanf("%s"), byte for byte in what they consume and keep.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl/askpass.h"
#include "shared/assert.h"

extern char **environ;

/* speakeasy runs this program to turn echo off and on. */
#define ASKPASS_STTY "/bin/stty"
/* Go's utf8.UTFMax, and its RuneError as UTF-8. */
#define ASKPASS_UTF_MAX 4
#define ASKPASS_RUNE_ERROR 0xfffd
#define ASKPASS_EOF (-1)
/* The exit status of os.Exit(-1), speakeasy's end on a signal. */
#define ASKPASS_SIGNAL_EXIT 255

/* White space as Go's unicode.IsSpace (and fmt's scanner) know it, in
 * UTF-8. */
static const char *const askpass_spaces[] = {
	"\t", "\n", "\v", "\f", "\r", " ", "\xc2\x85", "\xc2\xa0", "\xe1\x9a\x80",
	"\xe2\x80\x80", "\xe2\x80\x81", "\xe2\x80\x82", "\xe2\x80\x83", "\xe2\x80\x84",
	"\xe2\x80\x85", "\xe2\x80\x86", "\xe2\x80\x87", "\xe2\x80\x88", "\xe2\x80\x89",
	"\xe2\x80\x8a", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f",
	"\xe3\x80\x80", NULL,
};

static volatile sig_atomic_t askpass_signalled;

/* The length of the white-space rune p[0..n) starts with (at_end false)
 * or ends with (at_end true), or 0. */
static size_t
askpass_space(const uint8_t *p, size_t n, bool at_end)
{
	for (const char *const *s = askpass_spaces; *s != NULL; s++) {
		size_t len = strlen(*s);

		if (len <= n && memcmp(at_end ? p + n - len : p, *s, len) == 0)
			return len;
	}
	return 0;
}

/* strings.TrimSpace of dst, in place. */
static void
askpass_trim(char *dst)
{
	uint8_t *p = (uint8_t *)dst;
	size_t n = strlen(dst), k;

	while (n > 0 && (k = askpass_space(p, n, true)) > 0)
		n -= k;
	while (n > 0 && (k = askpass_space(p, n, false)) > 0) {
		p += k;
		n -= k;
	}
	memmove(dst, p, n);
	dst[n] = '\0';
}

/* One byte of stdin, unbuffered (what follows stays for later readers):
 * the byte, ASKPASS_EOF at the end or on an error. */
static int
askpass_byte(void)
{
	unsigned char c;

	for (;;) {
		ssize_t n = read(STDIN_FILENO, &c, 1);

		if (n == 1)
			return c;
		if (n < 0 && errno == EINTR && !askpass_signalled)
			continue;
		return ASKPASS_EOF;
	}
}

static void
askpass_on_signal(int sig)
{
	(void)sig;
	askpass_signalled = 1;
}

/* Runs "/bin/stty arg" on the standard streams and waits for it: 0, or
 * the posix_spawn error. */
static int
askpass_stty(const char *arg)
{
	char name[] = "stty", flag[8];
	char *const argv[] = { name, flag, NULL };
	pid_t pid;
	int rc, status;

	snprintf(flag, sizeof(flag), "%s", arg);
	fflush(stdout);
	fflush(stderr);
	if ((rc = posix_spawn(&pid, ASKPASS_STTY, NULL, NULL, argv, environ)) != 0)
		return rc;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

int
askpass_ask(const char *prompt, char *dst, size_t cap, char *err, size_t errlen)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM };
	struct sigaction sa, old[sizeof(sigs) / sizeof(sigs[0])];
	size_t n = 0;
	int rc, c;

	CAIRN_ASSERT(cap > 0);
	dst[0] = '\0';
	if (prompt[0] != '\0')
		fputs(prompt, stdout);
	fflush(stdout);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = askpass_on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, &old[i]);
	if ((rc = askpass_stty("-echo")) != 0) {
		char why[128];

		/* Go's errno texts are strerror's, lower-cased. */
		snprintf(why, sizeof(why), "%s", strerror(rc));
		if (why[0] >= 'A' && why[0] <= 'Z')
			why[0] = (char)(why[0] - 'A' + 'a');
		snprintf(err, errlen, "failed turning off console echo for password entry:\n\t"
		    "fork/exec %s: %s", ASKPASS_STTY, why);
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			sigaction(sigs[i], &old[i], NULL);
		fputc('\n', stdout);
		return -1;
	}
	while ((c = askpass_byte()) != ASKPASS_EOF && c != '\n')
		if (n + 1 < cap)
			dst[n++] = (char)c;
	dst[n] = '\0';
	(void)askpass_stty("echo");
	if (askpass_signalled)
		_exit(ASKPASS_SIGNAL_EXIT);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &old[i], NULL);
	if (n > 0 && dst[n - 1] == '\r')
		dst[--n] = '\0';
	askpass_trim(dst);
	fputc('\n', stdout);
	fflush(stdout);
	return 0;
}

/* Go's fmt scanner over stdin (its readRune): the bytes read after the
 * first of a bad UTF-8 sequence, read again as the next runes (dropped
 * with the scanner, as Go drops them), and the last rune's UTF-8. */
struct askpass_scanner {
	int pend[ASKPASS_UTF_MAX];
	size_t npend;
	uint8_t bytes[ASKPASS_UTF_MAX];
	size_t nbytes;
};

static int
askpass_scan_byte(struct askpass_scanner *s)
{
	int b;

	if (s->npend == 0)
		return askpass_byte();
	b = s->pend[0];
	memmove(s->pend, s->pend + 1, (s->npend - 1) * sizeof(s->pend[0]));
	s->npend--;
	return b;
}

/* utf8.DecodeRune's bounds for the byte after lead (the others are
 * 0x80..0xbf): the sequence's length, or 0 for a bad lead byte. */
static size_t
askpass_utf8_len(int lead, int *lo, int *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (lead >= 0xc2 && lead <= 0xdf)
		return 2;
	if (lead >= 0xe0 && lead <= 0xef) {
		if (lead == 0xe0)
			*lo = 0xa0;
		else if (lead == 0xed)
			*hi = 0x9f;
		return 3;
	}
	if (lead >= 0xf0 && lead <= 0xf4) {
		if (lead == 0xf0)
			*lo = 0x90;
		else if (lead == 0xf4)
			*hi = 0x8f;
		return 4;
	}
	return 0;
}

/* The next rune as Go's readRune gives it: a bad sequence reads as
 * U+FFFD of one byte, the bytes after its first kept for the next runes.
 * s->bytes holds the rune's UTF-8. */
static long
askpass_scan_rune(struct askpass_scanner *s)
{
	int lead, lo, hi;
	size_t len, n;
	long r;

	if ((lead = askpass_scan_byte(s)) == ASKPASS_EOF)
		return ASKPASS_EOF;
	s->bytes[0] = (uint8_t)lead;
	s->nbytes = 1;
	if (lead < 0x80)
		return lead;
	len = askpass_utf8_len(lead, &lo, &hi);
	r = len == 2 ? (lead & 0x1f) : len == 3 ? (lead & 0x0f) : (lead & 0x07);
	for (n = 1; n < len; n++) {
		int b = askpass_scan_byte(s);

		if (b == ASKPASS_EOF || b < lo || b > hi) {
			/* Not a full rune: U+FFFD, the bytes after the lead
			 * read again. */
			size_t keep = n - 1 + (b != ASKPASS_EOF);

			CAIRN_ASSERT(s->npend + keep <= ASKPASS_UTF_MAX);
			memmove(s->pend + keep, s->pend, s->npend * sizeof(s->pend[0]));
			for (size_t i = 1; i < n; i++)
				s->pend[i - 1] = s->bytes[i];
			if (b != ASKPASS_EOF)
				s->pend[n - 1] = b;
			s->npend += keep;
			len = 0;
			break;
		}
		s->bytes[n] = (uint8_t)b;
		r = (r << 6) | (b & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	if (len == 0) {
		s->bytes[0] = 0xef;
		s->bytes[1] = 0xbf;
		s->bytes[2] = 0xbd;
		s->nbytes = 3;
		return ASKPASS_RUNE_ERROR;
	}
	s->nbytes = len;
	return r;
}

/* fmt's isSpace. */
static bool
askpass_rune_space(long r)
{
	return (r >= 0x09 && r <= 0x0d) || r == 0x20 || r == 0x85 || r == 0xa0 || r == 0x1680 ||
	    (r >= 0x2000 && r <= 0x200a) || r == 0x2028 || r == 0x2029 || r == 0x202f ||
	    r == 0x205f || r == 0x3000;
}

void
askpass_scan(char *dst, size_t cap)
{
	struct askpass_scanner s = { .npend = 0 };
	size_t n = 0;
	long r;

	CAIRN_ASSERT(cap > 0);
	dst[0] = '\0';
	/* ss.SkipSpace: a newline is an error (Scanf), EOF too (notEOF). */
	for (;;) {
		r = askpass_scan_rune(&s);
		if (r == ASKPASS_EOF || r == '\n')
			return;
		if (!askpass_rune_space(r))
			break;
	}
	/* ss.token: the word, up to a space (read, put back, and lost with
	 * the scanner) or EOF. The first rune's bytes are in s.bytes. */
	do {
		if (n + s.nbytes < cap) {
			memcpy(dst + n, s.bytes, s.nbytes);
			n += s.nbytes;
		}
		r = askpass_scan_rune(&s);
	} while (r != ASKPASS_EOF && !askpass_rune_space(r));
	dst[n] = '\0';
}
