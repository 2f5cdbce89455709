#!/bin/bash
# shellcheck disable=SC2089,SC2090,SC2054,SC2034,SC2154 # comms with a quote and backslash on purpose; setpriv takes comma lists; serve_lib.sh reads SERVE_WRAP; role_pid sets vars
# `ipcscope serve`: Prometheus metrics over HTTP (libmicrohttpd), exact figures.
# 1. -p on a shell that waits on a FIFO before it runs a pipe pair (25 x 100 bytes, comms
#    holding a quote, a backslash and ESC) and a socketpair RPC (10 requests of 64 bytes,
#    answers of 32 after 30 ms): bytes, messages, blocked-call counts and the latency
#    histogram per (kind, src comm, dst comm), as the workloads count them themselves
#    (they exit 0 only when every byte arrived); label values escaped; the text passes
#    `promtool check metrics`; only GET /metrics is served.
# 2. --cgroup C --by container: a pipe pair in C/docker-ID.scope labelled by the short id, one in
#    C/svc by its cgroup path, exact bytes; run with only the capabilities docs/ipcscope.service
#    leaves it (setpriv --bounding-set, no new privileges). Then --max-series 2: a second class
#    folded into "other" (its bytes and messages there, counted in ipcscope_series_folded_total).
# 3. A deadlock (dl_mixed: a mutex and a pipe across two processes) under -p: counted once in
#    ipcscope_deadlocks_total, its two threads in ipcscope_blocked_threads.
# 4. docs/ipcscope.service passes `systemd-analyze verify`.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
DOCS=$(cd "$(dirname "$0")/../../docs" && pwd)
live_init "$@"
need_workload pipe_pair unix_stream dl_mixed
command -v curl >/dev/null || die "curl missing (tests/setup/install-deps.sh)"
command -v promtool >/dev/null || die "promtool missing: apt-get install prometheus (tests/setup/install-deps.sh)"
cd "$T" || die "cannot cd to $T"

# ---- 1. -p, by comm ----
mkfifo "$T/go"
WC=$'we"ir\\d' RC=$'r\x1bd'
cat >"$T/run.sh" <<'SH'
read -r _ < "$T/go"
"$WL/pipe_pair" 25 100 4093 "$WC" "$RC" > "$T/pp.out" </dev/null || exit 3
"$WL/unix_stream" pair - 10 64 32 30 > "$T/us.out" </dev/null || exit 4
SH
export T WL WC RC
bash "$T/run.sh" &
wl=$!
LIVE_BG_PIDS+=("$wl")
serve_start s1 -p "$wl"
echo go > "$T/go"
bg_wait "$wl" 30
check_eq "workloads' own checks (every byte arrived)" 0 "$BG_RC"

pipe='{kind="pipe",src="we\"ir\\\\d",dst="r\\x1bd"}'
us='{kind="unix-stream",src="sp_parent",dst="sp_child"}'
back='{kind="unix-stream",src="sp_child",dst="sp_parent"}'
scrape_until "$T/m.txt" "ipcscope_messages_total$back" 10 20 ||
	{ show "$T/s1.err"; bad "the socketpair's answers never reached /metrics"; }
check_eq "pipe bytes (25 x 100), label values escaped" 2500 "$(metric "$T/m.txt" "ipcscope_bytes_total$pipe")"
check_eq "pipe messages (25 writes)" 25 "$(metric "$T/m.txt" "ipcscope_messages_total$pipe")"
check_eq "pipe: one blocked-time observation per write call" 25 \
	"$(metric "$T/m.txt" "ipcscope_blocked_seconds_count${pipe%\}},end=\"writer\"}")"
check_eq "requests: bytes (10 x 64)" 640 "$(metric "$T/m.txt" "ipcscope_bytes_total$us")"
check_eq "requests: messages" 10 "$(metric "$T/m.txt" "ipcscope_messages_total$us")"
check_eq "answers: bytes (10 x 32)" 320 "$(metric "$T/m.txt" "ipcscope_bytes_total$back")"
check_eq "answers: messages" 10 "$(metric "$T/m.txt" "ipcscope_messages_total$back")"
lat=ipcscope_rpc_latency_seconds
check_eq "latency: 10 samples (_count)" 10 "$(metric "$T/m.txt" "${lat}_count$us")"
check_eq "latency: +Inf bucket = _count" 10 "$(metric "$T/m.txt" "${lat}_bucket${us%\}},le=\"+Inf\"}")"
# every answer came 30 ms or more after its request: none at or below 25 ms
check_eq "latency: none <= 25 ms (the server sleeps 30 ms)" 0 \
	"$(metric "$T/m.txt" "${lat}_bucket${us%\}},le=\"0.025\"}")"
check_eq "latency: _sum >= 10 x 30 ms" 1 \
	"$(awk -v s="$(metric "$T/m.txt" "${lat}_sum$us")" 'BEGIN { print (s >= 0.3) }')"
check_eq "latency: buckets cumulative (never decrease)" 0 \
	"$(grep -F "${lat}_bucket${us%\}}," "$T/m.txt" | awk '{ if ($NF < p) bad++; p = $NF } END { print bad + 0 }')"
check_eq "nothing folded (default --max-series)" 0 "$(metric "$T/m.txt" ipcscope_series_folded_total)"
check_eq "no drops" 0 "$(metric "$T/m.txt" 'ipcscope_drops_total{reason="ringbuf"}')"
check_eq "tracer's own memory reported" 1 \
	"$(awk -v v="$(metric "$T/m.txt" process_resident_memory_bytes)" 'BEGIN { print (v > 1000000) }')"
check_no_raw "no raw control byte in the text (ESC of a comm escaped)" "$T/m.txt"
promtool check metrics <"$T/m.txt" >"$T/promtool.out" 2>&1
rc=$?
check_eq "promtool check metrics: exit status" 0 "$rc"
check_eq "promtool check metrics: no complaint" "" "$(cat "$T/promtool.out")"
check_eq "GET /other: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "${SERVE_URL%/metrics}/other")"
check_eq "GET /: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "${SERVE_URL%/metrics}/")"
check_eq "HEAD /metrics: 200" 200 "$(curl -s -I -o /dev/null -w '%{http_code}' "$SERVE_URL")"
check_eq "POST /metrics: 405" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "$SERVE_URL")"
check_eq "content type of the text format" "text/plain; version=0.0.4; charset=utf-8" \
	"$(curl -s -o /dev/null -w '%{content_type}' "$SERVE_URL")"
# a taken port fails at once, before the probes load; a malformed address is a usage error
taken=${SERVE_URL#http://}
taken=${taken%/metrics}
timeout 20 "$IPCS" serve --listen "$taken" -p "$wl" </dev/null >/dev/null 2>"$T/taken.err"
check_eq "serve on a taken port: exit 1" 1 "$?"
check_grep "serve on a taken port: says so" "$T/taken.err" "cannot listen on $taken"
check_eq "serve on a taken port: no probe loaded (no serving line)" 0 "$(grep -c serving "$T/taken.err")"
"$IPCS" serve --listen localhost:x </dev/null >/dev/null 2>"$T/badaddr.err"
check_eq "serve --listen localhost:x: usage error" 2 "$?"
check_grep "serve --listen: says what it expects" "$T/badaddr.err" "expected ADDRESS:PORT"
"$IPCS" serve --by pid </dev/null >/dev/null 2>"$T/badby.err"
check_eq "serve --by pid: usage error" 2 "$?"
serve_stop s1

# ---- 2. --cgroup, by container ----
mnt=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
[[ -n $mnt ]] || die "no cgroup2 filesystem mounted"
name=ipcscope-serve-$$
CG=$mnt/$name
cid=4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b	# as docker names its scopes
mkdir "$CG" || die "cannot create cgroup $CG"
trap 'rmdir "$CG/svc" "$CG/docker-$cid.scope" "$CG" 2>/dev/null; live_cleanup' EXIT
mkdir "$CG/svc" "$CG/docker-$cid.scope" || die "cannot create cgroups under $CG"
SERVE_WRAP=(setpriv --bounding-set=-all,+bpf,+perfmon,+sys_ptrace,+dac_read_search --no-new-privs)
serve_start s2 --cgroup "/$name" --by container --kind pipe
SERVE_WRAP=()
check_eq "serve runs with the unit's capabilities only (CapEff: BPF, PERFMON, SYS_PTRACE, DAC_READ_SEARCH)" \
	000000c000080004 "$(awk '$1 == "CapEff:" { print $2 }' "/proc/$SERVE_PID/status")"
# run_in CGROUP N S: a pipe pair of N x S bytes born in CGROUP
run_in() {
	sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2/pipe_pair" "$3" "$4" 4093' sh "$1" "$WL" "$2" "$3" \
		>>"$T/cg.out" </dev/null
	check_eq "workload in ${1#"$mnt"}: its own check" 0 "$?"
}
run_in "$CG/svc" 7 300
run_in "$CG/docker-$cid.scope" 5 200
svc="{kind=\"pipe\",src=\"/$name/svc\",dst=\"/$name/svc\"}"
ctr="{kind=\"pipe\",src=\"${cid:0:12}\",dst=\"${cid:0:12}\"}"
scrape_until "$T/cg.txt" "ipcscope_bytes_total$ctr" 1000 20 || { show "$T/s2.err"; show "$T/cg.txt"; }
check_eq "--by container: the container's short id, bytes (5 x 200)" 1000 "$(metric "$T/cg.txt" "ipcscope_bytes_total$ctr")"
check_eq "--by container: messages" 5 "$(metric "$T/cg.txt" "ipcscope_messages_total$ctr")"
check_eq "--by container: not a container: its cgroup path, bytes (7 x 300)" 2100 \
	"$(metric "$T/cg.txt" "ipcscope_bytes_total$svc")"
check_eq "--by container: messages" 7 "$(metric "$T/cg.txt" "ipcscope_messages_total$svc")"
check_eq "--kind pipe: two classes only" 2 "$(metric "$T/cg.txt" ipcscope_series)"
promtool check metrics <"$T/cg.txt" >/dev/null 2>&1
check_eq "promtool check metrics (--by container)" 0 "$?"
serve_stop s2

# --max-series 2: the first class kept, the next folded into "other" and counted
serve_start s2b --cgroup "/$name" --kind pipe --max-series 2
sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2/pipe_pair" 3 100 4093 fa_w fa_r' sh "$CG/svc" "$WL" \
	>>"$T/cg.out" </dev/null
check_eq "first pair's own check" 0 "$?"
scrape_until "$T/f.txt" 'ipcscope_bytes_total{kind="pipe",src="fa_w",dst="fa_r"}' 300 20 || show "$T/f.txt"
sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2/pipe_pair" 4 50 4093 fb_w fb_r' sh "$CG/svc" "$WL" \
	>>"$T/cg.out" </dev/null
check_eq "second pair's own check" 0 "$?"
other='{kind="other",src="other",dst="other"}'
scrape_until "$T/f.txt" "ipcscope_bytes_total$other" 200 20 || show "$T/f.txt"
check_eq "--max-series 2: the first class kept (3 x 100)" 300 \
	"$(metric "$T/f.txt" 'ipcscope_bytes_total{kind="pipe",src="fa_w",dst="fa_r"}')"
check_eq "--max-series 2: the second folded into other (4 x 50, 4 messages)" "200 4" \
	"$(metric "$T/f.txt" "ipcscope_bytes_total$other") $(metric "$T/f.txt" "ipcscope_messages_total$other")"
check_eq "--max-series 2: one class folded, two series classes" "1 2" \
	"$(metric "$T/f.txt" ipcscope_series_folded_total) $(metric "$T/f.txt" ipcscope_series)"
check_eq "--max-series 2: the folded class has no series of its own" 0 "$(grep -c 'fb_w' "$T/f.txt")"
serve_stop s2b

# ---- 3. a deadlock ----
mkfifo "$T/go3"
bash -c 'read -r _ < "$1"; exec "$2/dl_mixed"' sh "$T/go3" "$WL" >"$T/dl.out" 2>&1 </dev/null &
dl=$!
LIVE_BG_PIDS+=("$dl")
serve_start s3 -p "$dl"
echo go > "$T/go3"
scrape_until "$T/dl.txt" ipcscope_deadlocks_total 1 30 || { show "$T/s3.err"; show "$T/dl.txt"; }
check_eq "deadlock: one cycle counted" 1 "$(metric "$T/dl.txt" ipcscope_deadlocks_total)"
check_eq "deadlock: its two threads blocked past the threshold" 2 "$(metric "$T/dl.txt" ipcscope_blocked_threads)"
check_eq "deadlock: no stall" "0 0" "$(metric "$T/dl.txt" ipcscope_stalls_total) $(metric "$T/dl.txt" ipcscope_stalls)"
sleep 2.5	# two more looks at the same cycle: still one
curl -sf -o "$T/dl2.txt" "$SERVE_URL"
check_eq "deadlock: counted once however long it lasts" 1 "$(metric "$T/dl2.txt" ipcscope_deadlocks_total)"
role_pid dla "$T/dl.out" a
role_pid dlb "$T/dl.out" b
{ kill -KILL "$dla" "$dlb" "$dl"; wait "$dl"; } 2>/dev/null	# (bash's "Killed" notice too)
serve_stop s3

# ---- 4. the unit file ----
if command -v systemd-analyze >/dev/null; then
	sed "s|/usr/local/sbin/ipcscope|$IPCS|" "$DOCS/ipcscope.service" \
		>"$T/ipcscope.service"
	systemd-analyze verify "$T/ipcscope.service" >"$T/verify.out" 2>&1
	check_eq "systemd-analyze verify docs/ipcscope.service" 0 "$?"
	check_eq "systemd-analyze verify: no warning" "" "$(grep -v 'booted with systemd\|connect to bus' "$T/verify.out")"
else
	bad "systemd-analyze missing (package systemd)"
fi
live_finish
