/*
 * All processes: what Prometheus' Go client reports of its process
 * (process_cpu_seconds_total, process_resident_memory_bytes, ...), read
 * from /proc. The files are opened once, before a child drops its
 * privileges or chroots (netd cannot see /proc afterwards), and read
 * again from their start at each report.
 */
#ifndef CAIRN_SHARED_PROC_STATS_H
#define CAIRN_SHARED_PROC_STATS_H

#include "shared/proto/ipc.pb.h"

/* Opens /proc/self/stat and /proc/self/fd and reads the boot time; a
 * process whose /proc cannot be read reports zeros. Idempotent. */
void proc_stats_open(void);
/* This process's figures now. */
void proc_stats_read(cairn_ipc_ProcStats *out);

#endif
