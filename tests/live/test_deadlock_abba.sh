#!/bin/bash
# shellcheck disable=SC2154 # dl_role sets the variables
# deadlock on a hung process: two threads, two mutexes, opposite order.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dl_lib.sh"
live_init "$@"
DLW="--threshold 0.5 -n 1 --duration 40"
need_workload dl_abba

dl_start abba "$DLW" "$WL/dl_abba"
dl_role p abba proc
dl_role ta abba ta
dl_role tb abba tb
dl_addr la abba lock_a
dl_addr lb abba lock_b
dl_wait_blocked "$p" "$ta" 202
dl_wait_blocked "$p" "$tb" 202
dl_watch_result abba
dl_snapshot abba "$p"
ev="lock word owner (glibc mutex __owner)"
a="$ta abba_a mutex $lb -> $tb ($ev)"
b="$tb abba_b mutex $la -> $ta ($ev)"
if ((ta < tb)); then want="$a; $b"; else want="$b; $a"; fi
dl_check_cycle abba "$want"
dl_check_watch_cycle abba "$want" 500000000
check_jq "abba: both in process $p" "$p $p" "$T/abba.json" '.cycles[0].threads | map(.pid) | join(" ")'
check_jq "abba: the locks' symbols" "lock_a+0x0 lock_b+0x0" "$T/abba.json" \
	'[.cycles[0].threads[].waits_for.where | capture("(?<s>lock_[ab]\\+0x0)").s] | sort | join(" ")'
check_jq "abba: stacks unwound through the workload's worker()" "true true" "$T/abba.json" \
	'.cycles[0].threads | map(any(.stack[]; .symbol == "worker")) | map(tostring) | join(" ")'
check_jq "abba: no stalls (main thread joins: no known holder)" 0 "$T/abba.json" '.stalls | length'
# the text output, escaped
"$IPCS" deadlock -p "$p" >"$T/abba.txt" 2>&1
check_eq "abba: text exit status" 1 "$?"
check_grep "abba: text headline" "$T/abba.txt" "DEADLOCK 1: a cycle of 2 threads"
check_grep "abba: text owner" "$T/abba.txt" "$ev $p/$tb \"abba_b\""
check_no_raw "abba: text is escaped" "$T/abba.txt"

# --watch for a person: the same cycle as text, with how long each waited
DL_TEXT=1 dl_start abbat "$DLW" "$WL/dl_abba"
dl_role p abbat proc
dl_role ta abbat ta
dl_role tb abbat tb
DL_TEXT=1 dl_watch_result abbat
check_eq "abba --watch text: exit status" 1 "$WATCH_RC"
check_grep "abba --watch text: headline" "$T/abbat.watch" "DEADLOCK 1: a cycle of 2 threads"
check_grep "abba --watch text: owner of a's lock" "$T/abbat.watch" "$ev $p/$tb \"abba_b\""
check_grep "abba --watch text: owner of b's lock" "$T/abbat.watch" "$ev $p/$ta \"abba_a\""
check_eq "abba --watch text: both waits timed" 2 "$(grep -cE 'blocked in futex on the mutex at 0x[0-9a-f]+ .*\(no timeout\) for [0-9]+\.[0-9]{3} s$' "$T/abbat.watch")"
check_grep "abba --watch text: summary on stderr" "$T/abbat.watch.err" "1 deadlock reported"
check_no_raw "abba --watch text: escaped" "$T/abbat.watch"
live_finish
