# shellcheck shell=bash disable=SC2016
# dl_lib.sh - helpers of the deadlock live tests (source after lib.sh).

# dl_start NAME CMD ARGS...: run a workload in the background, stdout in
# $T/NAME.out; killed at exit (its children die with it: PR_SET_PDEATHSIG).
dl_start() {
	local name=$1
	shift
	"$@" </dev/null >"$T/$name.out" 2>"$T/$name.err" &
	LIVE_BG_PIDS+=($!)
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
	jq -e . "$T/$name.json" >/dev/null 2>&1 || { show "$T/$name.dl.err"; die "$name: output is not JSON"; }
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
