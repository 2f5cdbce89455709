#!/bin/bash
# shellcheck disable=SC2016 # jq programs use $vars
# attach_postgres: a PostgreSQL 15 server started before ipcscope, traced on
# its side only (`record -p POSTMASTER`); pgbench, not traced, talks to it
# over its unix socket and over loopback TCP. Every connection's bytes each
# way equal strace's count of the client; pgbench is named (pid, comm) and
# marked not traced; no two postgres processes get a socket conversation.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/attach_lib.sh"
live_init "$@"
PG=/usr/lib/postgresql/15/bin
[[ -x $PG/postgres && -x $PG/initdb ]] || die "PostgreSQL 15 missing: tests/setup/install-deps.sh installs postgresql"
command -v pgbench >/dev/null && command -v strace >/dev/null || die "pgbench or strace missing"

chmod 755 "$T"
mkdir "$T/pg" && chown postgres: "$T/pg" || die "cannot make the cluster directory"
runuser -u postgres -- "$PG/initdb" -D "$T/pg/data" -A trust -U postgres --no-sync >"$T/initdb.log" 2>&1 ||
	{ show "$T/initdb.log"; die "initdb failed"; }
port=$((42000 + $$ % 2000))
runuser -u postgres -- "$PG/postgres" -D "$T/pg/data" -k "$T/pg" -p "$port" \
	-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
	-c max_connections=20 -c shared_buffers=16MB >"$T/pg.log" 2>&1 &
LIVE_BG_PIDS+=($!)
for ((i = 0; i < 200; i++)); do
	"$PG/pg_isready" -q -h "$T/pg" -p "$port" && break
	sleep 0.1
done
"$PG/pg_isready" -q -h "$T/pg" -p "$port" || { show "$T/pg.log"; die "postgres did not start"; }
pm=$(head -1 "$T/pg/data/postmaster.pid")
LIVE_BG_PIDS+=("$pm")
"$PG/pgbench" -i -s 1 -q -h "$T/pg" -p "$port" -U postgres postgres >"$T/init.log" 2>&1 ||
	{ show "$T/init.log"; die "pgbench -i failed"; }

# Traced from now on: the postmaster and the backends it forks.
"$IPCS" record -o "$T/pg.ipcs" -p "$pm" </dev/null >"$T/rec.out" 2>"$T/rec.err" &
recpid=$!
LIVE_BG_PIDS+=("$recpid")
wait_line "$T/rec.err" 'recording to' 20 "$recpid" || { show "$T/rec.err"; die "record -p did not start"; }

strace_client unix "$PG/pgbench" -n -c 2 -t 40 -h "$T/pg" -p "$port" -U postgres postgres
check_eq "pgbench over the unix socket: exit status" 0 "$CLIENT_RC"
unix_pid=$CLIENT_PID
strace_client tcp "$PG/pgbench" -n -c 2 -t 40 -h 127.0.0.1 -p "$port" -U postgres postgres
check_eq "pgbench over TCP: exit status" 0 "$CLIENT_RC"
tcp_pid=$CLIENT_PID

kill -INT "$recpid"
bg_wait "$recpid" 30
check_eq "record exit status" 0 "$BG_RC"
report_json pg
check_recording pg
j=$T/pg.json
CLIENT_PID=$unix_pid
# unix: its short first connection too, by SO_PEERCRED: 3 connections
check_attach unix "$j" unix-stream "^$T/pg/\\.s\\.PGSQL\\.$port\$" "$T/pg/.s.PGSQL.$port" \
	pgbench postgres 1 3
CLIENT_PID=$tcp_pid
check_attach tcp "$j" tcp "(^|<->)127\\.0\\.0\\.1:$port(<->|$)" "127.0.0.1:$port" pgbench postgres 40 2
check_no_server_pairs "$j" postgres
# The text report marks the client too.
"$IPCS" report "$T/pg.ipcs" >"$T/pg.txt" 2>&1
check_grep "text report: the client marked (untraced)" "$T/pg.txt" "$unix_pid/pgbench (untraced)"
kill -INT "$pm" 2>/dev/null
live_finish
