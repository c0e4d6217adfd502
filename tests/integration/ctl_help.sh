#!/bin/bash
# Tests: cairnctl's help command (cobra's) prints what the real etcdctl
# prints: "help [command]" for commands, groups, prefixes, extra words,
# flags, an unknown topic (its %#q text on stderr and the root's usage
# without its help flag), exit statuses; the root's usage; cobra's
# completion command's usage, and the prefixes and suggestions it takes
# part in ("co" is no command). No server.
. "$(dirname "$0")/lib.sh"
export ETCDCTL_API=3
if ! command -v etcdctl >/dev/null; then
	not_ok "etcdctl is installed (scripts/deps.sh test installs them)"
	finish
	exit 1
fi

# cairnctl has no etcdctl migrate (of a v2 store, which cairn never had):
# its line of the root's command list is left out of etcdctl's output.
unlisted() { sed -e '/^\tmigrate\t/d'; }
# both ARGS...: etcdctl and cairnctl give the same stdout, stderr and exit.
both() {
	etcdctl "$@" >"$T/e.out" 2>"$T/e.err"
	echo "exit $?" >>"$T/e.out"
	"$B/cairnctl" "$@" >"$T/c.out" 2>"$T/c.err"
	echo "exit $?" >>"$T/c.out"
	unlisted <"$T/e.out" >"$T/e.out.n"
	if cmp -s "$T/e.out.n" "$T/c.out" && cmp -s "$T/e.err" "$T/c.err"; then
		ok "$* (as etcdctl)"
	else
		not_ok "$* (as etcdctl)"
		diff "$T/e.out.n" "$T/c.out" | sed 's/^/# out: /'
		diff "$T/e.err" "$T/c.err" | sed 's/^/# err: /'
	fi
}

both help
both --help
both he
both help help
both help --help
both help -h
both help --foo
both help -w json get
both help -- get
both help get
both help get x y
both help g
both help member
both help member add
both help mem add
both help member nothing
both help lease keep-alive
both help snapshot restore
both help endpoint hashkv
both help make-mirror
both help check
both help check perf
both help check datascale
both help check p
both help x
both help x y
both help x get
both help "a\`b"
both help "$(printf 'tab\there')"
both help "$(printf 'bell\a')"
both help "é"
both help "$(printf '\xff')"
both hepl
both completion
both completion --help
both help completion
for sh in bash fish powershell zsh; do
	both completion "$sh" --help
	both help completion "$sh"
done
both c
both co
both comp
both completion x
finish
