#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# fifo_pair: a FIFO made with mknodat and opened by path by two children.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload fifo_pair

fifo=$T/the.fifo
rec ff "$WL/fifo_pair" "$fifo" 30 1000
check_eq "record exit status (workload's own check)" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/ff.err"
role_pid w "$T/ff.out" writer
role_pid r "$T/ff.out" reader
report_json ff
check_recording ff
check_conv ff fifo "$w" ff_writer "$r" ff_reader 30000 30
check_eq "channel is the path as passed" "$fifo" "$(conv_channel ff "$w" "$r")"
check_jq "channel entry for the FIFO" "30000 30000" "$T/ff.json" \
	'[.channels[] | select(.kind == "fifo" and .channel == $p)] | map("\(.bytes_written) \(.bytes_read)") | join(",")' \
	--arg p "$fifo"
check_jq "no other conversations" 1 "$T/ff.json" '[.conversations[] | select(.kind != "signal")] | length'
live_finish
