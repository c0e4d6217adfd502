#!/bin/bash
# Tests: the NOSPACE alarm through etcdctl against cairn and the real etcd
# 3.4 side by side (tests/integration/etcd_lib.sh), both with a quota of
# 13 pages (quota_etcdctl.sh): puts until the quota refuses them, then
# alarm list in every output format, endpoint status with the alarm among
# its errors (a table cell wrapped at 30 columns), the refused put, alarm
# disarm in every format (puts past the quota raise the alarm again; how
# many fit before differs by server, so they are not compared). Run with cairnctl too (ctl_alarm_cairn.sh, ctl_alarm_etcd.sh).
SIDE_FLAGS="--quota-backend-bytes $((13 * 4096))"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/etcd_lib.sh"

# Each server takes its own number of puts: revisions are masked too.
mask() {
	sed -E 's/"(dbSize|dbSizeInUse|raftIndex|raftAppliedIndex|revision)":[0-9]+/"\1":N/g;
		s/"(DBSize|RaftIndex|RaftAppliedIndex|Revision)" : [0-9]+/"\1" : N/;
		s/took = .*/took = T/'
}
. "$(dirname "$0")/masks_lib.sh"
# full: 4 KiB puts until the quota refuses one (each server takes its
# own number of them).
big=$(head -c 4096 /dev/zero | tr '\0' b)
full() {
	local i
	for i in $(seq 1 60); do
		"$CTL_BIN" --endpoints "127.0.0.1:$PORT" put "big$i" "$big" >/dev/null 2>&1 || return 0
	done
	return 1
}
for PORT in "$EP" "$CP"; do
	check "puts reach the quota ($PORT)" full
done

same ctl alarm list
same ctl alarm list -w json
same panicky ctl alarm list -w fields
same pb AlarmResponse ctl alarm list -w protobuf
same ctl alarm list -w table
same status ctl endpoint status
same tab "4 7 8 9" ctl endpoint status -w table
same m ctl endpoint status -w json
same m ctl endpoint status -w fields
same m ctl endpoint health
same ctl put small x
same ctl alarm disarm
same ctl alarm list
# A put refused by the quota raises the alarm again: at once with etcd,
# within STORED_ALARM_RETRY_MS (3 s) with cairn, which makes one alarm of
# a burst of such puts. rearm puts until the alarm is back on both.
armed() { [ -n "$("$CTL_BIN" --endpoints "127.0.0.1:$PORT" alarm list 2>/dev/null)" ]; }
rearm() {
	local i
	for PORT in "$EP" "$CP"; do
		for i in $(seq 1 50); do
			"$CTL_BIN" --endpoints "127.0.0.1:$PORT" put small x >/dev/null 2>&1
			armed && break
			sleep 0.2
		done
		armed || return 1
	done
}
check "the alarm is raised again" rearm
same ctl alarm disarm -w json
check "the alarm is raised again" rearm
same panicky ctl alarm disarm -w fields
same ctl alarm list
check "the alarm is raised again" rearm
same pb AlarmResponse ctl alarm disarm -w protobuf
check "the alarm is raised again" rearm
same ctl alarm disarm -w table
same ctl alarm list

finish_side_by_side
