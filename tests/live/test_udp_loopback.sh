#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# udp_pair over 127.0.0.1 and ::1: two connected UDP sockets are one
# conversation, datagrams and bytes exact in both directions, with latency.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload udp_pair

run_udp() {
	local name=$1 fam=$2 port=$3 ip=$4 s c
	rec "$name" "$WL/udp_pair" "$fam" "$port" 12 100 300
	check_eq "$name: record exit status (workload's own check)" 0 "$REC_RC"
	((REC_RC == 0)) || show "$T/$name.err"
	role_pid s "$T/$name.out" server
	role_pid c "$T/$name.out" client
	report_json "$name"
	check_recording "$name"
	check_jq "$name: one udp conversation, exact both ways" \
		"1 $c udp_client $s udp_server 12 1200 12 3600 $ip:$port<->$ip:$((port + 1))" "$T/$name.json" \
		'[.conversations[] | select(.kind == "udp")] |
		 "\(length) \(.[0].a.pid) \(.[0].a.comm) \(.[0].b.pid) \(.[0].b.comm) \(.[0].a_to_b.msgs) \(.[0].a_to_b.bytes) \(.[0].b_to_a.msgs) \(.[0].b_to_a.bytes) \(.[0].channel)"'
	check_jq "$name: latency samples" 12 "$T/$name.json" \
		'[.conversations[] | select(.kind == "udp")][0].latency_ns.count'
}

# ports below the ephemeral range (32768+), different per run
port=$((20000 + ($$ % 5000) * 2))
run_udp udp4 4 "$port" 127.0.0.1
run_udp udp6 6 $((port + 2)) "[::1]"
live_finish
