/*
 * All processes: always-on assertions for programmer errors.
 * A failed CAIRN_ASSERT is a bug in cairn, never bad input: it logs the
 * condition and aborts so the supervisor restarts the process.
 */
#ifndef CAIRN_ASSERT_H
#define CAIRN_ASSERT_H

void cairn_assert_fail(const char *cond, const char *file, int line)
    __attribute__((noreturn));

#define CAIRN_ASSERT(c)                                                   \
	do {                                                                  \
		if (__builtin_expect(!(c), 0))                                    \
			cairn_assert_fail(#c, __FILE__, __LINE__);                    \
	} while (0)

#define CAIRN_STATIC_ASSERT(c, msg) _Static_assert(c, msg)

#endif
