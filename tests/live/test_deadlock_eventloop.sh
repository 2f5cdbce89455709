#!/bin/bash
# shellcheck disable=SC2154,SC2016 # dl_role sets the variables; jq programs use $vars
# Cycles through event loops: two processes each blocked, with no timeout,
# in poll / epoll_wait / select on a pipe only the other one writes are a
# knot: exit 1, the wait set of each read from the process (poll, select) or
# its epoll fdinfo. Give one of them a listening socket in its set, or a
# timeout, and it can be woken from outside: no deadlock, exit 0.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dl_lib.sh"
live_init "$@"
PY=$(dirname "$0")/../workloads/dl_py_loops.py

# loops NAME MODE [EXTRA]: start the pair; p and c their pids, blocked in NR.
loops() {
	/usr/bin/python3 "$PY" "$2" ${3:+"$3"} >"$T/$1.out" 2>"$T/$1.err" </dev/null &
	LIVE_BG_PIDS+=("$!")
	dl_role p "$1" proc
	dl_role c "$1" child
	LIVE_BG_PIDS+=("$c")
	dl_wait_blocked "$p" "$p" "$4"
	dl_wait_blocked "$c" "$c" "$4"
}

for m in poll:7:poll epoll:232:epoll_wait select:270:pselect6; do
	mode=${m%%:*} nr=${m#*:} nr=${nr%%:*} sys=${m##*:}
	loops "$mode" "$mode" "" "$nr"
	pin=$(readlink "/proc/$p/fd/3")	# to_parent_r
	dl_snapshot "$mode" "$p" "$c"
	j=$T/$mode.json
	check_eq "$mode: exit 1 (a knot of two event loops)" 1 "$DL_RC"
	check_jq "$mode: verdict" deadlock "$j" '.verdict'
	check_jq "$mode: the cycle" "$p $c" "$j" '.cycles[0].threads | map(.tid) | join(" ")'
	check_jq "$mode: both wait in $sys on a one-fd set, no timeout" "$sys set false 1|$sys set false 1" "$j" \
		'.threads | map(.waits_on | "\(.syscall) \(.kind) \(.timeout) \(.set | length)") | join("|")'
	check_jq "$mode: the parent's set is its pipe from the child" "3 $pin 1" "$j" \
		'.threads[] | select(.tid == $p) | .waits_on.set[0] | "\(.fd) \(.object) \(.holders)"' --argjson p "$p"
	check_jq "$mode: held by the child" "$c pipe write end held by" "$j" \
		'.threads[] | select(.tid == $p) | .held_by | map("\(.tid) \(.evidence)") | join(",")' --argjson p "$p"
done

# the same through one loopback TCP connection (peers from /proc/net/tcp)
loops tcp poll tcp 7
dl_snapshot tcp "$p" "$c"
check_eq "tcp: exit 1" 1 "$DL_RC"
check_jq "tcp: the cycle" "$p $c" "$T/tcp.json" '.cycles[0].threads | map(.tid) | join(" ")'
check_jq "tcp: the parent waits for the child through the TCP peer" "$c" "$T/tcp.json" \
	'.threads[] | select(.tid == $p) | .held_by | map(select(.evidence | test("^peer socket:\\[[0-9]+\\] held by$")) | .tid) | join(",")' \
	--argjson p "$p"

loops listen poll listen 7
dl_snapshot listen "$p" "$c"
check_eq "listen: a listening socket in the set: exit 0" 0 "$DL_RC"
check_jq "listen: no cycle" 0 "$T/listen.json" '.cycles | length'
check_jq "listen: the parent can be woken from outside" true "$T/listen.json" \
	'.threads[] | select(.tid == $p) | .waits_on.wakeable_from_outside' --argjson p "$p"
check_jq "listen: two fds in its set" 2 "$T/listen.json" \
	'.threads[] | select(.tid == $p) | .waits_on.set | length' --argjson p "$p"

loops timeout epoll timeout 232
dl_snapshot timeout "$p" "$c"
check_eq "timeout: a timeout: exit 0" 0 "$DL_RC"
check_jq "timeout: its epoll_wait has a timeout" "true" "$T/timeout.json" \
	'.threads[] | select(.tid == $p) | .waits_on.timeout' --argjson p "$p"
live_finish
