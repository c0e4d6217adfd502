/*
 * cairn-raftd: the consensus process: Raft and its WAL, in the shared
 * child skeleton (hello, heartbeats, restart and rewiring under the
 * supervisor).
 */
#include "raftd/node.h"

static struct raftd_node node;

static int
raftd_prepare(struct child *c)
{
	return raftd_node_prepare(&node, c);
}

static int
raftd_start(struct child *c)
{
	(void)c;
	return raftd_node_start(&node);
}

static int
raftd_frame(struct child *c, enum cairn_proc from, struct chan_msg *m)
{
	(void)c;
	return raftd_node_frame(&node, from, m);
}

static void
raftd_peer_up(struct child *c, enum cairn_proc peer)
{
	(void)c;
	raftd_node_peer_up(&node, peer);
}

/* After each batch of frames from a peer: one flush for all of them. */
static void
raftd_peer_drained(struct child *c, enum cairn_proc peer)
{
	(void)c;
	(void)peer;
	raftd_node_flush(&node);
}

static void
raftd_metrics(struct child *c, cairn_ipc_Metrics *m)
{
	(void)c;
	raftd_node_metrics(&node, m);
}

static void
raftd_stop(struct child *c)
{
	(void)c;
	raftd_node_stop(&node);
}

int
main(int argc, char **argv)
{
	static const struct child_ops ops = {
		.prepare = raftd_prepare,
		.start = raftd_start,
		.frame = raftd_frame,
		.peer_up = raftd_peer_up,
		.peer_drained = raftd_peer_drained,
		.metrics = raftd_metrics,
		.stop = raftd_stop,
	};

	return child_main(PROC_RAFTD, &ops, argc, argv);
}
