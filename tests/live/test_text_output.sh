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
# ---- -p/-c filter a recording as they filter tracing ----
child=$(jq -r "[.conversations[] | select(.channel == \"SIGCHLD\" and .b.pid == $sh_pid) | .a.pid][0]" "$T/script.json")
"$IPCS" report "$T/script.ipcs" -p "$child" --json >"$T/child.json" 2>/dev/null
check_jq "report -p CHILD: only its SIGCHLD to the shell" "1 $child $sh_pid" "$T/child.json" \
	'"\(.conversations | length) \(.conversations[0].a.pid) \(.conversations[0].b.pid)"'
check_jq "report -p: the window echoes it" "$child" "$T/child.json" '.window.pids | join(",")'
"$IPCS" report "$T/script.ipcs" -p "$sh_pid" --json >"$T/shp.json" 2>/dev/null
check_jq "report -p SHELL: its children's events too (descendants)" "$n" "$T/shp.json" \
	'[.conversations[] | select(.channel == "SIGCHLD")] | length'
"$IPCS" replay "$T/script.ipcs" --plain -c true >"$T/true.plain" 2>/dev/null
check_eq "replay -c true: only the children's lines (and state: processes, seeded fds, drops)" 0 \
	"$(grep -vE '/true |fork|exec|exit|running|cgroup|has-fd|drops|title ' "$T/true.plain" | grep -c .)"
check_eq "replay -c true: each child's SIGCHLD" "$n" "$(grep -cE '/true +signal +SIGCHLD' "$T/true.plain")"

# ---- record -o and --jsonl together; wait records in jsonl and --plain ----
# cat blocks in read for 2.5 s on sleep's pipe: the recorder's watcher (every
# second, 1 s threshold) writes a wait record for it
"$IPCS" record -q -o "$T/w.ipcs" --jsonl "$T/w.jsonl" -- sh -c 'sleep 2.5 | cat' </dev/null >"$T/w.out" 2>"$T/w.err"
check_eq "record -o with --jsonl: exit status" 0 "$?"
check_eq "record -o with --jsonl: the recording is whole" true \
	"$("$IPCS" report "$T/w.ipcs" --json 2>/dev/null | jq -r .status.clean)"
check_eq "record -o with --jsonl: the stream's header" "header 2" "$(head -1 "$T/w.jsonl" | jq -r '"\(.type) \(.version)"')"
"$IPCS" export "$T/w.ipcs" --format jsonl -o "$T/w-export.jsonl" 2>/dev/null
# (the live stream has no seed records: compare the calls)
check_eq "record -o with --jsonl: the stream has the recording's calls" \
	"$(jq -c 'select(.type == "sys")' "$T/w-export.jsonl" | wc -l)" "$(jq -c 'select(.type == "sys")' "$T/w.jsonl" | wc -l)"
cat_pid=$(jq -r 'select(.type == "wait") | .pid' "$T/w-export.jsonl" | head -1)
check_jq "jsonl: cat's wait record (was type \"?\")" "wait cat read pipe" "$T/w-export.jsonl" \
	'select(.type == "wait") | "\(.type) \(.comm) \(.sys) \(.wait_kind)"'
check_eq "jsonl: no record of unknown type" 0 "$(grep -c '"type":"?"' "$T/w-export.jsonl" "$T/w.jsonl" | awk -F: '{ s += $2 } END { print s }')"
"$IPCS" replay "$T/w.ipcs" --plain >"$T/w.plain" 2>/dev/null
check_eq "replay --plain: no blank lines (wait records were)" 0 "$(grep -c '^$' "$T/w.plain")"
check_eq "replay --plain: cat's wait, decoded" 1 \
	"$(grep -cE "^ +[0-9.]+ +$cat_pid/cat wait +read fd 0 on pipe pipe:\[[0-9]+\] for [0-9.]+ s" "$T/w.plain")"
# ---- a command that cannot run leaves no file, with the shell's codes ----
"$IPCS" record -o "$T/nx.ipcs" -- ipcscope-no-such-command </dev/null >/dev/null 2>"$T/nx.err"
check_eq "record -- missing command: exit 127" 127 "$?"
check_eq "record -- missing command: no file" false "$([[ -e $T/nx.ipcs ]] && echo true || echo false)"
check_grep "record -- missing command: says so" "$T/nx.err" "cannot run ipcscope-no-such-command: No such file or directory"
printf 'x' >"$T/notexec"
"$IPCS" record -o "$T/nx2.ipcs" -- "$T/notexec" </dev/null >/dev/null 2>"$T/nx2.err"
check_eq "record -- not executable: exit 126" 126 "$?"
check_eq "record -- not executable: no file" false "$([[ -e $T/nx2.ipcs ]] && echo true || echo false)"
# ---- live without a terminal: says what it does; --duration stops it ----
sleep 30 &
sp=$!
LIVE_BG_PIDS+=("$sp")
timeout 30 "$IPCS" live -p "$sp" --duration 1 </dev/null >"$T/lv.out" 2>"$T/lv.err"
check_eq "live --duration 1 (plain, not a terminal): exits by itself, status" 0 "$?"
check_grep "live without a terminal: says what it traces" "$T/lv.err" "ipcscope: tracing IPC (-p $sp), one line per event on stdout for 1 s"
check_grep "live without a terminal: says how to stop" "$T/lv.err" "Ctrl-C or kill -INT"
kill "$sp" 2>/dev/null
live_finish
