#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# record --capture N, then export --format pcapng, read back with tshark: the
# loopback HTTP exchange is dissected as HTTP (requests, responses, URIs),
# UDP datagrams keep their ports and sizes, pipe bytes arrive bare; every
# packet names its process and thread; drops reach the interface statistics.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload http_pair udp_pair flood pipe_pair
command -v tshark >/dev/null || die "tshark missing: run tests/setup/install-deps.sh"
command -v jq >/dev/null || die "jq missing: run tests/setup/install-deps.sh"

# capture NAME N CMD...: record with --capture N, export pcapng and jsonl.
capture() {
	local name=$1 n=$2 rc
	shift 2
	"$IPCS" record --capture "$n" -o "$T/$name.ipcs" -- "$@" </dev/null >"$T/$name.out" 2>"$T/$name.err"
	REC_RC=$?
	"$IPCS" export "$T/$name.ipcs" --format pcapng -o "$T/$name.pcapng" 2>"$T/$name.x.err"
	rc=$?
	((rc == 0)) || { show "$T/$name.x.err"; die "export $name --format pcapng exited $rc"; }
	"$IPCS" export "$T/$name.ipcs" --format jsonl -o "$T/$name.jsonl" 2>>"$T/$name.x.err" || die "export $name jsonl failed"
}

# fields NAME [tshark options] -e F...: one line per packet.
fields() {
	local name=$1
	shift
	tshark -r "$T/$name.pcapng" -T fields -E separator=' ' "$@" 2>/dev/null
}

# ---- HTTP over loopback TCP: Wireshark dissects the application protocol ----
port=$((20000 + $$ % 10000))
N=6
capture http 256 "$WL/http_pair" 4 "$port" "$N"
check_eq "http: record exit status" 0 "$REC_RC"
role_pid s "$T/http.out" server
role_pid c "$T/http.out" client
report_json http
check_recording http
if tshark -r "$T/http.pcapng" >/dev/null 2>"$T/http.tshark.err"; then
	ok "http: tshark reads the file"
else
	bad "http: tshark -r failed: $(head -3 "$T/http.tshark.err")"
fi
DA=(-d "tcp.port==$port,http")
check_eq "http: requests dissected (GET, URI)" \
	"$(for ((i = 0; i < N; i++)); do echo "GET /ipcscope/$i"; done)" \
	"$(fields http "${DA[@]}" -Y http.request -e http.request.method -e http.request.uri)"
check_eq "http: responses dissected (200, text/plain)" "$(yes '200 text/plain' | head -$N)" \
	"$(fields http "${DA[@]}" -Y http.response -e http.response.code -e http.content_type)"
check_eq "http: bodies" "$(for ((i = 0; i < N; i++)); do echo "hello $i"; done)" \
	"$(fields http "${DA[@]}" -Y http.response -e http.file_data | sed 's/\\n$//')"
check_eq "http: tcp frames (client->server, server->client)" "$N $N" \
	"$(fields http -Y "tcp.dstport==$port" -e frame.number | wc -l) $(fields http -Y "tcp.srcport==$port" -e frame.number | wc -l)"
check_eq "http: addresses and port" "127.0.0.1 127.0.0.1 $port" \
	"$(fields http -Y "tcp.dstport==$port" -e ip.src -e ip.dst -e tcp.dstport | sort -u)"
check_eq "http: no TCP analysis warnings (seq/ack consistent)" 0 \
	"$(fields http -Y 'tcp.analysis.flags' -e frame.number | wc -l)"
check_eq "http: tcp packets name their process (client, then server)" \
	"$(for ((i = 0; i < N; i++)); do echo "pid $c tid $c"; echo "pid $s tid $s"; done)" \
	"$(fields http -Y tcp -e frame.comment | sed 's/^\(pid [0-9]* tid [0-9]*\).*/\1/')"
check_eq "http: direction out on every tcp packet" "0x00000002" \
	"$(fields http -Y tcp -e frame.packet_flags_direction | sort -u)"
# pcapng structure as tshark's file dissector sees it: one pid/tid option (code 8, 8 bytes) per EPB
MIME=(-X 'read_format:MIME Files Format')
codes=$(fields http "${MIME[@]}" -e pcapng.options.option.code | tr ',' '\n')
nepb=$(fields http "${MIME[@]}" -e pcapng.block.type | tr ',' '\n' | grep -c '^0x00000006$')
check_eq "http: EPBs = packets tshark reads" "$(fields http -e frame.number | wc -l)" "$nepb"
# (SHB, IDB and ISB options here use no code 8)
check_eq "http: every EPB has epb_processid_threadid (option 8)" "$nepb" "$(grep -c '^8$' <<<"$codes")"
check_eq "http: packets = captured sends + pipe calls in the recording" \
	"$(jq -s '[.[] | select(.type == "payload" and (.kind != "tcp" or .dir == "out"))] | length' "$T/http.jsonl")" "$nepb"
check_eq "http: interface per kind (pipe for the ready byte, tcp)" "pipe tcp" \
	"$(fields http -e frame.interface_name | sort -u | tr '\n' ' ' | sed 's/ $//')"
check_eq "http: interface statistics, no drops" "0,0" \
	"$(fields http "${MIME[@]}" -e pcapng.options.option.data.interface.dropped)"

# ---- UDP over ::1: datagram sizes and ports ----
capture udp 64 "$WL/udp_pair" 6 $((port + 3)) 7 100 300
check_eq "udp: record exit status" 0 "$REC_RC"
check_eq "udp: datagrams each way, their lengths (capture 64 of 100/300)" \
	"7 $((port + 4)) $((port + 3)) 108 64
7 $((port + 3)) $((port + 4)) 308 64" \
	"$(fields udp -Y udp -e udp.srcport -e udp.dstport -e udp.length -e data.len | sort | uniq -c | awk '{print $1, $2, $3, $4, $5}' | sort -k2,2r)"
check_eq "udp: IPv6 loopback" "::1 ::1" "$(fields udp -Y udp -e ipv6.src -e ipv6.dst | sort -u)"
# Ethernet 14 + IPv6 40 + UDP 8 = 62 bytes of headers
check_eq "udp: frames truncated to the capture, original length kept" "126 162,126 362" \
	"$(fields udp -Y udp -e frame.cap_len -e frame.len | sort -u | paste -sd,)"

# ---- the bytes themselves: pipe_pair writes pattern(i) = i % 251 ----
"$IPCS" record --capture 16 -o "$T/pp.ipcs" -- "$WL/pipe_pair" 4 100 </dev/null >"$T/pp.out" 2>"$T/pp.err"
check_eq "pipe: record exit status" 0 "$?"
"$IPCS" export "$T/pp.ipcs" --format jsonl -o "$T/pp.jsonl" || die "export pp jsonl failed"
want=$(for w in 0 1 2 3; do for ((i = 0; i < 16; i++)); do printf '%02x' $(((w * 100 + i) % 251)); done; echo; done)
check_eq "pipe: each write's first 16 bytes, exact" "$want" \
	"$(jq -r 'select(.type == "payload" and .sys == "write" and .kind == "pipe") | .data_hex' "$T/pp.jsonl")"
check_eq "pipe: payload lengths (len, cap_len) of the writes" "100 16,100 16,100 16,100 16" \
	"$(jq -r 'select(.type == "payload" and .sys == "write" and .kind == "pipe") | "\(.len) \(.cap_len)"' "$T/pp.jsonl" | paste -sd,)"
check_eq "pipe: reads captured from their start of stream" "$(printf '%02x' $(seq 0 15))" \
	"$(jq -r 'select(.type == "payload" and .sys == "read" and .kind == "pipe") | .data_hex' "$T/pp.jsonl" | head -1)"
# (other CPUs' records may come between a call and its payload: not adjacent, but after it)
ncalls=$(jq -s '[.[] | select(.type == "sys" and .kind == "pipe" and (.sys | IN("read","write")) and .ret > 0)] | length' "$T/pp.jsonl")
check_eq "pipe: a payload for every data call, each after its call (same ts and tid)" "$ncalls 0" \
	"$(jq -rs '[foreach .[] as $e ({calls: {}, out: null};
		   if $e.type == "payload" then .out = (.calls["\($e.tid) \($e.ts_ns)"] // false)
		   else .calls["\($e.tid) \($e.ts_ns)"] = ($e.type == "sys") | .out = null end; .out)
		  | select(. != null)] | "\(length) \(map(select(. != true)) | length)"' "$T/pp.jsonl")"

# ---- drops: counted in the interface statistics ----
"$IPCS" record --capture 8 --ringbuf-kb 4 -o "$T/f.ipcs" -- "$WL/flood" 50000 </dev/null >"$T/f.out" 2>"$T/f.err"
check_eq "flood: record exit status" 0 "$?"
report_json f
drops=$(jq .drops.total "$T/f.json")
if ((drops > 0)); then ok "flood: drops happened ($drops)"; else bad "flood: no drops with a 4 KiB ring"; fi
"$IPCS" export "$T/f.ipcs" --format pcapng -o "$T/f.pcapng" 2>"$T/f.x.err" || die "export flood failed"
"$IPCS" export "$T/f.ipcs" --format jsonl -o "$T/f.jsonl" || die "export flood jsonl failed"
# Read as a file, every block is a tree item: past tshark's default 1000000 the
# statistics block at the end is cut off (fewer drops on a quiet machine, more blocks).
check_eq "flood: isb_ifdrop = the recording's drops" "$drops" \
	"$(fields f -o gui.max_tree_items:100000000 -X 'read_format:MIME Files Format' \
		-e pcapng.options.option.data.interface.dropped)"
check_eq "flood: packets = payload records that arrived" \
	"$(jq -s '[.[] | select(.type == "payload")] | length' "$T/f.jsonl")" "$(fields f -e frame.number | wc -l)"

# ---- without --capture: a warning that says how, not a silent empty file ----
rec plain "$WL/udp_pair" 4 $((port + 5)) 2 10 10
"$IPCS" export "$T/plain.ipcs" --format pcapng -o "$T/plain.pcapng" 2>"$T/plain.x.err"
check_grep "no --capture: export says how to get payloads" "$T/plain.x.err" "--capture"
"$IPCS" export "$T/http.ipcs" --format pcapng 2>"$T/tty.err" >/dev/null
check_eq "pcapng to a non-terminal stdout works" 0 "$?"
live_finish
