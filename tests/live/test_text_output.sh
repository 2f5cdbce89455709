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
live_finish
