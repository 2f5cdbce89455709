#!/bin/bash
# shellcheck disable=SC2154 # dl_role sets the variables
# deadlock --watch ended by a signal: a deadlock that forms after the watch
# started is reported exactly once, however long the watch goes on looking at
# it; SIGINT (Ctrl-C) and SIGTERM then end the watch cleanly: the summary line
# on stderr and exit 1 (a deadlock was reported). Several rounds of each, so a
# signal landing in any part of the watch loop (the ring poll, the inflight
# scan, the /proc read, the stack unwinding) is met.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dl_lib.sh"
live_init "$@"
need_workload dl_abba

round() { # round NAME SIGNAL TEXT(0|1)
	local name=$1 sig=$2 n
	# no -n, a long --duration: only the signal ends it
	DL_TEXT=$3 dl_start "$name" "--threshold 0.3 --duration 50" "$WL/dl_abba"
	dl_role p "$name" proc
	if [[ $3 == 1 ]]; then
		wait_line "$T/$name.watch" "DEADLOCK 1" 20 "$DL_WATCH_PID" || { show "$T/$name.watch.err"; die "$name: no deadlock reported"; }
	else
		wait_line "$T/$name.watch" '"cycle"' 20 "$DL_WATCH_PID" || { show "$T/$name.watch.err"; die "$name: no deadlock reported"; }
	fi
	# the watch goes on scanning the same stuck threads (every 100 ms) for a while
	sleep 2
	kill -s "$sig" "$DL_WATCH_PID"
	DL_TEXT=$3 dl_watch_result "$name"
	check_eq "$name: exit status after SIG$sig (a deadlock was reported)" 1 "$WATCH_RC"
	check_grep "$name: summary line after SIG$sig" "$T/$name.watch.err" "deadlock --watch: 1 deadlock reported"
	if [[ $3 == 1 ]]; then
		n=$(grep -c "DEADLOCK" "$T/$name.watch")
	else
		n=$(jq '.cycles | length' "$T/$name.w.json")
	fi
	check_eq "$name: the deadlock reported once" 1 "$n"
	{ kill -KILL "$p" && wait "$p"; } 2>/dev/null
}

round int1 INT 1
round int2 INT 0
round term1 TERM 0
round term2 TERM 1
round term3 TERM 0
round int3 INT 0

# the watch's targets as a union of two -c (names nobody has) and a --cgroup the
# workload runs in, instead of -p
mnt=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
[[ -n $mnt ]] || die "no cgroup2 filesystem mounted"
cg=ipcscope-dlw-$$
mkdir "$mnt/$cg" || die "cannot create cgroup $mnt/$cg"
trap 'rmdir "$mnt/$cg" 2>/dev/null; live_cleanup' EXIT
mkfifo "$T/un.gate" || die "mkfifo"
CG=$mnt/$cg sh -c 'echo $$ >"$CG/cgroup.procs" && exec "$0"' "$WL/dl_abba" <"$T/un.gate" >"$T/un.out" 2>"$T/un.err" &
wp=$!
LIVE_BG_PIDS+=("$wp")
"$IPCS" deadlock --watch -c "zz$$" -c "yy$$" --cgroup "/$cg" --threshold 0.3 --duration 50 --json \
	>"$T/un.watch" 2>"$T/un.watch.err" &
DL_WATCH_PID=$!
LIVE_BG_PIDS+=("$DL_WATCH_PID")
wait_line "$T/un.watch.err" "watching" 20 "$DL_WATCH_PID" || { show "$T/un.watch.err"; die "un: no watch"; }
exec {g}>"$T/un.gate"
exec {g}>&-
wait_line "$T/un.watch" '"cycle"' 20 "$DL_WATCH_PID" || { show "$T/un.watch.err"; die "un: no deadlock reported"; }
kill -INT "$DL_WATCH_PID"
dl_watch_result un
check_eq "-c A -c B --cgroup C: exit status after SIGINT" 1 "$WATCH_RC"
check_jq "-c A -c B --cgroup C: one deadlock, its two threads in the process in C" "1 $wp $wp" "$T/un.w.json" \
	'"\(.cycles | length) \(.cycles[0].threads | map(.pid) | join(" "))"'
{ kill -KILL "$wp" && wait "$wp"; } 2>/dev/null
live_finish
