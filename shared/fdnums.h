/*
 * All processes: the fixed descriptor numbers at which a child finds its
 * channels after exec. The supervisor dups each end onto these numbers;
 * the child checks them before anything else (chan_adopt_fixed_fds).
 */
#ifndef CAIRN_FDNUMS_H
#define CAIRN_FDNUMS_H

#include "shared/proc.h"

/* SOCK_SEQPACKET to the supervisor: config, rewiring, stop, reports. */
#define CAIRN_FD_CONTROL 3
/* Per peer child: a SOCK_SEQPACKET socket and its sealed memfd of rings. */
#define CAIRN_FD_CHAN_NETD_SOCK 4
#define CAIRN_FD_CHAN_NETD_MEM 5
#define CAIRN_FD_CHAN_RAFTD_SOCK 6
#define CAIRN_FD_CHAN_RAFTD_MEM 7
#define CAIRN_FD_CHAN_STORED_SOCK 8
#define CAIRN_FD_CHAN_STORED_MEM 9
/* First number past the fixed ones; everything from here up is closed. */
#define CAIRN_FD_FIRST_FREE 10

/* The socket / memfd numbers of the channel to 'peer' (a child). */
#define CAIRN_FD_CHAN_SOCK(peer) (CAIRN_FD_CHAN_NETD_SOCK + 2 * ((peer) - PROC_NETD))
#define CAIRN_FD_CHAN_MEM(peer) (CAIRN_FD_CHAN_SOCK(peer) + 1)

#endif
