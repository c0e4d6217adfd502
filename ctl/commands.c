/*
 * cairnctl: the command tree, with etcdctl 3.4's names, usage lines and
 * descriptions (what its help prints), each command's flags and the
 * function that runs it.
 */
#include <stddef.h>

#include "ctl/commands.h"
#include "ctl/kv.h"

static const struct ctl_cmd cmd_compaction = {
	"compaction", "compaction [options] <revision>", "Compacts the event history in etcd",
	NULL, compaction_flags, compaction_run, NULL,
};

static const struct ctl_cmd cmd_del = {
	"del", "del [options] <key> [range_end]",
	"Removes the specified key or range of keys [key, range_end)", NULL, kv_del_flags,
	kv_del_run, NULL,
};

static const struct ctl_cmd cmd_get = {
	"get", "get [options] <key> [range_end]", "Gets the key or a range of keys", NULL,
	kv_get_flags, kv_get_run, NULL,
};

static const struct ctl_cmd cmd_put = {
	"put", "put [options] <key> <value> (<value> can also be given from stdin)",
	"Puts the given key into the store",
	"\nPuts the given key into the store.\n"
	"\n"
	"When <value> begins with '-', <value> is interpreted as a flag.\n"
	"Insert '--' for workaround:\n"
	"\n"
	"$ put <key> -- <value>\n"
	"$ put -- <key> <value>\n"
	"\n"
	"If <value> isn't given as a command line argument and '--ignore-value' is not specified,\n"
	"this command tries to read the value from standard input.\n"
	"\n"
	"If <lease> isn't given as a command line argument and '--ignore-lease' is not specified,\n"
	"this command tries to read the value from standard input.\n"
	"\n"
	"For example,\n"
	"$ cat file | put <key>\n"
	"will store the content of the file to <key>.\n",
	kv_put_flags, kv_put_run, NULL,
};

static const struct ctl_cmd cmd_snapshot_restore = {
	"restore", "restore <filename> [options]",
	"Restores an etcd member snapshot to an etcd directory", NULL, snapshot_restore_flags,
	snapshot_restore_run, NULL,
};

static const struct ctl_cmd cmd_snapshot_save = {
	"save", "save <filename>", "Stores an etcd node backend snapshot to a given file", NULL,
	NULL, snapshot_save_run, NULL,
};

static const struct ctl_cmd cmd_snapshot_status = {
	"status", "status <filename>", "Gets backend snapshot status of a given file",
	"When --write-out is set to simple, this command prints out comma-separated status "
	"lists for each endpoint.\nThe items in the lists are hash, revision, total keys, "
	"total size.\n",
	NULL, snapshot_status_run, NULL,
};

static const struct ctl_cmd *const snapshot_subs[] = {
	&cmd_snapshot_restore, &cmd_snapshot_save, &cmd_snapshot_status, NULL,
};

static const struct ctl_cmd cmd_snapshot = {
	"snapshot", "snapshot <subcommand>", "Manages etcd node snapshots", NULL, NULL, NULL,
	snapshot_subs,
};

static const struct ctl_cmd cmd_txn = {
	"txn", "txn [options]", "Txn processes all the requests in one transaction", NULL,
	txn_flags, txn_run, NULL,
};

static const struct ctl_cmd cmd_version = {
	"version", "version", "Prints the version of etcdctl", NULL, NULL, version_run, NULL,
};

/* By name, as cobra sorts them. */
static const struct ctl_cmd *const root_subs[] = {
	&cmd_compaction,
	&cmd_del,
	&cmd_get,
	&cmd_put,
	&cmd_snapshot,
	&cmd_txn,
	&cmd_version,
	NULL,
};

const struct ctl_cmd ctl_root = {
	"etcdctl", "etcdctl", "A simple command line client for etcd3.", NULL, NULL, NULL,
	root_subs,
};

/* etcdctl's AddCommand order. */
const char *const ctl_command_order[] = {
	"get", "put", "del", "txn", "compaction", "alarm", "defrag", "endpoint", "move-leader",
	"watch", "version", "lease", "member", "snapshot", "make-mirror", "migrate", "lock",
	"elect", "auth", "user", "role", "check", NULL,
};
