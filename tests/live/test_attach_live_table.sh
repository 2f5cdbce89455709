#!/bin/bash
# shellcheck disable=SC2016
# attach_live_table: `live --plain --interval 1 -p $(pidof redis-server)` on a
# server started before it; redis-benchmark (not traced) connects after. The
# first table that shows the benchmark's connections shows each of them with
# both directions, non-zero rates both ways and the client named: nothing
# waits for calls of the untraced side.
source "$(dirname "$0")/lib.sh"
live_init "$@"
command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null ||
	die "redis-server or redis-benchmark missing: tests/setup/install-deps.sh installs them"

port=$((46000 + $$ % 2000))
sock=$T/redis.sock
redis-server --port "$port" --bind 127.0.0.1 --unixsocket "$sock" --save '' --appendonly no \
	--dir "$T" >"$T/redis.log" 2>&1 &
rs=$!
LIVE_BG_PIDS+=("$rs")
for ((i = 0; i < 200; i++)); do
	[[ -S $sock ]] && redis-cli -s "$sock" ping >/dev/null 2>&1 && break
	sleep 0.1
done
[[ -S $sock ]] || { show "$T/redis.log"; die "redis-server did not start"; }

"$IPCS" live --plain --interval 1 -p "$rs" </dev/null >"$T/live.out" 2>"$T/live.err" &
lp=$!
LIVE_BG_PIDS+=("$lp")
wait_line "$T/live.out" '^# ' 20 "$lp" || { show "$T/live.err"; die "live printed no table"; }

# Long enough for a few tables: the connections stay open throughout.
redis-benchmark -h 127.0.0.1 -p "$port" -n 60000 -c 2 -t set -q </dev/null >"$T/bench.out" 2>&1 &
bp=$!
LIVE_BG_PIDS+=("$bp")
# a table with both connections of the benchmark (ab_msgs >= 5: not its one-request config connection)
busy='^tcp .* ab_msgs=([5-9]|[1-9][0-9]+) '
for ((i = 0; i < 400; i++)); do
	(($(grep -cE "$busy" "$T/live.out") >= 2)) && break
	sleep 0.05
done
bg_wait "$bp" 60
check_eq "redis-benchmark exit status" 0 "$BG_RC"
kill -INT "$lp"
bg_wait "$lp" 20
check_eq "live exit status" 0 "$BG_RC"

# The first table in which the benchmark's connections appear.
awk -v re="$busy" '/^# / { if (n) exit; t = $0 "\n"; next } $0 ~ re { t = t $0 "\n"; n++ }
	END { printf "%s", t }' "$T/live.out" >"$T/first.txt"
echo "  first table with traffic:"
show "$T/first.txt"
rows=$(grep -cE "$busy" "$T/first.txt")
check_eq "the first table shows both connections of the benchmark" 2 "$rows"
bp_comm="a=$bp/redis-benchmark"
while read -r line; do
	[[ $line =~ $busy ]] || continue
	ab_b=$(sed -n 's/.* ab_bytes=\([0-9]*\).*/\1/p' <<<"$line")
	ba_b=$(sed -n 's/.* ba_bytes=\([0-9]*\).*/\1/p' <<<"$line")
	ab_r=$(sed -n 's/.* ab_rate=\([0-9]*\).*/\1/p' <<<"$line")
	ba_r=$(sed -n 's/.* ba_rate=\([0-9]*\).*/\1/p' <<<"$line")
	ch=$(sed -n 's/.* channel=\([^ ]*\).*/\1/p' <<<"$line")
	check_eq "$ch: bytes and rates both ways, non-zero" "yes yes yes yes" \
		"$( ((ab_b > 0)) && echo -n yes || echo -n no) $( ((ba_b > 0)) && echo -n yes || echo -n no) $( ((ab_r > 0)) && echo -n yes || echo -n no) $( ((ba_r > 0)) && echo yes || echo no)"
	check_grep "$ch: the client named, not traced" <(echo "$line") "$bp_comm a_traced=0 "
done <"$T/first.txt"
live_finish
