/*
 * cairnctl: main. Finds the command as cobra finds it in etcdctl (names
 * or unique prefixes, flags anywhere), parses its flags and the global
 * ones, and runs it; usage and errors as etcdctl prints them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

/* Command nesting: root, group, command. */
#define CTL_DEPTH_MAX 4

/* Whether the flag named by arg ("--name" or "-x") takes the next
 * argument as its value, as cobra's stripFlags guesses it. */
static bool
main_flag_takes_value(const struct ctl_cmd *cmd, const char *arg)
{
	struct ctl_flag *sets[2] = { cmd->flags, ctl_global_flags };

	if (strchr(arg, '=') != NULL)
		return false;
	for (size_t i = 0; i < 2; i++) {
		for (struct ctl_flag *f = sets[i]; f != NULL && f->name != NULL; f++) {
			bool match = arg[1] == '-' ? strcmp(arg + 2, f->name) == 0 :
			    (strlen(arg) == 2 && arg[1] == f->shorthand);

			if (match)
				return f->kind != CTL_FLAG_BOOL;
		}
	}
	/* cobra: an unknown "--x" is taken to have a value; "-x" not. */
	return arg[1] == '-' && strcmp(arg, "--help") != 0;
}

const struct ctl_cmd *
cairnctl_find_sub(const struct ctl_cmd *cmd, const char *name)
{
	const struct ctl_cmd *found = NULL;
	size_t n = 0;

	for (const struct ctl_cmd *const *s = cmd->subs; s != NULL && *s != NULL; s++) {
		if (strcmp((*s)->name, name) == 0)
			return *s;
		if (strncmp((*s)->name, name, strlen(name)) == 0) {
			found = *s;
			n++;
		}
	}
	return n == 1 ? found : NULL;
}

/* cobra's suggestions: names within Levenshtein distance 2 or starting
 * with what was typed (case-insensitive). */
static size_t
main_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[la + 1][lb + 1];

	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			size_t best = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < best)
				best = d[i - 1][j - 1] + cost;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

static void
main_unknown_command(const char *name)
{
	char msg[2048];
	size_t n;
	bool any = false;

	/* cobra's error text carries the suggestions. */
	n = (size_t)snprintf(msg, sizeof(msg), "unknown command \"%s\" for \"etcdctl\"", name);
	for (const char *const *s = ctl_command_order; *s != NULL && n < sizeof(msg); s++) {
		if (main_distance(name, *s) > 2 && strncasecmp(*s, name, strlen(name)) != 0)
			continue;
		if (!any)
			n += (size_t)snprintf(msg + n, sizeof(msg) - n, "\n\nDid you mean this?\n");
		any = true;
		if (n < sizeof(msg))
			n += (size_t)snprintf(msg + n, sizeof(msg) - n, "\t%s\n", *s);
	}
	fprintf(stderr, "Error: %s\n", msg);
	fputs("Run 'etcdctl --help' for usage.\n", stderr);
	ctl_fail(CTL_EXIT_ERROR, "%s", msg);
}

int cairnctl_os_argc;
char **cairnctl_os_argv;

/* At exit, output to a terminal is drained first: a process that exits
 * right after writing can lose its last lines on a pseudo-terminal whose
 * reader has not read them yet (Linux hangs the pty up at the last
 * close); etcd's e2e harness reads etcdctl's output through one. */
static void
main_drain_ttys(void)
{
	fflush(stdout);
	fflush(stderr);
	if (isatty(STDOUT_FILENO))
		tcdrain(STDOUT_FILENO);
	if (isatty(STDERR_FILENO))
		tcdrain(STDERR_FILENO);
}

int
main(int argc, char **argv)
{
	const struct ctl_cmd *path[CTL_DEPTH_MAX] = { &ctl_root };
	size_t depth = 0;
	const char *api = getenv("ETCDCTL_API");
	char **args = argv + 1, err[CTL_FLAG_ERR_BYTES_MAX];
	int nargs = argc - 1, left;
	struct ctl_flagsets fs = { .n = 0 };
	bool help;

	atexit(main_drain_ttys);
	if (api != NULL && api[0] != '\0' && strcmp(api, "3") != 0) {
		fprintf(stderr, "unsupported API version %s\n", api);
		return 1;
	}
	unsetenv("ETCDCTL_API");
	/* os.Args as given: the list below is rearranged as it is parsed. */
	cairnctl_os_argc = argc;
	cairnctl_os_argv = xcalloc((size_t)argc + 1, sizeof(*argv));
	memcpy(cairnctl_os_argv, argv, (size_t)argc * sizeof(*argv));
	/* The command path: the first arguments that are not flags (nor a
	 * flag's value) name the command; each is taken out of the list. */
	for (;;) {
		const struct ctl_cmd *cmd = path[depth], *sub = NULL;
		int at = -1;

		for (int i = 0; i < nargs; i++) {
			if (strcmp(args[i], "--") == 0)
				break;
			if (args[i][0] == '-' && args[i][1] != '\0') {
				if (main_flag_takes_value(cmd, args[i]))
					i++;
				continue;
			}
			at = i;
			break;
		}
		if (at < 0 || cmd->subs == NULL)
			break;
		if ((sub = cairnctl_find_sub(cmd, args[at])) == NULL) {
			if (depth == 0)
				main_unknown_command(args[at]);
			break;
		}
		CAIRN_ASSERT(depth + 1 < CTL_DEPTH_MAX);
		path[++depth] = sub;
		memmove(&args[at], &args[at + 1], (size_t)(nargs - at - 1) * sizeof(*args));
		nargs--;
	}
	flag_defaults(ctl_global_flags);
	/* The command's flags, then its groups' (cobra's persistent flags:
	 * endpoint's --cluster), then the global ones. */
	for (size_t i = depth; i >= 1; i--) {
		if (path[i]->flags == NULL)
			continue;
		CAIRN_ASSERT(fs.n + 1 < sizeof(fs.sets) / sizeof(fs.sets[0]));
		flag_defaults(path[i]->flags);
		fs.sets[fs.n++] = path[i]->flags;
	}
	fs.sets[fs.n++] = ctl_global_flags;
	if (flag_parse(&fs, nargs, args, &left, &help, err, sizeof(err)) != 0) {
		/* cobra prints the error and the usage, etcdctl the error again. */
		fprintf(stderr, "Error: %s\n", err);
		usage_print(path, depth);
		fflush(stdout);
		fputc('\n', stderr);
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
	}
	if (help || path[depth]->run == NULL) {
		usage_print(path, depth);
		return 0;
	}
	return path[depth]->run(left, args);
}
