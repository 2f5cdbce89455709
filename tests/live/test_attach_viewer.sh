#!/bin/bash
# attach_viewer: the viewer (`ipcscope live -p $(pidof redis-server)`) on a
# server started before it; redis-benchmark (not traced) connects after. The
# first screen that shows the benchmark's connections shows each with its
# client named and marked (*PID), bytes and rates both ways: nothing waits
# for calls of the untraced side.
source "$(dirname "$0")/lib.sh"
live_init "$@"
command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null ||
	die "redis-server or redis-benchmark missing: tests/setup/install-deps.sh installs them"
source "$(dirname "$0")/tmux_lib.sh"
TMUX_TRIES=200
tmux_init attach

port=$((50000 + $$ % 2000))
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$T" \
	>"$T/redis.log" 2>&1 &
rs=$!
LIVE_BG_PIDS+=("$rs")
for ((i = 0; i < 200; i++)); do
	redis-cli -p "$port" ping >/dev/null 2>&1 && break
	sleep 0.1
done
redis-cli -p "$port" ping >/dev/null 2>&1 || { show "$T/redis.log"; die "redis-server did not start"; }

tmx new-session -d -s v -x 200 -y 30 \
	"'$IPCS' live -n 60 -p $rs 2>'$T/viewer.err'; echo \$? >'$T/viewer.rc'; sleep 30"
wait_screen start "-p $rs" || { show "$T/start.screen"; die "the viewer did not start"; }

redis-benchmark -h 127.0.0.1 -p "$port" -n 100000 -c 2 -t set -q </dev/null >"$T/bench.out" 2>&1 &
bp=$!
LIVE_BG_PIDS+=("$bp")
# KIND CHANNEL A B A->B B->A A>B/s B>A/s ...: the first screen with both busy connections
busy="^ tcp .* \\*$bp/redis-benchmark "
for ((i = 0; i < 400; i++)); do
	screen first
	(($(grep -cE -- "$busy" "$T/first.screen") >= 2)) && break
	sleep 0.05
done
kill -0 "$bp" 2>/dev/null
check_eq "they are shown while the benchmark still runs (a refresh after its first bytes)" 0 $?
echo "  first screen with the benchmark's connections:"
show "$T/first.screen" 12
check_eq "both connections on the first screen that shows them" 2 "$(grep -cE -- "$busy" "$T/first.screen")"
while read -r line; do
	read -r _ ch a b ab ba rab rba _ <<<"$line"
	check_eq "$ch: client named and marked, server traced" "*$bp/redis-benchmark $rs/redis-server" "$a $b"
	nz() { [[ $1 =~ ^0(\.0*)?[A-Za-z]*$ ]] && echo zero || echo non-zero; }
	check_eq "$ch: bytes and rates both ways" "non-zero non-zero non-zero non-zero" \
		"$(nz "$ab") $(nz "$ba") $(nz "$rab") $(nz "$rba")"
done < <(grep -E -- "$busy" "$T/first.screen" | tr -s ' ')
tmx send-keys -t v q
wait_file "$T/viewer.rc"
check_eq "q quits, exit status" 0 "$(cat "$T/viewer.rc" 2>/dev/null)"
kill "$bp" 2>/dev/null
live_finish
