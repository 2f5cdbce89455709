#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# A ping-pong whose two ends are pinned to two CPUs writes to two of the
# per-CPU ring buffers; merged in time order (user/collect/reorder.c), the
# recording holds exactly the workload's own counts: bytes and messages each
# way, one request/response latency per round trip (a response placed before
# its request would not pair), probe records in time order, none late.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload cpu_pingpong

N=20000
S=7

run_case() {
	local mode=$1 ping echo ncpu
	"$IPCS" record -v -o "$T/$mode.ipcs" -- "$WL/cpu_pingpong" "$mode" "$N" "$S" \
		</dev/null >"$T/$mode.out" 2>"$T/$mode.err"
	REC_RC=$?
	check_eq "$mode: record exit status (workload's own check: every byte back, each end on its CPU)" 0 "$REC_RC"
	((REC_RC == 0)) || show "$T/$mode.err"
	role_pid ping "$T/$mode.out" ping
	role_pid echo "$T/$mode.out" echo
	check_grep "$mode: the workload's own count" "$T/$mode.out" "ops=$N"
	check_eq "$mode: the two ends ran on two CPUs" 2 \
		"$(sed -n 's/^cpus=\([0-9]*\),\([0-9]*\) .*/\1 \2/p' "$T/$mode.out" | tr ' ' '\n' | sort -u | wc -l)"
	ncpu=$(($(tr ',' '\n' </sys/devices/system/cpu/possible | awk -F- '{ n += (NF == 2 ? $2 - $1 + 1 : 1) } END { print n }')))
	check_grep "$mode: -v names the rings and the window" "$T/$mode.err" \
		"records merged in time order from $ncpu rings, reorder window 20 ms"
	check_grep "$mode: -v says how many came late" "$T/$mode.err" \
		"info: 0 records came after the 20 ms reorder window"
	report_json "$mode"
	check_recording "$mode"
	check_jq "$mode: no late record" 0 "$T/$mode.json" '.drops.late'
	if [[ $mode == pipe ]]; then
		check_conv "$mode" pipe "$ping" cp_ping "$echo" cp_echo $((N * S)) "$N"
		check_conv "$mode" pipe "$echo" cp_echo "$ping" cp_ping $((N * S)) "$N"
	else
		local sel='[.conversations[] | select(.kind == "unix-stream" and .a.pid == $a and .b.pid == $b)]'
		check_jq "$mode: one unix-stream conversation ping -> echo" 1 "$T/$mode.json" "$sel | length" \
			--argjson a "$ping" --argjson b "$echo"
		check_jq "$mode: messages and bytes each way" "$N $((N * S)) $N $((N * S))" "$T/$mode.json" \
			"${sel}[0] | \"\(.a_to_b.msgs) \(.a_to_b.bytes) \(.b_to_a.msgs) \(.b_to_a.bytes)\"" \
			--argjson a "$ping" --argjson b "$echo"
		check_jq "$mode: one latency sample per round trip" "$N" "$T/$mode.json" \
			"${sel}[0].latency_ns.count" --argjson a "$ping" --argjson b "$echo"
	fi
	# The probes' records (not the seed, nor what user space adds) never go back in time.
	"$IPCS" export "$T/$mode.ipcs" --format jsonl >"$T/$mode.jsonl" 2>"$T/$mode.export.err"
	check_eq "$mode: probe records in time order (backward steps)" 0 \
		"$(jq -s '[.[] | select(.type | test("^(seed_|cgroup_name|drops|wait|cmdline|shm_name|peer)") | not) | .ts_ns] |
			[range(1; length) as $i | select(.[$i] < .[$i - 1])] | length' "$T/$mode.jsonl")"
	check_eq "$mode: records from the workload's calls" true \
		"$(jq -s --argjson p "$ping" --argjson e "$echo" \
			'[.[] | select(.pid == $p or .pid == $e)] | length >= 4 * '"$N" "$T/$mode.jsonl")"
}

run_case pipe
run_case unix
live_finish
