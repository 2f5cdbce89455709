#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# export --format jsonl / dot / perfetto of pipe recordings, read back with the
# real consumers (jq, dot, gc, gvpr): counts, bytes and write->read pairings
# must match the workload exactly; --since/--until/--kind; errors.
# (Sockets and record --jsonl: test_export_net.sh.)
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload pipe_pair
for tool in jq dot gc gvpr; do
	command -v "$tool" >/dev/null || die "$tool missing: run tests/setup/install-deps.sh (graphviz, jq)"
done

source "$(dirname "$0")/export_lib.sh"

# ---- pipes: reads spanning writes, and writes split over reads ----
pipe_case() {
	local name=$1 n=$2 s=$3 r=$4 w rd j
	rec "$name" "$WL/pipe_pair" "$n" "$s" "$r"
	check_eq "$name: record exit status" 0 "$REC_RC"
	role_pid w "$T/$name.out" writer
	role_pid rd "$T/$name.out" reader
	report_json "$name"
	check_recording "$name"
	for f in jsonl dot perfetto; do export_to "$name" "$f"; done

	check_jsonl_shape "$name"
	check_jq "$name: jsonl pipe writes: calls, bytes" "$n $((n * s))" "$T/$name.jsonl" \
		'[.[] | select(.type == "sys" and .sys == "write" and .kind == "pipe" and .pid == $w)] |
		 "\(length) \(map(.ret) | add)"' -s --argjson w "$w"
	check_jq "$name: jsonl pipe reads: bytes" "$((n * s))" "$T/$name.jsonl" \
		'[.[] | select(.type == "sys" and .sys == "read" and .kind == "pipe" and .pid == $r and .ret > 0) | .ret] | add' \
		-s --argjson r "$rd"

	check_dot_shape "$name"
	check_eq "$name: dot edges (pipe, and the SIGCHLD back)" \
		"$(printf '%s\n' "$rd $w signal 0 1" "$w $rd pipe $((n * s)) $n" | sort)" "$(dot_edges "$name")"
	check_eq "$name: dot nodes" 2 "$(gc -n "$T/$name.dot" | awk '{print $1}')"

	j=$T/$name.perfetto
	nflows=$(jq '[.traceEvents[] | select(.ph == "s")] | length' "$j")
	check_perfetto_shape "$name" "$nflows"
	check_jq "$name: write slices of the writer" "$n" "$j" \
		'[.traceEvents[] | select(.ph == "X" and .name == "write" and .cat == "pipe" and .pid == $w)] | length' --argjson w "$w"
	check_jq "$name: read slices = jsonl reads" \
		"$(jq -s --argjson r "$rd" '[.[] | select(.type == "sys" and .sys == "read" and .pid == $r)] | length' "$T/$name.jsonl")" \
		"$j" '[.traceEvents[] | select(.ph == "X" and .name == "read" and .pid == $r)] | length' --argjson r "$rd"
	check_jq "$name: flows writer->reader carry every byte" "$((n * s)) true" "$j" \
		'[.traceEvents[] | select(.ph == "s")] as $s | [.traceEvents[] | select(.ph == "f")] as $f |
		 "\($s | map(.args.bytes) | add) \(($s | all(.pid == $w)) and ($f | all(.pid == $r)))"' \
		--argjson w "$w" --argjson r "$rd"
	check_jq "$name: every write has a flow out" "$n" "$j" \
		'[.traceEvents[] | select(.ph == "s") | .ts] as $s |
		 [.traceEvents[] | select(.ph == "X" and .name == "write" and .pid == $w) |
		  . as $x | select(any($s[]; $x.ts <= . and . <= $x.ts + $x.dur))] | length' --argjson w "$w"
	# reads of R bytes: a write of S bytes reaches at least ceil(S/R) reads
	check_jq "$name: each write fans out to >= ceil(S/R) reads" true "$j" \
		'[.traceEvents[] | select(.ph == "s")] | group_by(.ts) | all(length >= $k)' \
		--argjson k $(((s + r - 1) / r))
}

pipe_case span 100 1000 4093
pipe_case split 20 10000 3000

# ---- filters: --since/--until (seconds from the start), --kind ----
# the 10th to the 20th write of the span recording, bounds included
secs() { printf '%d.%09d' $(($1 / 1000000000)) $(($1 % 1000000000)); }
mapfile -t wts < <(jq -r 'select(.type == "sys" and .sys == "write" and .kind == "pipe") | .rel_ns' "$T/span.jsonl")
"$IPCS" export "$T/span.ipcs" --format jsonl --since "$(secs "${wts[9]}")" --until "$(secs "${wts[19]}")" -o "$T/win.jsonl"
check_eq "--since/--until: export exit" 0 "$?"
check_jq "--since/--until: the 10th..20th writes, nothing outside" "11 true" "$T/win.jsonl" \
	'[.[] | select(.type == "sys" and .kind == "pipe")] as $s | [$s[] | select(.sys == "write")] |
	 "\(length) \($s | all(.rel_ns >= $a and .rel_ns <= $b))"' -s --argjson a "${wts[9]}" --argjson b "${wts[19]}"
"$IPCS" report "$T/span.ipcs" --json --until "$(secs "${wts[4]}")" >"$T/win.json"
check_jq "report --until: bytes written by then (5 writes)" 5000 "$T/win.json" \
	'[.channels[] | select(.kind == "pipe") | .bytes_written] | add'
"$IPCS" report "$T/span.ipcs" --kind nope >/dev/null 2>"$T/err0"
check_eq "--kind nope: usage exit" 2 "$?"
check_grep "--kind nope: lists the kinds" "$T/err0" "pipe, fifo, unix"
"$IPCS" report "$T/span.ipcs" --since 2 --until 1 >/dev/null 2>"$T/err0"
check_eq "--until before --since: usage exit" 2 "$?"

# ---- pcapng of a recording without --capture: a warning that says how, not silence ----
"$IPCS" export "$T/span.ipcs" --format pcapng -o "$T/span.pcapng" 2>"$T/nocap.err"
check_eq "pcapng without --capture: exit" 0 "$?"
check_grep "pcapng without --capture: says how to get payloads" "$T/nocap.err" "--capture"
"$IPCS" export "$T/span.ipcs" --format pcapng 2>/dev/null | head -c 4 | od -An -tx1 >"$T/magic"
check_eq "pcapng to a pipe: starts with a section header" "0a 0d 0d 0a" "$(tr -s ' ' <"$T/magic" | sed 's/^ //;s/ $//')"

# ---- errors ----
"$IPCS" export "$T/span.ipcs" --format nope -o "$T/x" 2>"$T/err1"
check_eq "unknown format: usage exit" 2 "$?"
check_grep "unknown format: names the formats" "$T/err1" "jsonl, dot, perfetto or pcapng"
"$IPCS" export "$T/span.ipcs" --format dot -o "$T/span.dot" 2>"$T/err2"
check_eq "existing output without --force" 1 "$?"
check_grep "existing output: says --force" "$T/err2" "--force"
check_eq "export file mode" 600 "$(stat -c %a "$T/span.perfetto")"
live_finish
