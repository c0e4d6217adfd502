/*
 * All processes: their own figures from /proc (see proc_stats.h), as
 * Prometheus' Go client's process collector computes them.
 */
#include <sys/resource.h>
#include <sys/types.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/proc_stats.h"

static int stat_fd = -1;
static DIR *fd_dir;             /* /proc/self/fd */
static long long boot_time;     /* seconds since the epoch: /proc/stat's btime */
static bool opened;

void
proc_stats_open(void)
{
	char line[256];
	FILE *f;
	int dfd;

	if (opened)
		return;
	opened = true;
	stat_fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if ((dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1 &&
	    (fd_dir = fdopendir(dfd)) == NULL)
		close(dfd);
	if ((f = fopen("/proc/stat", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "btime %lld", &boot_time) == 1)
			break;
	fclose(f);
}

/* Open descriptors, less the one reading the directory. */
static long long
proc_open_fds(void)
{
	struct dirent *e;
	long long n = 0;

	if (fd_dir == NULL)
		return 0;
	rewinddir(fd_dir);
	while ((e = readdir(fd_dir)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	return n > 0 ? n - 1 : 0;
}

void
proc_stats_read(cairn_ipc_ProcStats *out)
{
	char buf[1024], *p;
	unsigned long long utime, stime, start, vsize;
	long long rss;
	long tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	struct rlimit rl;
	ssize_t n;

	*out = (cairn_ipc_ProcStats)cairn_ipc_ProcStats_init_zero;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		out->max_fds = rl.rlim_cur == RLIM_INFINITY ? -1 : (int64_t)rl.rlim_cur;
	if (getrlimit(RLIMIT_AS, &rl) == 0)
		out->virtual_max_bytes = rl.rlim_cur == RLIM_INFINITY ? -1 : (int64_t)rl.rlim_cur;
	out->open_fds = proc_open_fds();
	if (stat_fd == -1 || (n = pread(stat_fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return;
	buf[n] = '\0';
	/* After "pid (comm) ": the comm may hold spaces and parentheses. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d "
	    "%*d %*d %llu %llu %lld", &utime, &stime, &start, &vsize, &rss) != 5 || tick <= 0)
		return;
	out->cpu_seconds = (double)(utime + stime) / (double)tick;
	out->start_time_seconds = (double)boot_time + (double)start / (double)tick;
	out->virtual_bytes = (int64_t)vsize;
	out->resident_bytes = rss * page;
}
