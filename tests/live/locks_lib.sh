# shellcheck shell=bash disable=SC2034 # the variables are the tests'
# locks_lib.sh - helpers of the --locks live tests (source after lib.sh and dl_lib.sh).
# shellcheck disable=SC2086 # LK_TARGET and wopts are words

# lk_start NAME WATCHOPTS CMD ARGS...: start the workload (it prints
# "ready pid=P" and waits for SIGUSR1), then `deadlock --watch -p P --locks -v
# WATCHOPTS` on it; once the watch says the uprobes are on (LK_PROCS processes:
# 1, or 2 with a child), SIGUSR1 lets the workload (and its child) take its
# locks. Workload output in $T/NAME.out, the watch's in $T/NAME.watch(.err).
lk_start() {
	local name=$1 wopts=$2 i
	shift 2
	"$@" </dev/null >"$T/$name.out" 2>"$T/$name.err" &
	LK_WL=$!
	LIVE_BG_PIDS+=("$LK_WL")
	wait_line "$T/$name.out" '^ready pid=' 20 "$LK_WL" || die "$name: workload not ready: $(cat "$T/$name.err")"
	role_pid LK_PID "$T/$name.out" "ready pid"
	LK_CHILD=$(sed -n 's/^child=\([0-9]*\)$/\1/p' "$T/$name.out")
	# shellcheck disable=SC2086 # wopts are words
	"$IPCS" deadlock --watch ${LK_TARGET:--p $LK_PID} --locks -v $wopts >"$T/$name.watch" 2>"$T/$name.watch.err" &
	DL_WATCH_PID=$!
	LIVE_BG_PIDS+=("$DL_WATCH_PID")
	for ((i = 0; i < 400; i++)); do
		(($(lk_attached "$name") >= ${LK_PROCS:-1})) && break
		kill -0 "$DL_WATCH_PID" 2>/dev/null || break
		sleep 0.05
	done
	(($(lk_attached "$name") >= ${LK_PROCS:-1})) ||
		{ show "$T/$name.watch.err"; die "$name: the lock uprobes were not attached"; }
	wait_line "$T/$name.watch.err" "watching" 20 "$DL_WATCH_PID" || die "$name: the watch did not start"
	kill -USR1 "$LK_PID" ${LK_CHILD:+"$LK_CHILD"} || die "$name: cannot signal the workload"
}

lk_attached() { # processes the watch of NAME attached the uprobes to
	local n
	n=$(grep -c 'uprobes on' "$T/$1.watch.err" 2>/dev/null)
	echo "${n:-0}"
}

# lk_stop NAME: the watch ends (SIGINT) once its last line is out; WATCH_RC its status.
lk_stop() {
	kill -INT "$DL_WATCH_PID" 2>/dev/null
	bg_wait "$DL_WATCH_PID" 20
	WATCH_RC=$BG_RC
}

# lk_inversions NAME: the watch's JSON lines gathered as an array of inversions in $T/NAME.inv.json.
lk_inversions() {
	jq -s 'map(select(.inversion) | .inversion)' "$T/$1.watch" >"$T/$1.inv.json" 2>/dev/null ||
		{ show "$T/$1.watch"; die "$1: --watch output is not JSON lines"; }
}

# One line per order of inversion 0: "tid: held OBJ then took OBJ"
LK_ORDERS='.[0].orders | map("\(.tid): held \(.held.lock.object) then took \(.took.lock.object)") | join("; ")'

# lk_kill PID...: a hung workload ends (quietly: its job is waited for).
lk_kill() {
	kill -KILL "$@" 2>/dev/null
	wait "$LK_WL" 2>/dev/null
	wait "$@" 2>/dev/null
	return 0
}
