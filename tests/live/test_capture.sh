#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# record --capture N: the payload records hold exactly the bytes the
# workload wrote, one after each data call; under a flood the lost events
# reach the pcapng interface statistics.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload pipe_pair flood
command -v jq >/dev/null || die "jq missing: run tests/setup/install-deps.sh"
command -v tshark >/dev/null || die "tshark missing: run tests/setup/install-deps.sh"

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
# (the file dissector sees the whole file as one packet: lift its item limit)
check_eq "flood: isb_ifdrop = the recording's drops" "$drops" \
	"$(tshark -o gui.max_tree_items:100000000 -r "$T/f.pcapng" -X 'read_format:MIME Files Format' -T fields -e pcapng.options.option.data.interface.dropped 2>/dev/null)"
check_eq "flood: packets = payload records that arrived" \
	"$(jq -s '[.[] | select(.type == "payload")] | length' "$T/f.jsonl")" "$(tshark -r "$T/f.pcapng" -T fields -e frame.number 2>/dev/null | wc -l)"

live_finish
