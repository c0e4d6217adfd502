/*
 * Tests: config_parse on a command line written as a list of strings.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/lib/config_args.h"

int
config_parse_args(struct config *cfg, char *const envp[], const char *const *args,
    char *err, size_t errlen)
{
	char *argv[CONFIG_ARGS_MAX];
	int argc = 0, rc;

	config_free(cfg);
	argv[argc++] = strdup("cairn");
	while (*args != NULL && argc < CONFIG_ARGS_MAX - 1)
		argv[argc++] = strdup(*args++);
	argv[argc] = NULL;
	rc = config_parse(cfg, argc, argv, envp, err, errlen);
	/* config_parse copies what it keeps. */
	while (argc > 0)
		free(argv[--argc]);
	return rc;
}
