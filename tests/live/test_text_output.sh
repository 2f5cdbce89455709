#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# report (text) and replay --plain print the recording, naming the processes.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload pipe_pair

rec pp "$WL/pipe_pair" 100 1000
check_eq "record exit status" 0 "$REC_RC"
"$IPCS" report "$T/pp.ipcs" >"$T/report.txt" 2>"$T/report.err"
check_eq "report exit status" 0 "$?"
check_eq "report output non-empty" true "$([[ -s $T/report.txt ]] && echo true || echo false)"
check_grep "report names the writer" "$T/report.txt" pp_writer
check_grep "report names the reader" "$T/report.txt" pp_reader
check_grep "report names the pipe" "$T/report.txt" "pipe:["
"$IPCS" replay "$T/pp.ipcs" --plain >"$T/replay.txt" 2>"$T/replay.err"
check_eq "replay --plain exit status" 0 "$?"
check_eq "replay --plain output non-empty" true "$([[ -s $T/replay.txt ]] && echo true || echo false)"
check_grep "replay names the writer" "$T/replay.txt" pp_writer
check_grep "replay names the reader" "$T/replay.txt" pp_reader
# one line per event: the writer's 100 write calls are 100 lines
check_eq "replay: lines for pp_writer's write calls" 100 \
	"$(grep -cP 'pp_writer.*\bwrite\b' "$T/replay.txt")"
# stdout not a tty: replay without --plain must not emit terminal controls
"$IPCS" replay "$T/pp.ipcs" </dev/null >"$T/replay-notty.txt" 2>"$T/replay-notty.err"
check_eq "replay with stdout not a tty: exit status" 0 "$?"
check_no_raw "replay with stdout not a tty: plain text" "$T/replay-notty.txt"
# ---- report text laid out to the width: COLUMNS, else 120 when not a tty ----
# maxw FILE: the longest line but the first (the recording's path, whole)
maxw() { awk 'NR > 1 { if (length($0) > m) m = length($0) } END { print m + 0 }' "$1"; }
for w in 80 120 200; do
	COLUMNS=$w "$IPCS" report "$T/pp.ipcs" >"$T/report$w.txt" 2>/dev/null
	check_eq "report at COLUMNS=$w: no line longer" true \
		"$( (($(maxw "$T/report$w.txt") <= w)) && echo true || echo "false ($(maxw "$T/report$w.txt"))")"
done
"$IPCS" report "$T/pp.ipcs" >"$T/report-default.txt" 2>/dev/null
check_eq "report not on a tty, no COLUMNS: the 120 layout" "$(cat "$T/report120.txt")" "$(cat "$T/report-default.txt")"
# 100 writes of 1000 bytes: 97.7 KiB each way, a header of the table's columns
check_grep "report: bytes in human units" "$T/report80.txt" "97.7 KiB"
check_grep "report: the table's titles" "$T/report80.txt" "KIND"

# ---- a script's children: SIGCHLD folded into one row per receiver ----
n=25
# (no $(...) in the script: a command substitution is a child too)
rec script sh -c "i=0; while [ \$i -lt $n ]; do /bin/true; i=\$((i + 1)); done; echo done"
check_eq "script: record exit status" 0 "$REC_RC"
"$IPCS" report "$T/script.ipcs" --json >"$T/script.json" 2>/dev/null
sh_pid=$(jq -r '[.conversations[] | select(.kind == "signal" and .channel == "SIGCHLD") | .b.pid] | unique | .[0]' "$T/script.json")
# the independent count: the script ran $n children, each one SIGCHLD to the shell
check_jq "script: JSON keeps one SIGCHLD conversation per child" "$n" "$T/script.json" \
	"[.conversations[] | select(.kind == \"signal\" and .channel == \"SIGCHLD\" and .b.pid == $sh_pid)] | length"
COLUMNS=200 "$IPCS" report "$T/script.ipcs" >"$T/script.txt" 2>/dev/null
check_eq "script: text has one SIGCHLD row for the shell" 1 \
	"$(grep -cE "^signal +SIGCHLD .* $sh_pid/sh " "$T/script.txt")"
check_grep "script: the row counts the children" "$T/script.txt" "($n processes)"
COLUMNS=200 "$IPCS" report "$T/script.ipcs" --all >"$T/script-all.txt" 2>/dev/null
check_eq "script: --all shows every child's row" "$n" \
	"$(grep -cE "^signal +SIGCHLD .* $sh_pid/sh " "$T/script-all.txt")"
# --kind -signal leaves the signals out, of every section
"$IPCS" report "$T/script.ipcs" --kind -signal --json >"$T/nosig.json" 2>/dev/null
check_jq "script: --kind -signal: no signal conversations" 0 "$T/nosig.json" \
	'[.conversations[] | select(.kind == "signal")] | length'
check_jq "script: --kind -signal: the window echoes the kinds" false "$T/nosig.json" \
	'.window.kinds | index("signal") != null'
COLUMNS=200 "$IPCS" report "$T/script.ipcs" --kind -signal >"$T/nosig.txt" 2>/dev/null
check_eq "script: --kind -signal: no SIGCHLD row" 0 "$(grep -c SIGCHLD "$T/nosig.txt")"
check_eq "script: without a filter the children are in the cgroup section" true \
	"$(grep -q '/true' "$T/script.txt" && echo true || echo false)"
check_eq "script: --kind -signal: no child in the cgroup section" 0 "$(grep -c '/true' "$T/nosig.txt")"
live_finish
