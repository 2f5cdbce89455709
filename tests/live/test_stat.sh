#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# `ipcscope stat`: traces like record, writes no recording, prints the summary
# report would print, with the same exact figures as record + report.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload pipe_pair unix_stream

N=25 S=100
cd "$T" || die "cannot cd to $T"

# --json -o FILE: the summary in FILE, the command's stdout untouched
"$IPCS" stat --json -o "$T/s.json" -- "$WL/pipe_pair" "$N" "$S" </dev/null >"$T/s.out" 2>"$T/s.err"
rc=$?
check_eq "stat exit status (workload's own check)" 0 "$rc"
((rc == 0)) || show "$T/s.err"
role_pid w "$T/s.out" writer
role_pid rd "$T/s.out" reader
jq -e . "$T/s.json" >/dev/null 2>&1 || { show "$T/s.json"; die "stat --json -o: not valid JSON"; }
check_recording s
check_jq "stat: nothing recorded (file is empty)" '' "$T/s.json" '.file'
check_conv s pipe "$w" pp_writer "$rd" pp_reader $((N * S)) "$N"
check_jq "stat: channel bytes_written/read" "$((N * S)) $((N * S))" "$T/s.json" \
	'[.channels[] | select(.channel == $c)][0] | "\(.bytes_written) \(.bytes_read)"' \
	--arg c "$(conv_channel s "$w" "$rd")"
check_eq "stat wrote no file into the working directory" "s.err s.json s.out" "$(ls "$T" | tr '\n' ' ' | sed 's/ $//')"

# the same run under record + report: the same conversations (not the same
# event count: how many reads drain the pipe depends on scheduling)
rec r "$WL/pipe_pair" "$N" "$S"
check_eq "record exit status" 0 "$REC_RC"
report_json r
# (pipes only, bytes and messages: futex waits and signals carry timings)
filt='[.conversations[] | select(.kind == "pipe") | {a: .a.comm, b: .b.comm, ab: [.a_to_b.msgs, .a_to_b.bytes], ba: [.b_to_a.msgs, .b_to_a.bytes]}] | sort_by(.a, .b)'
check_eq "stat conversations = record conversations" "$(jq -c "$filt" "$T/r.json")" "$(jq -c "$filt" "$T/s.json")"

# text summary on stdout, after the command's own output
"$IPCS" stat -- "$WL/unix_stream" pair - 10 64 32 0 </dev/null >"$T/u.out" 2>"$T/u.err"
rc=$?
check_eq "stat (text) exit status" 0 "$rc"
((rc == 0)) || show "$T/u.err"
check_grep "text: header" "$T/u.out" "traced live (not recorded)"
check_grep "text: events and drops line" "$T/u.out" ", dropped 0 ("
role_pid pp "$T/u.out" parent
role_pid pc "$T/u.out" child
check_grep "text: the socketpair conversation, 640 bytes one way" "$T/u.out" "$pp/sp_parent"
check_eq "text: its bytes (640 out, 320 back)" "640 320" \
	"$(awk -v a="$pp/sp_parent" -v b="$pc/sp_child" '$1 == "unix-stream" && $3 == a && $4 == b { x = $6 } $1 == b && $2 == a { y = $4 } END { print x, y }' "$T/u.out")"
check_grep "stderr: counting-only status" "$T/u.err" "tracing (counting only)"

# the traced command's exit status passes through; bad usage is refused
"$IPCS" stat -q -o "$T/x.txt" -- sh -c 'exit 3' </dev/null >/dev/null 2>"$T/x.err"
check_eq "stat: command's exit status" 3 "$?"
"$IPCS" stat --keep </dev/null >/dev/null 2>"$T/bad.err"
check_eq "stat --keep: usage error" 2 "$?"
check_grep "stat --keep: says so" "$T/bad.err" "option not valid for this command"
live_finish
