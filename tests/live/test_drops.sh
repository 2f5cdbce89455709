#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# A flood into a one-page ring buffer: drops happen, and every record the
# workload should have produced either arrived or is counted as dropped.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload flood

N=200000
EXPECT=$((2 * N + 5))	# exec, pipe2, N writes, N reads, 2 closes, exit
"$IPCS" record -o "$T/f.ipcs" --ringbuf-kb 4 -- "$WL/flood" "$N" </dev/null >"$T/f.out" 2>"$T/f.err"
check_eq "record exit status" 0 "$?"
role_pid fp "$T/f.out" flood
report_json f
check_jq "status.clean" true "$T/f.json" '.status.clean'
drops=$(jq '.drops.total' "$T/f.json")
check_jq "drops.total = sum of the reasons events were lost for (late records were delivered)" "$drops" "$T/f.json" '.drops.ringbuf + .drops.inflight + .drops.read + .drops.traced'
if ((drops > 0)); then ok "the flood overflowed the ring buffer ($drops drops)"; else bad "no drops: the flood did not overflow a 4 KiB ring buffer"; fi
"$IPCS" replay "$T/f.ipcs" --plain >"$T/f.plain" 2>"$T/f.replay.err"
check_eq "replay exit status" 0 "$?"
arrived=$(grep -E " ${fp}/" "$T/f.plain" | grep -cvE ' (running|has-fd|title) ')	# probe records only: state and titles come from /proc
check_eq "records arrived + dropped = records produced ($arrived + $drops)" "$EXPECT" $((arrived + drops))
check_grep "record says events were dropped" "$T/f.err" "dropped"
"$IPCS" report "$T/f.ipcs" >"$T/f.txt" 2>&1
check_grep "report text shows the drop count" "$T/f.txt" "dropped $drops"
live_finish
