#!/bin/bash
# shellcheck disable=SC2154,SC2016 # dl_role sets the variables; jq programs use $vars
# deadlock --watch --locks, started before any lock is taken: an rwlock whose
# writer waits for two readers (who each want the writer's mutex), and
# process-shared mutexes in shared memory deadlocking two processes: proven
# cycles (exit 1) with the owners.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dl_lib.sh"
source "$(dirname "$0")/locks_lib.sh"
live_init "$@"
need_workload lock_abba
W="--json --threshold 0.5 -n 1 --duration 40 --no-stacks"
ev="lock holder seen by the uprobes"

# rwlock: readers r1, r2 hold L and want mutex M; the writer holds M and wants L
lk_start rw "$W" "$WL/lock_abba" rwhang
dl_role w rw w
dl_role r1 rw r1
dl_role r2 rw r2
dl_watch_result rw
check_eq "rwlock: exit status (deadlock found)" 1 "$WATCH_RC"
check_jq "rwlock: one cycle of the writer and a reader" 2 "$T/rw.w.json" '.cycles[0].threads | length'
check_jq "rwlock: the writer waits for a reader holding the rwlock" true "$T/rw.w.json" \
	'.cycles[0].threads | map(select(.tid == $w))[0].held_by | (.tid == $r1 or .tid == $r2) and .evidence == $ev' \
	--argjson w "$w" --argjson r1 "$r1" --argjson r2 "$r2" --arg ev "$ev"
check_jq "rwlock: the reader waits for the writer (the mutex's owner)" true "$T/rw.w.json" \
	'.cycles[0].threads | map(select(.tid != $w))[0].held_by.tid == $w' --argjson w "$w"
lk_kill "$LK_PID"

# two processes, process-shared mutexes in shared memory
LK_PROCS=2 lk_start shm "$W" "$WL/lock_abba" shm-hang
dl_watch_result shm
check_eq "shm: exit status (deadlock found)" 1 "$WATCH_RC"
check_jq "shm: the cycle joins the parent and the child" "$(printf '%s\n' "$LK_PID" "$LK_CHILD" | sort -n | paste -sd' ')" \
	"$T/shm.w.json" '.cycles[0].threads | map(.pid) | sort | map(tostring) | join(" ")'
check_jq "shm: each waits for the other process's thread" true "$T/shm.w.json" \
	'.cycles[0].threads | .[0].held_by.pid == .[1].pid and .[1].held_by.pid == .[0].pid'
lk_kill "$LK_CHILD" "$LK_PID"
live_finish
