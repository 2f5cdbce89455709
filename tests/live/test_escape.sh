#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# Names from other programs reach the terminal escaped: a FIFO path and comms
# holding ESC/BEL sequences. JSON carries them as proper strings.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload fifo_pair pipe_pair

fifo=$T/x$'\e[31m'red
rec esc "$WL/fifo_pair" "$fifo" 5 100
check_eq "record exit status (fifo)" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/esc.err"
role_pid w "$T/esc.out" writer
role_pid r "$T/esc.out" reader

report_json esc
check_recording esc
check_no_raw "report --json has no raw control bytes" "$T/esc.json"
check_conv esc fifo "$w" ff_writer "$r" ff_reader 500 5
check_eq "JSON channel is the exact path, ESC included" "$fifo" "$(conv_channel esc "$w" "$r")"

"$IPCS" report "$T/esc.ipcs" >"$T/esc.txt" 2>"$T/esc.report.err"
check_eq "report exit status" 0 "$?"
check_no_raw "report text: no raw ESC" "$T/esc.txt"
check_grep "report text shows the path escaped" "$T/esc.txt" 'x\x1b[31mred'
"$IPCS" replay "$T/esc.ipcs" --plain >"$T/esc.replay" 2>"$T/esc.replay.err"
check_eq "replay --plain exit status" 0 "$?"
check_no_raw "replay --plain: no raw ESC" "$T/esc.replay"
check_grep "replay --plain shows the path escaped" "$T/esc.replay" 'x\x1b[31mred'
# record's own messages (if any) escape too; "(end)" keeps the file non-empty
{ cat "$T/esc.err"; echo "(end)"; } >"$T/esc.err2"
check_no_raw "record stderr: no raw ESC" "$T/esc.err2"

# comms with an ESC clear-screen and an OSC title ending in BEL
wcomm=$'w\e[2Jx' rcomm=$'r\e]0;t\a'
rec comm "$WL/pipe_pair" 3 100 4093 "$wcomm" "$rcomm"
check_eq "record exit status (comms)" 0 "$REC_RC"
role_pid w "$T/comm.out" writer
role_pid r "$T/comm.out" reader
report_json comm
check_no_raw "report --json (comms): no raw control bytes" "$T/comm.json"
check_conv comm pipe "$w" "$wcomm" "$r" "$rcomm" 300 3
"$IPCS" report "$T/comm.ipcs" >"$T/comm.txt" 2>/dev/null
check_no_raw "report text (comms)" "$T/comm.txt"
check_grep "report text shows the comm escaped" "$T/comm.txt" 'w\x1b[2Jx'
"$IPCS" replay "$T/comm.ipcs" --plain >"$T/comm.replay" 2>/dev/null
check_no_raw "replay --plain (comms)" "$T/comm.replay"
check_grep "replay --plain shows the comm escaped" "$T/comm.replay" 'r\x1b]0;t\x07'

# A valid UTF-8 path is text: JSON must carry it unchanged (jq decodes the
# string back to the very bytes the program passed). The terminal form is
# free to escape it.
ufifo=$T/café-ü
rec utf "$WL/fifo_pair" "$ufifo" 2 10
check_eq "record exit status (utf-8 fifo)" 0 "$REC_RC"
role_pid w "$T/utf.out" writer
role_pid r "$T/utf.out" reader
report_json utf
check_eq "JSON channel is the exact UTF-8 path" "$ufifo" "$(conv_channel utf "$w" "$r")"
live_finish
