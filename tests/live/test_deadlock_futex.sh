#!/bin/bash
# shellcheck disable=SC2154 # dl_role sets the variables
# deadlock across two processes on raw futex words that name no owner: only
# the probes know who acquired each lock (a wait they saw woken), so
# --watch finds the cycle, with that evidence on each edge, and the
# recording's wait records carry it too; `deadlock -p` alone (no probes)
# sees two futex waits with no edge and no cycle.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dl_lib.sh"
live_init "$@"
need_workload dl_futex
EV="last acquirer seen by the probes"

dl_start futex "--threshold 0.5 -n 1 --duration 40" "$WL/dl_futex"
dl_role pa futex parent
dl_role ch futex child
dl_addr l1 futex l1
dl_addr l2 futex l2
dl_wait_blocked "$pa" "$pa" 202
dl_wait_blocked "$ch" "$ch" 202
dl_watch_result futex
want="$pa futex_parent futex $l2 -> $ch ($EV); $ch futex_child futex $l1 -> $pa ($EV)"
((pa < ch)) || want="$ch futex_child futex $l1 -> $pa ($EV); $pa futex_parent futex $l2 -> $ch ($EV)"
dl_check_watch_cycle futex "$want" 500000000

# Without the probes the words say nothing: two waits, no edge, no cycle.
dl_snapshot futex_snap "$pa" "$ch"
dl_check_none futex_snap
check_jq "futex -p: no stalls either (no edges)" 0 "$T/futex_snap.json" '.stalls | length'

# The recorder's wait records rest on the same evidence.
"$IPCS" record -q -o "$T/rec.ipcs" -- "$WL/dl_futex" </dev/null >"$T/rec.out" 2>"$T/rec.err" &
rpid=$!
LIVE_BG_PIDS+=("$rpid")
for ((i = 0; i < 300; i++)); do
	"$IPCS" report "$T/rec.ipcs" --json >"$T/rec.poll" 2>/dev/null &&
		[[ -s $T/rec.poll ]] && jq -e '.deadlocks.cycles | length > 0' "$T/rec.poll" >/dev/null 2>&1 && break
	kill -0 "$rpid" 2>/dev/null || die "record: exited early: $(cat "$T/rec.err")"
	sleep 0.1
done
((i < 300)) || die "record: no cycle in the recording after 30 s"
kill -INT "$rpid"
bg_wait "$rpid" 30
role_pid rpa "$T/rec.out" parent
role_pid rch "$T/rec.out" child
rl1=$(sed -n 's/^l1=\(0x[0-9a-f]*\)$/\1/p' "$T/rec.out")
rl2=$(sed -n 's/^l2=\(0x[0-9a-f]*\)$/\1/p' "$T/rec.out")
report_json rec
wp="$rpa futex_parent futex $rl2 -> $rch ($EV)"
wc="$rch futex_child futex $rl1 -> $rpa ($EV)"
if ((rpa < rch)); then want="$wp; $wc"; else want="$wc; $wp"; fi
check_jq "record: one cycle" 1 "$T/rec.json" '.deadlocks.cycles | length'
check_jq "record: the cycle's threads and evidence" "$want" "$T/rec.json" \
	'.deadlocks.cycles[0].threads | sort_by(.tid) | map("\(.tid) \(.comm) \(.waits_for.kind) \(.waits_for.object) -> \(.held_by.tid) (\(.held_by.evidence))") | join("; ")'
check_jq "record: two long waits, none lost" "2 0" "$T/rec.json" '"\(.deadlocks.long_waits) \(.deadlocks.lost)"'
live_finish
