#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# mq_pair under `record -- CMD`: two senders (100- and 200-byte messages)
# and one receiver on a POSIX message queue, concurrently: one conversation
# per sender, exact messages and bytes, the queue named as the program did.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload mq_pair

run_case() {
	local name=$1 n1=$2 n2=$3 s1 s2 r q
	rec "$name" "$WL/mq_pair" "$n1" "$n2"
	check_eq "$name: record exit status (workload's own check)" 0 "$REC_RC"
	((REC_RC == 0)) || show "$T/$name.err"
	role_pid r "$T/$name.out" receiver
	role_pid s1 "$T/$name.out" sender1
	role_pid s2 "$T/$name.out" sender2
	q=$(sed -n 's/^queue=//p' "$T/$name.out")
	report_json "$name"
	check_recording "$name"
	check_conv "$name" mq "$s1" mq_send1 "$r" mq_recv $((n1 * 100)) "$n1"
	check_conv "$name" mq "$s2" mq_send2 "$r" mq_recv $((n2 * 200)) "$n2"
	check_jq "$name: mq conversations" 2 "$T/$name.json" '[.conversations[] | select(.kind == "mq")] | length'
	check_jq "$name: channel name" "$q $q" "$T/$name.json" \
		'[.conversations[] | select(.kind == "mq") | .channel] | join(" ")'
	check_jq "$name: queue bytes written/read" "$((n1 * 100 + n2 * 200)) $((n1 * 100 + n2 * 200))" \
		"$T/$name.json" '[.channels[] | select(.kind == "mq")] | map("\(.bytes_written) \(.bytes_read)") | join(",")'
}

run_case small 30 20
run_case more 300 200
live_finish
