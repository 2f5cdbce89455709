#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# unix_dgram under `record -- CMD`: two senders (sendto a bound name, and
# connect + sendmsg) to one receiver, a conversation per sender with exact
# datagrams and bytes, named by the path or the abstract name; and
# unix_stream over SOCK_SEQPACKET: both directions in one conversation.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload unix_dgram unix_stream

# dgram NAME ADDR CHANNEL: 7 datagrams of 100 bytes from send1, 7 of 33 from send2
run_dgram() {
	local name=$1 addr=$2 chan=$3 r s1 s2
	rec "$name" "$WL/unix_dgram" "$addr" 7 100 33
	check_eq "$name: record exit status (workload's own check)" 0 "$REC_RC"
	((REC_RC == 0)) || show "$T/$name.err"
	role_pid r "$T/$name.out" recv
	role_pid s1 "$T/$name.out" send1
	role_pid s2 "$T/$name.out" send2
	report_json "$name"
	check_recording "$name"
	check_conv "$name" unix-dgram "$s1" ud_send1 "$r" ud_recv 700 7
	check_conv "$name" unix-dgram "$s2" ud_send2 "$r" ud_recv 231 7
	check_jq "$name: channel names" "$chan $chan" "$T/$name.json" \
		'[.conversations[] | select(.kind == "unix-dgram") | .channel] | join(" ")'
	check_jq "$name: unix-dgram conversations" 2 "$T/$name.json" \
		'[.conversations[] | select(.kind == "unix-dgram")] | length'
}

run_dgram dgram_path "$T/d.sock" "$T/d.sock"
run_dgram dgram_abstract "@ipcs-dg-$$" "@ipcs-dg-$$"

rec seqpacket "$WL/unix_stream" seqpacket "$T/sq.sock" 10 100 300 1
check_eq "seqpacket: record exit status (workload's own check)" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/seqpacket.err"
role_pid s "$T/seqpacket.out" server
role_pid c1 "$T/seqpacket.out" client1
role_pid c2 "$T/seqpacket.out" client2
report_json seqpacket
check_recording seqpacket
for c in "$c1 us_client1" "$c2 us_client2"; do
	read -r cp cc <<<"$c"
	sel='[.conversations[] | select(.kind == "unix-seqpacket" and .a.pid == $a and .b.pid == $b)]'
	check_jq "seqpacket: $cc<->us_server" "1 $cc us_server 10 1000 10 3000 $T/sq.sock" "$T/seqpacket.json" \
		"$sel"' | "\(length) \(.[0].a.comm) \(.[0].b.comm) \(.[0].a_to_b.msgs) \(.[0].a_to_b.bytes) \(.[0].b_to_a.msgs) \(.[0].b_to_a.bytes) \(.[0].channel)"' \
		--argjson a "$cp" --argjson b "$s"
done
check_jq "seqpacket: conversations" 2 "$T/seqpacket.json" \
	'[.conversations[] | select(.kind == "unix-seqpacket")] | length'
live_finish
