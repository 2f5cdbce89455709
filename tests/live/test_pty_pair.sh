#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# pty_pair under `record -- CMD`: a parent drives a child on a raw-mode
# pseudoterminal, N requests of 64 bytes and N answers of 32: one
# conversation per direction, exact bytes and writes, named by the slave.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload pty_pair

run_case() {
	local name=$1 n=$2 mp sp k
	rec "$name" "$WL/pty_pair" "$n"
	check_eq "$name: record exit status (workload's own check)" 0 "$REC_RC"
	((REC_RC == 0)) || show "$T/$name.err"
	role_pid mp "$T/$name.out" master
	role_pid sp "$T/$name.out" slave
	k=$(sed -n 's/^pts=//p' "$T/$name.out")
	report_json "$name"
	check_recording "$name"
	check_conv "$name" pty "$mp" pty_master "$sp" pty_slave $((n * 64)) "$n"
	check_conv "$name" pty "$sp" pty_slave "$mp" pty_master $((n * 32)) "$n"
	check_jq "$name: channel names" "/dev/pts/$k (to slave),/dev/pts/$k (to master)" "$T/$name.json" \
		'[.conversations[] | select(.kind == "pty") | .channel] | sort | reverse | join(",")'
	check_jq "$name: pty conversations" 2 "$T/$name.json" '[.conversations[] | select(.kind == "pty")] | length'
	check_jq "$name: the pty's own bytes (both directions)" "$((n * 96)) $((n * 96))" "$T/$name.json" \
		'[.channels[] | select(.kind == "pty" and .channel == $c)] | map("\(.bytes_written) \(.bytes_read)") | join(",")' \
		--arg c "/dev/pts/$k"
}

run_case short 10
run_case long 200
live_finish
