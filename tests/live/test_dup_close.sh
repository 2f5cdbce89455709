#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# dup_close: writes through dup2'd fd 1, then dup, then dup3: one pipe.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload dup_close

rec dc "$WL/dup_close"
check_eq "record exit status (workload's own check)" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/dc.err"
role_pid r "$T/dc.out" reader
role_pid w "$T/dc.out" writer
report_json dc
check_recording dc
# 4 x 1000 via fd 1, 3 x 500 via dup(1), 2 x 250 via dup3(.., 9)
check_conv dc pipe "$w" dc_writer "$r" dc_reader 6000 9
check_jq "no other conversations" 1 "$T/dc.json" '[.conversations[] | select(.kind != "signal")] | length'
live_finish
