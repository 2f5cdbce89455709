#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# udp_unconnected over 127.0.0.1 and ::1: two unconnected senders (sendto,
# then sendmsg with an address) to one bound receiver (recvfrom). Each sender
# is its own conversation with the receiver, exact datagrams and bytes, on
# the receiver's port; nothing is left unattributed.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload udp_unconnected

run_udp() {
	local name=$1 fam=$2 port=$3 ip=$4 r s1 s2 j
	rec "$name" "$WL/udp_unconnected" "$fam" "$port" 10 100 7 333
	check_eq "$name: record exit status (workload's own check)" 0 "$REC_RC"
	((REC_RC == 0)) || show "$T/$name.err"
	role_pid r "$T/$name.out" receiver
	role_pid s1 "$T/$name.out" send1
	role_pid s2 "$T/$name.out" send2
	report_json "$name"
	check_recording "$name"
	j=$T/$name.json
	check_jq "$name: udp conversations" 2 "$j" '[.conversations[] | select(.kind == "udp")] | length'
	check_conv "$name" udp "$s1" udp_send1 "$r" udp_recv 1000 10
	check_conv "$name" udp "$s2" udp_send2 "$r" udp_recv 2331 7
	check_jq "$name: both on the receiver's port" "$ip:$port $ip:$port" "$j" \
		'[.conversations[] | select(.kind == "udp") | .channel] | sort | join(" ")'
	check_jq "$name: no udp bytes with an unseen side" 0 "$j" \
		'[.conversations[] | select(.kind == "udp" and (.a.pid == 0 or .b.pid == 0))] | length'
}

# ports below the ephemeral range (32768+), different per run and from test_udp_loopback
port=$((25000 + ($$ % 3000) * 2))
run_udp udpu4 4 "$port" 127.0.0.1
run_udp udpu6 6 $((port + 1)) "[::1]"
live_finish
