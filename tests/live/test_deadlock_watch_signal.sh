#!/bin/bash
# shellcheck disable=SC2154 # dl_role sets the variables
# deadlock --watch ended by a signal: a deadlock that forms after the watch
# started is reported exactly once, however long the watch goes on looking at
# it; SIGINT (Ctrl-C) and SIGTERM then end the watch cleanly: the summary line
# on stderr and exit 1 (a deadlock was reported). Several rounds of each, so a
# signal landing in any part of the watch loop (the ring poll, the inflight
# scan, the /proc read, the stack unwinding) is met.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dl_lib.sh"
live_init "$@"
need_workload dl_abba

round() { # round NAME SIGNAL TEXT(0|1)
	local name=$1 sig=$2 n
	# no -n, a long --duration: only the signal ends it
	DL_TEXT=$3 dl_start "$name" "--threshold 0.3 --duration 50" "$WL/dl_abba"
	dl_role p "$name" proc
	if [[ $3 == 1 ]]; then
		wait_line "$T/$name.watch" "DEADLOCK 1" 20 "$DL_WATCH_PID" || { show "$T/$name.watch.err"; die "$name: no deadlock reported"; }
	else
		wait_line "$T/$name.watch" '"cycle"' 20 "$DL_WATCH_PID" || { show "$T/$name.watch.err"; die "$name: no deadlock reported"; }
	fi
	# the watch goes on scanning the same stuck threads (every 100 ms) for a while
	sleep 2
	kill -s "$sig" "$DL_WATCH_PID"
	DL_TEXT=$3 dl_watch_result "$name"
	check_eq "$name: exit status after SIG$sig (a deadlock was reported)" 1 "$WATCH_RC"
	check_grep "$name: summary line after SIG$sig" "$T/$name.watch.err" "deadlock --watch: 1 deadlock reported"
	if [[ $3 == 1 ]]; then
		n=$(grep -c "DEADLOCK" "$T/$name.watch")
	else
		n=$(jq '.cycles | length' "$T/$name.w.json")
	fi
	check_eq "$name: the deadlock reported once" 1 "$n"
	{ kill -KILL "$p" && wait "$p"; } 2>/dev/null
}

round int1 INT 1
round int2 INT 0
round term1 TERM 0
round term2 TERM 1
round term3 TERM 0
round int3 INT 0
live_finish
