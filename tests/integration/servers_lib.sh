# Tests: one-member servers by name, the real etcd's or cairn's, each a
# cluster of its own (ctl_mirror.sh, ctl_check.sh). Sourced after lib.sh;
# needs ETCD_BIN. Their client port in PORTS, their PID in PIDS.
declare -A PORTS PIDS
stop_servers() {
	local n kids
	for n in "${!PIDS[@]}"; do
		kids=$(pgrep -P "${PIDS[$n]}" 2>/dev/null)
		kill -9 "${PIDS[$n]}" $kids 2>/dev/null
		wait "${PIDS[$n]}" 2>/dev/null
	done
	PIDS=()
}
# server etcd|cairn NAME: starts it, data in $T/NAME, log in $T/NAME.log.
server() {
	local bin=$ETCD_BIN name=$2 p
	[ "$1" = etcd ] || bin=$B/cairn
	p=($(free_port 2))
	PORTS[$name]=${p[0]}
	"$bin" --name "$name" --data-dir "$T/$name" --listen-client-urls "http://127.0.0.1:${p[0]}" \
		--advertise-client-urls "http://127.0.0.1:${p[0]}" \
		--listen-peer-urls "http://127.0.0.1:${p[1]}" \
		--initial-advertise-peer-urls "http://127.0.0.1:${p[1]}" \
		--initial-cluster "$name=http://127.0.0.1:${p[1]}" >"$T/$name.log" 2>&1 &
	PIDS[$name]=$!
}
