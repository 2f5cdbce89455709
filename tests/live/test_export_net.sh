#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# export of loopback TCP and UDP recordings (jsonl endpoints, dot edges,
# perfetto flows across processes, one flow per datagram), --kind on them,
# and record --jsonl - streaming live.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload pipe_pair unix_stream udp_pair
for tool in jq dot gc gvpr; do
	command -v "$tool" >/dev/null || die "$tool missing: run tests/setup/install-deps.sh (graphviz, jq)"
done
source "$(dirname "$0")/export_lib.sh"

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

# ---- --kind on a TCP recording ----
"$IPCS" report "$T/tcp.ipcs" --json --kind tcp >"$T/tcpk.json"
check_jq "report --kind tcp: only tcp conversations" "2 tcp" "$T/tcpk.json" \
	'.conversations | "\(length) \(map(.kind) | unique | join(","))"'
"$IPCS" export "$T/tcp.ipcs" --format perfetto --kind unix,pipe -o "$T/tcpk.perfetto"
check_jq "export --kind pipe,unix: no tcp slices" "0 true" "$T/tcpk.perfetto" \
	'[.traceEvents[] | select(.ph == "X")] | "\(map(select(.cat == "tcp")) | length) \(any(.cat == "pipe"))"'

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

live_finish
