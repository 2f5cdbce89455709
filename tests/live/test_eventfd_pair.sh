#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# eventfd_pair under `record -- CMD`: one eventfd shared across fork; the
# child writes the values 1..N, the parent reads until all is consumed.
# Whatever the coalescing, msgs = N writes and bytes = counter units N(N+1)/2.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload eventfd_pair

run_case() {
	local name=$1 n=$2 sem=$3 w rd reads
	rec "$name" "$WL/eventfd_pair" "$n" "$sem"
	check_eq "$name: record exit status (workload's own check)" 0 "$REC_RC"
	((REC_RC == 0)) || show "$T/$name.err"
	role_pid w "$T/$name.out" writer
	role_pid rd "$T/$name.out" reader
	reads=$(sed -n 's/^reads=//p' "$T/$name.out")
	report_json "$name"
	check_recording "$name"
	check_conv "$name" eventfd "$w" efd_writer "$rd" efd_reader $((n * (n + 1) / 2)) "$n"
	check_jq "$name: channel name" true "$T/$name.json" \
		'.conversations[0].channel | test("^eventfd:\\[[0-9]+\\]$")'
	check_jq "$name: no other conversations" 1 "$T/$name.json" '[.conversations[] | select(.kind != "signal")] | length'
	check_jq "$name: channel counter units written/read" "$((n * (n + 1) / 2)) $((n * (n + 1) / 2))" \
		"$T/$name.json" '[.channels[] | select(.kind == "eventfd")] | map("\(.bytes_written) \(.bytes_read)") | join(",")'
	if ((sem)); then
		check_eq "$name: semaphore reads = units" $((n * (n + 1) / 2)) "$reads"
	fi
}

run_case plain 20 0	# reads drain the counter: writes coalesce
run_case sem 12 1	# EFD_SEMAPHORE: 78 reads of 1
live_finish
