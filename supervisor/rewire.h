/*
 * supervisor: the channels a starting child gets. For each running peer a
 * fresh channel is made; the child's end goes to its fixed descriptor
 * numbers, and the peer's end is passed to the peer (SCM_RIGHTS) once the
 * child exists. Peers that are down get theirs when they start.
 */
#ifndef CAIRN_SUPERVISOR_REWIRE_H
#define CAIRN_SUPERVISOR_REWIRE_H

#include "shared/fdnums.h"
#include "supervisor/supervisor.h"

struct rewire {
	int at[CAIRN_FD_FIRST_FREE];    /* descriptor for each fixed number, or -1 */
	int peer_sock[PROC_COUNT];      /* the peer's ends, or -1 */
	int peer_mem[PROC_COUNT];
	int ctl_ours;                   /* our end of the control channel */
};

/* Makes the control channel and a channel to each running peer. On error
 * nothing is left open. */
int rewire_prepare(struct supervisor *s, enum cairn_proc proc, struct rewire *w);
/* The child is forked: hands each running peer its end, closes ours. */
void rewire_commit(struct supervisor *s, enum cairn_proc proc, struct rewire *w);
/* Closes everything (fork failed, or the child's side after commit). */
void rewire_close_child_ends(struct rewire *w);
void rewire_abort(struct rewire *w);

#endif
