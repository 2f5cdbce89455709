#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# splice_chain under `record -- CMD`: bytes enter pipe 1 by vmsplice and
# sendfile, are tee'd into pipe 3 and spliced into pipe 2, and read at the
# ends: three pipe conversations, exact bytes, msgs = the calls that moved them.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload splice_chain

count() { sed -n "s/^$1=//p" "$2"; }

run_case() {
	local name=$1 n=$2 s=$3 f=$4 src mid sink tee total
	rec "$name" "$WL/splice_chain" "$n" "$s" "$f"
	check_eq "$name: record exit status (workload's own check)" 0 "$REC_RC"
	((REC_RC == 0)) || show "$T/$name.err"
	role_pid src "$T/$name.out" src
	role_pid mid "$T/$name.out" mid
	role_pid sink "$T/$name.out" sink
	role_pid tee "$T/$name.out" tee
	total=$((n * s + f))
	report_json "$name"
	check_recording "$name"
	check_conv "$name" pipe "$src" sp_src "$mid" sp_mid "$total" \
		$(($(count vmsplices "$T/$name.out") + $(count sendfiles "$T/$name.out")))
	check_conv "$name" pipe "$mid" sp_mid "$sink" sp_sink "$total" "$(count splices "$T/$name.out")"
	check_conv "$name" pipe "$mid" sp_mid "$tee" sp_tee "$total" "$(count tees "$T/$name.out")"
	check_jq "$name: pipe conversations" 3 "$T/$name.json" '[.conversations[] | select(.kind == "pipe")] | length'
	check_jq "$name: nothing unobserved" 0 "$T/$name.json" \
		'[.conversations[] | select(.a.pid == 0 or .b.pid == 0)] | length'
}

run_case small 20 1000 5000
run_case big 200 4096 300000
live_finish
