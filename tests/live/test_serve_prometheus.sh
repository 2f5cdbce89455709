#!/bin/bash
# `ipcscope serve` scraped by Debian's Prometheus server (private config, data dir and port,
# scrape interval 1 s): a pipe pair of 40 x 250 bytes under -p, then the counter read back
# through Prometheus's HTTP query API (/api/v1/query) must be exactly 10000 bytes and 40
# messages; the target is up; the man page's example queries evaluate without error.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
live_init "$@"
need_workload pipe_pair
for c in curl prometheus jq python3; do
	command -v "$c" >/dev/null || die "$c missing (tests/setup/install-deps.sh)"
done
cd "$T" || die "cannot cd to $T"

mkfifo "$T/go"
cat >"$T/run.sh" <<'SH'
read -r _ < "$T/go"
exec "$WL/pipe_pair" 40 250 4093 > "$T/pp.out" </dev/null
SH
export T WL
bash "$T/run.sh" &
wl=$!
LIVE_BG_PIDS+=("$wl")
serve_start s -p "$wl"
port=${SERVE_URL#http://127.0.0.1:}
port=${port%/metrics}

# Prometheus on a free port of its own (bound and released just before: a small race only)
pport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$T/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: ipcscope
    static_configs:
      - targets: ['127.0.0.1:$port']
EOF
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/data" \
	--web.listen-address="127.0.0.1:$pport" --log.level=warn >"$T/prom.log" 2>&1 &
pp=$!
LIVE_BG_PIDS+=("$pp")
api=http://127.0.0.1:$pport
for ((i = 0; i < 80; i++)); do
	curl -sf -o /dev/null "$api/-/ready" && break
	kill -0 "$pp" 2>/dev/null || { show "$T/prom.log"; die "prometheus exited"; }
	sleep 0.25
done
curl -sf -o /dev/null "$api/-/ready" || { show "$T/prom.log"; die "prometheus not ready after 20 s"; }

echo go > "$T/go"
bg_wait "$wl" 20
check_eq "pipe_pair's own check (every byte arrived)" 0 "$BG_RC"

# query EXPR: the first result's value, "none" without one
query() {
	curl -sf -G --data-urlencode "query=$1" "$api/api/v1/query" >"$T/q.json" || { echo "error"; return; }
	jq -r 'if .status != "success" then "status " + .status
	       elif (.data.result | length) == 0 then "none"
	       else .data.result[0].value[1] end' "$T/q.json"
}

sel='{job="ipcscope",kind="pipe",src="pp_writer",dst="pp_reader"}'
for ((i = 0; i < 100; i++)); do
	[[ $(query "ipcscope_bytes_total$sel") == 10000 ]] && break
	sleep 0.25
done
check_eq "Prometheus: ipcscope_bytes_total (40 x 250) read back" 10000 "$(query "ipcscope_bytes_total$sel")"
check_eq "Prometheus: ipcscope_messages_total" 40 "$(query "ipcscope_messages_total$sel")"
check_eq "Prometheus: the target is up" 1 "$(query 'up{job="ipcscope"}')"
check_eq "Prometheus: blocked writes observed" 40 \
	"$(query "ipcscope_blocked_seconds_count{job=\"ipcscope\",kind=\"pipe\",src=\"pp_writer\",dst=\"pp_reader\",end=\"writer\"}")"
# the man page's examples are valid PromQL (evaluated: success, whatever the value)
for q in 'sum by (src, dst) (rate(ipcscope_bytes_total[5m]))' \
	'histogram_quantile(0.99, sum by (le, src, dst) (rate(ipcscope_rpc_latency_seconds_bucket[5m])))' \
	'increase(ipcscope_deadlocks_total[1h]) > 0'; do
	curl -sf -G --data-urlencode "query=$q" "$api/api/v1/query" >"$T/q.json"
	check_jq "PromQL of the man page evaluates: $q" success "$T/q.json" .status
done
kill -TERM "$pp"
bg_wait "$pp" 20
serve_stop s
live_finish
