#!/bin/bash
# shellcheck disable=SC2154,SC2016 # dl_role sets the variables; jq programs use $vars
# deadlock -p on a Python program already hung: two threads, two
# threading.Locks taken in opposite order. Python's locks are sem_t: the lock
# word names no owner, so no cycle can be proven: exit 3 (suspected), every
# thread listed with its futex wait and its stack through libpython.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dl_lib.sh"
live_init "$@"
PY=$(dirname "$0")/../workloads/dl_py_abba.py

/usr/bin/python3 "$PY" >"$T/pyabba.out" 2>"$T/pyabba.err" </dev/null &
LIVE_BG_PIDS+=("$!")
dl_role p pyabba proc
dl_role ta pyabba ta
dl_role tb pyabba tb
dl_wait_blocked "$p" "$ta" 202
dl_wait_blocked "$p" "$tb" 202
dl_wait_blocked "$p" "$p" 202	# the main thread, in join()
sleep 1	# past the 0.5 s threshold (their not-run time only grows)
before=$(awk '{print $1}' "/proc/$p/task/$ta/schedstat")

dl_snapshot_opts pyabba "--threshold 0.5" "$p"
j=$T/pyabba.json
check_eq "pyabba: exit status (suspected)" 3 "$DL_RC"
check_jq "pyabba: verdict" suspected "$j" '.verdict'
check_jq "pyabba: no cycle claimed" 0 "$j" '.cycles | length'
check_jq "pyabba: every thread listed" "$(printf '%s\n' "$p" "$ta" "$tb" | sort -n | tr '\n' ' ')" "$j" \
	'[.threads[].tid] | sort | map(tostring) | join(" ") + " "'
check_jq "pyabba: all three in futex waits, no timeout, owner unknown" "futex futex false false|futex futex false false|futex futex false false" "$j" \
	'.threads | map("\(.waits_on.syscall) \(.waits_on.kind) \(.waits_on.timeout) \(.waits_on.owner_known)") | join("|")'
check_jq "pyabba: says why the owner is unknown" true "$j" \
	'.threads | all(.waits_on.note | test("owner unknown: .*sem_t"))'
check_jq "pyabba: since is unknown without tracing" true "$j" '.threads | all(.waits_on.since_ns == null)'
check_jq "pyabba: not run for at least the threshold" true "$j" '.threads | all(.waits_on.not_run_ns >= 500000000)'
check_jq "pyabba: both lockers' stacks go through the lock acquire in libpython" true "$j" \
	'[.threads[] | select(.tid == $a or .tid == $b) | any(.stack[]; .symbol == "PyThread_acquire_lock_timed" and (.module | test("python")))] | length == 2 and all' \
	--argjson a "$ta" --argjson b "$tb"
check_jq "pyabba: ... down to the thread's start" true "$j" \
	'[.threads[] | select(.tid == $a) | .stack[].symbol] | index("start_thread") != null' --argjson a "$ta"
check_jq "pyabba: frames carry addresses and offsets" true "$j" \
	'[.threads[].stack[0] | (.addr | test("^0x[0-9a-f]+$")) and (.offset >= 0)] | all'
# nobody was stopped or woken: the thread did not run during the diagnosis
check_eq "pyabba: the diagnosis did not run the thread" "$before" "$(awk '{print $1}' "/proc/$p/task/$ta/schedstat")"
check_eq "pyabba: still hung" S "$(sed 's/.*) \(.\).*/\1/' "/proc/$p/task/$ta/stat")"

"$IPCS" deadlock -p "$p" --threshold 0.5 >"$T/pyabba.txt" 2>&1
check_eq "pyabba: text exit status" 3 "$?"
check_grep "pyabba: text verdict" "$T/pyabba.txt" "suspected deadlock: no cycle can be proven"
check_grep "pyabba: text says what is unknown" "$T/pyabba.txt" "owner unknown: the futex word names no owner (a sem_t"
check_grep "pyabba: text thread a" "$T/pyabba.txt" "  $ta \"python3\" S: blocked in futex on the futex at 0x"
check_eq "pyabba: text stacks through libpython's lock acquire" 3 "$(grep -cE '#[0-9 ]+ PyThread_acquire_lock_timed\+0x[0-9a-f]+ \((libpython|python3)' "$T/pyabba.txt")"
check_no_raw "pyabba: text is escaped" "$T/pyabba.txt"
# a threshold longer than they have waited: nothing to suspect yet
"$IPCS" deadlock -p "$p" --threshold 1000 --no-stacks >/dev/null 2>&1
check_eq "pyabba: below the threshold: exit 0" 0 "$?"
live_finish
