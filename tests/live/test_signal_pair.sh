#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# signal_pair under `record -- CMD`: the child sends U1 SIGUSR1 and U2
# SIGUSR2 to its parent, each acknowledged (none coalesce), then exits:
# one conversation per signal number with exact counts and outcomes, plus
# the SIGCHLD the child's exit sends the parent; none from ipcscope itself.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload signal_pair

# sig_conv NAME SIG SENDER RECEIVER MSGS "DELIVERED IGNORED PENDING HANDLED DEFAULTED"
sig_conv() {
	local name=$1 sig=$2 s=$3 r=$4 msgs=$5 outcomes=$6 j=$T/$1.json
	local sel='[.conversations[] | select(.kind == "signal" and .channel == $c and .a.pid == $s and .b.pid == $r)]'
	local args=(--arg c "$sig" --argjson s "$s" --argjson r "$r")
	check_jq "$name: $sig conversations" 1 "$j" "$sel | length" "${args[@]}"
	check_jq "$name: $sig comms" "sig_send sig_recv" "$j" "${sel}[0] | \"\(.a.comm) \(.b.comm)\"" "${args[@]}"
	check_jq "$name: $sig msgs bytes" "$msgs 0" "$j" "${sel}[0].a_to_b | \"\(.msgs) \(.bytes)\"" "${args[@]}"
	check_jq "$name: $sig outcomes" "$outcomes" "$j" \
		"${sel}[0].signals | \"\(.delivered) \(.ignored) \(.pending) \(.handled) \(.defaulted)\"" "${args[@]}"
}

run_case() {
	local name=$1 u1=$2 u2=$3 s r
	rec "$name" "$WL/signal_pair" "$u1" "$u2"
	check_eq "$name: record exit status (workload's own check)" 0 "$REC_RC"
	((REC_RC == 0)) || show "$T/$name.err"
	role_pid s "$T/$name.out" sender
	role_pid r "$T/$name.out" receiver
	report_json "$name"
	check_recording "$name"
	sig_conv "$name" SIGUSR1 "$s" "$r" "$u1" "$u1 0 0 $u1 0"
	sig_conv "$name" SIGUSR2 "$s" "$r" "$u2" "$u2 0 0 $u2 0"
	# SIGCHLD's default action is to ignore it: generated, never delivered.
	sig_conv "$name" SIGCHLD "$s" "$r" 1 "0 1 0 0 0"
	check_jq "$name: signal conversations (no ipcscope plumbing)" 3 "$T/$name.json" \
		'[.conversations[] | select(.kind == "signal")] | length'
	check_jq "$name: signal totals" "$((u1 + u2 + 1))" "$T/$name.json" \
		'[.conversations[] | select(.kind == "signal") | .a_to_b.msgs] | add'
}

run_case five_three 5 3
run_case many 40 25
live_finish
