#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# export --format jsonl / dot / perfetto, and record --jsonl -, on recordings of
# real workloads, read back with the real consumers (jq, dot, gc, gvpr): counts,
# bytes and write->read pairings must match the workload exactly.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload pipe_pair unix_stream udp_pair
for tool in jq dot gc gvpr; do
	command -v "$tool" >/dev/null || die "$tool missing: run tests/setup/install-deps.sh (graphviz, jq)"
done

# export NAME FORMAT: $T/NAME.FORMAT, fatal if export fails.
export_to() {
	local name=$1 fmt=$2 rc
	"$IPCS" export "$T/$name.ipcs" --format "$fmt" -o "$T/$name.$fmt" 2>"$T/$name.$fmt.err"
	rc=$?
	((rc == 0)) || { show "$T/$name.$fmt.err"; die "export $name --format $fmt exited $rc"; }
}

# The structure every Chrome trace-event file needs, and flows whose two ends
# each sit inside a slice of the right syscall on the same thread.
PF_SCHEMA='
  (.traceEvents | type == "array") and (.displayTimeUnit == "ns") and
  all(.traceEvents[]; (.ph | IN("X","i","s","f","M","C")) and (.pid | type == "number")
      and (.tid | type == "number") and (.name | type == "string")) and
  all(.traceEvents[] | select(.ph != "M"); .ts | type == "number" and . >= 0) and
  all(.traceEvents[] | select(.ph == "X"); (.dur | type == "number" and . > 0) and (.cat | type == "string"))'
PF_FLOWS='
  [.traceEvents[] | select(.ph == "s" or .ph == "f")] | group_by(.id) |
  "\(length) \(all(.[]; length == 2 and (map(.ph) | sort) == ["f","s"]))"'
PF_BOUND='
  (.traceEvents | map(select(.ph == "X"))) as $x |
  def inside($e; $names): [$x[] | select(.pid == $e.pid and .tid == $e.tid and (.name | IN($names[]))
      and .ts <= $e.ts and $e.ts <= .ts + .dur)] | length == 1;
  [.traceEvents[] | select(.ph == "s") | inside(.; ["write","writev","sendto","sendmsg"])] as $s |
  [.traceEvents[] | select(.ph == "f") | inside(.; ["read","readv","recvfrom","recvmsg"])] as $f |
  "\($s | all) \($f | all)"'

check_perfetto_shape() {
	local name=$1 j=$T/$1.perfetto
	jq -e . "$j" >/dev/null 2>&1 || die "$name.perfetto is not valid JSON"
	check_jq "$name: perfetto schema" true "$j" "$PF_SCHEMA"
	check_jq "$name: every flow has one start and one end" "$2 true" "$j" "$PF_FLOWS"
	check_jq "$name: flow ends bound inside a write / read slice on their thread" "true true" "$j" "$PF_BOUND"
	check_jq "$name: nothing left unpaired" "0 0 $2" "$j" \
		'.otherData | "\(.unpaired_write_bytes) \(.unpaired_read_bytes) \(.flows)"'
}

# jsonl: one valid object per line, as many as report counts events.
check_jsonl_shape() {
	local name=$1 lines objs
	lines=$(wc -l <"$T/$name.jsonl")
	objs=$(jq -c . "$T/$name.jsonl" 2>/dev/null | wc -l)
	check_eq "$name: jsonl lines are JSON objects" "$lines" "$objs"
	check_eq "$name: jsonl events = report's events" "$(jq .events "$T/$name.json")" "$lines"
}

# dot: Graphviz parses and lays it out; `gvpr` reads the edge figures back.
dot_edges() {
	gvpr 'E { printf("%s %s %s %s %s\n", tail.pid, head.pid, $.kind, $.bytes, $.msgs); }' "$T/$1.dot" | sort
}
check_dot_shape() {
	local name=$1
	if dot -Tsvg "$T/$name.dot" -o "$T/$name.svg" 2>"$T/$name.dot.err"; then
		ok "$name: dot -Tsvg lays the graph out"
	else
		bad "$name: dot -Tsvg failed: $(head -3 "$T/$name.dot.err")"
	fi
	check_eq "$name: svg edges = dot edges" "$(gc -e "$T/$name.dot" | awk '{print $1}')" \
		"$(grep -c 'class="edge"' "$T/$name.svg")"
}

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

# ---- TCP: request/response both ways over loopback ----
port=$((20000 + $$ % 10000))
rec tcp "$WL/unix_stream" tcp4 "$port" 10 100 300 1
check_eq "tcp: record exit status" 0 "$REC_RC"
role_pid s "$T/tcp.out" server
role_pid c1 "$T/tcp.out" client1
role_pid c2 "$T/tcp.out" client2
report_json tcp
check_recording tcp
for f in jsonl dot perfetto; do export_to tcp "$f"; done
check_jsonl_shape tcp
check_jq "tcp: jsonl data calls carry both endpoints" "80 true" "$T/tcp.jsonl" \
	'[.[] | select(.type == "sock" and .kind == "tcp" and .ret > 0 and (.sys | IN("read","write","sendto","recvfrom","sendmsg","recvmsg")))] |
	 "\(length) \(all((.local + " " + .remote) | test("^127\\.0\\.0\\.1:[0-9]+ 127\\.0\\.0\\.1:[0-9]+$")))"' -s
check_dot_shape tcp
check_eq "tcp: dot tcp edges" "$(printf '%s\n' "$c1 $s tcp 1000 10" "$s $c1 tcp 3000 10" \
	"$c2 $s tcp 1000 10" "$s $c2 tcp 3000 10" | sort)" "$(dot_edges tcp | grep ' tcp ')"
nflows=$(jq '[.traceEvents[] | select(.ph == "s")] | length' "$T/tcp.perfetto")
check_perfetto_shape tcp "$nflows"
for c in "$c1" "$c2"; do
	check_jq "tcp: flow bytes client $c -> server, server -> client $c" "1000 3000" "$T/tcp.perfetto" \
		'[.traceEvents[] | select(.ph == "s" or .ph == "f")] | group_by(.id) | map({(.[0].ph): .[0], (.[1].ph): .[1]}) as $fl |
		 [([$fl[] | select(.s.args.kind == "tcp" and .s.pid == $c and .f.pid == $s) | .s.args.bytes] | add),
		  ([$fl[] | select(.s.args.kind == "tcp" and .s.pid == $s and .f.pid == $c) | .s.args.bytes] | add)] | map(tostring) | join(" ")' \
		--argjson c "$c" --argjson s "$s"
done

# ---- UDP: one datagram, one flow ----
rec udp "$WL/udp_pair" 4 $((port + 7)) 12 100 300
check_eq "udp: record exit status" 0 "$REC_RC"
report_json udp
check_recording udp
export_to udp perfetto
check_perfetto_shape udp 25
check_jq "udp: flows are whole datagrams" "12 12" "$T/udp.perfetto" \
	'[.traceEvents[] | select(.ph == "s" and .args.kind == "udp") | .args.bytes] |
	 "\(map(select(. == 100)) | length) \(map(select(. == 300)) | length)"'
check_jq "udp: flows by kind" "udp 24, pipe 1" "$T/udp.perfetto" \
	'[.traceEvents[] | select(.ph == "s") | .args.kind] | group_by(.) | map("\(.[0]) \(length)") | sort | reverse | join(", ")'

# ---- record --jsonl -: the same lines, live on stdout ----
# The traced command shares stdout: its own lines are not JSON objects.
"$IPCS" record -q --jsonl - -- "$WL/pipe_pair" 30 500 </dev/null >"$T/live.out" 2>"$T/live.err"
check_eq "record --jsonl -: exit status" 0 "$?"
grep '^{' "$T/live.out" >"$T/live.jsonl"
check_eq "record --jsonl -: every line JSON" "$(wc -l <"$T/live.jsonl")" "$(jq -c . "$T/live.jsonl" 2>/dev/null | wc -l)"
check_jq "record --jsonl -: the workload's pipe writes and reads" "30 15000 15000" "$T/live.jsonl" \
	'[.[] | select(.type == "sys" and .kind == "pipe" and .ret > 0)] |
	 "\(map(select(.sys == "write")) | length) \(map(select(.sys == "write") | .ret) | add) \(map(select(.sys == "read") | .ret) | add)"' -s
check_eq "record --jsonl -: the workload's own stdout too" 2 "$(grep -vc '^{' "$T/live.out")"

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
"$IPCS" report "$T/tcp.ipcs" --json --kind tcp >"$T/tcpk.json"
check_jq "report --kind tcp: only tcp conversations" "2 tcp" "$T/tcpk.json" \
	'.conversations | "\(length) \(map(.kind) | unique | join(","))"'
"$IPCS" export "$T/tcp.ipcs" --format perfetto --kind unix,pipe -o "$T/tcpk.perfetto"
check_jq "export --kind pipe,unix: no tcp slices" "0 true" "$T/tcpk.perfetto" \
	'[.traceEvents[] | select(.ph == "X")] | "\(map(select(.cat == "tcp")) | length) \(any(.cat == "pipe"))"'
"$IPCS" report "$T/tcp.ipcs" --kind nope >/dev/null 2>"$T/err0"
check_eq "--kind nope: usage exit" 2 "$?"
check_grep "--kind nope: lists the kinds" "$T/err0" "pipe, fifo, unix"
"$IPCS" report "$T/tcp.ipcs" --since 2 --until 1 >/dev/null 2>"$T/err0"
check_eq "--until before --since: usage exit" 2 "$?"

# ---- errors ----
"$IPCS" export "$T/span.ipcs" --format nope -o "$T/x" 2>"$T/err1"
check_eq "unknown format: usage exit" 2 "$?"
check_grep "unknown format: names the formats" "$T/err1" "jsonl, dot, perfetto or pcapng"
"$IPCS" export "$T/span.ipcs" --format dot -o "$T/span.dot" 2>"$T/err2"
check_eq "existing output without --force" 1 "$?"
check_grep "existing output: says --force" "$T/err2" "--force"
check_eq "export file mode" 600 "$(stat -c %a "$T/span.perfetto")"
live_finish
