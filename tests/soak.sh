#!/bin/bash
# soak.sh BUILD [SECS] [RATE] - `make soak`: record a steady stream (RATE
# messages a second over a pipe, default 1000) for SECS seconds (default 3600)
# and sample the collector's resident memory every 10 s. Memory must stay flat:
# after a warm-up (the first tenth, at least 20 s), no sample may exceed the
# warm-up's peak by more than 10% + 2 MiB. Then the recording must hold every
# message, with no drops. Not part of `make check` (it takes an hour).
set -uo pipefail
BUILD=${1:-build} SECS=${2:-3600} RATE=${3:-1000}
IPCS=$BUILD/ipcscope WL=$BUILD/tests/workloads
[[ -x $IPCS && -x $WL/steady ]] || { echo "soak: build first (make tests)"; exit 1; }
T=$(mktemp -d /tmp/ipcscope-soak.XXXXXX)
trap 'kill "$rec" 2>/dev/null; rm -rf "$T"' EXIT
warm=$((SECS / 10 > 20 ? SECS / 10 : 20))

"$IPCS" record -q -o "$T/soak.ipcs" -- "$WL/steady" "$RATE" "$SECS" </dev/null >"$T/out" 2>"$T/err" &
rec=$!
peak_warm=0 peak=0 n=0 start=$(date +%s)
echo "soak: $SECS s at $RATE msgs/s; RSS of the collector (pid $rec) every 10 s"
while kill -0 "$rec" 2>/dev/null; do
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$rec/status" 2>/dev/null) || break
	[[ -n $rss ]] || break
	el=$(($(date +%s) - start))
	n=$((n + 1))
	if ((el <= warm)); then
		((rss > peak_warm)) && peak_warm=$rss
	else
		((rss > peak)) && peak=$rss
	fi
	((n % 30 == 1)) && echo "  ${el}s: ${rss} KiB"
	sleep 10
done
wait "$rec"
rc=$?
limit=$((peak_warm + peak_warm / 10 + 2048))
echo "soak: record exit $rc; $n samples; warm-up peak ${peak_warm} KiB, later peak ${peak} KiB, limit ${limit} KiB"
fail=0
((rc == 0)) || { echo "soak: FAIL record exited $rc"; cat "$T/err"; fail=1; }
((peak <= limit)) || { echo "soak: FAIL memory grew: ${peak} KiB > ${limit} KiB"; fail=1; }
"$IPCS" report "$T/soak.ipcs" --json >"$T/soak.json" || fail=1
want="$((RATE * SECS)) 0 true"
got=$(jq -r '"\([.conversations[] | select(.kind == "pipe" and .a.comm == "st_writer") | .a_to_b.msgs] | add) \(.drops.total) \(.status.clean)"' "$T/soak.json")
if [[ $got == "$want" ]]; then
	echo "soak: every message recorded ($want: msgs drops clean)"
else
	echo "soak: FAIL recording: want '$want' (msgs drops clean), got '$got'"
	fail=1
fi
((fail == 0)) && echo "soak: passed"
exit "$fail"
