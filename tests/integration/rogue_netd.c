/*
 * Tests: a hostile cairn-netd. It takes its configuration and its channel
 * to raftd like the real one, says hello, then sends one frame and waits
 * to be killed. ROGUE_MODE picks the frame:
 *   (unset)         a frame of an unknown type in the ring;
 *   peer-bad        a peer message that is not for this member;
 *   peer-heartbeat  a valid heartbeat from member 2 in term 100.
 * For the first two raftd must cut it off and the supervisor restart
 * netd, never raftd; the third raftd must take.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/chan.h"
#include "shared/err.h"
#include "shared/fdnums.h"
#include "shared/log.h"

#define ROGUE_WAIT_MS 10000
#define ROGUE_TYPE 0x7777
/* etcd's default member ID, which cairn's defaults give raftd. */
#define ROGUE_RAFTD_ID 0x8e9e05c52164694dULL
#define ROGUE_PEER_ID 2
#define ROGUE_TERM 100

/* Reads the supervisor's hello and configuration. */
static uint32_t
rogue_config(struct chan *ctl)
{
	struct chan_msg m;
	uint32_t ring_bytes = 0;

	while (ring_bytes == 0) {
		int rc = chan_recv(ctl, &m);

		if (rc == CAIRN_EAGAIN) {
			if (chan_wait(ctl, ROGUE_WAIT_MS) != 0)
				fatalx("no configuration");
			continue;
		}
		if (rc != 0)
			fatalx("control channel: %s", err_str(rc));
		if (m.hdr.type == cairn_ipc_IPC_CHILD_CONFIG_SET)
			ring_bytes = m.body.config.ring_bytes;
		chan_msg_release(&m);
	}
	return ring_bytes;
}

static void
rogue_send(struct chan *raftd, const char *mode)
{
	struct frame_hdr h = {.type = ROGUE_TYPE};
	cairn_ipc_RaftMsg m = cairn_ipc_RaftMsg_init_zero;

	if (mode == NULL) {
		log_info("sending a frame of unknown type to raftd");
		chan_frame_send(raftd, &h, NULL, IPC_VIA_RING, NULL, 0);
		return;
	}
	m.type = 7; /* RMSG_HEARTBEAT */
	m.from = ROGUE_PEER_ID;
	m.term = ROGUE_TERM;
	m.to = strcmp(mode, "peer-bad") == 0 ? ROGUE_RAFTD_ID + 1 : ROGUE_RAFTD_ID;
	log_info("sending a peer message to raftd (%s)", mode);
	if (chan_send(raftd, cairn_ipc_IPC_RAFTD_PEER_RECV, 0, &m) != 0)
		fatalx("cannot send the peer message");
}

int
main(void)
{
	struct chan ctl, raftd;
	uint32_t ring_bytes;

	log_init("rogue-netd", LOG_INFO);
	if (chan_open(&ctl, PROC_NETD, PROC_SUPERVISOR, CAIRN_FD_CONTROL, -1, 0) != 0 ||
	    chan_send_hello(&ctl) != 0)
		fatalx("control channel");
	ring_bytes = rogue_config(&ctl);
	/* At first start raftd is not up yet and its channel arrives by ADOPT;
	 * after a restart it is at the fixed descriptors. */
	if (fcntl(CAIRN_FD_CHAN_SOCK(PROC_RAFTD), F_GETFD) != -1) {
		if (chan_open(&raftd, PROC_NETD, PROC_RAFTD, CAIRN_FD_CHAN_SOCK(PROC_RAFTD),
		    CAIRN_FD_CHAN_MEM(PROC_RAFTD), ring_bytes) != 0)
			fatalx("fixed channel to raftd");
	} else for (;;) {
		struct chan_msg m;
		int rc = chan_recv(&ctl, &m);

		if (rc == 0 && m.hdr.type == cairn_ipc_IPC_CHILD_CHANNEL_ADOPT &&
		    m.body.adopt.peer == PROC_RAFTD) {
			if (chan_open(&raftd, PROC_NETD, PROC_RAFTD, m.fds[0], m.fds[1], ring_bytes) != 0)
				fatalx("channel to raftd");
			m.fds[0] = m.fds[1] = -1;
			chan_msg_release(&m);
			break;
		}
		if (rc == 0) {
			chan_msg_release(&m);
			continue;
		}
		if (rc != CAIRN_EAGAIN || chan_wait(&ctl, ROGUE_WAIT_MS) != 0)
			fatalx("no channel to raftd");
	}
	chan_send_hello(&raftd);
	rogue_send(&raftd, getenv("ROGUE_MODE"));
	pause();
	return 0;
}
