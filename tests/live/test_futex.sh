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
# SIGCHLD from the child at exit is a conversation too: count the others
check_jq "shared: no other conversations" 1 "$j" '[.conversations[] | select(.kind != "signal")] | length'
check_jq "shared: a = parent, b = child" "$p fx_parent $c fx_child" "$j" \
	"${SEL}[0] | \"\(.a.pid) \(.a.comm) \(.b.pid) \(.b.comm)\""
check_jq "shared: key is the shm inode + offset 4160" "true $ino 4160" "$j" \
	"${SEL}[0].key | \"\(.shared) \(.ino) \(.offset)\""
check_jq "shared: channel name" "futex:[$ino]+4160" "$j" "${SEL}[0].channel"
check_jq "shared: parent woke child" "$N 0 $N" "$j" "${SEL}[0].a_to_b | \"\(.msgs) \(.bytes) \(.waits)\""
check_jq "shared: child woke parent" "$N 0 $N" "$j" "${SEL}[0].b_to_a | \"\(.msgs) \(.bytes) \(.waits)\""
check_jq "shared: totals wakes waits" "$((2 * N)) $((2 * N))" "$j" "${SEL}[0] | \"\(.wakes) \(.waits)\""
check_jq "shared: wait_ns = a_blocked_ns + b_blocked_ns > 0" true "$j" \
	"${SEL}[0] | .wait_ns == .a_blocked_ns + .b_blocked_ns and .a_blocked_ns > 0 and .b_blocked_ns > 0"
check_jq "shared: first_ns <= last_ns" true "$j" "${SEL}[0] | .first_ns > 0 and .first_ns <= .last_ns"
SHM='.channels[] | select(.kind == "shm" and .ino == $i)'
check_jq "shared: the shm segment lists its futex" "futex:[$ino]+4160" "$j" \
	"$SHM | .futexes | join(\",\")" --arg i "$ino"
check_jq "shared: the shm segment's mappers (parent 2 pages, child 1)" "$p:8192 $c:4096" "$j" \
	"$SHM | [(.mappers[] | select(.pid == \$p)), (.mappers[] | select(.pid == \$c))] | map(\"\\(.pid):\\(.size)\") | join(\" \")" \
	--arg i "$ino" --argjson p "$p" --argjson c "$c"

rec private "$WL/futex_pingpong" private "$N"
check_eq "private: record exit status (workload's own check)" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/private.err"
role_pid q "$T/private.out" proc
report_json private
check_recording private
j=$T/private.json
check_jq "private: one futex conversation" 1 "$j" "$SEL | length"
check_jq "private: a = b = the process" "$q fx_private $q fx_private" "$j" \
	"${SEL}[0] | \"\(.a.pid) \(.a.comm) \(.b.pid) \(.b.comm)\""
check_jq "private: key" "false $q" "$j" "${SEL}[0].key | \"\(.shared) \(.pid)\""
check_jq "private: channel name" true "$j" "${SEL}[0].channel | test(\"^futex:$q@0x[0-9a-f]+\$\")"
check_jq "private: wakes waits (both threads)" "$((2 * N)) $((2 * N)) $((2 * N))" "$j" \
	"${SEL}[0] | \"\(.a_to_b.msgs) \(.a_to_b.waits) \(.wakes)\""
check_jq "private: b_to_a empty" "0 0" "$j" "${SEL}[0].b_to_a | \"\(.msgs) \(.waits)\""

# waitv: the child waits with futex_waitv on [its own idle word, the shared
# word]; the kernel says index 1 woke it: the same exact counts.
rec waitv timeout 60 "$WL/futex_pingpong" waitv "$N"
check_eq "waitv: record exit status (workload's own check)" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/waitv.err"
role_pid p "$T/waitv.out" parent
role_pid c "$T/waitv.out" child
role_pid ino "$T/waitv.out" ino
report_json waitv
check_recording waitv
j=$T/waitv.json
check_jq "waitv: one futex conversation" 1 "$j" "$SEL | length"
check_jq "waitv: parent -> child, key" "$p $c futex:[$ino]+4160" "$j" "${SEL}[0] | \"\\(.a.pid) \\(.b.pid) \\(.channel)\""
check_jq "waitv: wakes and waits each way" "$N $N $N $N" "$j" \
	"${SEL}[0] | \"\\(.a_to_b.msgs) \\(.a_to_b.waits) \\(.b_to_a.msgs) \\(.b_to_a.waits)\""

# condvar: process-shared pthread mutex + cond var in POSIX shm. The cond
# var's futexes (glibc: one word per group, inside the cond var) carry exactly
# N wakes each way; the mutex's contention depends on timing (not asserted).
rec condvar "$WL/futex_pingpong" condvar "$N"
check_eq "condvar: record exit status (workload's own check)" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/condvar.err"
role_pid p "$T/condvar.out" parent
role_pid c "$T/condvar.out" child
role_pid ino "$T/condvar.out" ino
role_pid cond "$T/condvar.out" cond
role_pid csize "$T/condvar.out" cond_size
report_json condvar
check_recording condvar
j=$T/condvar.json
CV='[.conversations[] | select(.kind == "futex" and (.key.offset | tonumber) >= $o and (.key.offset | tonumber) < $o + $s)]'
cvargs=(--argjson o "$cond" --argjson s "$csize" --argjson p "$p" --argjson c "$c")
check_jq "condvar: only futex conversations (besides SIGCHLD)" true "$j" '[.conversations[] | select(.kind != "signal") | .kind == "futex"] | all'
check_jq "condvar: every futex between parent and child, on the shm inode" true "$j" \
	'([.conversations[] | select(.kind == "futex") | [.a.pid, .b.pid] == [$p, $c] or [.a.pid, .b.pid] == [$c, $p]] | all) and
	 ([.conversations[] | select(.kind == "futex") | .key.shared and .key.ino == $i] | all)' "${cvargs[@]}" --arg i "$ino"
# "wakes waits" from parent to child, then from child to parent, over the cond var's words
dirsum='def dir($x; $y): [ (.[] | select(.a.pid == $x and .b.pid == $y) | .a_to_b),
                        (.[] | select(.b.pid == $x and .a.pid == $y) | .b_to_a) ]
                      | "\(map(.msgs) | add // 0) \(map(.waits) | add // 0)";'
check_jq "condvar: parent woke child on the cond var" "$N $N" "$j" "$dirsum $CV | dir(\$p; \$c)" "${cvargs[@]}"
check_jq "condvar: child woke parent on the cond var" "$N $N" "$j" "$dirsum $CV | dir(\$c; \$p)" "${cvargs[@]}"
live_finish
