#!/bin/bash
# shellcheck disable=SC2154,SC2016 # dl_role sets the variables; jq programs use $vars
# deadlock -p on PostgreSQL 15 sessions already hung, in a private cluster
# (its own directory, unix socket only, deadlock_timeout 1h so PostgreSQL does
# not resolve the deadlock itself):
#  - the idle postmaster and an idle backend (unix socket, loopback TCP): exit 0;
#  - two sessions deadlocked on row locks: both backends listed, in
#    epoll_wait on their latch's wait set (a signalfd and the postmaster-death
#    pipe), stacks through ProcSleep and WaitLatch (PostgreSQL is stripped:
#    .dynsym). The lock manager lives in shared memory: no cycle can be
#    proven from /proc, so the verdict is "suspected", exit 3;
#  - a session waiting behind an idle-in-transaction one: the waiter alone is
#    suspected (3); with the blocker named too, the blocker waits for its
#    client, who can act: exit 0.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dl_lib.sh"
live_init "$@"
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[[ -x $PGBIN/postgres ]] || die "PostgreSQL 15 missing in $PGBIN (tests/setup/install-deps.sh installs it)"
id postgres >/dev/null 2>&1 || die "no postgres user (the postgresql package creates it)"
PGD=$(mktemp -d /tmp/ipcscope-pg.XXXXXX) || die "mktemp"
chown postgres "$PGD"
PORT=$((50000 + $$ % 10000))
pg_cleanup() {
	local f
	for f in "${PG_FDS[@]}"; do exec {f}>&-; done
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGD/data" -m immediate stop >/dev/null 2>&1
	rm -rf "$PGD"
}
trap 'pg_cleanup; live_cleanup' EXIT
PG_FDS=()

runuser -u postgres -- "$PGBIN/initdb" -D "$PGD/data" -A trust -U postgres -N >"$PGD/initdb.log" 2>&1 ||
	{ show "$PGD/initdb.log"; die "initdb failed"; }
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGD/data" -l "$PGD/log" -w -t 60 \
	-o "-k $PGD -p $PORT -c listen_addresses=127.0.0.1 -c deadlock_timeout=1h -c fsync=off" start >/dev/null 2>&1 ||
	{ show "$PGD/log"; die "the cluster did not start"; }
pm=$(head -1 "$PGD/data/postmaster.pid")
psql1() { runuser -u postgres -- "$PGBIN/psql" -h "${PGHOST_:-$PGD}" -p "$PORT" -U postgres -X -q -At "$@"; }
psql1 -c "create table t(id int primary key, v int); insert into t select g, 0 from generate_series(1, 4) g;" ||
	die "cannot create the table"

# session NAME [HOST]: a psql fed from a FIFO (write with `say NAME SQL`),
# through the unix socket or TCP to HOST; its backend's pid in variable NAME.
session() {
	local fd
	mkfifo "$PGD/$1.in"
	PGHOST_=${2:-} psql1 <"$PGD/$1.in" >"$T/$1.out" 2>&1 &
	LIVE_BG_PIDS+=("$!")
	exec {fd}>"$PGD/$1.in"
	PG_FDS+=("$fd")
	printf -v "fd_$1" '%s' "$fd"
	say "$1" "select 'backend=' || pg_backend_pid();"
	dl_role "$1" "$1" backend
}
say() { local v="fd_$1"; echo "$2" >&"${!v}"; }
# lock_waiters N: until N backends wait on a heavyweight lock (20 s at most)
lock_waiters() {
	local i n
	for ((i = 0; i < 200; i++)); do
		n=$(psql1 -c "select count(*) from pg_stat_activity where wait_event_type = 'Lock'")
		[[ $n == "$1" ]] && return 0
		sleep 0.1
	done
	die "expected $1 lock waiters, pg_stat_activity says $n"
}

# --- idle ---
session idle
dl_wait_blocked "$idle" "$idle" 232	# epoll_wait, for its client
dl_snapshot pm "$pm"
check_eq "idle postmaster: exit 0" 0 "$DL_RC"
check_jq "idle postmaster: verdict" none "$T/pm.json" '.verdict'
check_jq "idle postmaster: in select with a timeout" "pselect6 set true" "$T/pm.json" \
	'.threads[0].waits_on | "\(.syscall) \(.kind) \(.timeout)"'
check_jq "idle postmaster: its stack through PostmasterMain" true "$T/pm.json" 'any(.threads[0].stack[]; .symbol == "PostmasterMain")'
dl_snapshot idle "$idle"
check_eq "idle backend: exit 0" 0 "$DL_RC"
check_jq "idle backend: waits for its client (a unix socket whose peer psql holds)" true "$T/idle.json" \
	'any(.threads[0].waits_on.set[]; .object | startswith("socket:")) and any(.threads[0].held_by[]; .comm == "psql")'

session tcp 127.0.0.1
dl_wait_blocked "$tcp" "$tcp" 232
dl_snapshot tcp "$tcp"
check_eq "idle backend over TCP: exit 0" 0 "$DL_RC"
check_jq "idle backend over TCP: waits for psql through the loopback connection" true "$T/tcp.json" \
	'any(.threads[0].held_by[]; .comm == "psql" and (.evidence | startswith("peer socket:")))'

# --- two sessions deadlocked on row locks ---
session a
session b
say a "begin; update t set v = 1 where id = 1; \\echo step1"
say b "begin; update t set v = 2 where id = 2; \\echo step1"
wait_line "$T/a.out" '^step1' 20 && wait_line "$T/b.out" '^step1' 20 || die "the first updates did not finish"
say a "update t set v = 1 where id = 2;"
say b "update t set v = 2 where id = 1;"
lock_waiters 2
dl_wait_blocked "$a" "$a" 232
dl_wait_blocked "$b" "$b" 232
sleep 1	# past the 0.5 s threshold
dl_snapshot_opts ab "--threshold 0.5" "$a" "$b"
j=$T/ab.json
check_eq "row deadlock: exit 3 (suspected: the lock manager is in shared memory)" 3 "$DL_RC"
check_jq "row deadlock: verdict" suspected "$j" '.verdict'
check_jq "row deadlock: both backends listed" "$(printf '%s\n' "$a" "$b" | sort -n | tr '\n' ' ')" "$j" \
	'[.threads[].tid] | sort | map(tostring) | join(" ") + " "'
check_jq "row deadlock: both in epoll_wait, no timeout" "epoll_wait set false|epoll_wait set false" "$j" \
	'.threads | map(.waits_on | "\(.syscall) \(.kind) \(.timeout)") | join("|")'
check_jq "row deadlock: the wait set: the latch and the postmaster-death pipe" \
	"anon_inode:[signalfd] pipe|anon_inode:[signalfd] pipe" "$j" \
	'.threads | map([.waits_on.set[].object | sub(":\\[[0-9]+\\]$"; "")] | sort | join(" ")) | join("|")'
check_jq "row deadlock: the pipe's writer is the postmaster" "$pm $pm" "$j" \
	'.threads | map(.held_by | map(.pid) | unique | join(",")) | join(" ")'
check_jq "row deadlock: the owner is said to be unknown" true "$j" \
	'.threads | all(.waits_on.owner_known == false or (.waits_on.note | test("owner unknown")))'
check_jq "row deadlock: stacks through WaitLatch and ProcSleep" "true true" "$j" \
	'.threads | map([.stack[].symbol] | index("WaitLatch") != null and index("ProcSleep") != null) | map(tostring) | join(" ")'
check_jq "row deadlock: ProcSleep was found past WaitEventSetWait's frame pointer, guessed, and says so" "true true" "$j" \
	'.threads | map(.stack[] | select(.symbol == "ProcSleep") | .guessed | tostring) | join(" ")'
check_jq "row deadlock: stacks start in epoll_wait" "epoll_wait epoll_wait" "$j" '.threads | map(.stack[0].symbol) | join(" ")'
"$IPCS" deadlock -p "$a" -p "$b" --threshold 0.5 >"$T/ab.txt" 2>&1
check_eq "row deadlock: text exit status" 3 "$?"
check_grep "row deadlock: text wait" "$T/ab.txt" "  $a \"postgres\" S: blocked in epoll_wait on a set of epoll fd"
check_grep "row deadlock: text verdict" "$T/ab.txt" "suspected deadlock: no cycle can be proven"
check_no_raw "row deadlock: text is escaped" "$T/ab.txt"
check_eq "row deadlock: PostgreSQL did not resolve it meanwhile" 2 \
	"$(psql1 -c "select count(*) from pg_stat_activity where wait_event_type = 'Lock'")"

# --- waiting behind an idle-in-transaction session ---
session h
session w
say h "begin; update t set v = 3 where id = 3; \\echo step1"
wait_line "$T/h.out" '^step1' 20 || die "the holder's update did not finish"
say w "update t set v = 4 where id = 3;"
lock_waiters 3
dl_wait_blocked "$w" "$w" 232
sleep 1
dl_snapshot_opts w "--threshold 0.5" "$w"
check_eq "behind idle-in-transaction: the waiter alone is suspected" 3 "$DL_RC"
check_jq "behind idle-in-transaction: through ProcSleep" true "$T/w.json" 'any(.threads[0].stack[]; .symbol == "ProcSleep")'
dl_snapshot_opts hw "--threshold 0.5" "$h" "$w"
check_eq "behind idle-in-transaction: with the holder, who waits for its client: exit 0" 0 "$DL_RC"
check_jq "behind idle-in-transaction: the holder waits for psql" true "$T/hw.json" \
	'any(.threads[] | select(.tid == $h) | .held_by[]; .comm == "psql")' --argjson h "$h"
live_finish
