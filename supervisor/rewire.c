/*
 * supervisor: making and handing out channels (STYLE.md convention 2,
 * after bgpd's socketpair hand-out). Each restart gets fresh socketpairs
 * and memfds: nothing of a dead child's channel is ever reused.
 */
#include <unistd.h>

#include "shared/err.h"
#include "shared/log.h"
#include "supervisor/rewire.h"

static void
rewire_init(struct rewire *w)
{
	for (int i = 0; i < CAIRN_FD_FIRST_FREE; i++)
		w->at[i] = -1;
	for (int p = 0; p < PROC_COUNT; p++)
		w->peer_sock[p] = w->peer_mem[p] = -1;
	w->ctl_ours = -1;
}

static void
close_if(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

void
rewire_close_child_ends(struct rewire *w)
{
	for (int i = 0; i < CAIRN_FD_FIRST_FREE; i++)
		close_if(&w->at[i]);
}

void
rewire_abort(struct rewire *w)
{
	rewire_close_child_ends(w);
	for (int p = 0; p < PROC_COUNT; p++) {
		close_if(&w->peer_sock[p]);
		close_if(&w->peer_mem[p]);
	}
	close_if(&w->ctl_ours);
}

int
rewire_prepare(struct supervisor *s, enum cairn_proc proc, struct rewire *w)
{
	int socks[2], mem, rc;

	rewire_init(w);
	rc = chan_pair_create(0, socks, &mem);
	if (rc != 0)
		return rc;
	w->ctl_ours = socks[0];
	w->at[CAIRN_FD_CONTROL] = socks[1];
	for (int q = PROC_NETD; q < PROC_COUNT; q++) {
		if (q == (int)proc || s->children[q].pid == 0)
			continue;
		rc = chan_pair_create(s->cfg->ring_bytes, socks, &mem);
		if (rc == 0 && (w->peer_mem[q] = dup(mem)) == -1)
			rc = CAIRN_EIO;
		if (rc != 0) {
			if (mem != -1) {
				close(mem);
				close(socks[0]);
				close(socks[1]);
			}
			rewire_abort(w);
			return rc;
		}
		w->peer_sock[q] = socks[0];
		w->at[CAIRN_FD_CHAN_SOCK(q)] = socks[1];
		w->at[CAIRN_FD_CHAN_MEM(q)] = mem;
	}
	return 0;
}

void
rewire_commit(struct supervisor *s, enum cairn_proc proc, struct rewire *w)
{
	for (int q = PROC_NETD; q < PROC_COUNT; q++) {
		cairn_ipc_ChannelAdopt adopt = {.peer = (uint32_t)proc};
		int fds[2] = {w->peer_sock[q], w->peer_mem[q]};
		int rc;

		if (fds[0] == -1)
			continue;
		rc = chan_send_fds(&s->children[q].ctl, cairn_ipc_IPC_CHILD_CHANNEL_ADOPT,
		    0, &adopt, fds, 2);
		/* A peer that cannot take it is dying; its restart rewires it. */
		if (rc != 0)
			log_warnx("cannot pass %s its channel to %s: %s", proc_name(q),
			    proc_name(proc), err_str(rc));
		close_if(&w->peer_sock[q]);
		close_if(&w->peer_mem[q]);
	}
	rewire_close_child_ends(w);
}
