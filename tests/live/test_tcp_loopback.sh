#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# unix_stream tcp4/tcp6 under `record -- CMD`: a loopback TCP server with two
# clients, one conversation per connection holding both directions (exact
# bytes and send calls), named "127.0.0.1:PORT<->127.0.0.1:EPHEMERAL".
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload unix_stream

run_tcp() {
	local name=$1 port=$2 ip=$3 s c cc
	rec "$name" "$WL/unix_stream" "$name" "$port" 10 100 300 1
	check_eq "$name: record exit status (workload's own check)" 0 "$REC_RC"
	((REC_RC == 0)) || show "$T/$name.err"
	role_pid s "$T/$name.out" server
	report_json "$name"
	check_recording "$name"
	for cc in us_client1 us_client2; do
		role_pid c "$T/$name.out" "${cc#us_}"
		check_jq "$name: $cc<->us_server" "1 $cc us_server 10 1000 10 3000 true" "$T/$name.json" \
			'[.conversations[] | select(.kind == "tcp" and .a.pid == $a and .b.pid == $b)] |
			 "\(length) \(.[0].a.comm) \(.[0].b.comm) \(.[0].a_to_b.msgs) \(.[0].a_to_b.bytes) \(.[0].b_to_a.msgs) \(.[0].b_to_a.bytes) \(.[0].channel | test($re))"' \
			--argjson a "$c" --argjson b "$s" --arg re "^$ip:$port<->$ip:[0-9]+\$"
	done
	check_jq "$name: tcp conversations" 2 "$T/$name.json" '[.conversations[] | select(.kind == "tcp")] | length'
	check_jq "$name: latency samples" "10 10" "$T/$name.json" \
		'[.conversations[] | select(.kind == "tcp") | .latency_ns.count] | map(tostring) | join(" ")'
}

port=$((20000 + $$ % 10000))	# below the ephemeral range (32768+): the server port sorts first
run_tcp tcp4 "$port" '127\.0\.0\.1'
run_tcp tcp6 "$((port + 1))" '\[::1\]'
live_finish
