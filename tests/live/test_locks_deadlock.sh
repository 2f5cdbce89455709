#!/bin/bash
# shellcheck disable=SC2154,SC2016 # dl_role sets the variables; jq programs use $vars
# deadlock --watch --locks, started before any lock is taken: ABBA deadlocks
# on locks whose word names no owner become proven cycles (exit 1) with the
# owners the uprobes saw: C semaphores, Python threading.Lock (a sem_t); none
# without --locks. The holders' locks and where they were taken come with
# each cycle (text and JSON). test_locks_rwshm.sh: rwlocks, shared mutexes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dl_lib.sh"
source "$(dirname "$0")/locks_lib.sh"
live_init "$@"
need_workload lock_abba
W="--json --threshold 0.5 -n 1 --duration 40 --no-stacks"
ev="lock holder seen by the uprobes"

# without --locks, a semaphore names no owner: no cycle can be proven
dl_start nolocks "--threshold 0.5 --duration 4 --no-stacks" "$WL/lock_abba" hang sem
wait_line "$T/nolocks.out" '^ready pid=' 20 || die "nolocks: workload not ready"
role_pid p "$T/nolocks.out" "ready pid"
kill -USR1 "$p"
dl_role t1 nolocks t1
dl_role t2 nolocks t2
dl_wait_blocked "$p" "$t1" 202
dl_wait_blocked "$p" "$t2" 202
dl_watch_result nolocks
check_eq "sem without --locks: no deadlock proven" 0 "$WATCH_RC"
check_jq "sem without --locks: no cycle" 0 "$T/nolocks.w.json" '.cycles | length'
lk_kill "$p"

# C: t1 holds semaphore A and waits for B, t2 holds B and waits for A
lk_start csem "$W" "$WL/lock_abba" hang sem
dl_role t1 csem t1
dl_role t2 csem t2
dl_addr la csem lock_a
dl_addr lb csem lock_b
dl_watch_result csem
a="$t1 lock_abba futex $lb -> $t2 ($ev)"
b="$t2 lock_abba futex $la -> $t1 ($ev)"
if ((t1 < t2)); then want="$a; $b"; else want="$b; $a"; fi
dl_check_watch_cycle csem "$want" 500000000
check_eq "C sem: no lock-order inversion (neither second take returned)" 0 "$(grep -c '"inversion"' "$T/csem.watch")"
# the cycle's line says what each thread holds (where it took it) and wants
jq -c 'select(.cycle) | .locks[]' "$T/csem.watch" >"$T/csem.locks" 2>/dev/null
check_jq "C sem: t1 holds A, taken in take_a_then_b(), and wants B" "$la true $lb" "$T/csem.locks" \
	'select(.tid == $t) | "\(.holds[0].lock.object) \(.holds[0].stack | any(startswith("take_a_then_b+"))) \(.waits_to_take.object)"' \
	--argjson t "$t1"
check_jq "C sem: t2 holds B, taken in take_b_then_a(), and wants A" "$lb true $la" "$T/csem.locks" \
	'select(.tid == $t) | "\(.holds[0].lock.object) \(.holds[0].stack | any(startswith("take_b_then_a+"))) \(.waits_to_take.object)"' \
	--argjson t "$t2"
lk_kill "$LK_PID"

# the same for a person: each thread's held lock and where it was taken
lk_start csemt "--threshold 0.5 -n 1 --duration 40 --no-stacks" "$WL/lock_abba" hang sem
bg_wait "$DL_WATCH_PID" 40
check_eq "C sem text: exit status" 1 "$BG_RC"
check_grep "C sem text: headline" "$T/csemt.watch" "DEADLOCK 1: a cycle of 2 threads"
check_eq "C sem text: two threads' holdings" 2 "$(grep -c '^  locks of ' "$T/csemt.watch")"
check_eq "C sem text: each holds one semaphore, taken in its worker" 2 \
	"$(grep -A2 'holds semaphore 0x' "$T/csemt.watch" | grep -cE '^        take_(a_then_b|b_then_a)\+0x')"
check_eq "C sem text: each waits to take the other" 2 "$(grep -c 'waits to take semaphore 0x.* in sem_wait$' "$T/csemt.watch")"
lk_kill "$LK_PID"

# Python: the same with threading.Lock
lk_start py "$W" python3 "$(dirname "$0")/lock_abba.py" hang
dl_role t1 py t1
dl_role t2 py t2
dl_watch_result py
check_eq "python: exit status (deadlock found)" 1 "$WATCH_RC"
check_jq "python: one cycle" 1 "$T/py.w.json" '.cycles | length'
check_jq "python: t1 and t2 wait for each other on the uprobes' evidence" \
	"$(printf '%s\n' "$t1 -> $t2 ($ev)" "$t2 -> $t1 ($ev)" | sort | paste -sd';')" "$T/py.w.json" \
	'.cycles[0].threads | map("\(.tid) -> \(.held_by.tid) (\(.held_by.evidence))") | sort | join(";")'
lk_kill "$LK_PID"

live_finish
