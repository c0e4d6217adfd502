/*
 * cairn-stored: the storage process: the MVCC store on Berkeley DB in
 * member/db, applying what raftd commits, in the shared child skeleton.
 */
#include "stored/node.h"

static struct stored_node node;

static int
stored_prepare(struct child *c)
{
	return stored_node_prepare(&node, c);
}

static int
stored_start(struct child *c)
{
	(void)c;
	return stored_node_start(&node);
}

static int
stored_frame(struct child *c, enum cairn_proc from, struct chan_msg *m)
{
	(void)c;
	return stored_node_frame(&node, from, m);
}

static void
stored_peer_up(struct child *c, enum cairn_proc peer)
{
	(void)c;
	stored_node_peer_up(&node, peer);
}

static void
stored_peer_drained(struct child *c, enum cairn_proc peer)
{
	(void)c;
	(void)peer;
	stored_node_flush(&node);
}

static void
stored_metrics(struct child *c, cairn_ipc_Metrics *m)
{
	(void)c;
	stored_node_metrics(&node, m);
}

static void
stored_stop(struct child *c)
{
	(void)c;
	stored_node_stop(&node);
}

int
main(int argc, char **argv)
{
	static const struct child_ops ops = {
		.prepare = stored_prepare,
		.start = stored_start,
		.frame = stored_frame,
		.peer_up = stored_peer_up,
		.peer_drained = stored_peer_drained,
		.metrics = stored_metrics,
		.stop = stored_stop,
	};

	return child_main(PROC_STORED, &ops, argc, argv);
}
