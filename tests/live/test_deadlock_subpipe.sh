#!/bin/bash
# shellcheck disable=SC2154,SC2016 # dl_role sets the variables; jq programs use $vars
# deadlock -p on the Python subprocess pipe deadlock, already hung: the parent
# blocks writing the child's stdin, the child blocks writing its stdout that
# only the parent reads. A proven cycle through two pipes: exit 1. And the
# p.wait() classic: the parent waits for the child's exit, the child for the
# parent to read its stdout: a cycle through wait4 and a pipe, exit 1.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dl_lib.sh"
live_init "$@"
PY=$(dirname "$0")/../workloads/dl_py_subpipe.py

/usr/bin/python3 "$PY" >"$T/sp.out" 2>"$T/sp.err" </dev/null &
LIVE_BG_PIDS+=("$!")
dl_role p sp proc
dl_role c sp child
LIVE_BG_PIDS+=("$c")
dl_wait_blocked "$p" "$p" 1	# write
dl_wait_blocked "$c" "$c" 1
pin=$(readlink "/proc/$c/fd/0")	# the child's stdin pipe, the parent's stdout pipe
pout=$(readlink "/proc/$c/fd/1")

dl_snapshot sp "$p"
j=$T/sp.json
ev_r="pipe read end held by"
a="$p python3 pipe $pin -> $c ($ev_r)"
b="$c python3 pipe $pout -> $p ($ev_r)"
dl_check_cycle sp "$a; $b"
check_jq "sp: verdict" deadlock "$j" '.verdict'
check_jq "sp: the named process listed, blocked writing" "$p write pipe write" "$j" \
	'.threads | map("\(.tid) \(.waits_on.syscall) \(.waits_on.kind) \(.waits_on.direction)") | join("|")'
check_jq "sp: its holder is the child" "$c" "$j" '.threads[0].held_by | map(.tid) | join(" ")'
check_jq "sp: both stacks in write" "__write __write" "$j" '[.cycles[0].threads[].stack[0].symbol] | join(" ")'
check_jq "sp: the parent's stack through the interpreter (python3.11)" true "$j" \
	'any(.threads[0].stack[]; .symbol == "_PyEval_EvalFrameDefault" and .module == "python3.11")'
"$IPCS" deadlock -p "$p" >"$T/sp.txt" 2>&1
check_eq "sp: text exit status" 1 "$?"
check_grep "sp: text says what it waits for" "$T/sp.txt" "blocked in write, waiting for room in $pin (no timeout)"
check_grep "sp: text cycle" "$T/sp.txt" "DEADLOCK 1: a cycle of 2 threads"
check_grep "sp: text verdict" "$T/sp.txt" "1 deadlock among 2 threads"
check_no_raw "sp: text is escaped" "$T/sp.txt"

/usr/bin/python3 "$PY" wait >"$T/pw.out" 2>"$T/pw.err" </dev/null &
LIVE_BG_PIDS+=("$!")
dl_role p pw proc
dl_role c pw child
LIVE_BG_PIDS+=("$c")
dl_wait_blocked "$p" "$p" 61	# wait4
dl_wait_blocked "$c" "$c" 1
pout=$(readlink "/proc/$c/fd/1")
dl_snapshot pw "$p"
dl_check_cycle pw "$p python3 child child $c -> $c (waits for the exit of child); $c python3 pipe $pout -> $p ($ev_r)"
check_jq "pw: the parent's wait" "wait4 child" "$T/pw.json" '.threads[0].waits_on | "\(.syscall) \(.kind)"'
live_finish
