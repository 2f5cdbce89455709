#!/bin/bash
# shellcheck disable=SC2154,SC2016 # dl_role/dl_addr set the variables; jq programs use $vars
# --locks: lock-order inversions that never hang (the two orders never
# overlap), reported once with both acquisition stacks: C semaphores, C
# process-shared mutexes in shared memory across two processes, and Python's
# threading.Lock (a sem_t). The watch starts before any lock is taken.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dl_lib.sh"
source "$(dirname "$0")/locks_lib.sh"
live_init "$@"
need_workload lock_abba
W="--json --duration 40"

# C: thread t1 takes A then B; after it ended, t2 takes B then A
lk_start csafe "$W" "$WL/lock_abba" safe sem
wait_line "$T/csafe.out" '^done$' 20 "$LK_WL" || die "csafe: workload did not finish"
dl_role t1 csafe t1
dl_role t2 csafe t2
dl_addr la csafe lock_a
dl_addr lb csafe lock_b
wait_line "$T/csafe.watch" '"inversion"' 20 "$DL_WATCH_PID"
lk_stop csafe
lk_inversions csafe
check_eq "C sem: exit status (no deadlock)" 0 "$WATCH_RC"
check_jq "C sem: one inversion" 1 "$T/csafe.inv.json" 'length'
check_jq "C sem: both orders" "$t1: held $la then took $lb; $t2: held $lb then took $la" "$T/csafe.inv.json" "$LK_ORDERS"
check_jq "C sem: the locks are semaphores of the process" "semaphore $LK_PID false semaphore $LK_PID false" \
	"$T/csafe.inv.json" '.[0].locks | map("\(.kind) \(.pid) \(.shared)") | join(" ")'
check_jq "C sem: the stack where t1 took B goes through take_a_then_b()" true "$T/csafe.inv.json" \
	'.[0].orders[0].took.stack | any(startswith("take_a_then_b+"))'
check_jq "C sem: the stack where t1 held A goes through take_a_then_b()" true "$T/csafe.inv.json" \
	'.[0].orders[0].held.stack | any(startswith("take_a_then_b+"))'
check_jq "C sem: the stacks of t2's order go through take_b_then_a()" "true true" "$T/csafe.inv.json" \
	'[.[0].orders[1].held.stack, .[0].orders[1].took.stack] | map(any(.[]; startswith("take_b_then_a+")) | tostring) | join(" ")'
check_grep "C sem: summary" "$T/csafe.watch.err" "0 deadlocks reported, 0 stalls, 1 lock-order inversion"
kill -USR1 "$LK_PID"
bg_wait "$LK_WL" 10

# the same as text, for a person, the process found by its name (-c) when the watch starts
LK_TARGET="-c lock_abba" lk_start csafet "--duration 40" "$WL/lock_abba" safe mutex
wait_line "$T/csafet.out" '^done$' 20 "$LK_WL" || die "csafet: workload did not finish"
wait_line "$T/csafet.watch" 'then took' 20 "$DL_WATCH_PID"
sleep 0.5	# the rest of the block
lk_stop csafet
check_eq "C mutex text: headline" 1 "$(grep -cE 'POTENTIAL DEADLOCK 1: lock-order inversion \(2 locks\): mutex 0x[0-9a-f]+ and mutex 0x[0-9a-f]+ taken in both orders$' "$T/csafet.watch")"
check_eq "C mutex text: four stacks named" 4 "$(grep -cE '^        take_(a_then_b|b_then_a)\+0x' "$T/csafet.watch")"
check_no_raw "C mutex text: escaped" "$T/csafet.watch"
kill -USR1 "$LK_PID"
bg_wait "$LK_WL" 10

# two processes, process-shared mutexes in MAP_SHARED memory: one pair of locks for both
LK_PROCS=2 lk_start shm "$W" "$WL/lock_abba" shm-safe
wait_line "$T/shm.out" '^done$' 20 "$LK_WL" || die "shm: workload did not finish"
gap=$(sed -n 's/^pair_gap=//p' "$T/shm.out")
wait_line "$T/shm.watch" '"inversion"' 20 "$DL_WATCH_PID"
lk_stop shm
lk_inversions shm
check_eq "shm: exit status" 0 "$WATCH_RC"
check_jq "shm: one inversion" 1 "$T/shm.inv.json" 'length'
check_jq "shm: the orders are by the parent, then the child" "$LK_PID $LK_CHILD" "$T/shm.inv.json" \
	'.[0].orders | map(.pid) | map(tostring) | join(" ")'
check_jq "shm: both locks shared (one key across the processes)" "true true" "$T/shm.inv.json" \
	'.[0].locks | map(.shared | tostring) | join(" ")'
check_jq "shm: the locks' offsets in the mapping are the workload's pair apart" "$gap" "$T/shm.inv.json" \
	'.[0].locks | (.[0].offset - .[1].offset) | fabs'
kill -USR1 "$LK_PID"
bg_wait "$LK_WL" 10

# Python: threading.Lock is a sem_t; t1 with A: with B, then t2 with B: with A
lk_start py "$W" python3 "$(dirname "$0")/lock_abba.py" safe
wait_line "$T/py.out" '^done$' 20 "$LK_WL" || die "py: workload did not finish: $(cat "$T/py.err")"
dl_role t1 py t1
dl_role t2 py t2
wait_line "$T/py.watch" '"inversion"' 20 "$DL_WATCH_PID"
sleep 1	# anything else it would report
lk_stop py
lk_inversions py
check_eq "python: exit status" 0 "$WATCH_RC"
check_jq "python: one inversion (the interpreter's own locks make none)" 1 "$T/py.inv.json" 'length'
check_jq "python: t1's order, then t2's" "$t1 $t2" "$T/py.inv.json" '.[0].orders | map(.tid | tostring) | join(" ")'
check_jq "python: t2 took what t1 held first" true "$T/py.inv.json" \
	'.[0].orders[1].took.lock.object == .[0].orders[0].held.lock.object and .[0].orders[1].held.lock.object == .[0].orders[0].took.lock.object'
check_jq "python: semaphores" "semaphore semaphore" "$T/py.inv.json" '.[0].locks | map(.kind) | join(" ")'
check_jq "python: stacks start in the interpreter's lock code" true "$T/py.inv.json" \
	'[.[0].orders[] | .held.stack[0], .took.stack[0]] | all(startswith("PyThread_acquire_lock"))'
kill -USR1 "$LK_PID"
bg_wait "$LK_WL" 10
live_finish
