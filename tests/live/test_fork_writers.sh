#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# fork_writers: two concurrent writers on one pipe, reads mixing both.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload fork_writers

# Interleaving differs run to run; the final figures must not.
for i in 1 2 3; do
	name=fw$i
	rec "$name" "$WL/fork_writers"
	check_eq "$name: record exit status (workload's own check)" 0 "$REC_RC"
	((REC_RC == 0)) || show "$T/$name.err"
	role_pid r "$T/$name.out" reader
	role_pid w1 "$T/$name.out" writer1
	role_pid w2 "$T/$name.out" writer2
	report_json "$name"
	check_recording "$name"
	check_conv "$name" pipe "$w1" fw_writer1 "$r" fw_reader 3000 10
	check_conv "$name" pipe "$w2" fw_writer2 "$r" fw_reader 5000 5
	c1=$(conv_channel "$name" "$w1" "$r")
	c2=$(conv_channel "$name" "$w2" "$r")
	check_eq "$name: both on the same pipe" true \
		"$([[ $c1 != null && $c1 == "$c2" ]] && echo true || echo "false ($c1, $c2)")"
	# The start gate pipe moves no bytes: no conversation on it.
	check_jq "$name: no other conversations" 2 "$T/$name.json" '[.conversations[] | select(.kind != "signal")] | length'
done
live_finish
