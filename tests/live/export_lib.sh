# shellcheck shell=bash disable=SC2016
# export_lib.sh - helpers of the export tests (sourced after lib.sh): run an
# export, and check Chrome-trace, jsonl and dot output with jq, dot, gc, gvpr.

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

# jsonl: one valid object per line: a header (docs/jsonl.md), then as many
# as report counts events.
check_jsonl_shape() {
	local name=$1 lines objs
	lines=$(wc -l <"$T/$name.jsonl")
	objs=$(jq -c . "$T/$name.jsonl" 2>/dev/null | wc -l)
	check_eq "$name: jsonl lines are JSON objects" "$lines" "$objs"
	check_eq "$name: jsonl header first, version 2" "header ipcscope-jsonl 2" \
		"$(head -1 "$T/$name.jsonl" | jq -r '"\(.type) \(.format) \(.version)"')"
	check_eq "$name: jsonl events = report's events" "$(jq .events "$T/$name.json")" "$((lines - 1))"
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

