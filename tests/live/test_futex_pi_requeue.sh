#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# futex_pi_requeue: PI futex handoffs (UNLOCK_PI -> the LOCK_PI waiting for
# the owner in the lock word) and a CMP_REQUEUE followed to the second futex,
# both in a MAP_SHARED page the children inherit across fork (their mapping
# is attributed to them with no syscall of theirs).
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload futex_pi_requeue

N=6
FX='[.conversations[] | select(.kind == "futex")]'

# shm segment of the shared page: the parent mapped it, each child inherited it.
check_inherited() {
	local name=$1 ino=$2 parent=$3 want=$4
	check_jq "$name: page mapped by the parent, inherited by children" "$want" "$T/$name.json" \
		'.channels[] | select(.kind == "shm" and .ino == $i) |
		 [.mappers[] | "\(if .pid == $p then "parent" else .comm end):\(.maps):\(.inherited)"] | sort | join(" ")' \
		--arg i "$ino" --argjson p "$parent"
}

rec pi "$WL/futex_pi_requeue" pi "$N"
check_eq "pi: record exit status (workload's own check)" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/pi.err"
role_pid o "$T/pi.out" owner
role_pid w "$T/pi.out" waiter
role_pid ino "$T/pi.out" ino
report_json pi
check_recording pi
j=$T/pi.json
check_jq "pi: one futex conversation" 1 "$j" "$FX | length"
check_jq "pi: owner woke waiter N times, N waits ended, none back" \
	"$o fx_pi_owner $w fx_pi_waiter $N $N 0 0" "$j" \
	"${FX}[0] | \"\(.a.pid) \(.a.comm) \(.b.pid) \(.b.comm) \(.a_to_b.msgs) \(.a_to_b.waits) \(.b_to_a.msgs) \(.b_to_a.waits)\""
check_jq "pi: owner TID from the lock word" "$o" "$j" "${FX}[0].owner_tid"
check_jq "pi: keyed by the shared page" "futex:[$ino]+0" "$j" "${FX}[0].channel"
check_jq "pi: waiter blocked > 0" true "$j" "${FX}[0].a_to_b.wait_ns > 0"
check_inherited pi "$ino" "$o" "fx_pi_waiter:0:1 parent:1:0"

rec rq "$WL/futex_pi_requeue" requeue
check_eq "rq: record exit status (workload's own check)" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/rq.err"
role_pid p "$T/rq.out" parent
role_pid wa "$T/rq.out" woken_a
role_pid wb "$T/rq.out" woken_b
role_pid ino "$T/rq.out" ino
report_json rq
check_recording rq
j=$T/rq.json
check_jq "rq: two futex conversations" 2 "$j" "$FX | length"
check_jq "rq: requeue woke one on A (+64)" "$p $wa 1 1" "$j" \
	"${FX}[] | select(.channel == \"futex:[$ino]+64\") | \"\(.a.pid) \(.b.pid) \(.wakes) \(.waits)\""
check_jq "rq: the requeued waiter was woken on B (+128)" "$p $wb 1 1" "$j" \
	"${FX}[] | select(.channel == \"futex:[$ino]+128\") | \"\(.a.pid) \(.b.pid) \(.wakes) \(.waits)\""
check_jq "rq: nothing paired with an unseen side" 0 "$j" "[${FX}[] | select(.a.pid == 0 or .b.pid == 0)] | length"
check_inherited rq "$ino" "$p" "fx_rq_1:0:1 fx_rq_2:0:1 parent:1:0"
live_finish
