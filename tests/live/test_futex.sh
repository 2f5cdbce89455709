#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# futex_pingpong under `record -- CMD`: strict handoffs, so exact counts.
# shared: two processes map one POSIX shm word at different addresses and
# file offsets: one futex key (inode, offset 4160), one conversation.
# private: two threads of one process, FUTEX_PRIVATE_FLAG.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload futex_pingpong

N=25
SEL='[.conversations[] | select(.kind == "futex")]'

rec shared "$WL/futex_pingpong" shared "$N"
check_eq "shared: record exit status (workload's own check)" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/shared.err"
role_pid p "$T/shared.out" parent
role_pid c "$T/shared.out" child
role_pid ino "$T/shared.out" ino
report_json shared
check_recording shared
j=$T/shared.json
check_jq "shared: one futex conversation" 1 "$j" "$SEL | length"
check_jq "shared: no other conversations" 1 "$j" '.conversations | length'
check_jq "shared: a = parent, b = child" "$p fx_parent $c fx_child" "$j" \
	"$SEL[0] | \"\(.a.pid) \(.a.comm) \(.b.pid) \(.b.comm)\""
check_jq "shared: key is the shm inode + offset 4160" "true $ino 4160" "$j" \
	"$SEL[0].key | \"\(.shared) \(.ino) \(.offset)\""
check_jq "shared: channel name" "futex:[$ino]+4160" "$j" "$SEL[0].channel"
check_jq "shared: parent woke child" "$N 0 $N" "$j" "$SEL[0].a_to_b | \"\(.msgs) \(.bytes) \(.waits)\""
check_jq "shared: child woke parent" "$N 0 $N" "$j" "$SEL[0].b_to_a | \"\(.msgs) \(.bytes) \(.waits)\""
check_jq "shared: totals wakes waits" "$((2 * N)) $((2 * N))" "$j" "$SEL[0] | \"\(.wakes) \(.waits)\""
check_jq "shared: wait_ns = a_blocked_ns + b_blocked_ns > 0" true "$j" \
	"$SEL[0] | .wait_ns == .a_blocked_ns + .b_blocked_ns and .a_blocked_ns > 0 and .b_blocked_ns > 0"
check_jq "shared: first_ns <= last_ns" true "$j" "$SEL[0] | .first_ns > 0 and .first_ns <= .last_ns"

rec private "$WL/futex_pingpong" private "$N"
check_eq "private: record exit status (workload's own check)" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/private.err"
role_pid q "$T/private.out" proc
report_json private
check_recording private
j=$T/private.json
check_jq "private: one futex conversation" 1 "$j" "$SEL | length"
check_jq "private: a = b = the process" "$q fx_private $q fx_private" "$j" \
	"$SEL[0] | \"\(.a.pid) \(.a.comm) \(.b.pid) \(.b.comm)\""
check_jq "private: key" "false $q" "$j" "$SEL[0].key | \"\(.shared) \(.pid)\""
check_jq "private: channel name" true "$j" "$SEL[0].channel | test(\"^futex:$q@0x[0-9a-f]+\$\")"
check_jq "private: wakes waits (both threads)" "$((2 * N)) $((2 * N)) $((2 * N))" "$j" \
	"$SEL[0] | \"\(.a_to_b.msgs) \(.a_to_b.waits) \(.wakes)\""
check_jq "private: b_to_a empty" "0 0" "$j" "$SEL[0].b_to_a | \"\(.msgs) \(.waits)\""
live_finish
