#!/bin/bash
# shellcheck disable=SC2154 # dl_role sets the variables
# programs that wait but are not deadlocked: no cycle, exit 0. A slow but
# progressing pipeline (a stall at most), a condition variable a timer
# thread signals, an idle server in accept.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dl_lib.sh"
live_init "$@"
# the watch runs its whole --duration: nothing may be reported
DLW="--threshold 0.5 --duration 3"
need_workload dl_fine

dl_start pl "$DLW" "$WL/dl_fine" pipeline
dl_role w pl writer
dl_role r pl relay
dl_role d pl reader
dl_wait_blocked "$d" "$d" 0
dl_watch_result pl
dl_snapshot pl "$w" "$r" "$d"
dl_check_none pl
dl_check_watch_none pl
# the reader's chain (through the relay when it is caught waiting too) ends
# in a thread that can still move: stalls at most, never a cycle
check_jq "pl: every stall ends in a thread not blocked in IPC" true "$T/pl.json" \
	'.stalls | all(.threads[-1].waits_for == null)'

dl_start cv "$DLW" "$WL/dl_fine" condvar
dl_role p cv proc
dl_role t cv timer
dl_wait_blocked "$p" "$p" 202
dl_watch_result cv
dl_snapshot cv "$p"
dl_check_none cv
dl_check_watch_none cv
# the cond var's futex word names no owner: the waiter heads no chain
check_jq "cv: no stall starts at the waiter" 0 "$T/cv.json" '[.stalls[].threads[0] | select(.tid == $p)] | length' --argjson p "$p"

dl_start acc "$DLW" "$WL/dl_fine" accept
dl_role s acc server
dl_wait_blocked "$s" "$s" 43
dl_watch_result acc
dl_snapshot acc "$s"
dl_check_none acc
dl_check_watch_none acc
check_jq "acc: nothing stalls" 0 "$T/acc.json" '.stalls | length'
live_finish
