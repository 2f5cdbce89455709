# shellcheck shell=bash disable=SC2016
# dl_lib.sh - helpers of the deadlock live tests (source after lib.sh).

# dl_start NAME WATCHOPTS CMD ARGS...: start `ipcscope deadlock --watch -p
# PID --json WATCHOPTS` (DL_TEXT=1: without --json) on a workload, then the workload itself, so the
# probes see it from its first call: the workload's stdin is a FIFO whose
# opening (after the watch says it is watching) lets it start. Its stdout is
# in $T/NAME.out, the watch's JSON lines in $T/NAME.watch; killed at exit
# (its children die with it: PR_SET_PDEATHSIG).
dl_start() {
	local name=$1 wopts=$2 gate=$T/$1.gate pid gfd
	shift 2
	mkfifo "$gate" || die "mkfifo $gate"
	"$@" <"$gate" >"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
	LIVE_BG_PIDS+=("$pid")
	# shellcheck disable=SC2086 # wopts are words
	[[ ${DL_TEXT:-0} == 1 ]] || wopts+=" --json"
	"$IPCS" deadlock --watch -p "$pid" $wopts >"$T/$name.watch" 2>"$T/$name.watch.err" &
	DL_WATCH_PID=$!
	LIVE_BG_PIDS+=("$DL_WATCH_PID")
	if ! wait_line "$T/$name.watch.err" "watching" 20 "$DL_WATCH_PID"; then
		show "$T/$name.watch.err"
		die "$name: deadlock --watch did not start"
	fi
	exec {gfd}>"$gate"	# the workload starts now
	exec {gfd}>&-
}

# dl_watch_result NAME: wait for the watch (60 s at most); WATCH_RC = its
# exit status; its lines gathered as {cycles: [...], stalls: [...]} in $T/NAME.w.json.
dl_watch_result() {
	bg_wait "$DL_WATCH_PID" 60
	WATCH_RC=$BG_RC
	[[ ${DL_TEXT:-0} == 1 ]] && return
	jq -s '{cycles: map(select(.cycle) | .cycle), stalls: map(select(.stall) | .stall),
		other: map(select(.cycle == null and .stall == null))}' "$T/$1.watch" >"$T/$1.w.json" 2>"$T/$1.w.err" ||
		{ show "$T/$1.watch"; die "$1: --watch output is not JSON lines"; }
}

# dl_check_watch_cycle NAME EXPECTED THRESHOLD_NS: the watch reported that
# one cycle, with every thread waiting at least the threshold, and exit 1.
dl_check_watch_cycle() {
	local j=$T/$1.w.json
	check_eq "$1 --watch: exit status (deadlock found)" 1 "$WATCH_RC"
	check_jq "$1 --watch: one cycle" 1 "$j" '.cycles | length'
	check_jq "$1 --watch: every line a cycle or a stall" 0 "$j" '.other | length'
	check_jq "$1 --watch: the cycle" "$2" "$j" "$DL_CYCLE"
	check_jq "$1 --watch: every thread waited >= the threshold" true "$j" \
		'.cycles[0].threads | all(.waits_for.ns >= $t)' --argjson t "$3"
}

# dl_check_watch_none NAME: the watch ran out its --duration, no cycle, exit 0.
dl_check_watch_none() {
	check_eq "$1 --watch: exit status (no deadlock)" 0 "$WATCH_RC"
	check_jq "$1 --watch: no cycles" 0 "$T/$1.w.json" '.cycles | length'
	check_grep "$1 --watch: says so" "$T/$1.watch.err" "0 deadlocks reported"
}

# dl_role VAR NAME ROLE: wait (10 s at most) for "ROLE=VALUE" in $T/NAME.out.
dl_role() {
	wait_line "$T/$2.out" "^$3=" 10 || die "workload $2 printed no '$3=' line: $(cat "$T/$2.err")"
	role_pid "$1" "$T/$2.out" "$3"
}

dl_addr() { # like dl_role, for hex addresses
	wait_line "$T/$2.out" "^$3=0x" 10 || die "workload $2 printed no '$3=' line"
	printf -v "$1" '%s' "$(sed -n "s/^$3=\(0x[0-9a-f]*\)\$/\1/p" "$T/$2.out" | head -1)"
}

# dl_wait_blocked PID TID NR: until the thread sleeps in syscall NR (its
# /proc syscall line and stat state say so); fatal after 10 s.
dl_wait_blocked() {
	local pid=$1 tid=$2 nr=$3 i line st
	for ((i = 0; i < 200; i++)); do
		line=$(cat "/proc/$pid/task/$tid/syscall" 2>/dev/null)
		st=$(sed 's/.*) \(.\).*/\1/' "/proc/$pid/task/$tid/stat" 2>/dev/null)
		[[ ${line%% *} == "$nr" && $st == S ]] && return 0
		sleep 0.05
	done
	die "thread $pid/$tid never blocked in syscall $nr (now: '$line', state '$st')"
}

# dl_snapshot NAME PID...: `ipcscope deadlock -p PID... --json` into
# $T/NAME.json (must be valid JSON); DL_RC = its exit status.
dl_snapshot() {
	local name=$1 args=() p
	shift
	for p in "$@"; do args+=(-p "$p"); done
	"$IPCS" deadlock "${args[@]}" --json >"$T/$name.json" 2>"$T/$name.dl.err"
	DL_RC=$?
	[[ -s $T/$name.json ]] && jq -e . "$T/$name.json" >/dev/null 2>&1 || { show "$T/$name.dl.err"; die "$name: output is not JSON"; }
}

# One line per thread of cycle 0: "tid comm kind object -> held_by.tid (evidence)"
DL_CYCLE='.cycles[0].threads | map("\(.tid) \(.comm) \(.waits_for.kind) \(.waits_for.object) -> \(.held_by.tid) (\(.held_by.evidence))") | join("; ")'

# dl_check_cycle NAME EXPECTED: exactly one cycle, exit 1, and its threads.
dl_check_cycle() {
	local j=$T/$1.json
	check_eq "$1: exit status (deadlock found)" 1 "$DL_RC"
	check_jq "$1: deadlock" true "$j" '.deadlock'
	check_jq "$1: one cycle" 1 "$j" '.cycles | length'
	check_jq "$1: the cycle" "$2" "$j" "$DL_CYCLE"
}

# dl_check_none NAME: no cycle, exit 0.
dl_check_none() {
	local j=$T/$1.json
	check_eq "$1: exit status (no deadlock)" 0 "$DL_RC"
	check_jq "$1: deadlock" false "$j" '.deadlock'
	check_jq "$1: no cycles" 0 "$j" '.cycles | length'
}

# dl_snapshot_opts NAME "OPTS" PID...: dl_snapshot with more options.
dl_snapshot_opts() {
	local name=$1 opts=$2 args=() p
	shift 2
	for p in "$@"; do args+=(-p "$p"); done
	# shellcheck disable=SC2086 # opts are words
	"$IPCS" deadlock "${args[@]}" $opts --json >"$T/$name.json" 2>"$T/$name.dl.err"
	DL_RC=$?
	[[ -s $T/$name.json ]] && jq -e . "$T/$name.json" >/dev/null 2>&1 || { show "$T/$name.dl.err"; die "$name: output is not JSON"; }
}
