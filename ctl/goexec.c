/*
 * cairnctl: running a command as Go's os/exec runs it for etcdctl
 * (exec.Command and Cmd.Run): LookPath's search, the environment, and
 * Go's error texts for a command that cannot start or that fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl/goexec.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

extern char **environ;

/* The longest path LookPath builds, and how often the wait looks at the
 * child besides SIGCHLD (a signal lost to a race costs no more). */
#define GOEXEC_PATH_BYTES_MAX 4096
#define GOEXEC_POLL_MS 100

/* Go's names of Linux signals (syscall's signal table), by number. */
static const char *const goexec_signals[] = {
	NULL, "hangup", "interrupt", "quit", "illegal instruction", "trace/breakpoint trap",
	"aborted", "bus error", "floating point exception", "killed", "user defined signal 1",
	"segmentation fault", "user defined signal 2", "broken pipe", "alarm clock", "terminated",
	"stack fault", "child exited", "continued", "stopped (signal)", "stopped",
	"stopped (tty input)", "stopped (tty output)", "urgent I/O condition",
	"CPU time limit exceeded", "file size limit exceeded", "virtual timer expired",
	"profiling timer expired", "window changed", "I/O possible", "power failure",
	"bad system call",
};

/* Go's text of an errno: the C library's with its first letter small. */
static void
goexec_errno_text(char *dst, size_t cap, int e)
{
	snprintf(dst, cap, "%s", strerror(e));
	if (dst[0] >= 'A' && dst[0] <= 'Z' && !(dst[1] >= 'A' && dst[1] <= 'Z'))
		dst[0] = (char)(dst[0] - 'A' + 'a');
}

/* Go's findExecutable: a file (not a directory) with an execute bit. */
static int
goexec_executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	if ((st.st_mode & 0111) != 0)
		return 0;
	return EACCES;
}

/*
 * exec.Command's LookPath (Go 1.19): a name with a slash is used as it
 * is; others are searched in PATH, an empty entry meaning ".", and one
 * found relative to "." refused (ErrDot). 0 with path filled, or -1 with
 * err filled as Go's exec.Error prints.
 */
static int
goexec_look_path(const char *file, char *path, size_t cap, char *err, size_t errlen)
{
	const char *env = getenv("PATH"), *p;

	if (strchr(file, '/') != NULL) {
		snprintf(path, cap, "%s", file);
		return 0;
	}
	p = env != NULL ? env : "";
	/* filepath.SplitList("") is no entry at all; otherwise each ':'
	 * splits, and an empty entry (a trailing ':' too) is ".". */
	while (*p != '\0') {
		const char *colon = strchr(p, ':');
		size_t n = colon != NULL ? (size_t)(colon - p) : strlen(p);

		if (n == 0)
			snprintf(path, cap, "./%s", file);
		else
			snprintf(path, cap, "%.*s/%s", (int)n, p, file);
		if (goexec_executable(path) == 0) {
			if (path[0] != '/') {
				snprintf(err, errlen, "exec: \"%s\": cannot run executable found "
				    "relative to current directory", file);
				return -1;
			}
			return 0;
		}
		if (colon == NULL)
			break;
		p = colon + 1;
		if (*p == '\0')
			p = "."; /* the trailing empty entry */
	}
	snprintf(err, errlen, "exec: \"%s\": executable file not found in $PATH", file);
	return -1;
}

/* Whether environment entry e names the same variable as entry f. */
static bool
goexec_same_name(const char *e, const char *f)
{
	const char *eq = strchr(f, '=');
	size_t n = eq != NULL ? (size_t)(eq - f) : strlen(f);

	return strncmp(e, f, n) == 0 && e[n] == '=';
}

static bool
goexec_in(char *const list[], const char *e)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (goexec_same_name(list[i], e))
			return true;
	return false;
}

/* The child's environment (the array is owned, its strings borrowed). */
static char **
goexec_env(char *const extra[], bool extra_wins)
{
	size_t n = 0, k = 0, m = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	while (extra[m] != NULL)
		m++;
	env = xcalloc(n + m + 1, sizeof(*env));
	if (extra_wins) {
		for (size_t i = 0; i < n; i++)
			if (!goexec_in(extra, environ[i]))
				env[k++] = environ[i];
		for (size_t i = 0; i < m; i++)
			env[k++] = extra[i];
	} else {
		for (size_t i = 0; i < m; i++)
			if (!goexec_in(environ, extra[i]))
				env[k++] = extra[i];
		for (size_t i = 0; i < n; i++)
			env[k++] = environ[i];
	}
	env[k] = NULL;
	return env;
}

static void
goexec_wake(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
}

/* Waits for pid, running base meanwhile. Returns its wait status. */
static int
goexec_wait(struct event_base *base, pid_t pid)
{
	struct timeval poll = { 0, GOEXEC_POLL_MS * 1000 };
	struct event *tick = event_new(base, -1, EV_PERSIST, goexec_wake, NULL);
	int status = 0;

	CAIRN_ASSERT(tick != NULL);
	event_add(tick, &poll);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			break;
		event_base_loop(base, EVLOOP_ONCE);
	}
	event_free(tick);
	return status;
}

/* Go's ProcessState.String() of a wait status. */
static void
goexec_status_text(int status, char *err, size_t errlen)
{
	int sig;

	if (WIFEXITED(status)) {
		snprintf(err, errlen, "exit status %d", WEXITSTATUS(status));
		return;
	}
	sig = WTERMSIG(status);
	if (sig > 0 && (size_t)sig < sizeof(goexec_signals) / sizeof(goexec_signals[0]))
		snprintf(err, errlen, "signal: %s%s", goexec_signals[sig],
		    WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(err, errlen, "signal: signal %d%s", sig, WCOREDUMP(status) ?
		    " (core dumped)" : "");
}

int
goexec_run(struct event_base *base, char *const argv[], char *const extra[], bool extra_wins,
    char *err, size_t errlen)
{
	static const int defaults[] = { SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD };
	char path[GOEXEC_PATH_BYTES_MAX], why[256];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, def;
	struct event *chld;
	char **env;
	pid_t pid;
	int rc, status;

	CAIRN_ASSERT(argv[0] != NULL);
	CAIRN_ASSERT(base != NULL);
	fflush(stdout);
	if (goexec_look_path(argv[0], path, sizeof(path), err, errlen) != 0)
		return -1;
	env = goexec_env(extra, extra_wins);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&def);
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		sigaddset(&def, defaults[i]);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	/* SIGCHLD wakes the loop as soon as the command ends. */
	chld = evsignal_new(base, SIGCHLD, goexec_wake, NULL);
	CAIRN_ASSERT(chld != NULL);
	event_add(chld, NULL);
	rc = posix_spawn(&pid, path, &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(env);
	if (rc != 0) {
		event_free(chld);
		goexec_errno_text(why, sizeof(why), rc);
		snprintf(err, errlen, "fork/exec %s: %s", path, why);
		return -1;
	}
	status = goexec_wait(base, pid);
	event_free(chld);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	goexec_status_text(status, err, errlen);
	return -1;
}
