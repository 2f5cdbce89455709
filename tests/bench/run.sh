#!/bin/bash
# run.sh BUILD [-r ROUNDS] [-d SECS] [-m MODES] [-t TRACERS] [-n] - the benchmark.
#
# For each workload mode, ROUNDS rounds; in each round every tracer runs the
# workload once, in turn (interleaved, so a load change on this shared machine
# hits every tracer alike). Prints per mode the median ops/s and its ratio to
# the untraced run, then the collector's figures, and writes them between the
# markers of docs/performance.md (-n: print only).
#   -r ROUNDS   rounds (default 3, at least 3 for a median that means something)
#   -d SECS     seconds per workload run (default 0.8: the whole run should take ~5 min
#               on 2 quiet CPUs; it took 9.3 min at a load average of 15)
#   -m MODES    comma list of modes (default all): ipcbench's (pipe unix tcp futex shm
#               bulk fifo) and the real servers (servers.sh: redis-unix redis-tcp
#               pgbench-select pgbench-tpcb; `redis` and `pgbench` name both of theirs),
#               e.g. `-m redis,pgbench` for the server rows alone
#   -t TRACERS  comma list of tracers (default: all below but the floor-pair-*
#               ones, each where installed): untraced record stat filtered-out
#               record-locks (record --locks: the lock modes' cost of the uprobes)
#               floor-return floor-ringbuf floor-batched floor-pair-hash
#               floor-pair-task strace perf-trace bpftrace-map bpftrace-print
#               (the server modes always run untraced, record -p SERVER and the live viewer)
set -uo pipefail

BUILD=${1:?usage: run.sh BUILD [-r ROUNDS] [-d SECS] [-m MODES] [-t TRACERS] [-n]}
shift
ROUNDS=3 SECS=0.8 WRITE=1
MODES=pipe,unix,tcp,futex,shm,bulk,fifo,lock-mutex,lock-sem,lock-rwlock,lock-mutex-2,lock-sem-2,lock-rwlock-2,redis,pgbench
TRACERS=untraced,record,record-locks,stat,filtered-out,floor-return,floor-ringbuf,floor-batched,strace,perf-trace,bpftrace-map,bpftrace-print
while getopts "r:d:m:t:n" c; do
	case $c in
	r) ROUNDS=$OPTARG ;;
	d) SECS=$OPTARG ;;
	m) MODES=$OPTARG ;;
	t) TRACERS=$OPTARG ;;
	n) WRITE=0 ;;
	*) exit 2 ;;
	esac
done

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
BUILD=$(cd "$BUILD" && pwd) || exit 1
IPCS=$BUILD/ipcscope
BENCH=$BUILD/bench/ipcbench
FLOOR=$BUILD/bench/floor
DOC=$repo/docs/performance.md
for f in "$IPCS" "$BENCH" "$FLOOR"; do
	[[ -x $f ]] || { echo "bench: $f missing: run make bench-build" >&2; exit 1; }
done
if [[ $(id -u) != 0 ]]; then
	echo "bench: needs root (BPF tracers)" >&2
	exit 1
fi
ulimit -l unlimited 2>/dev/null	# bpftrace asks for it

W=$(mktemp -d /tmp/ipcscope-bench.XXXXXX) || exit 1
SLEEPER=
cleanup() {
	[[ -n $SLEEPER ]] && kill "$SLEEPER" 2>/dev/null
	srv_stop
	[[ -n ${BENCH_KEEP:-} ]] && cp "$RES" "$W/servers.tsv" "$BENCH_KEEP/" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
RES=$W/results.tsv	# mode tracer round ops_per_sec events drops file_bytes cpu_s maxrss_kb report_eps report_eps_wall
: >"$RES"

have() { command -v "$1" >/dev/null 2>&1; }
# shellcheck source=tests/bench/servers.sh
source "$here/servers.sh"

# Which tracers can run here; the others are listed as not installed.
declare -A SKIP=()
have strace || SKIP[strace]="strace not installed"
have perf || SKIP[perf-trace]="perf not installed"
if ! have bpftrace; then
	SKIP[bpftrace-map]="bpftrace not installed"
	SKIP[bpftrace-print]="bpftrace not installed"
fi

# wait_line FILE ERE PID: until FILE has a line matching ERE (30 s), while PID lives.
wait_line() {
	local i
	for ((i = 0; i < 600; i++)); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

ops_of() { sed -n 's/^ipcbench .* ops_per_sec=\([0-9]*\).*/\1/p' "$1" | head -1; }

# The final status line of record/stat: "ipcscope: N events, D dropped -> X".
events_of() { sed -n 's/^ipcscope: \([0-9]*\) events, \([0-9]*\) dropped.*/\1 \2/p' "$1" | tail -1; }

# report_cpu FILE: "USER SYS WALL" seconds of `ipcscope report FILE`.
report_cpu() {
	{ TIMEFORMAT='%U %S %R'; time "$IPCS" report "$1" >/dev/null 2>&1; } 2>&1
}

# ipcscope record|stat -v -- workload: -v prints the collector's CPU while
# tracing and its peak RSS (getrusage of ipcscope alone, start-up excluded).
run_ipcscope() {
	local mode=$1 sub=$2 round=$3 ops ev cpu rss size=0 rep=0 repw=0 rcpu
	local cmd=("$BENCH" "$mode" -d "$SECS")
	rm -f "$W/r.ipcs"
	if [[ $sub == record ]]; then
		"$IPCS" record -v -o "$W/r.ipcs" -- "${cmd[@]}" </dev/null >"$W/b.out" 2>"$W/i.err"
	elif [[ $sub == record-locks ]]; then	# the lock modes' cost of --locks (the file is not reported on)
		"$IPCS" record --locks -v -o "$W/r.ipcs" -- "${cmd[@]}" </dev/null >"$W/b.out" 2>"$W/i.err"
	else
		"$IPCS" stat -v -o "$W/s.txt" -- "${cmd[@]}" </dev/null >"$W/b.out" 2>"$W/i.err"
	fi || { echo "bench: ipcscope $sub failed:" >&2; tail -5 "$W/i.err" >&2; return 1; }
	ops=$(ops_of "$W/b.out")
	ev=$(events_of "$W/i.err")
	read -r cpu rss < <(sed -n 's/.*collector: [0-9]* records, \([0-9.]*\) s CPU .* peak RSS \([0-9]*\) KiB.*/\1 \2/p' "$W/i.err")
	if [[ $sub == record ]]; then
		size=$(stat -c %s "$W/r.ipcs")
		# CPU time less report's start-up (the same for any file, measured once on an
		# empty recording): a 0.8 s recording is ~40 ms of CPU, of which ~12 ms is
		# exec and the dynamic loader. Wall time too (the same run): on a shared
		# machine the wall clock also measures the neighbours. Median of 3 runs:
		# bash's `time` counts milliseconds.
		rcpu=$(for i in 1 2 3; do report_cpu "$W/r.ipcs"; done |
			awk '{ print $1 + $2, $3 }' | sort -n | sed -n 2p)	# the median run
		read -r rep repw < <(awk -v e="${ev%% *}" -v t="$rcpu" -v b="$REPORT_BASE" 'BEGIN {
			split(t, a, " "); c = a[1] - b; if (c < 0.001) c = 0.001
			w = a[2] > 0.001 ? a[2] : 0.001; printf "%.0f %.0f\n", e / c, e / w }')
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$sub" "$round" "${ops:-0}" \
		"${ev%% *}" "${ev##* }" "$size" "${cpu:-0}" "${rss:-0}" "$rep" "$repw" >>"$RES"
}

# ipcscope tracing another process only: what a filtered-out process pays.
run_filtered_out() {
	local mode=$1 round=$2 ip ops
	"$IPCS" stat -o /dev/null -p "$SLEEPER" </dev/null >/dev/null 2>"$W/f.err" &
	ip=$!
	wait_line "$W/f.err" 'tracing \(counting only\)' "$ip" ||
		{ echo "bench: ipcscope stat did not start:" >&2; cat "$W/f.err" >&2; return 1; }
	"$BENCH" "$mode" -d "$SECS" >"$W/b.out" 2>"$W/b.err"
	kill -TERM "$ip"
	wait "$ip"
	ops=$(ops_of "$W/b.out")
	printf '%s\t%s\t%s\t%s\n' "$mode" filtered-out "$round" "${ops:-0}" >>"$RES"
}

run_one() {
	local mode=$1 tr=$2 round=$3 ops extra=
	local cmd=("$BENCH" "$mode" -d "$SECS")
	case $tr in
	record | record-locks | stat)
		run_ipcscope "$mode" "$tr" "$round"
		return ;;
	filtered-out)
		run_filtered_out "$mode" "$round"
		return ;;
	untraced) "${cmd[@]}" >"$W/b.out" 2>"$W/b.err" ;;
	floor-*)
		"$FLOOR" "${tr#floor-}" -- "${cmd[@]}" >"$W/b.out" 2>"$W/b.err"
		extra=$(sed -n 's/^floor .* records=\([0-9]*\) drops=\([0-9]*\)/\1\t\2/p' "$W/b.err") ;;
	strace) strace -f -qq -o /dev/null "${cmd[@]}" >"$W/b.out" 2>"$W/b.err" ;;
	perf-trace) perf trace -o /dev/null -- "${cmd[@]}" >"$W/b.out" 2>"$W/b.err" ;;
	bpftrace-map)
		bpftrace -o "$W/bt.out" -e 'tracepoint:raw_syscalls:sys_exit /comm == "ipcbench"/ { @[args->id] = count(); }' \
			-c "${cmd[*]}" >"$W/b.out" 2>"$W/b.err" ;;
	bpftrace-print)
		bpftrace -o /dev/null -e 'tracepoint:raw_syscalls:sys_exit /comm == "ipcbench"/ { printf("%d %d %d %d\n", nsecs, tid, args->id, args->ret); }' \
			-c "${cmd[*]}" >"$W/b.out" 2>"$W/b.err" ;;
	*) echo "bench: unknown tracer $tr" >&2; return 1 ;;
	esac
	ops=$(ops_of "$W/b.out")
	[[ -n $ops ]] || { echo "bench: $tr $mode: no result:" >&2; head -5 "$W/b.err" >&2; ops=0; }
	printf '%s\t%s\t%s\t%s\t%s\n' "$mode" "$tr" "$round" "$ops" "$extra" >>"$RES"
}

IFS=, read -ra mode_arg <<<"$MODES"
mode_list=() srv_list=()
declare -A SRV_SKIP=()
for mode in "${mode_arg[@]}"; do
	case $mode in
	redis) set -- redis-unix redis-tcp ;;
	pgbench) set -- pgbench-select pgbench-tpcb ;;
	*) set -- "$mode" ;;
	esac
	for m in "$@"; do
		if ! srv_is_mode "$m"; then
			mode_list+=("$m")
		elif [[ -n $(srv_missing "$m") ]]; then
			SRV_SKIP[$m]=$(srv_missing "$m")
		else
			srv_list+=("$m")
		fi
	done
done
IFS=, read -ra tr_all <<<"$TRACERS"
tr_list=()
for tr in "${tr_all[@]}"; do
	[[ -n ${SKIP[$tr]:-} ]] || tr_list+=("$tr")
done
sleep 100000 &
SLEEPER=$!

# report's start-up CPU (exec, loader, option parsing): the median of 5 reports of an empty recording.
REPORT_BASE=0
if [[ " ${tr_list[*]} " == *" record "* && ${#mode_list[@]} -gt 0 ]]; then
	"$IPCS" record -o "$W/empty.ipcs" -- /bin/true </dev/null >/dev/null 2>&1 || {
		echo "bench: ipcscope record of /bin/true failed" >&2; exit 1; }
	REPORT_BASE=$(for i in 1 2 3 4 5; do report_cpu "$W/empty.ipcs"; done |
		awk '{ print $1 + $2 }' | sort -n | sed -n 3p)
	rm -f "$W/empty.ipcs"
fi

started=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: ${#mode_list[@]} modes x $ROUNDS rounds x ${#tr_list[@]} tracers, ${#srv_list[@]} server modes x $ROUNDS rounds x 3, $SECS s each (load $load_before)"
for mode in "${mode_list[@]}"; do
	for ((r = 1; r <= ROUNDS; r++)); do
		# each round starts one tracer later: no tracer always follows the same one
		for ((i = 0; i < ${#tr_list[@]}; i++)); do
			run_one "$mode" "${tr_list[(i + r - 1) % ${#tr_list[@]}]}" "$r"
		done
		printf '  %s round %d done (%d s)\n' "$mode" "$r" $(($(date +%s) - started))
	done
done
# The servers start once, before any tracer; each round runs every tracer in turn.
if ((${#srv_list[@]})); then
	srv_tr=("${SRV_TRACERS[@]}")
	[[ " ${srv_list[*]} " == *" redis-"* ]] && { srv_start_redis || exit 1; }
	[[ " ${srv_list[*]} " == *" pgbench-"* ]] && { srv_start_pg || exit 1; }
	for mode in "${srv_list[@]}"; do
		for ((r = 1; r <= ROUNDS; r++)); do
			for ((i = 0; i < ${#srv_tr[@]}; i++)); do
				srv_run "$mode" "${srv_tr[(i + r - 1) % ${#srv_tr[@]}]}" "$r"
			done
			printf '  %s round %d done (%d s)\n' "$mode" "$r" $(($(date +%s) - started))
		done
	done
	srv_stop
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$(($(date +%s) - started))

# ---- tables ----
median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
med() { awk -F'\t' -v m="$1" -v t="$2" -v c="$3" '$1 == m && $2 == t && $c != "" { print $c }' "$RES" | median; }

label() {
	case $1 in
	record) echo "ipcscope record" ;;
	record-locks) echo "ipcscope record --locks" ;;
	stat) echo "ipcscope stat" ;;
	filtered-out) echo "ipcscope, process filtered out" ;;
	floor-return) echo "floor: attached, returns" ;;
	floor-ringbuf) echo "floor: 64 B record, wake each" ;;
	floor-batched) echo "floor: 64 B record, batched wake" ;;
	floor-pair-hash) echo "floor batched + enter/exit paired in a hash map" ;;
	floor-pair-task) echo "floor batched + enter/exit paired in task storage" ;;
	perf-trace) echo "perf trace" ;;
	bpftrace-map) echo "bpftrace, count in map" ;;
	bpftrace-print) echo "bpftrace, printf per event" ;;
	strace) echo "strace -f" ;;
	*) echo "$1" ;;
	esac
}

tables() {
	local mode tr u o line
	echo "Ratios are median ops/s traced / median ops/s untraced of the same run ($ROUNDS interleaved rounds of $SECS s)."
	echo
	line="| tracer |"
	for mode in "${mode_list[@]}"; do line+=" $mode |"; done
	echo "$line"
	line="|---|"
	for mode in "${mode_list[@]}"; do line+="---|"; done
	echo "$line"
	for tr in "${tr_list[@]}"; do
		line="| $(label "$tr") |"
		for mode in "${mode_list[@]}"; do
			o=$(med "$mode" "$tr" 4)
			u=$(med "$mode" untraced 4)
			if [[ $tr == untraced ]]; then
				line+=" $o ops/s |"
			elif [[ -n $o && -n $u && $u != 0 ]]; then
				line+=" $(awk -v o="$o" -v u="$u" 'BEGIN { printf "%.2f", o / u }') |"
			else
				line+=" - |"
			fi
		done
		echo "$line"
	done
	if [[ " ${tr_list[*]} " == *" record "* && " ${tr_list[*]} " == *" floor-batched "* ]]; then
		line="| record / floor batched |"
		for mode in "${mode_list[@]}"; do
			line+=" $(awk -v o="$(med "$mode" record 4)" -v f="$(med "$mode" floor-batched 4)" \
				'BEGIN { if (f > 0) printf "%.2f", o / f; else printf "-" }') |"
		done
		echo "$line"
	fi
	for tr in "${!SKIP[@]}"; do
		echo
		echo "Not measured: $(label "$tr") (${SKIP[$tr]})."
	done
	if [[ " ${tr_list[*]} " == *" record "* ]]; then
		echo
		echo "The collector under \`ipcscope record\` (medians). CPU and peak RSS are ipcscope's own (getrusage, printed by"
		echo "\`record -v\`), CPU counted while tracing only; events/s per core = 1 / CPU per event; report events/s ="
		echo "events / CPU time of \`ipcscope report\` on the recording less its start-up ($(awk -v b="$REPORT_BASE" \
			'BEGIN { printf "%.0f ms", b * 1000 }') of CPU, the median"
		echo "of 5 reports of an empty recording), and events / wall time of the same run, start-up included"
		echo "(the median of 3 reports of each recording)."
		echo
		echo "| mode | events/op | events/s | drops | bytes/event (file) | collector CPU µs/event | => events/s per core | peak RSS MiB | stat: CPU µs/event, RSS MiB | report events/s (CPU) | report events/s (wall) |"
		echo "|---|---|---|---|---|---|---|---|---|---|---|"
		for mode in "${mode_list[@]}"; do
			awk -F'\t' -v m="$mode" -v secs="$SECS" -v side="$W/collector.tsv" \
				-v scpu="$(med "$mode" stat 8)" -v sev="$(med "$mode" stat 5)" -v srss="$(med "$mode" stat 9)" '
				$1 == m && $2 == "record" { n++; ops[n] = $4 * secs; ev[n] = $5; dr += $6; by[n] = $7; cpu[n] = $8; rss[n] = $9; rep[n] = $10; repw[n] = $11 }
				function med(a, n,   i, j, t, b) { for (i = 1; i <= n; i++) b[i] = a[i];
					for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
					return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2 }
				END {
					if (!n) exit
					for (i = 1; i <= n; i++) { epo[i] = ops[i] ? ev[i] / ops[i] : 0; eps[i] = ev[i] / secs
						bpe[i] = ev[i] ? by[i] / ev[i] : 0; c = cpu[i] > 0.001 ? cpu[i] : 0.001
						us[i] = ev[i] ? c * 1e6 / ev[i] : 0; cap[i] = ev[i] / c }
					st = sev > 0 ? sprintf("%.2f, %.1f", scpu * 1e6 / sev, srss / 1024) : "-"
					printf "| %s | %.1f | %.0f | %d | %.1f | %.2f | %.0f | %.1f | %s | %.0f | %.0f |\n", m, med(epo, n), med(eps, n), dr,
						med(bpe, n), med(us, n), med(cap, n), med(rss, n) / 1024, st, med(rep, n), med(repw, n)
					printf "%s\t%.0f\t%.1f\t%.0f\t%d\n", m, med(cap, n), med(bpe, n), med(rep, n), dr >> side
				}' "$RES"
		done
	fi
}

# stdin: lines "MODE VALUE OK(0|1)"; prints "met" or "not met on MODE (VALUE), ...".
verdict() {
	awk '$3 == 0 { bad = bad (bad ? ", " : "") $1 " (" $2 ")" }
		END { if (!NR) print "not measured"; else if (bad == "") print "met"; else print "not met on " bad }'
}

# ratio MODE TRACER-A TRACER-B: median ops/s of A / that of B, 2 decimals.
ratio() {
	awk -v a="$(med "$1" "$2" 4)" -v b="$(med "$1" "$3" 4)" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b }'
}

# The goals of issue 6, checked against this run's medians.
goals() {
	local mode r
	local pingpong=() have
	for mode in "${mode_list[@]}"; do
		[[ $mode == bulk ]] || pingpong+=("$mode")
	done
	have=" ${tr_list[*]} "
	echo
	echo "Goals (issues 6 and 19) on this run:"
	echo
	if [[ $have == *" record "* ]]; then
		echo "- \`record\` >= 0.85 of untraced on the ping-pong modes: $(for mode in "${pingpong[@]}"; do
			r=$(ratio "$mode" record untraced); echo "$mode ${r:--} $(awk -v r="$r" 'BEGIN { print (r != "" && r >= 0.85) }')"; done | verdict)"
	fi
	if [[ $have == *" record "* && $have == *" floor-batched "* ]]; then
		echo "- \`record\` within 5% of the batched floor tracer: $(for mode in "${pingpong[@]}"; do
			r=$(ratio "$mode" record floor-batched); echo "$mode ${r:--} $(awk -v r="$r" 'BEGIN { print (r != "" && r >= 0.95) }')"; done | verdict)"
	fi
	if [[ $have == *" record "* && $have == *" floor-batched "* ]]; then
		echo "- \`record\` >= 1.00 of the single-ring batched floor tracer (issue 19: a ring per CPU): $(for mode in "${pingpong[@]}"; do
			r=$(ratio "$mode" record floor-batched); echo "$mode ${r:--} $(awk -v r="$r" 'BEGIN { print (r != "" && r >= 1.00) }')"; done | verdict)"
	fi
	if [[ $have == *" filtered-out "* && $have == *" floor-return "* ]]; then
		echo "- a filtered-out process within 3% of the floor that only returns (issue 19): $(for mode in "${mode_list[@]}"; do
			r=$(ratio "$mode" filtered-out floor-return); echo "$mode ${r:--} $(awk -v r="$r" 'BEGIN { print (r != "" && r >= 0.97) }')"; done | verdict)"
	fi
	if [[ $have == *" filtered-out "* ]]; then
		echo "- a filtered-out process pays at most 2%: $(for mode in "${mode_list[@]}"; do
			r=$(ratio "$mode" filtered-out untraced); echo "$mode ${r:--} $(awk -v r="$r" 'BEGIN { print (r != "" && r >= 0.98) }')"; done | verdict)"
	fi
	if [[ -s $W/collector.tsv ]]; then
		echo "- collector >= 1,000,000 events/s per core: $(awk -F'\t' '{ print $1, $2, ($2 >= 1e6) }' "$W/collector.tsv" | verdict)"
		echo "- no drops: $(awk -F'\t' '{ print $1, $5, ($5 == 0) }' "$W/collector.tsv" | verdict)"
		echo "- at most 16 bytes per event in the file (ping-pong modes): $(awk -F'\t' '$1 != "bulk" { print $1, $3, ($3 <= 16) }' "$W/collector.tsv" | verdict)"
		echo "- \`report\` >= 5,000,000 events/s (CPU, start-up excluded): $(awk -F'\t' '{ print $1, $4, ($4 >= 5e6) }' "$W/collector.tsv" | verdict)"
	fi
}

# The goals of issue 19 for the real servers.
srv_goals() {
	[[ -s $W/servers.tsv ]] || return 0
	echo
	echo "Goals (issue 19) on this run:"
	echo
	echo "- real servers, recorded: throughput >= 0.90 of untraced and p99 <= 1.15x: $(for mode in "${srv_list[@]}"; do
		awk -F'\t' -v m="$mode" '
			function med(a, n,   i, j, t, b) { if (!n) return 0; for (i = 1; i <= n; i++) b[i] = a[i]
				for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
				return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2 }
			$1 == m && $4 != "" && ($2 == "untraced" || $2 == "record") { k = $2; n[k]++; th[k, n[k]] = $4; p9[k, n[k]] = $5 }
			END { for (k in n) { delete a; delete b; for (i = 1; i <= n[k]; i++) { a[i] = th[k, i]; b[i] = p9[k, i] }
					T[k] = med(a, n[k]); P[k] = med(b, n[k]) }
				if (!(T["untraced"] > 0 && P["untraced"] > 0 && T["record"] > 0)) { print m, "-", 0; exit }
				t = T["record"] / T["untraced"]; p = P["record"] / P["untraced"]
				printf "%s %.2f,%.2fx %d\n", m, t, p, (t >= 0.90 && p <= 1.15) }' "$W/servers.tsv"
	done | verdict)"
}

out=$W/tables.md
{
	echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(hostname): $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r);"
	echo "load average before $load_before, after $load_after; $elapsed s in all."
	echo
	if awk -v a="${load_before%% *}" -v b="${load_after%% *}" -v n="$(nproc)" 'BEGIN { exit !(a > n || b > n) }'; then
		echo "**The machine was busy (load average above its $(nproc) CPUs): other work took CPU time from the"
		echo "untraced and traced runs unevenly, so the ratios below say little; re-run \`make bench\` on a quiet"
		echo "machine. The collector's figures (CPU per event, bytes, RSS) hold better: they count its own CPU.**"
		echo
	fi
	if ((${#mode_list[@]})); then tables; goals; fi
	srv_table
	srv_goals
} >"$out"
echo
cat "$out"

if ((WRITE)); then
	if ! grep -q '^<!-- bench:begin -->' "$DOC" 2>/dev/null; then
		echo "bench: $DOC has no '<!-- bench:begin -->' marker; table not written" >&2
		exit 1
	fi
	awk -v f="$out" '
		/^<!-- bench:begin -->/ { print; while ((getline l < f) > 0) print l; skip = 1; next }
		/^<!-- bench:end -->/ { skip = 0 }
		!skip' "$DOC" >"$W/doc" && cat "$W/doc" >"$DOC"
	echo "bench: table written to $DOC"
fi
