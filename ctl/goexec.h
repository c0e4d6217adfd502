/*
 * cairnctl: running a command as etcdctl's Go does it with os/exec
 * (watch's and lock's exec-command): the program looked up in PATH by
 * Go's rules, standard input from /dev/null, standard output and error
 * shared, and Go's error texts when it cannot start or fails.
 */
#ifndef CAIRN_CTL_GOEXEC_H
#define CAIRN_CTL_GOEXEC_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>

/* The longest error text goexec_run gives. */
#define GOEXEC_ERR_BYTES_MAX 4352

/*
 * exec.Command(argv[0], argv[1:]...).Run() with the environment of this
 * process and extra[] ("NAME=value", NULL-terminated, borrowed) added:
 * when extra_wins, an entry of extra replaces the process's of the same
 * name (Go's exec keeps the last of a name, and etcdctl appends them);
 * otherwise the process's own entry wins (etcdctl puts them first).
 * While the command runs, base (borrowed) keeps running, so streams and
 * timers go on. Returns 0 when it exited with status 0; otherwise -1
 * with err filled as Go's error prints: "exit status 3", "signal:
 * killed", `exec: "x": executable file not found in $PATH` or
 * "fork/exec /x: no such file or directory". Flushes stdout first.
 */
int goexec_run(struct event_base *base, char *const argv[], char *const extra[], bool extra_wins,
    char *err, size_t errlen);

#endif
