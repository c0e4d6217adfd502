/*
 * supervisor: fork+exec of one child. Between fork and exec the child
 * only moves descriptors to their fixed numbers, closes the rest, asks to
 * die with its parent and sets no_new_privs (async-signal-safe calls only).
 * Dropping uid/gid and chroot happen in the child's main, after exec.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "shared/err.h"
#include "shared/log.h"
#include "supervisor/rewire.h"
#include "supervisor/supervisor.h"

/* Scratch descriptors are moved above this before landing on fixed ones. */
#define SPAWN_FD_SCRATCH 64

static bool
spawn_exe_in(const char *dir, const char *exe, char *out, size_t outlen)
{
	if ((size_t)snprintf(out, outlen, "%s/%s", dir, exe) >= outlen)
		return false;
	return access(out, X_OK) == 0;
}

int
spawn_find_exes(struct supervisor *s)
{
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return CAIRN_EIO;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash != NULL)
		*slash = '\0';
	for (int p = PROC_NETD; p < PROC_COUNT; p++) {
		struct sup_child *c = &s->children[p];

		if (spawn_exe_in(self, proc_exe(p), c->exe, sizeof(c->exe)) ||
		    spawn_exe_in(CAIRN_PKGLIBEXECDIR, proc_exe(p), c->exe, sizeof(c->exe)))
			continue;
		fprintf(stderr, "cairn: cannot find %s next to cairn (%s) or in %s\n",
		    proc_exe(p), self, CAIRN_PKGLIBEXECDIR);
		return CAIRN_ENOENT;
	}
	return 0;
}

/* In the forked child: put w->at[] on their numbers, close everything else. */
static void
spawn_place_fds(const struct rewire *w)
{
	int scratch[CAIRN_FD_FIRST_FREE];

	for (int i = 0; i < CAIRN_FD_FIRST_FREE; i++) {
		scratch[i] = -1;
		if (w->at[i] != -1 &&
		    (scratch[i] = fcntl(w->at[i], F_DUPFD, SPAWN_FD_SCRATCH)) == -1)
			_exit(126);
	}
	for (int i = STDERR_FILENO + 1; i < CAIRN_FD_FIRST_FREE; i++)
		close(i);
	for (int i = 0; i < CAIRN_FD_FIRST_FREE; i++)
		if (scratch[i] != -1 && dup2(scratch[i], i) == -1)
			_exit(126);
	close_range(CAIRN_FD_FIRST_FREE, ~0U, 0);
}

static void
spawn_exec(struct supervisor *s, enum cairn_proc proc, const struct rewire *w,
    pid_t parent)
{
	sigset_t none;
	char *const argv[] = {(char *)(uintptr_t)proc_exe(proc), NULL};

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Die with the supervisor: nobody else would restart or rewire us. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		_exit(125);
	spawn_place_fds(w);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		_exit(125);
	execv(s->children[proc].exe, argv);
	_exit(127);
}

int
spawn_child(struct supervisor *s, enum cairn_proc proc)
{
	struct sup_child *c = &s->children[proc];
	struct rewire w;
	pid_t parent = getpid(), pid;
	int rc;

	CAIRN_ASSERT(c->pid == 0);
	CAIRN_ASSERT(!s->stopping);
	rc = rewire_prepare(s, proc, &w);
	if (rc != 0)
		return rc;
	pid = fork();
	if (pid == -1) {
		log_warn("fork for %s", proc_name(proc));
		rewire_abort(&w);
		return CAIRN_EIO;
	}
	if (pid == 0)
		spawn_exec(s, proc, &w, parent);
	c->pid = pid;
	if (chan_open(&c->ctl, PROC_SUPERVISOR, proc, w.ctl_ours, -1, 0) != 0)
		fatalx("cannot open the control channel of %s", proc_name(proc));
	w.ctl_ours = -1;
	rewire_commit(s, proc, &w);
	loop_child_started(s, c);
	return 0;
}
