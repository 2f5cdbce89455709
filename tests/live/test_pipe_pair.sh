#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# pipe_pair under `record -- CMD`: one pipe conversation, exact bytes and
# write counts, whether reads span several writes or split one write.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload pipe_pair

# name N S R: reads of R bytes against writes of S bytes
run_case() {
	local name=$1 n=$2 s=$3 r=$4 w rd
	rec "$name" "$WL/pipe_pair" "$n" "$s" "$r"
	check_eq "$name: record exit status (workload's own check)" 0 "$REC_RC"
	((REC_RC == 0)) || show "$T/$name.err"
	check_grep "$name: workload stdout passed through" "$T/$name.out" "writer="
	role_pid w "$T/$name.out" writer
	role_pid rd "$T/$name.out" reader
	report_json "$name"
	check_recording "$name"
	check_conv "$name" pipe "$w" pp_writer "$rd" pp_reader $((n * s)) "$n"
	check_jq "$name: channel name" true "$T/$name.json" \
		'[.conversations[] | select(.a.pid == $a)][0].channel | test("^pipe:\\[[0-9]+\\]$")' \
		--argjson a "$w"
	# The workload's only IPC is this pipe (and the SIGCHLD of its exit): anything else is noise (the
	# recorder's own plumbing leaking into the report, say).
	check_jq "$name: no other conversations" 1 "$T/$name.json" '[.conversations[] | select(.kind != "signal")] | length'
	check_jq "$name: the reader's exit: one SIGCHLD to the writer, the only signal" "1 1" "$T/$name.json" \
		'[.conversations[] | select(.kind == "signal")] | "\(length) \([.[] | select(.channel == "SIGCHLD" and .a.pid == $r and .b.pid == $w) | .a_to_b.msgs] | add)"' \
		--argjson w "$w" --argjson r "$rd"
	check_jq "$name: channel bytes_written/read" "$((n * s)) $((n * s))" "$T/$name.json" \
		'[.channels[] | select(.kind == "pipe" and .bytes_written > 0)] | map("\(.bytes_written) \(.bytes_read)") | join(",")'
	check_jq "$name: both processes exited 0" "0 0" "$T/$name.json" \
		'[.processes[] | select(.pid == $w or .pid == $r) | select(.exited) | .exit_code] | map(tostring) | join(" ")' \
		--argjson w "$w" --argjson r "$rd"
	check_jq "$name: processes ppid" "$w" "$T/$name.json" \
		'.processes[] | select(.pid == $r) | .ppid' --argjson r "$rd"
}

run_case span 100 1000 4093	# each read spans ~4 writes
run_case split 20 10000 3000	# each write split over ~4 reads
live_finish
