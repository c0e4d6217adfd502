/*
 * Tests: a hostile cairn-netd. It takes its configuration and its channel
 * to raftd like the real one, says hello, then publishes a frame of an
 * unknown type in the ring and waits to be killed. raftd must cut it off
 * and the supervisor must restart netd, never raftd.
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "shared/chan.h"
#include "shared/err.h"
#include "shared/fdnums.h"
#include "shared/log.h"

#define ROGUE_WAIT_MS 10000
#define ROGUE_TYPE 0x7777

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

int
main(void)
{
	struct chan ctl, raftd;
	struct frame_hdr h = {.type = ROGUE_TYPE};
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
	log_info("sending a frame of unknown type to raftd");
	chan_frame_send(&raftd, &h, NULL, IPC_VIA_RING, NULL, 0);
	pause();
	return 0;
}
