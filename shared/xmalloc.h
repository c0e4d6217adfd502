/*
 * All processes: allocation that never returns NULL. Running out of
 * memory is process-fatal (fatalx); the supervisor restarts the process.
 */
#ifndef CAIRN_XMALLOC_H
#define CAIRN_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);

#endif
