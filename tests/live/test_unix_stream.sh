#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# unix_stream under `record -- CMD`: one conversation per connection holding
# both directions (exact bytes and send calls each way, both pids and comms),
# named by the bound path, the abstract name or socketpair:[ino]; and the
# request/response latency of a server with a known delay.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload unix_stream

# check_sock NAME KIND CHANNEL_RE A_PID A_COMM B_PID B_COMM AB_BYTES AB_MSGS BA_BYTES BA_MSGS
check_sock() {
	local name=$1 kind=$2 re=$3 ap=$4 ac=$5 bp=$6 bc=$7
	local j=$T/$name.json d="$name: $kind $ac($ap)<->$bc($bp)"
	local sel='[.conversations[] | select(.kind == $k and ((.a.pid == $a and .b.pid == $b) or (.a.pid == $b and .b.pid == $a)))]'
	local args=(--arg k "$kind" --argjson a "$ap" --argjson b "$bp")
	check_jq "$d: conversations" 1 "$j" "$sel | length" "${args[@]}"
	check_jq "$d: a (first writer)" "$ap $ac" "$j" "${sel}[0].a | \"\(.pid) \(.comm)\"" "${args[@]}"
	check_jq "$d: b" "$bp $bc" "$j" "${sel}[0].b | \"\(.pid) \(.comm)\"" "${args[@]}"
	check_jq "$d: a_to_b" "$9 $8" "$j" "${sel}[0].a_to_b | \"\(.msgs) \(.bytes)\"" "${args[@]}"
	check_jq "$d: b_to_a" "${11} ${10}" "$j" "${sel}[0].b_to_a | \"\(.msgs) \(.bytes)\"" "${args[@]}"
	check_jq "$d: channel" true "$j" "${sel}[0].channel | test(\$re)" "${args[@]}" --arg re "$re"
}

# server NAME ADDR CHANNEL_RE: two clients, 10 round trips of 100 -> 300 bytes each
run_server() {
	local name=$1 addr=$2 re=$3 s c1 c2
	rec "$name" "$WL/unix_stream" server "$addr" 10 100 300 1
	check_eq "$name: record exit status (workload's own check)" 0 "$REC_RC"
	((REC_RC == 0)) || show "$T/$name.err"
	role_pid s "$T/$name.out" server
	role_pid c1 "$T/$name.out" client1
	role_pid c2 "$T/$name.out" client2
	report_json "$name"
	check_recording "$name"
	check_sock "$name" unix-stream "$re" "$c1" us_client1 "$s" us_server 1000 10 3000 10
	check_sock "$name" unix-stream "$re" "$c2" us_client2 "$s" us_server 1000 10 3000 10
	check_jq "$name: unix-stream conversations" 2 "$T/$name.json" \
		'[.conversations[] | select(.kind == "unix-stream")] | length'
	check_jq "$name: latency samples (one per round trip)" "10 10" "$T/$name.json" \
		'[.conversations[] | select(.kind == "unix-stream") | .latency_ns.count] | map(tostring) | join(" ")'
	"$IPCS" replay --plain "$T/$name.ipcs" >"$T/$name.plain" 2>&1
	check_eq "$name: setup calls seen (socket bind listen connect accept)" "3 1 1 2 2" \
		"$(for c in socket bind listen connect accept; do grep -c "/us_[a-z0-9]* *$c " "$T/$name.plain"; done | xargs)"
}

run_server path "$T/srv.sock" "^$T/srv.sock\$"
run_server abstract "@ipcs-live-$$" "^@ipcs-live-$$\$"

# socketpair across fork; latency: the child answers after 20 ms, 20 times
rec pair "$WL/unix_stream" pair - 20 100 200 20
check_eq "pair: record exit status (workload's own check)" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/pair.err"
role_pid par "$T/pair.out" parent
role_pid chi "$T/pair.out" child
report_json pair
check_recording pair
check_sock pair unix-stream '^socketpair:\[[0-9]+\]$' "$par" sp_parent "$chi" sp_child 2000 20 4000 20
"$IPCS" replay --plain "$T/pair.ipcs" >"$T/pair.plain" 2>&1
check_grep "pair: socketpair seen" "$T/pair.plain" "$par/sp_parent socketpair fd 3 socketpair:"
check_jq "pair: no other conversations" 1 "$T/pair.json" '[.conversations[] | select(.kind != "signal")] | length'
check_jq "pair: latency count" 20 "$T/pair.json" '.conversations[0].latency_ns.count'
check_jq "pair: latency p50 within 10% of 20 ms" true "$T/pair.json" \
	'.conversations[0].latency_ns.p50 | . >= 18000000 and . <= 22000000'
check_jq "pair: p50 <= p90 <= p99 <= max" true "$T/pair.json" \
	'.conversations[0].latency_ns | .p50 <= .p90 and .p90 <= .p99 and .p99 <= .max'
live_finish
