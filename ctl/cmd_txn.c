/*
 * cairnctl: txn (etcdctl's txn_command.go): compares, then success and
 * failure operations read line by line from standard input (-i prompts
 * for each part), parsed with etcdctl's grammar and its quirks.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/commands.h"
#include "ctl/kv.h"
#include "ctl/print.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

/* The longest line read (the most words of a line: ctl/commands.h). */
#define TXN_LINE_BYTES_MAX (4u << 20)

/* TxnRequest, Compare and RequestOp field numbers (rpc.proto). */
enum {
	TXN_COMPARE = 1, TXN_SUCCESS = 2, TXN_FAILURE = 3,
	CMP_RESULT = 1, CMP_TARGET = 2, CMP_KEY = 3, CMP_VERSION = 4, CMP_CREATE = 5,
	CMP_MOD = 6, CMP_VALUE = 7, CMP_LEASE = 8,
	OP_RANGE = 1, OP_PUT = 2, OP_DEL = 3,
};

static bool txn_interactive;

struct ctl_flag txn_flags[] = {
	{ "interactive", 'i', CTL_FLAG_BOOL, "false", "Input transaction in interactive mode",
	  &txn_interactive, false },
	{ 0 },
};

/* bufio.Reader.ReadString('\n'): a line with its newline; NULL at EOF
 * (a last line without a newline is EOF too, as Go reports it). */
static char *
txn_read_line(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);

	if (n <= 0 || line[n - 1] != '\n' || (size_t)n > TXN_LINE_BYTES_MAX) {
		free(line);
		return NULL;
	}
	return line;
}

/* strings.TrimSpace, in place. */
static char *
txn_trim(char *s)
{
	char *e = s + strlen(s);

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f')
		s++;
	while (e > s && strchr(" \t\n\r\v\f", e[-1]) != NULL)
		*--e = '\0';
	return s;
}

/* strconv.Unquote of a Go double-quoted or back-quoted string at s:
 * the string into out (NUL-terminated; its length in *n), and the bytes
 * of s it took. 0 when s does not start with a whole quoted string. */
static size_t
txn_unquote(const char *s, char *out, size_t *n)
{
	const char *p = s + 1;
	size_t k = 0;

	if (*s == '`') {
		const char *e = strchr(p, '`');

		if (e == NULL)
			return 0;
		memcpy(out, p, (size_t)(e - p));
		out[e - p] = '\0';
		*n = (size_t)(e - p);
		return (size_t)(e - s) + 1;
	}
	if (*s != '"')
		return 0;
	while (*p != '"') {
		unsigned long v;
		char hex[9];
		size_t digits;

		if (*p == '\0' || *p == '\n')
			return 0;
		if (*p != '\\') {
			out[k++] = *p++;
			continue;
		}
		p++;
		switch (*p) {
		case 'a': out[k++] = '\a'; p++; continue;
		case 'b': out[k++] = '\b'; p++; continue;
		case 'f': out[k++] = '\f'; p++; continue;
		case 'n': out[k++] = '\n'; p++; continue;
		case 'r': out[k++] = '\r'; p++; continue;
		case 't': out[k++] = '\t'; p++; continue;
		case 'v': out[k++] = '\v'; p++; continue;
		case '\\': out[k++] = '\\'; p++; continue;
		case '"': out[k++] = '"'; p++; continue;
		case 'x': digits = 2; break;
		case 'u': digits = 4; break;
		case 'U': digits = 8; break;
		default:
			if (*p >= '0' && *p <= '7' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' &&
			    p[2] <= '7') {
				v = (unsigned long)((p[0] - '0') * 64 + (p[1] - '0') * 8 + (p[2] - '0'));
				if (v > 255)
					return 0;
				out[k++] = (char)v;
				p += 3;
				continue;
			}
			return 0;
		}
		p++;
		if (strspn(p, "0123456789abcdefABCDEF") < digits)
			return 0;
		memcpy(hex, p, digits);
		hex[digits] = '\0';
		v = strtoul(hex, NULL, 16);
		p += digits;
		if (digits == 2) {
			out[k++] = (char)v;
			continue;
		}
		if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			return 0;
		/* UTF-8 encoding of the rune. */
		if (v < 0x80) {
			out[k++] = (char)v;
		} else if (v < 0x800) {
			out[k++] = (char)(0xc0 | (v >> 6));
			out[k++] = (char)(0x80 | (v & 0x3f));
		} else if (v < 0x10000) {
			out[k++] = (char)(0xe0 | (v >> 12));
			out[k++] = (char)(0x80 | ((v >> 6) & 0x3f));
			out[k++] = (char)(0x80 | (v & 0x3f));
		} else {
			out[k++] = (char)(0xf0 | (v >> 18));
			out[k++] = (char)(0x80 | ((v >> 12) & 0x3f));
			out[k++] = (char)(0x80 | ((v >> 6) & 0x3f));
			out[k++] = (char)(0x80 | (v & 0x3f));
		}
	}
	out[k] = '\0';
	*n = k;
	return (size_t)(p - s) + 1;
}

/* Go's %q of a string, for the "got ..." part of an error. */
static void
txn_quote(char *dst, size_t cap, const char *s)
{
	FILE *f = fmemopen(dst, cap, "w");

	CAIRN_ASSERT(f != NULL);
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
	fclose(f);
}

/* One compare line: target("key") op "value" (etcdctl's parseCompare). */
static void
txn_compare(const char *line, struct pbout *cmp)
{
	const char *paren = strchr(line, '('), *p;
	size_t tlen, klen = 0, vlen = 0, used;
	char *key = xcalloc(1, strlen(line) + 1), *val = xcalloc(1, strlen(line) + 1);
	char op[256] = "", qk[1024], qv[1024], *end;
	int got = 0;
	int64_t num = 0;
	int result, target;

	if (paren == NULL)
		ctl_fail(CTL_EXIT_INVALID_INPUT, "malformed comparison: %s", line);
	tlen = (size_t)(paren - line);
	/* fmt.Sscanf(rest, "%q) %s %q", &key, &op, &val). */
	p = paren + 1;
	while (*p == ' ' || *p == '\t')
		p++;
	if ((used = txn_unquote(p, key, &klen)) != 0) {
		got++;
		p += used;
		if (*p == ')') {
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			size_t w = strcspn(p, " \t\r\n");
			if (w > 0 && w < sizeof(op)) {
				memcpy(op, p, w);
				op[w] = '\0';
				got++;
				p += w;
				while (*p == ' ' || *p == '\t')
					p++;
				if ((used = txn_unquote(p, val, &vlen)) != 0)
					got++;
			}
		}
	}
	if (got != 3) {
		txn_quote(qk, sizeof(qk), key);
		txn_quote(qv, sizeof(qv), val);
		ctl_fail(CTL_EXIT_INVALID_INPUT, "malformed comparison: %s; got %.*s(%s) %s %s", line,
		    (int)tlen, line, qk, op, qv);
	}
	if (strcmp(op, "=") == 0)
		result = 0;
	else if (strcmp(op, ">") == 0)
		result = 1;
	else if (strcmp(op, "<") == 0)
		result = 2;
	else if (strcmp(op, "!=") == 0)
		result = 3;
	else
		result = -1;
#define TXN_TARGET(a, b) ((tlen == strlen(a) && strncmp(line, a, tlen) == 0) || \
	(tlen == strlen(b) && strncmp(line, b, tlen) == 0))
	if (TXN_TARGET("ver", "version"))
		target = 0;
	else if (TXN_TARGET("c", "create"))
		target = 1;
	else if (TXN_TARGET("m", "mod"))
		target = 2;
	else if (TXN_TARGET("val", "value"))
		target = 3;
	else if (TXN_TARGET("lease", "lease"))
		target = 4;
	else
		ctl_fail(CTL_EXIT_INVALID_INPUT, "malformed comparison: %s (unknown target %.*s)",
		    line, (int)tlen, line);
#undef TXN_TARGET
	if (target != 3) {
		/* strconv.ParseInt(val, 10, 64) (a lease too: etcdctl takes it
		 * as a number). */
		errno = 0;
		num = strtoll(val, &end, 10);
		if (val[0] == '\0' || *end != '\0' || errno != 0 || val[0] == ' ' || val[0] == '\t')
			ctl_fail(CTL_EXIT_INVALID_INPUT, "invalid txn compare request: %s", line);
	}
	if (result < 0) {
		/* clientv3.Compare panics on any other operator. */
		fflush(stdout);
		fputs("panic: Unknown result op\n", stderr);
		exit(2);
	}
	if (result != 0)
		pbout_varint(cmp, CMP_RESULT, (uint64_t)result);
	if (target != 0)
		pbout_varint(cmp, CMP_TARGET, (uint64_t)target);
	/* etcdctl 3.4 drops the key of a lease compare. */
	if (target != 4 && klen > 0)
		pbout_bytes(cmp, CMP_KEY, key, klen);
	/* A oneof member goes on the wire even when zero, as Go sends it. */
	if (target == 3)
		pbout_bytes(cmp, CMP_VALUE, val, vlen);
	else
		pbout_varint(cmp, target == 4 ? CMP_LEASE : CMP_VERSION + (uint32_t)target,
		    (uint64_t)num);
	free(key);
	free(val);
}

/* etcdctl's argify: words of a line, "..." unquoted as Go strings, and
 * '...' cut as etcdctl cuts them ([1 : len(args)-1], its own quirk). */
size_t
txn_argify(const char *line, char **words)
{
	regex_t re;
	regmatch_t m;
	const char *p = line;
	size_t n = 0;

	if (regcomp(&re, "\"([^\"\\\\]|\\\\.)*\"|'[^']*'|[^'\"[:space:]][^[:space:]]*",
	    REG_EXTENDED) != 0)
		abort();
	while (*p != '\0' && regexec(&re, p, 1, &m, 0) == 0 && n < TXN_WORDS_MAX) {
		words[n++] = strndup(p + m.rm_so, (size_t)(m.rm_eo - m.rm_so));
		p += m.rm_eo;
	}
	regfree(&re);
	for (size_t i = 0; i < n; i++) {
		char *w = words[i];
		size_t len = strlen(w);

		if (w[0] == '\'') {
			if (n - 1 < 1 || n - 1 > len) {
				fflush(stdout);
				fprintf(stderr, "panic: runtime error: slice bounds out of range\n");
				exit(2);
			}
			memmove(w, w + 1, n - 2);
			w[n - 2] = '\0';
		} else if (w[0] == '"') {
			char *out = xcalloc(1, len + 1);
			size_t k;

			if (txn_unquote(w, out, &k) == 0)
				ctl_fail(CTL_EXIT_INVALID_INPUT, "unexpected EOF");
			free(w);
			words[i] = out;
		}
	}
	return n;
}

/* One operation line: get, put or del with their flags, into op. */
static void
txn_op(const char *line, struct pbout *op)
{
	char *words[TXN_WORDS_MAX];
	size_t n = txn_argify(line, words);
	struct { const char *name; struct ctl_flag *flags; uint32_t field; } ops[] = {
		{ "del", kv_del_flags, OP_DEL },
		{ "get", kv_get_flags, OP_RANGE },
		{ "put", kv_put_flags, OP_PUT },
	};
	struct ctl_flagsets fs = { .n = 1 };
	struct pbout req = { 0 };
	char err[CTL_FLAG_ERR_BYTES_MAX];
	int left;
	bool help;
	int which = -1, matches = 0;

	if (n < 2)
		ctl_fail(CTL_EXIT_INVALID_INPUT, "invalid txn compare request: %s", line);
	for (int i = 0; i < 3; i++) {
		if (strcmp(words[0], ops[i].name) == 0) {
			which = i;
			matches = 1;
			break;
		}
		if (strncmp(ops[i].name, words[0], strlen(words[0])) == 0) {
			which = i;
			matches++;
		}
	}
	if (matches != 1)
		ctl_fail(CTL_EXIT_INVALID_INPUT, "invalid txn request: %s", line);
	fs.sets[0] = ops[which].flags;
	flag_free(ops[which].flags);
	flag_defaults(ops[which].flags);
	if (flag_parse(&fs, (int)n - 1, words + 1, &left, &help, err, sizeof(err)) != 0 || help)
		ctl_fail(CTL_EXIT_INVALID_INPUT, "invalid txn request: %s", line);
	if (which == 0)
		kv_del_request(left, words + 1, &req);
	else if (which == 1)
		kv_get_request(left, words + 1, &req);
	else
		kv_put_request(left, words + 1, &req);
	pbout_msg(op, ops[which].field, &req);
	pbout_close(&req);
	for (size_t i = 0; i < n; i++)
		free(words[i]);
}

/* Lines up to a blank one: compares (field TXN_COMPARE) or operations. */
static void
txn_read_part(struct pbout *txn, uint32_t field)
{
	for (;;) {
		char *raw = txn_read_line(), *line;
		struct pbout item = { 0 };

		if (raw == NULL)
			ctl_fail(CTL_EXIT_INVALID_INPUT, "EOF");
		line = txn_trim(raw);
		if (line[0] == '\0') {
			free(raw);
			return;
		}
		if (field == TXN_COMPARE)
			txn_compare(line, &item);
		else
			txn_op(line, &item);
		pbout_msg(txn, field, &item);
		pbout_close(&item);
		free(raw);
	}
}

static void
txn_prompt(const char *s)
{
	if (txn_interactive) {
		puts(s);
		fflush(stdout);
	}
}

int
txn_run(int argc, char **argv)
{
	struct pbout txn = { 0 };
	struct gc_result r;

	(void)argv;
	if (argc != 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "txn command does not accept argument");
	client_open();
	txn_prompt("compares:");
	txn_read_part(&txn, TXN_COMPARE);
	txn_prompt("success requests (get, put, del):");
	txn_read_part(&txn, TXN_SUCCESS);
	txn_prompt("failure requests (get, put, del):");
	txn_read_part(&txn, TXN_FAILURE);
	client_call("/etcdserverpb.KV/Txn", &txn, CTL_RETRY_NEVER, &r);
	pbout_close(&txn);
	print_txn(global_format(), pbv_of(r.msg, r.len));
	client_close();
	return CTL_EXIT_SUCCESS;
}
