#!/bin/bash
# Tests: a quota of a few pages, as etcd's own e2e test TestCtlV3Alarm
# sets it (13 pages): the pages every empty store has are not counted
# (mvcc_quota_bytes), so a small put fits; 4 KiB puts then reach it with
# etcd's error, the NOSPACE alarm is listed and /health says false at
# once on the member asked; after compaction, defragmentation and
# disarming, puts work and /health says true again; full again and
# disarmed without making room, the next put raises it again. With the real
# etcdctl (or SIDE_B_CTL).
. "$(dirname "$0")/lib.sh"

CP=$(free_port)
start_cairn "$B/cairn" --data-dir "$T/cairn" --listen-client-urls "http://127.0.0.1:$CP" \
	--advertise-client-urls "http://127.0.0.1:$CP" --quota-backend-bytes $((13 * 4096))
export ETCDCTL_API=3
# SIDE_B_CTL: the client run (cairnctl's goldens), etcdctl by default.
ctl() { timeout 20 "${SIDE_B_CTL:-etcdctl}" --endpoints "127.0.0.1:$CP" --command-timeout 5s "$@" 2>&1; }
health() { curl -s "http://127.0.0.1:$CP/health"; }
check "cairn serves" wait_for 20 eval '[ "$(ctl put up 1)" = OK ]'
check "a small put fits the 13-page quota" eval \
	'[ "$(ctl put small "$(head -c 64 /dev/zero | tr "\0" a)")" = OK ]'
big=$(head -c 4096 /dev/zero | tr '\0' b)
full=
for i in $(seq 1 40); do
	out=$(ctl put big "$big")
	[ "$out" = OK ] && continue
	full=$out
	break
done
check "4 KiB puts reach it: etcd's error" eval \
	'printf "%s\n" "$full" | grep -qx "Error: etcdserver: mvcc: database space exceeded"'
check "the NOSPACE alarm is listed" eval 'ctl alarm list | grep -q "alarm:NOSPACE"'
check "/health says false at once" eval '[ "$(health)" = "{\"health\":\"false\"}" ]'
check "a put is refused" eval \
	'ctl put small x | grep -qx "Error: etcdserver: mvcc: database space exceeded"'
rev=$(ctl endpoint status -w json | sed 's/.*"revision":\([0-9]*\).*/\1/')
check "compaction, defragmentation, disarming" eval \
	'ctl compaction --physical "$rev" | grep -q "compacted revision" &&
	ctl defrag | grep -q "Finished defragmenting" && ctl alarm disarm | grep -q NOSPACE'
check "puts work again" eval '[ "$(ctl put small y)" = OK ]'
check "/health says true" eval '[ "$(health)" = "{\"health\":\"true\"}" ]'
# Full again, disarmed without making room: the next put past the quota
# raises the alarm again at once.
for i in $(seq 1 40); do [ "$(ctl put big "$big")" = OK ] || break; done
check "full again, disarmed at once" eval 'ctl alarm disarm | grep -q NOSPACE'
check "... a put past the quota: etcd's error" eval \
	'ctl put big "$big" | grep -qx "Error: etcdserver: mvcc: database space exceeded"'
check "... and the alarm is raised again within 2 s" \
	wait_for 2 eval 'ctl alarm list | grep -q "alarm:NOSPACE"'
check "no cairn process died or tripped a sanitizer" \
	eval '! grep -q "runtime error:\|Sanitizer\|exited with status\|killed by signal" "$LOG"'
finish
