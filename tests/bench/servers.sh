# shellcheck shell=bash disable=SC2154 # SECS, W, RES, srv_list, SRV_SKIP, ROUNDS are run.sh's
# servers.sh - real servers in `make bench` (sourced by run.sh): redis-server
# under redis-benchmark (unix socket and loopback TCP, -c 50) and PostgreSQL
# 15 under pgbench (-c 8 -j 2, -S and the default TPC-B-like mix). Each is
# run untraced, with `ipcscope record -p` of the server's pids (the client is
# not traced), and with the live viewer on the whole host (`ipcscope --plain
# --interval 1 > /dev/null`), in interleaved rounds. Throughput and p99
# latency of each client run go into $RES (run.sh's results).
# The servers start once, before any tracer, in private directories under $W.

SRV_MODES="redis-unix redis-tcp pgbench-select pgbench-tpcb"
# shellcheck disable=SC2034 # run.sh's rounds take these in turn
SRV_TRACERS=(untraced record live)
PGBIN=/usr/lib/postgresql/15/bin
REDIS_PID='' REDIS_PORT='' PG_DIR='' PG_PORT='' PG_PID=''

srv_is_mode() { [[ " $SRV_MODES " == *" $1 "* ]]; }

# Why a server mode cannot run here ("" when it can).
srv_missing() {
	case $1 in
	redis-*) have redis-server && have redis-benchmark || echo "redis-server or redis-benchmark not installed" ;;
	pgbench-*) [[ -x $PGBIN/postgres ]] && have pgbench && id postgres >/dev/null 2>&1 ||
		echo "PostgreSQL 15 ($PGBIN) or pgbench not installed" ;;
	esac
}

# A free loopback TCP port (the kernel's choice).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

srv_start_redis() {
	local port i
	port=$(free_port)
	REDIS_PORT=$port
	redis-server --port "$port" --bind 127.0.0.1 --unixsocket "$W/redis.sock" --unixsocketperm 700 \
		--save '' --appendonly no --daemonize no --logfile "$W/redis.log" </dev/null >/dev/null 2>&1 &
	REDIS_PID=$!
	for ((i = 0; i < 200; i++)); do
		redis-cli -s "$W/redis.sock" ping 2>/dev/null | grep -q PONG && return 0
		sleep 0.05
	done
	echo "bench: redis-server did not start:" >&2
	tail -5 "$W/redis.log" >&2
	return 1
}

pg() { runuser -u postgres -- "$@"; }

# A private cluster: postgres refuses root, so its directory belongs to postgres.
srv_start_pg() {
	PG_DIR=$(mktemp -d /tmp/ipcscope-bench-pg.XXXXXX) || return 1
	chown postgres: "$PG_DIR"
	PG_PORT=$(free_port)
	pg "$PGBIN/initdb" -D "$PG_DIR/data" -A trust -U postgres >"$W/initdb.log" 2>&1 ||
		{ echo "bench: initdb failed:" >&2; tail -5 "$W/initdb.log" >&2; return 1; }
	pg "$PGBIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/pg.log" -w \
		-o "-p $PG_PORT -k $PG_DIR -c listen_addresses='' -c max_connections=50 -c fsync=off" start \
		>"$W/pgctl.log" 2>&1 || { echo "bench: postgres did not start:" >&2; tail -5 "$PG_DIR/pg.log" >&2; return 1; }
	PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
	if ! pg "$PGBIN/createdb" -h "$PG_DIR" -p "$PG_PORT" bench >>"$W/initdb.log" 2>&1 ||
		! pg pgbench -i -q -s 1 -h "$PG_DIR" -p "$PG_PORT" bench >>"$W/initdb.log" 2>&1; then
		echo "bench: pgbench -i failed:" >&2
		tail -5 "$W/initdb.log" >&2
		return 1
	fi
}

srv_stop() {
	[[ -n $REDIS_PID ]] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null
	if [[ -n $PG_DIR ]]; then
		pg "$PGBIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1
		rm -rf "$PG_DIR"
	fi
	REDIS_PID='' PG_DIR=''
}

# The server's pids for `record -p` (descendants follow: postgres backends).
srv_pids() {
	case $1 in
	redis-*) echo "$REDIS_PID" ;;
	pgbench-*) echo "$PG_PID" ;;
	esac
}

# srv_client MODE OUT: run the client once; OUT gets "THROUGHPUT P99_MS".
srv_client() {
	local mode=$1 out=$2 n whole
	# redis-benchmark has no duration: requests for about SECS at ~40,000/s untraced.
	n=$(awk -v s="$SECS" 'BEGIN { n = int(s * 40000); print n < 1000 ? 1000 : n }')
	whole=$(awk -v s="$SECS" 'BEGIN { s = int(s + 0.5); print s < 1 ? 1 : s }')	# pgbench -T: whole seconds
	case $mode in
	redis-unix | redis-tcp)
		local conn=(-s "$W/redis.sock")
		[[ $mode == redis-tcp ]] && conn=(-h 127.0.0.1 -p "$REDIS_PORT")
		# SET then GET: requests/s of both together, the larger p99.
		redis-benchmark "${conn[@]}" -c 50 -n "$n" -t set,get --csv --precision 3 >"$W/rb.csv" 2>"$W/rb.err" ||
			{ : >"$out"; return 1; }
		awk -F'"' -v n="$n" 'NR > 1 && $2 != "" { t += n / $4; p = $14 > p ? $14 : p; k++ }
			END { if (k && t > 0) printf "%.0f %.3f\n", k * n / t, p }' "$W/rb.csv" >"$out" ;;
	pgbench-select | pgbench-tpcb)
		local sel=()
		[[ $mode == pgbench-select ]] && sel=(-S)
		rm -rf "$W/pgl" && mkdir -p "$W/pgl" && chown postgres: "$W/pgl"
		# -l: every transaction's latency (µs, 3rd field), for the p99.
		(cd "$W/pgl" && pg pgbench -h "$PG_DIR" -p "$PG_PORT" -c 8 -j 2 -T "$whole" "${sel[@]}" -l bench) \
			>"$W/pgb.out" 2>"$W/pgb.err" || { : >"$out"; return 1; }
		local tps p99
		tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$W/pgb.out" | head -1)
		p99=$(cat "$W/pgl"/pgbench_log.* | awk '{ print $3 }' | sort -n |
			awk '{ v[NR] = $1 } END { if (NR) { i = int(NR * 0.99 + 0.5); if (i < 1) i = 1; printf "%.3f", v[i] / 1000 } }')
		echo "$tps $p99" >"$out" ;;
	esac
}

# srv_run MODE TRACER ROUND: one client run under TRACER; a line in $RES:
# MODE TRACER ROUND THROUGHPUT P99_MS EVENTS DROPS.
srv_run() {
	local mode=$1 tr=$2 round=$3 ip='' ev='' res
	case $tr in
	untraced) ;;
	record)
		local pids=() p
		for p in $(srv_pids "$mode"); do pids+=(-p "$p"); done
		rm -f "$W/srv.ipcs"
		"$IPCS" record -v -o "$W/srv.ipcs" "${pids[@]}" </dev/null >/dev/null 2>"$W/t.err" &
		ip=$! ;;
	live)
		"$IPCS" -v --plain --interval 1 </dev/null >/dev/null 2>"$W/t.err" &
		ip=$! ;;
	esac
	if [[ -n $ip ]] && ! wait_line "$W/t.err" 'records merged in time order' "$ip"; then
		echo "bench: ipcscope ($tr) did not start:" >&2
		tail -5 "$W/t.err" >&2
		return 1
	fi
	srv_client "$mode" "$W/c.out" || { echo "bench: $mode client failed:" >&2; tail -3 "$W"/rb.err "$W"/pgb.err 2>/dev/null >&2; }
	if [[ -n $ip ]]; then
		kill -INT "$ip"
		wait "$ip"
		ev=$(events_of "$W/t.err")
	fi
	read -r res <"$W/c.out"
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$tr" "$round" "${res% *}" "${res#* }" "$ev" >>"$W/servers.tsv"
}

srv_label() {
	case $1 in
	redis-unix) echo "redis-benchmark SET+GET -c 50, unix socket" ;;
	redis-tcp) echo "redis-benchmark SET+GET -c 50, loopback TCP" ;;
	pgbench-select) echo "pgbench -S -c 8 -j 2 (unix socket)" ;;
	pgbench-tpcb) echo "pgbench -c 8 -j 2, TPC-B-like (unix socket)" ;;
	esac
}

# The table of the server rows: untraced figures, then traced / untraced ratios.
srv_table() {
	local mode f=$W/servers.tsv
	[[ -s $f ]] || return 0
	echo
	echo "Real servers ($ROUNDS interleaved rounds, medians; throughput in requests or transactions/s, p99 of"
	echo "each request's latency as the client measured it): \`record -p\` of the server's pids (the client"
	echo "not traced), and the live viewer on the whole host (\`ipcscope --plain --interval 1 > /dev/null\`)."
	echo "Ratios: traced / untraced throughput, traced / untraced p99."
	echo
	echo "| workload | untraced | record: throughput, p99 | live viewer: throughput, p99 | record: events, drops |"
	echo "|---|---|---|---|---|"
	for mode in "${srv_list[@]}"; do
		awk -F'\t' -v m="$mode" -v label="$(srv_label "$mode")" '
			function med(a, n,   i, j, t, b) { if (!n) return 0; for (i = 1; i <= n; i++) b[i] = a[i]
				for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
				return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2 }
			$1 == m && $4 != "" { k = $2; n[k]++; th[k, n[k]] = $4; p9[k, n[k]] = $5
				if (k == "record" && $6 != "") { split($6, f, " "); ev[n[k]] = f[1]; dr += f[2] } }
			END {
				for (k in n) { delete a; delete b
					for (i = 1; i <= n[k]; i++) { a[i] = th[k, i]; b[i] = p9[k, i] }
					T[k] = med(a, n[k]); P[k] = med(b, n[k]) }
				for (i = 1; i <= n["record"]; i++) c[i] = ev[i]
				u = ("untraced" in T) ? sprintf("%.0f/s, p99 %.2f ms", T["untraced"], P["untraced"]) : "-"
				r = (T["untraced"] > 0 && P["untraced"] > 0 && ("record" in T)) ? sprintf("%.2f, %.2fx", T["record"] / T["untraced"], P["record"] / P["untraced"]) : "-"
				l = (T["untraced"] > 0 && P["untraced"] > 0 && ("live" in T)) ? sprintf("%.2f, %.2fx", T["live"] / T["untraced"], P["live"] / P["untraced"]) : "-"
				e = ("record" in n) ? sprintf("%.0f, %d", med(c, n["record"]), dr) : "-"
				printf "| %s | %s | %s | %s | %s |\n", label, u, r, l, e
			}' "$f"
	done
	for mode in "${!SRV_SKIP[@]}"; do
		echo
		echo "Not measured: $(srv_label "$mode") (${SRV_SKIP[$mode]})."
	done
}
