#!/bin/bash
# shellcheck disable=SC2016 # jq programs use $vars
# record --locks of 10^6 lock calls in one consistent order (two threads,
# A then B, contended): every lock call is in the recording (exact count
# from the workload's own tally), nothing dropped, and report finds no
# lock-order inversion. Then a recorded inversion is listed by report.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload lock_abba

# rec_locks NAME ARGS...: record --locks -- lock_abba ARGS, releasing it once traced
rec_locks() {
	local name=$1 recpid p
	shift
	"$IPCS" record --locks --ringbuf-kb 65536 -o "$T/$name.ipcs" -v -- "$WL/lock_abba" "$@" \
		</dev/null >"$T/$name.out" 2>"$T/$name.err" &
	recpid=$!
	LIVE_BG_PIDS+=("$recpid")
	wait_line "$T/$name.out" '^ready pid=' 20 "$recpid" || { show "$T/$name.err"; die "$name: not ready"; }
	wait_line "$T/$name.err" 'uprobes on' 20 "$recpid" || { show "$T/$name.err"; die "$name: no uprobes"; }
	role_pid p "$T/$name.out" "ready pid"
	kill -USR1 "$p"
	wait_line "$T/$name.out" '^done$' 50 "$recpid" || { show "$T/$name.err"; die "$name: workload did not finish"; }
	kill -USR1 "$p"
	bg_wait "$recpid" 30
	check_eq "$name: record exit status (the command's)" 0 "$BG_RC"
	report_json "$name"
}

rounds=125000
rec_locks cons consistent "$rounds"
calls=$(sed -n 's/^calls=//p' "$T/cons.out")
check_eq "consistent: the workload made 10^6 lock calls" 1000000 "$calls"
la=$(sed -n 's/^lock_a=//p' "$T/cons.out")
lb=$(sed -n 's/^lock_b=//p' "$T/cons.out")
# each of A and B: 2 x rounds locks (attempt + acquired) and unlocks (released)
for l in "$la" "$lb"; do
	check_jq "consistent: every call on $l recorded" "$((2 * rounds)) $((2 * rounds)) 0 $((2 * rounds))" "$T/cons.json" \
		'.locks | map(select(.object == $o))[0] | "\(.attempts) \(.acquired) \(.failed) \(.released)"' --arg o "$l"
done
# and libc's own few (its internal calls reach the same functions)
check_jq "consistent: lock events = A's and B's + libc's own (< 100)" true "$T/cons.json" \
	'.lock_events - 12 * $r | . >= 0 and . < 100' --argjson r "$rounds"
check_jq "consistent: nothing dropped" 0 "$T/cons.json" '.drops.total'
check_jq "consistent: no lock-order inversion" 0 "$T/cons.json" '.lock_inversions | length'

# a never-hanging inversion in a recording: report lists it with both orders
rec_locks inv safe mutex
check_jq "report: one inversion" 1 "$T/inv.json" '.lock_inversions | length'
check_jq "report: mutexes" "mutex mutex" "$T/inv.json" '.lock_inversions[0].locks | map(.kind) | join(" ")'
check_jq "report: two orders with stacks" "true true" "$T/inv.json" \
	'.lock_inversions[0].orders | map(.held.stack | length > 0 and (.[0] | startswith("0x")) | tostring) | join(" ")'
"$IPCS" report "$T/inv.ipcs" >"$T/inv.txt" 2>&1
check_grep "report text: section" "$T/inv.txt" "Lock-order inversions (potential deadlocks, from"
check_grep "report text: the inversion" "$T/inv.txt" "POTENTIAL DEADLOCK 1: lock-order inversion (2 locks): mutex 0x"
live_finish
