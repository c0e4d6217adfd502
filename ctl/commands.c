/*
 * cairnctl: the command tree, with etcdctl 3.4's names, usage lines and
 * descriptions (what its help prints), each command's flags and the
 * function that runs it.
 */
#include <stddef.h>

#include "ctl/commands.h"
#include "ctl/kv.h"

/* auth, user and role (ctl/cmd_auth.c, ctl/cmd_role.c). */
static const struct ctl_cmd cmd_auth_disable = {
	"disable", "disable", "Disables authentication", NULL, NULL, auth_disable_run, NULL,
};

static const struct ctl_cmd cmd_auth_enable = {
	"enable", "enable", "Enables authentication", NULL, NULL, auth_enable_run, NULL,
};

static const struct ctl_cmd *const auth_subs[] = { &cmd_auth_disable, &cmd_auth_enable, NULL };

static const struct ctl_cmd cmd_auth = {
	"auth", "auth <enable or disable>", "Enable or disable authentication", NULL, NULL, NULL,
	auth_subs,
};

static const struct ctl_cmd cmd_user_add = {
	"add", "add <user name or user:password> [options]", "Adds a new user", NULL,
	user_add_flags, user_add_run, NULL,
};

static const struct ctl_cmd cmd_user_delete = {
	"delete", "delete <user name>", "Deletes a user", NULL, NULL, user_delete_run, NULL,
};

static const struct ctl_cmd cmd_user_get = {
	"get", "get <user name> [options]", "Gets detailed information of a user", NULL,
	user_get_flags, user_get_run, NULL,
};

static const struct ctl_cmd cmd_user_grant_role = {
	"grant-role", "grant-role <user name> <role name>", "Grants a role to a user", NULL, NULL,
	user_grant_role_run, NULL,
};

static const struct ctl_cmd cmd_user_list = {
	"list", "list", "Lists all users", NULL, NULL, user_list_run, NULL,
};

static const struct ctl_cmd cmd_user_passwd = {
	"passwd", "passwd <user name> [options]", "Changes password of user", NULL,
	user_passwd_flags, user_passwd_run, NULL,
};

static const struct ctl_cmd cmd_user_revoke_role = {
	"revoke-role", "revoke-role <user name> <role name>", "Revokes a role from a user", NULL,
	NULL, user_revoke_role_run, NULL,
};

static const struct ctl_cmd *const user_subs[] = {
	&cmd_user_add, &cmd_user_delete, &cmd_user_get, &cmd_user_grant_role, &cmd_user_list,
	&cmd_user_passwd, &cmd_user_revoke_role, NULL,
};

static const struct ctl_cmd cmd_user = {
	"user", "user <subcommand>", "User related commands", NULL, NULL, NULL, user_subs,
};

static const struct ctl_cmd cmd_role_add = {
	"add", "add <role name>", "Adds a new role", NULL, NULL, role_add_run, NULL,
};

static const struct ctl_cmd cmd_role_delete = {
	"delete", "delete <role name>", "Deletes a role", NULL, NULL, role_delete_run, NULL,
};

static const struct ctl_cmd cmd_role_get = {
	"get", "get <role name>", "Gets detailed information of a role", NULL, NULL, role_get_run,
	NULL,
};

static const struct ctl_cmd cmd_role_grant = {
	"grant-permission",
	"grant-permission [options] <role name> <permission type> <key> [endkey]",
	"Grants a key to a role", NULL, role_grant_flags, role_grant_run, NULL,
};

static const struct ctl_cmd cmd_role_list = {
	"list", "list", "Lists all roles", NULL, NULL, role_list_run, NULL,
};

static const struct ctl_cmd cmd_role_revoke = {
	"revoke-permission", "revoke-permission <role name> <key> [endkey]",
	"Revokes a key from a role", NULL, role_revoke_flags, role_revoke_run, NULL,
};

static const struct ctl_cmd *const role_subs[] = {
	&cmd_role_add, &cmd_role_delete, &cmd_role_get, &cmd_role_grant, &cmd_role_list,
	&cmd_role_revoke, NULL,
};

static const struct ctl_cmd cmd_role = {
	"role", "role <subcommand>", "Role related commands", NULL, NULL, NULL, role_subs,
};

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

static const struct ctl_cmd cmd_alarm_disarm = {
	"disarm", "disarm", "Disarms all alarms", NULL, NULL, alarm_disarm_run, NULL,
};

static const struct ctl_cmd cmd_alarm_list = {
	"list", "list", "Lists all alarms", NULL, NULL, alarm_list_run, NULL,
};

static const struct ctl_cmd *const alarm_subs[] = {
	&cmd_alarm_disarm, &cmd_alarm_list, NULL,
};

static const struct ctl_cmd cmd_alarm = {
	"alarm", "alarm <subcommand>", "Alarm related commands", NULL, NULL, NULL, alarm_subs,
};

static const struct ctl_cmd cmd_defrag = {
	"defrag", "defrag", "Defragments the storage of the etcd members with given endpoints",
	NULL, defrag_flags, defrag_run, NULL,
};

static const struct ctl_cmd cmd_endpoint_hashkv = {
	"hashkv", "hashkv", "Prints the KV history hash for each endpoint in --endpoints", NULL,
	endpoint_hashkv_flags, endpoint_hashkv_run, NULL,
};

static const struct ctl_cmd cmd_endpoint_health = {
	"health", "health",
	"Checks the healthiness of endpoints specified in `--endpoints` flag", NULL, NULL,
	endpoint_health_run, NULL,
};

static const struct ctl_cmd cmd_endpoint_status = {
	"status", "status", "Prints out the status of endpoints specified in `--endpoints` flag",
	"When --write-out is set to simple, this command prints out comma-separated status "
	"lists for each endpoint.\nThe items in the lists are endpoint, ID, version, db size, "
	"is leader, is learner, raft term, raft index, raft applied index, errors.\n",
	NULL, endpoint_status_run, NULL,
};

static const struct ctl_cmd *const endpoint_subs[] = {
	&cmd_endpoint_hashkv, &cmd_endpoint_health, &cmd_endpoint_status, NULL,
};

/* Its flags (--cluster) are inherited by its subcommands. */
static const struct ctl_cmd cmd_endpoint = {
	"endpoint", "endpoint <subcommand>", "Endpoint related commands", NULL, endpoint_flags,
	NULL, endpoint_subs,
};

static const struct ctl_cmd cmd_member_add = {
	"add", "add <memberName> [options]", "Adds a member into the cluster", NULL,
	member_add_flags, member_add_run, NULL,
};

static const struct ctl_cmd cmd_member_list = {
	"list", "list", "Lists all members in the cluster",
	"When --write-out is set to simple, this command prints out comma-separated member "
	"lists for each endpoint.\nThe items in the lists are ID, Status, Name, Peer Addrs, "
	"Client Addrs, Is Learner.\n",
	NULL, member_list_run, NULL,
};

static const struct ctl_cmd cmd_member_promote = {
	"promote", "promote <memberID>", "Promotes a non-voting member in the cluster",
	"Promotes a non-voting learner member to a voting one in the cluster.\n", NULL,
	member_promote_run, NULL,
};

static const struct ctl_cmd cmd_member_remove = {
	"remove", "remove <memberID>", "Removes a member from the cluster", NULL, NULL,
	member_remove_run, NULL,
};

static const struct ctl_cmd cmd_member_update = {
	"update", "update <memberID> [options]", "Updates a member in the cluster", NULL,
	member_update_flags, member_update_run, NULL,
};

static const struct ctl_cmd *const member_subs[] = {
	&cmd_member_add, &cmd_member_list, &cmd_member_promote, &cmd_member_remove,
	&cmd_member_update, NULL,
};

static const struct ctl_cmd cmd_member = {
	"member", "member <subcommand>", "Membership related commands", NULL, NULL, NULL,
	member_subs,
};

static const struct ctl_cmd cmd_move_leader = {
	"move-leader", "move-leader <transferee-member-id>",
	"Transfers leadership to another etcd cluster member.", NULL, NULL, move_leader_run, NULL,
};

/* lease (ctl/cmd_lease.c, ctl/cmd_keepalive.c). */
static const struct ctl_cmd cmd_lease_grant = {
	"grant", "grant <ttl>", "Creates leases", NULL, NULL, lease_grant_run, NULL,
};

static const struct ctl_cmd cmd_lease_keepalive = {
	"keep-alive", "keep-alive [options] <leaseID>", "Keeps leases alive (renew)", NULL,
	lease_keepalive_flags, lease_keepalive_run, NULL,
};

static const struct ctl_cmd cmd_lease_list = {
	"list", "list", "List all active leases", NULL, NULL, lease_list_run, NULL,
};

static const struct ctl_cmd cmd_lease_revoke = {
	"revoke", "revoke <leaseID>", "Revokes leases", NULL, NULL, lease_revoke_run, NULL,
};

static const struct ctl_cmd cmd_lease_timetolive = {
	"timetolive", "timetolive <leaseID> [options]", "Get lease information", NULL,
	lease_timetolive_flags, lease_timetolive_run, NULL,
};

static const struct ctl_cmd *const lease_subs[] = {
	&cmd_lease_grant, &cmd_lease_keepalive, &cmd_lease_list, &cmd_lease_revoke,
	&cmd_lease_timetolive, NULL,
};

static const struct ctl_cmd cmd_lease = {
	"lease", "lease <subcommand>", "Lease related commands", NULL, NULL, NULL, lease_subs,
};

/* By name, as cobra sorts them. */
static const struct ctl_cmd cmd_elect = {
	"elect", "elect <election-name> [proposal]",
	"Observes and participates in leader election", NULL, elect_flags, elect_run, NULL,
};

static const struct ctl_cmd cmd_lock = {
	"lock", "lock <lockname> [exec-command arg1 arg2 ...]", "Acquires a named lock", NULL,
	lock_flags, lock_run, NULL,
};

static const struct ctl_cmd cmd_watch = {
	"watch", "watch [options] [key or prefix] [range_end] [--] [exec-command arg1 arg2 ...]",
	"Watches events stream on keys or prefixes", NULL, watch_flags, watch_run, NULL,
};

/* cobra's completion: its usage only (completion_run fails). */
static const struct ctl_cmd cmd_completion_bash = {
	"bash", "bash", "Generate the autocompletion script for bash",
	"Generate the autocompletion script for the bash shell.\n"
	"\n"
	"This script depends on the 'bash-completion' package.\n"
	"If it is not installed already, you can install it via your OS's package manager.\n"
	"\n"
	"To load completions in your current shell session:\n"
	"\n"
	"\tsource <(etcdctl completion bash)\n"
	"\n"
	"To load completions for every new session, execute once:\n"
	"\n"
	"#### Linux:\n"
	"\n"
	"\tetcdctl completion bash > /etc/bash_completion.d/etcdctl\n"
	"\n"
	"#### macOS:\n"
	"\n"
	"\tetcdctl completion bash > $(brew --prefix)/etc/bash_completion.d/etcdctl\n"
	"\n"
	"You will need to start a new shell for this setup to take effect.\n",
	completion_flags, completion_run, NULL,
};

static const struct ctl_cmd cmd_completion_fish = {
	"fish", "fish [flags]", "Generate the autocompletion script for fish",
	"Generate the autocompletion script for the fish shell.\n"
	"\n"
	"To load completions in your current shell session:\n"
	"\n"
	"\tetcdctl completion fish | source\n"
	"\n"
	"To load completions for every new session, execute once:\n"
	"\n"
	"\tetcdctl completion fish > ~/.config/fish/completions/etcdctl.fish\n"
	"\n"
	"You will need to start a new shell for this setup to take effect.\n",
	completion_flags, completion_run, NULL,
};

static const struct ctl_cmd cmd_completion_powershell = {
	"powershell", "powershell [flags]", "Generate the autocompletion script for powershell",
	"Generate the autocompletion script for powershell.\n"
	"\n"
	"To load completions in your current shell session:\n"
	"\n"
	"\tetcdctl completion powershell | Out-String | Invoke-Expression\n"
	"\n"
	"To load completions for every new session, add the output of the above command\n"
	"to your powershell profile.\n",
	completion_flags, completion_run, NULL,
};

static const struct ctl_cmd cmd_completion_zsh = {
	"zsh", "zsh [flags]", "Generate the autocompletion script for zsh",
	"Generate the autocompletion script for the zsh shell.\n"
	"\n"
	"If shell completion is not already enabled in your environment you will need\n"
	"to enable it.  You can execute the following once:\n"
	"\n"
	"\techo \"autoload -U compinit; compinit\" >> ~/.zshrc\n"
	"\n"
	"To load completions in your current shell session:\n"
	"\n"
	"\tsource <(etcdctl completion zsh); compdef _etcdctl etcdctl\n"
	"\n"
	"To load completions for every new session, execute once:\n"
	"\n"
	"#### Linux:\n"
	"\n"
	"\tetcdctl completion zsh > \"${fpath[1]}/_etcdctl\"\n"
	"\n"
	"#### macOS:\n"
	"\n"
	"\tetcdctl completion zsh > $(brew --prefix)/share/zsh/site-functions/_etcdctl\n"
	"\n"
	"You will need to start a new shell for this setup to take effect.\n",
	completion_flags, completion_run, NULL,
};

static const struct ctl_cmd *const completion_subs[] = {
	&cmd_completion_bash, &cmd_completion_fish, &cmd_completion_powershell,
	&cmd_completion_zsh, NULL,
};

static const struct ctl_cmd cmd_completion = {
	"completion", "completion", "Generate the autocompletion script for the specified shell",
	"Generate the autocompletion script for etcdctl for the specified shell.\n"
	"See each sub-command's help for details on how to use the generated script.\n",
	NULL, NULL, completion_subs,
};

static const struct ctl_cmd cmd_help = {
	"help", "help [command]", "Help about any command",
	"Help provides help for any command in the application.\n"
	"Simply type etcdctl help [path to command] for full details.",
	NULL, help_run, NULL,
};

static const struct ctl_cmd cmd_check_datascale = {
	"datascale", "datascale [options]",
	"Check the memory usage of holding data for different workloads on a given server "
	"endpoint.",
	"If no endpoint is provided, localhost will be used. If multiple endpoints are "
	"provided, first endpoint will be used.",
	check_datascale_flags, check_datascale_run, NULL,
};

static const struct ctl_cmd cmd_check_perf = {
	"perf", "perf [options]", "Check the performance of the etcd cluster", NULL,
	check_perf_flags, check_perf_run, NULL,
};

static const struct ctl_cmd *const check_subs[] = {
	&cmd_check_datascale, &cmd_check_perf, NULL,
};

static const struct ctl_cmd cmd_check = {
	"check", "check <subcommand>", "commands for checking properties of the etcd cluster",
	NULL, NULL, NULL, check_subs,
};

static const struct ctl_cmd cmd_make_mirror = {
	"make-mirror", "make-mirror [options] <destination>",
	"Makes a mirror at the destination etcd cluster", NULL, make_mirror_flags,
	make_mirror_run, NULL,
};

static const struct ctl_cmd *const root_subs[] = {
	&cmd_alarm,
	&cmd_auth,
	&cmd_check,
	&cmd_compaction,
	&cmd_completion,
	&cmd_defrag,
	&cmd_del,
	&cmd_elect,
	&cmd_endpoint,
	&cmd_get,
	&cmd_help,
	&cmd_lease,
	&cmd_lock,
	&cmd_make_mirror,
	&cmd_member,
	&cmd_move_leader,
	&cmd_put,
	&cmd_role,
	&cmd_snapshot,
	&cmd_txn,
	&cmd_user,
	&cmd_version,
	&cmd_watch,
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
	"elect", "auth", "user", "role", "check", "completion", NULL,
};
