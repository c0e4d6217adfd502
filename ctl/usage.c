/*
 * cairnctl: a command's usage text, in etcdctl's template (ctlv3's
 * help): NAME, USAGE, VERSION, COMMANDS, DESCRIPTION, OPTIONS and GLOBAL
 * OPTIONS, aligned by Go's tabwriter rules (ctl/tabw.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "ctl/tabw.h"
#include "shared/assert.h"
#include "shared/go_quote.h"

/* The most flags a command has, its help flag included. */
#define USAGE_FLAGS_MAX 64

/* pflag's text for a flag's default, as etcdFlagUsages prints it. */
static void
usage_flag_line(FILE *out, const struct ctl_flag *f)
{
	char q[512];

	if (f->shorthand != 0)
		fprintf(out, "  -%c, --%s", f->shorthand, f->name);
	else
		fprintf(out, "      --%s", f->name);
	if (f->kind == CTL_FLAG_BOOL) {
		fprintf(out, "[=%s]", f->def);
	} else if (f->kind == CTL_FLAG_STRING) {
		go_quote(q, sizeof(q), f->def);
		fprintf(out, "=%s", q);
	} else {
		fprintf(out, "=%s", f->def);
	}
	fprintf(out, "\t%s\n", f->usage);
}

static int
usage_flag_cmp(const void *a, const void *b)
{
	const struct ctl_flag *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* Prints the flags of tab and of extra (when not NULL), and the help
 * flag when help_for is given, sorted by name. */
static void
usage_flags(FILE *out, const struct ctl_flag *tab, const struct ctl_flag *extra,
    const char *help_for)
{
	const struct ctl_flag *list[USAGE_FLAGS_MAX];
	struct ctl_flag help = { "help", 'h', CTL_FLAG_BOOL, "false", NULL, NULL, false };
	char help_usage[128];
	size_t n = 0;

	for (const struct ctl_flag *f = tab; f != NULL && f->name != NULL; f++) {
		CAIRN_ASSERT(n < USAGE_FLAGS_MAX - 1);
		list[n++] = f;
	}
	for (const struct ctl_flag *f = extra; f != NULL && f->name != NULL; f++) {
		CAIRN_ASSERT(n < USAGE_FLAGS_MAX - 1);
		list[n++] = f;
	}
	if (help_for != NULL) {
		snprintf(help_usage, sizeof(help_usage), "help for %s", help_for);
		help.usage = help_usage;
		list[n++] = &help;
	}
	qsort(list, n, sizeof(list[0]), usage_flag_cmp);
	for (size_t i = 0; i < n; i++)
		usage_flag_line(out, list[i]);
}

/* cobra's CommandPath below the root, or the root's own name. */
static void
usage_name(FILE *out, const struct ctl_cmd *const *path, size_t from, size_t depth)
{
	for (size_t i = from; i <= depth; i++)
		fprintf(out, "%s%s", i > from ? " " : "", path[i]->name);
}

/* The runnable commands below cmd, depth first in name order, named
 * from cmd down ("member add"). */
static void
usage_commands(FILE *out, const struct ctl_cmd *cmd, const char *prefix)
{
	for (const struct ctl_cmd *const *s = cmd->subs; s != NULL && *s != NULL; s++) {
		char name[256];

		snprintf(name, sizeof(name), "%s%s%s", prefix, prefix[0] != '\0' ? " " : "",
		    (*s)->name);
		if ((*s)->run != NULL)
			fprintf(out, "\t%s\t%s\n", name, (*s)->short_desc);
		usage_commands(out, *s, name);
	}
}

/* cobra's UseLine: the parents' path, Use, and " [flags]". */
static void
usage_line(FILE *out, const struct ctl_cmd *const *path, size_t depth)
{
	const struct ctl_cmd *cmd = path[depth];

	fputc('\t', out);
	if (depth > 0) {
		usage_name(out, path, 0, depth - 1);
		fputc(' ', out);
	}
	fprintf(out, "%s", cmd->use);
	/* cobra's "completion bash" alone sets DisableFlagsInUseLine. */
	if (depth == 2 && strcmp(path[1]->name, "completion") == 0 &&
	    strcmp(cmd->name, "bash") == 0) {
		fputc('\n', out);
		return;
	}
	if (strstr(cmd->use, "[flags]") == NULL)
		fputs(" [flags]", out);
	fputc('\n', out);
}

/* Long, trimmed of blanks at both ends, a tab before each line. */
static void
usage_long(FILE *out, const char *text)
{
	const char *b = text, *e = text + strlen(text);

	while (b < e && strchr("\n\t ", *b) != NULL)
		b++;
	while (e > b && strchr("\n\t ", e[-1]) != NULL)
		e--;
	while (b <= e) {
		const char *nl = memchr(b, '\n', (size_t)(e - b));
		const char *end = nl != NULL ? nl : e;

		fprintf(out, "\t%.*s\n", (int)(end - b), b);
		if (nl == NULL)
			break;
		b = nl + 1;
	}
}

void
usage_print(const struct ctl_cmd *const *path, size_t depth)
{
	usage_print_flags(path, depth, true);
}

void
usage_print_flags(const struct ctl_cmd *const *path, size_t depth, bool help_flag)
{
	const struct ctl_cmd *cmd = path[depth];
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	CAIRN_ASSERT(out != NULL);
	fputs("NAME:\n\t", out);
	usage_name(out, path, depth == 0 ? 0 : 1, depth);
	fprintf(out, " - %s\n\nUSAGE:\n", cmd->short_desc);
	usage_line(out, path, depth);
	if (depth == 0)
		fputs("\nVERSION:\n\t" CTL_VERSION "\n", out);
	if (cmd->subs != NULL) {
		fputs("\nAPI VERSION:\n\t" CTL_API_VERSION "\n", out);
		fputs("\n\nCOMMANDS:\n", out);
		usage_commands(out, cmd, "");
	}
	if (cmd->long_desc != NULL) {
		fputs("\nDESCRIPTION:\n", out);
		usage_long(out, cmd->long_desc);
	}
	/* Every command has its help flag: OPTIONS is always there. */
	fputs("\nOPTIONS:\n", out);
	usage_flags(out, depth == 0 ? ctl_global_flags : cmd->flags, NULL,
	    help_flag ? cmd->name : NULL);
	if (depth > 0) {
		/* A group's flags are its subcommands' (cobra's persistent
		 * flags): listed with the global ones. */
		fputs("\nGLOBAL OPTIONS:\n", out);
		usage_flags(out, ctl_global_flags, depth > 1 ? path[depth - 1]->flags : NULL,
		    NULL);
	}
	fputc('\n', out);
	fclose(out);
	tabw_write(stdout, text);
	free(text);
}
