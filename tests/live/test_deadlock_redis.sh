#!/bin/bash
# shellcheck disable=SC2016 # jq programs use $vars
# deadlock -p on an idle redis-server (started before, no clients): its main
# thread sleeps in epoll_wait with a timeout (serverCron), its helper threads
# wait on condition variables (no owner to read). Nobody is stuck: the main
# thread wakes by itself, so nothing is suspected either: exit 0, every
# thread listed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dl_lib.sh"
live_init "$@"
command -v redis-server >/dev/null || die "redis-server missing (tests/setup/install-deps.sh installs it)"

redis-server --port 0 --unixsocket "$T/redis.sock" --save '' --appendonly no --daemonize no \
	>"$T/redis.log" 2>&1 </dev/null &
r=$!
LIVE_BG_PIDS+=("$r")
wait_line "$T/redis.log" "(Ready to accept connections|ready to accept connections)" 20 "$r" || { show "$T/redis.log"; die "redis did not start"; }
dl_wait_blocked "$r" "$r" 232
nthreads=$(ls "/proc/$r/task" | wc -l)
sleep 1	# its helper threads have slept past the default 1 s threshold: not a reason to suspect
dl_snapshot redis "$r"
j=$T/redis.json
check_eq "idle redis: exit 0" 0 "$DL_RC"
check_jq "idle redis: verdict" none "$j" '.verdict'
check_jq "idle redis: every thread listed" "$nthreads" "$j" '.threads | length'
check_jq "idle redis: the main thread in epoll_wait with a timeout" "epoll_wait set true" "$j" \
	'.threads[] | select(.tid == $r) | .waits_on | "\(.syscall) \(.kind) \(.timeout)"' --argjson r "$r"
check_jq "idle redis: its epoll set includes the listening unix socket" true "$j" \
	'.threads[] | select(.tid == $r) | any(.waits_on.set[]; .object | startswith("socket:["))' --argjson r "$r"
check_jq "idle redis: the main thread's stack through aeMain" true "$j" \
	'.threads[] | select(.tid == $r) | any(.stack[]; .symbol == "aeMain" or .symbol == "aeProcessEvents")' --argjson r "$r"
check_jq "idle redis: no cycle" 0 "$j" '.cycles | length'
"$IPCS" deadlock -p "$r" >"$T/redis.txt" 2>&1
check_eq "idle redis: text exit status" 0 "$?"
check_grep "idle redis: text verdict" "$T/redis.txt" "no deadlock"
check_no_raw "idle redis: text is escaped" "$T/redis.txt"
live_finish
