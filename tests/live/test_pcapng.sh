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

# One tshark pass per file (tshark starts slowly): every column the checks
# read, tab-separated, first occurrence of each; q() selects from it.
COLS=(frame.number frame.interface_name frame.packet_flags_direction frame.comment frame.cap_len
      frame.len ip.src ip.dst ipv6.src ipv6.dst tcp.srcport tcp.dstport tcp.analysis.flags
      udp.srcport udp.dstport udp.length data.len http.request.method http.request.uri
      http.response.code http.content_type http.file_data frame.time_epoch)
dissect() {	# dissect NAME [tshark options]: $T/NAME.tsv, and the file's blocks in $T/NAME.blocks
	local name=$1 c args=()
	shift
	for c in "${COLS[@]}"; do args+=(-e "$c"); done
	tshark -r "$T/$name.pcapng" "$@" -T fields -E separator=/t -E occurrence=f "${args[@]}" \
		>"$T/$name.tsv" 2>"$T/$name.tshark.err" || { show "$T/$name.tshark.err"; die "tshark -r $name.pcapng failed"; }
	# the pcapng structure as tshark's file dissector sees it (lists, comma-separated)
	tshark -o gui.max_tree_items:100000000 -r "$T/$name.pcapng" -X 'read_format:MIME Files Format' -T fields -E separator=/t \
		-e pcapng.block.type -e pcapng.options.option.code -e pcapng.options.option.data.interface.dropped \
		>"$T/$name.blocks" 2>/dev/null || die "tshark (file format) on $name.pcapng failed"
}
# q NAME 'awk condition on f["column"]' COLUMN...: those columns of the matching packets
q() {
	local name=$1 cond=$2
	shift 2
	awk -F'\t' -v cols="${COLS[*]}" -v want="$*" '
		BEGIN { n = split(cols, c, " "); for (i = 1; i <= n; i++) ix[c[i]] = i; m = split(want, w, " ") }
		{ for (i = 1; i <= n; i++) f[c[i]] = $i }
		'"$cond"' { l = ""; for (i = 1; i <= m; i++) l = l (i > 1 ? " " : "") $ix[w[i]]; print l }' "$T/$name.tsv"
}
block_col() { cut -f"$2" "$T/$1.blocks" | tr ',' '\n'; }

# ---- HTTP over loopback TCP: Wireshark dissects the application protocol ----
port=$((20000 + $$ % 10000))
N=6
capture http 256 "$WL/http_pair" 4 "$port" "$N"
check_eq "http: record exit status" 0 "$REC_RC"
role_pid s "$T/http.out" server
role_pid c "$T/http.out" client
report_json http
check_recording http
dissect http -d "tcp.port==$port,http"
ok "http: tshark reads the file"
check_eq "http: requests dissected (GET, URI)" \
	"$(for ((i = 0; i < N; i++)); do echo "GET /ipcscope/$i"; done)" \
	"$(q http 'f["http.request.method"] != ""' http.request.method http.request.uri)"
check_eq "http: responses dissected (200, text/plain)" "$(yes '200 text/plain' | head -$N)" \
	"$(q http 'f["http.response.code"] != ""' http.response.code http.content_type)"
check_eq "http: bodies" "$(for ((i = 0; i < N; i++)); do echo "hello $i"; done)" \
	"$(q http 'f["http.response.code"] != ""' http.file_data | sed 's/\\n$//')"
check_eq "http: tcp frames (client->server, server->client)" "$N $N" \
	"$(q http "f[\"tcp.dstport\"] == $port" frame.number | wc -l) $(q http "f[\"tcp.srcport\"] == $port" frame.number | wc -l)"
check_eq "http: addresses and port" "127.0.0.1 127.0.0.1 $port" \
	"$(q http "f[\"tcp.dstport\"] == $port" ip.src ip.dst tcp.dstport | sort -u)"
# records of two CPUs may arrive out of order: the file is in time order all the same
check_eq "http: packets in time order" 0 \
	"$(q http 1 frame.time_epoch | awk 'NR > 1 && $1 < prev { bad++ } { prev = $1 } END { print bad + 0 }')"
check_eq "http: no TCP analysis warnings (seq/ack consistent)" 0 \
	"$(q http 'f["tcp.analysis.flags"] != ""' frame.number | wc -l)"
check_eq "http: tcp packets name their process (client, then server)" \
	"$(for ((i = 0; i < N; i++)); do echo "pid $c tid $c"; echo "pid $s tid $s"; done)" \
	"$(q http 'f["tcp.srcport"] != ""' frame.comment | sed 's/^\(pid [0-9]* tid [0-9]*\).*/\1/')"
check_eq "http: direction out on every tcp packet" "0x00000002" \
	"$(q http 'f["tcp.srcport"] != ""' frame.packet_flags_direction | sort -u)"
# one pid/tid option (code 8, 8 bytes) per EPB; SHB, IDB and ISB options here use no code 8
nepb=$(block_col http 1 | grep -c '^0x00000006$')
check_eq "http: EPBs = packets tshark reads" "$(wc -l <"$T/http.tsv")" "$nepb"
check_eq "http: every EPB has epb_processid_threadid (option 8)" "$nepb" "$(block_col http 2 | grep -c '^8$')"
check_eq "http: packets = captured sends + pipe calls in the recording" \
	"$(jq -s '[.[] | select(.type == "payload" and (.kind != "tcp" or .dir == "out"))] | length' "$T/http.jsonl")" "$nepb"
check_eq "http: interface per kind (pipe for the ready byte, tcp)" "pipe tcp" \
	"$(q http 1 frame.interface_name | sort -u | paste -sd' ')"
check_eq "http: interface statistics, no drops" "0 0" "$(block_col http 3 | paste -sd' ')"

# ---- UDP over ::1: datagram sizes and ports ----
capture udp 64 "$WL/udp_pair" 6 $((port + 3)) 7 100 300
check_eq "udp: record exit status" 0 "$REC_RC"
dissect udp
check_eq "udp: datagrams each way, their lengths (capture 64 of 100/300)" \
	"7 $((port + 4)) $((port + 3)) 108 64
7 $((port + 3)) $((port + 4)) 308 64" \
	"$(q udp 'f["udp.srcport"] != ""' udp.srcport udp.dstport udp.length data.len | sort | uniq -c | awk '{print $1, $2, $3, $4, $5}' | sort -k2,2r)"
check_eq "udp: IPv6 loopback" "::1 ::1" "$(q udp 'f["udp.srcport"] != ""' ipv6.src ipv6.dst | sort -u)"
# Ethernet 14 + IPv6 40 + UDP 8 = 62 bytes of headers
check_eq "udp: frames truncated to the capture, original length kept" "126 162,126 362" \
	"$(q udp 'f["udp.srcport"] != ""' frame.cap_len frame.len | sort -u | paste -sd,)"

live_finish
