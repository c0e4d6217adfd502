/*
 * Tests: config_parse on a command line written as a list of strings.
 */
#ifndef CAIRN_TEST_CONFIG_ARGS_H
#define CAIRN_TEST_CONFIG_ARGS_H

#include <stddef.h>

#include "supervisor/config.h"

#define CONFIG_ARGS_MAX 256

/* Parses "cairn args..." ('args' NULL-terminated, at most
 * CONFIG_ARGS_MAX - 2) with 'envp' into 'cfg', freeing any earlier
 * result first; returns config_parse's result. */
int config_parse_args(struct config *cfg, char *const envp[], const char *const *args,
    char *err, size_t errlen);

#endif
