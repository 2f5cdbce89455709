#!/bin/bash
# shellcheck disable=SC2154 # dl_role sets the variables
# `deadlock --watch` reports stalls as well as cycles, each once: dl_fine
# stall's reader waits on the relay, which waits on a writer that sleeps
# (not in IPC). In JSON and in text, the watch runs its whole --duration
# (its stack unwinding restarts the blocked reads: still one stall), exit 0.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dl_lib.sh"
live_init "$@"
DLW="--threshold 0.5 --duration 3"
need_workload dl_fine
EV="pipe write end held by"
# tid comm kind -> holder (evidence), and what the last thread does
STALL='.stalls[0].threads | map(if .waits_for then "\(.tid) \(.comm) \(.waits_for.kind) -> \(.held_by.tid) (\(.held_by.evidence))" else "\(.tid) \(.comm)" end) | join("; ")'

dl_start st "$DLW" "$WL/dl_fine" stall
dl_role w st writer
dl_role r st relay
dl_role d st reader
dl_wait_blocked "$d" "$d" 0
dl_wait_blocked "$r" "$r" 0
dl_watch_result st
want="$d pl_reader pipe -> $r ($EV); $r pl_relay pipe -> $w ($EV); $w pl_writer"
check_eq "st --watch: exit status (a stall is no deadlock)" 0 "$WATCH_RC"
check_jq "st --watch: no cycle, one stall, nothing else" "0 1 0" "$T/st.w.json" \
	'"\(.cycles | length) \(.stalls | length) \(.other | length)"'
check_jq "st --watch: the stall's threads" "$want" "$T/st.w.json" "$STALL"
check_jq "st --watch: both waiting threads waited >= the threshold" true "$T/st.w.json" \
	'.stalls[0].threads[0:2] | all(.waits_for.ns >= 500000000)'
check_jq "st --watch: the writer sleeps outside IPC (no waits_for, no held_by)" "clock_nanosleep null null" \
	"$T/st.w.json" '.stalls[0].threads[2] | "\(.doing) \(.waits_for) \(.held_by)"'
check_grep "st --watch: summary" "$T/st.watch.err" "0 deadlocks reported, 1 stall"
# the snapshot agrees
dl_snapshot sts "$d"
dl_check_none sts
check_jq "sts: the same stall" "$want" "$T/sts.json" "$STALL"
# the watch's stacks stopped nobody: the writer's sleep was not interrupted
# (with ptrace the kernel would resume it as restart_syscall)
check_jq "sts: the writer still sleeps, never interrupted" clock_nanosleep "$T/sts.json" '.stalls[0].threads[2].doing'

DL_TEXT=1 dl_start stt "$DLW" "$WL/dl_fine" stall
dl_role w stt writer
dl_role r stt relay
dl_role d stt reader
DL_TEXT=1 dl_watch_result stt
check_eq "stt --watch text: exit status" 0 "$WATCH_RC"
check_eq "stt --watch text: one STALL block, no DEADLOCK" "1 0" \
	"$(grep -c '^\[[0-9.]* s\] STALL 1: 2 threads waiting, ending in a thread that is not blocked in IPC$' "$T/stt.watch") $(grep -c 'DEADLOCK' "$T/stt.watch")"
check_eq "stt --watch text: STALL lines in all" 1 "$(grep -c 'STALL' "$T/stt.watch")"
check_grep "stt --watch text: the reader's holder" "$T/stt.watch" "$EV"
check_grep "stt --watch text: summary" "$T/stt.watch.err" "0 deadlocks reported, 1 stall"
check_no_raw "stt --watch text is escaped" "$T/stt.watch"
live_finish
