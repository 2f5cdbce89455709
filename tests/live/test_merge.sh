#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# Two recorders, one per end of a loopback TCP connection (-c client, -c
# server), merged: the connection pairs by its 4-tuple into one conversation
# with exact bytes both ways, and perfetto flows cross the two recordings.
# Then as if the second recording came from another host: pids are tagged,
# the TCP connection still pairs. Two recorders of the same client at the
# same time: merge refuses them (the client's calls would count twice), and
# with --allow-overlap counts them twice, as it warned.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload http_pair

start_rec() {	# start_rec NAME COMM: background recorder, waits until it traces
	"$IPCS" record -o "$T/$1.ipcs" -c "$2" </dev/null >"$T/$1.out" 2>"$T/$1.err" &
	eval "pid_$1=$!"
	LIVE_BG_PIDS+=($!)
	wait_line "$T/$1.err" 'recording to' 20 "$!" || { show "$T/$1.err"; die "record -c $2 did not start"; }
}

N=8
port=$((20000 + $$ % 10000))
start_rec cli http_client
start_rec srv http_server
"$WL/http_pair" 4 "$port" "$N" >"$T/wl.out" 2>"$T/wl.err"
check_eq "workload exit status" 0 "$?"
role_pid s "$T/wl.out" server
role_pid c "$T/wl.out" client
for r in cli srv; do
	p="pid_$r"
	kill -INT "${!p}"
	bg_wait "${!p}" 20
	check_eq "$r: recorder finished on SIGINT" 0 "$BG_RC"
done

# each alone sees one end
report_json cli
report_json srv
# "GET /ipcscope/I HTTP/1.1\r\nHost: localhost\r\n\r\n" is 45 bytes and its response 72, for I < 10
req=$((N * 45)) resp=$((N * 72))
for r in cli:$c srv:$s; do
	check_jq "${r%%:*} alone: one tcp conversation, between its process and an unobserved peer" \
		"1 0 ${r#*:}" "$T/${r%%:*}.json" \
		'[.conversations[] | select(.kind == "tcp")] | "\(length) \([.[0].a.pid, .[0].b.pid] | sort | map(tostring) | join(" "))"'
done

# merged: one conversation, both directions, exact
"$IPCS" merge "$T/cli.ipcs" "$T/srv.ipcs" -o "$T/m.ipcs" 2>"$T/m.err"
check_eq "merge exit status" 0 "$?"
report_json m
check_recording m
check_jq "merged: events = the two recordings' events" \
	"$(($(jq .events "$T/cli.json") + $(jq .events "$T/srv.json")))" "$T/m.json" '.events'
check_jq "merged: the connection pairs by 4-tuple, exact both ways" \
	"1 $c http_client $s http_server $N $req $N $resp" "$T/m.json" \
	'[.conversations[] | select(.kind == "tcp")] |
	 "\(length) \(.[0].a.pid) \(.[0].a.comm) \(.[0].b.pid) \(.[0].b.comm) \(.[0].a_to_b.msgs) \(.[0].a_to_b.bytes) \(.[0].b_to_a.msgs) \(.[0].b_to_a.bytes)"'
check_jq "merged: request/response latency across the files" "$N" "$T/m.json" \
	'[.conversations[] | select(.kind == "tcp")][0].latency_ns.count'
"$IPCS" export "$T/m.ipcs" --format perfetto -o "$T/m.perfetto" || die "export merged perfetto failed"
check_jq "merged: perfetto flows client->server and server->client" "$req $resp" "$T/m.perfetto" \
	'[.traceEvents[] | select(.ph == "s" and .args.kind == "tcp")] |
	 "\(map(select(.pid == $c) | .args.bytes) | add) \(map(select(.pid == $s) | .args.bytes) | add)"' \
	--argjson c "$c" --argjson s "$s"
check_jq "merged: time ordered" true "$T/m.perfetto" \
	'[.traceEvents[] | select(.ph == "X") | .ts] | length > 0'

# as if srv.ipcs came from another host: the header's host field (offset 48) renamed
cp "$T/srv.ipcs" "$T/other.ipcs"
printf 'otherhost\0' | dd of="$T/other.ipcs" bs=1 seek=48 conv=notrunc status=none
"$IPCS" merge "$T/cli.ipcs" "$T/other.ipcs" -o "$T/x.ipcs" 2>"$T/x.err"
check_eq "cross-host merge exit status" 0 "$?"
report_json x
check_jq "cross-host: host names both" true "$T/x.json" '.host | endswith("+otherhost")'
check_jq "cross-host: server pid tagged, TCP still paired" \
	"1 $c $((s + 4194304)) $req $resp" "$T/x.json" \
	'[.conversations[] | select(.kind == "tcp")] |
	 "\(length) \(.[0].a.pid) \(.[0].b.pid) \(.[0].a_to_b.bytes) \(.[0].b_to_a.bytes)"'

# errors
"$IPCS" merge "$T/cli.ipcs" -o "$T/y.ipcs" 2>"$T/e1"
check_eq "merge of one file: usage exit" 2 "$?"
"$IPCS" merge "$T/cli.ipcs" "$T/srv.ipcs" -o "$T/m.ipcs" 2>"$T/e2"
check_eq "merge over an existing file: refused" 1 "$?"
check_grep "merge over an existing file: says --force" "$T/e2" "--force"
check_eq "merged file mode" 600 "$(stat -c %a "$T/m.ipcs")"

# the same client recorded twice at the same time, on this boot of this host
port=$((port + 1))
start_rec c1 http_client
start_rec c2 http_client
"$WL/http_pair" 4 "$port" "$N" >"$T/wl2.out" 2>"$T/wl2.err"
check_eq "second workload exit status" 0 "$?"
role_pid c2pid "$T/wl2.out" client
for r in c1 c2; do
	p="pid_$r"
	kill -INT "${!p}"
	bg_wait "${!p}" 20
	check_eq "$r: recorder finished on SIGINT" 0 "$BG_RC"
done
report_json c1
"$IPCS" merge "$T/c1.ipcs" "$T/c2.ipcs" -o "$T/d.ipcs" 2>"$T/d.err"
check_eq "same threads recorded twice: merge refused" 1 "$?"
check_eq "refused: no output written" no "$([[ -e $T/d.ipcs ]] && echo yes || echo no)"
check_grep "refused: names the thread" "$T/d.err" "both traced thread $c2pid (process $c2pid)"
check_grep "refused: says --allow-overlap" "$T/d.err" "pass --allow-overlap"
"$IPCS" merge "$T/c1.ipcs" "$T/c2.ipcs" -o "$T/d.ipcs" --allow-overlap 2>"$T/d2.err"
check_eq "--allow-overlap: merged" 0 "$?"
check_grep "--allow-overlap: warns" "$T/d2.err" "counted twice"
report_json d
# the client wrote N requests and read N responses (the server is an unobserved peer)
dir_q='[.conversations[] | select(.kind == "tcp")] | length as $n | .[0] |
	(if .a.pid == $c then [.a_to_b, .b_to_a] else [.b_to_a, .a_to_b] end) as [$out, $in] |
	"\($n) \($out.msgs) \($out.bytes) \($in.bytes)"'
check_jq "each recording alone: the client's N requests" "1 $N $req $resp" "$T/c1.json" \
	"$dir_q" --argjson c "$c2pid"
check_jq "--allow-overlap: counted twice, as it warned" "1 $((2 * N)) $((2 * req)) $((2 * resp))" \
	"$T/d.json" "$dir_q" --argjson c "$c2pid"
# recorded one after the other: the same comm, other processes, no overlap: merged
"$IPCS" merge "$T/cli.ipcs" "$T/c1.ipcs" -o "$T/seq.ipcs" 2>"$T/seq.err"
check_eq "recordings one after the other: merged" 0 "$?"
live_finish
