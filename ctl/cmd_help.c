/*
 * cairnctl: the commands cobra gives every program, etcdctl too: help
 * ("help [command]" prints that command's usage, or "Unknown help topic"
 * and the root's usage) and completion, whose scripts cairnctl does not
 * make (it is in the tree for its usage and for cobra's prefix matching).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ctl/commands.h"
#include "ctl/goquote.h"

/* Command nesting: root, group, command. */
#define HELP_DEPTH_MAX 4

/* Whether arg is a flag as cobra's stripFlags sees one. */
static bool
help_is_flag(const char *arg)
{
	return arg[0] == '-' && arg[1] != '\0';
}

/* Go's strconv.CanBackquote: no backquote, no control but tab, valid
 * UTF-8 without U+FEFF. */
static bool
help_can_backquote(const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s);

	while (n > 0) {
		uint32_t r;
		size_t len = goquote_rune(p, n, &r);

		if (len == 0 || r == 0xfeff || p[0] == '`' || p[0] == 0x7f || (p[0] < ' ' && p[0] != '\t'))
			return false;
		p += len;
		n -= len;
	}
	return true;
}

/* cobra's "Unknown help topic %#q" of the arguments, a []string: each as
 * `word`, or as Go's %q when backquotes cannot hold it. */
static void
help_unknown(int argc, char **argv)
{
	fputs("Unknown help topic [", stderr);
	for (int i = 0; i < argc; i++) {
		if (i > 0)
			fputc(' ', stderr);
		if (help_can_backquote(argv[i]))
			fprintf(stderr, "`%s`", argv[i]);
		else
			goquote_write(stderr, (const uint8_t *)argv[i], strlen(argv[i]));
	}
	fputs("]\n", stderr);
}

/* The first argument that is not a flag, from 'from', or -1. */
static int
help_next_word(int argc, char **argv, int from)
{
	for (int i = from; i < argc; i++)
		if (!help_is_flag(argv[i]))
			return i;
	return -1;
}

int
help_run(int argc, char **argv)
{
	const struct ctl_cmd *path[HELP_DEPTH_MAX] = { &ctl_root };
	size_t depth = 0;
	int at = 0;

	/* cobra's Find: down the tree while a word names a subcommand. */
	while (depth + 1 < HELP_DEPTH_MAX) {
		const struct ctl_cmd *sub;
		int w = help_next_word(argc, argv, at);

		if (w < 0 || (sub = cairnctl_find_sub(path[depth], argv[w])) == NULL)
			break;
		path[++depth] = sub;
		at = w + 1;
	}
	/* Its legacyArgs: words left at the root are an unknown command. */
	if (depth == 0 && help_next_word(argc, argv, 0) >= 0) {
		help_unknown(argc, argv);
		fflush(stderr);
		/* The root's Usage(): its help flag was never made. */
		usage_print_flags(path, 0, false);
		return CTL_EXIT_SUCCESS;
	}
	usage_print(path, depth);
	return CTL_EXIT_SUCCESS;
}

static bool completion_no_desc;

struct ctl_flag completion_flags[] = {
	{ "no-descriptions", 0, CTL_FLAG_BOOL, "false", "disable completion descriptions",
	  &completion_no_desc, false },
	{ 0 },
};

int
completion_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ctl_fail(CTL_EXIT_BAD_FEATURE, "cairnctl does not generate shell completion scripts");
}
