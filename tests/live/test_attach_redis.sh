#!/bin/bash
# shellcheck disable=SC2016 # jq programs use $vars
# attach_redis: redis-server started before ipcscope, traced on its side only
# (`record -p $(pidof redis-server)`); redis-benchmark, not traced, talks to
# it over a unix socket and over loopback TCP. Every connection's bytes each
# way equal strace's count of the client; redis-benchmark is named and marked
# not traced.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/attach_lib.sh"
live_init "$@"
command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null ||
	die "redis-server or redis-benchmark missing: tests/setup/install-deps.sh installs redis-server redis-tools"
command -v strace >/dev/null || die "strace missing"

port=$((44000 + $$ % 2000))
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

"$IPCS" record -o "$T/r.ipcs" -p "$rs" </dev/null >"$T/rec.out" 2>"$T/rec.err" &
recpid=$!
LIVE_BG_PIDS+=("$recpid")
wait_line "$T/rec.err" 'recording to' 20 "$recpid" || { show "$T/rec.err"; die "record -p did not start"; }

N=600
strace_client unix redis-benchmark -s "$sock" -n "$N" -c 2 -d 24 -t set -q
check_eq "redis-benchmark over the unix socket: exit status" 0 "$CLIENT_RC"
unix_pid=$CLIENT_PID
strace_client tcp redis-benchmark -h 127.0.0.1 -p "$port" -n "$N" -c 2 -t get -q
check_eq "redis-benchmark over TCP: exit status" 0 "$CLIENT_RC"
tcp_pid=$CLIENT_PID

kill -INT "$recpid"
bg_wait "$recpid" 30
check_eq "record exit status" 0 "$BG_RC"
report_json r
check_recording r
j=$T/r.json
CLIENT_PID=$unix_pid
# unix: its short first connection (CONFIG GET) too, by SO_PEERCRED: 3 connections
check_attach unix "$j" unix-stream "^$sock\$" "$sock" redis-benchmark redis-server 1 3
CLIENT_PID=$tcp_pid
check_attach tcp "$j" tcp "(^|<->)127\\.0\\.0\\.1:$port(<->|$)" "127.0.0.1:$port" redis-benchmark redis-server 100 2
# The two busy connections moved N requests in all, each way (a message per receive).
check_jq "unix: requests the server received (one message per read, N=$N)" "$N" "$j" \
	'[.conversations[] | select(.kind == "unix-stream" and .a_to_b.msgs >= 100) | .a_to_b.msgs] | add'
live_finish
