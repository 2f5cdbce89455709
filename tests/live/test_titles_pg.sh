#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars
# PostgreSQL 15 titles (issue 16, item 6): a private cluster started BEFORE
# ipcscope, traced by the postmaster's pid only; psql (not traced) runs one
# query. Every process is "postgres" by comm: the titles say which is the
# checkpointer, the walwriter and the backend of the client, as /proc (read by
# the test itself) said while they ran. The backend maps PostgreSQL's dynamic
# shared memory segments: named by their /dev/shm paths.
source "$(dirname "$0")/lib.sh"
live_init "$@"
PG=/usr/lib/postgresql/15/bin
[[ -x $PG/postgres && -x $PG/psql ]] || die "PostgreSQL 15 missing: run tests/setup/install-deps.sh"
id postgres >/dev/null 2>&1 || die "no postgres user: run tests/setup/install-deps.sh"

# The cluster lives outside $T (root-only): postgres refuses to run as root.
PGD=$(mktemp -d /tmp/ipcs-pg.XXXXXX) || die "mktemp"
chown postgres "$PGD"
PORT=$((20000 + $$ % 20000))
# shellcheck disable=SC2317 # run by the EXIT trap
pg_stop() {
	runuser -u postgres -- "$PG/pg_ctl" -D "$PGD/data" -m immediate stop >/dev/null 2>&1
	rm -rf "$PGD"
	live_cleanup
}
trap pg_stop EXIT
runuser -u postgres -- "$PG/initdb" -D "$PGD/data" -A trust >"$T/initdb.log" 2>&1 ||
	{ show "$T/initdb.log"; die "initdb failed"; }
runuser -u postgres -- "$PG/pg_ctl" -D "$PGD/data" -l "$PGD/log" -w \
	-o "-k $PGD -c listen_addresses='' -c port=$PORT -c dynamic_shared_memory_type=posix" start \
	>"$T/pg_ctl.log" 2>&1 || { show "$T/pg_ctl.log"; show "$PGD/log"; die "postgres did not start"; }
pm=$(head -1 "$PGD/data/postmaster.pid")

title_of() {
	tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | sed 's/ *$//'
}
# role_of TITLE: the postmaster's child with that title (the test's own /proc read)
role_of() {
	local c
	for c in $(pgrep -P "$pm"); do
		[[ $(title_of "$c") == "$1" ]] && { echo "$c"; return; }
	done
}
wait_until() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		eval "$2" && return 0
		sleep 0.1
	done
	return 1
}
wait_until 20 '[[ -n $(role_of "postgres: checkpointer") && -n $(role_of "postgres: walwriter") ]]' ||
	die "no checkpointer/walwriter titles under postmaster $pm"
ckpt=$(role_of "postgres: checkpointer")
walw=$(role_of "postgres: walwriter")
pm_title=$(title_of "$pm")

"$IPCS" record -o "$T/pg.ipcs" -p "$pm" </dev/null >"$T/pg.out" 2>"$T/pg.err" &
recpid=$!
LIVE_BG_PIDS+=("$recpid")
wait_line "$T/pg.err" 'recording to' 30 "$recpid" || { show "$T/pg.err"; die "record -p did not start"; }
# psql is not traced (not a descendant of the postmaster): its backend is.
runuser -u postgres -- "$PG/psql" -h "$PGD" -p "$PORT" -d postgres -Atc \
	"select pg_sleep(4), 'ipcs-titles'" >"$T/psql.out" 2>"$T/psql.err" &
psqlpid=$!
busy="postgres: postgres postgres [local] SELECT"
wait_until 20 '[[ -n $(role_of "$busy") ]]' || die "no backend titled '$busy' (psql: $(cat "$T/psql.err"))"
be=$(role_of "$busy")
# while it sleeps in the query: the recording being written gets its title
wait_until 30 '"$IPCS" report "$T/pg.ipcs" --json 2>/dev/null | jq -e --argjson b "$be" --arg t "$busy" \
	"any(.processes[]; .pid == \$b and .cmdline == \$t)" >/dev/null' ||
	check_eq "the recording got the backend's title while it ran" yes no
wait "$psqlpid"
check_eq "psql: exit status" 0 "$?"
check_eq "psql: its query's answer" "|ipcs-titles" "$(cat "$T/psql.out")"
kill -INT "$recpid"
bg_wait "$recpid" 30
check_eq "record: exit status after Ctrl-C" 0 "$BG_RC"
report_json pg
j=$T/pg.json

check_jq "every process is 'postgres' by comm" true "$j" \
	'[.processes[] | select(.pid == $a or .pid == $b or .pid == $c or .pid == $d) | .comm] | length == 4 and all(. == "postgres")' \
	--argjson a "$pm" --argjson b "$ckpt" --argjson c "$walw" --argjson d "$be"
check_jq "postmaster's title" "$pm_title" "$j" '.processes[] | select(.pid == $p) | .cmdline' --argjson p "$pm"
# PostgreSQL leaves a blank at the end of its titles: as /proc has it
check_jq "checkpointer's title" "postgres: checkpointer " "$j" \
	'.processes[] | select(.pid == $p) | .cmdline' --argjson p "$ckpt"
check_jq "walwriter's title" "postgres: walwriter " "$j" \
	'.processes[] | select(.pid == $p) | .cmdline' --argjson p "$walw"
# report shows a title as last read: the backend may have gone idle before it exited, so the
# query's title is looked for among the title records of the recording
"$IPCS" export "$T/pg.ipcs" --format jsonl -o "$T/pg.jsonl" 2>/dev/null
check_eq "the client's backend: its title while it ran the query" true \
	"$(jq -s --argjson p "$be" --arg t "$busy" \
		'any(.[]; .type == "cmdline" and .pid == $p and (.cmdline | startswith($t)))' "$T/pg.jsonl")"
"$IPCS" report "$T/pg.ipcs" >"$T/pg.txt" 2>&1
check_eq "report text: the checkpointer's title line" 1 \
	"$(grep -cE "^$ckpt +postgres +postgres: checkpointer *$" "$T/pg.txt")"
"$IPCS" replay --plain "$T/pg.ipcs" >"$T/pg.replay" 2>&1
check_eq "replay --plain: the walwriter's seeded title" 1 \
	"$(grep -cE "^ +[0-9.]+ +$walw/ title   postgres: walwriter *$" "$T/pg.replay")"
# The backend's segments are named by path: each one a file in /dev/shm whose
# inode (stat, the test's own look) is the segment's.
segs=$(jq -r --argjson b "$be" '.channels[] | select(.kind == "shm" and any(.mappers[]; .pid == $b)) | "\(.ino) \(.channel)"' "$j")
check_eq "the backend mapped PostgreSQL's dynamic shared memory" true \
	"$([[ -n $segs ]] && echo true || echo false)"
while read -r ino path; do
	[[ -n $ino ]] || continue
	check_eq "segment $ino: named by its /dev/shm path, which is that inode" "$ino" \
		"$([[ $path == /dev/shm/PostgreSQL.* ]] && stat -c %i "$path" 2>/dev/null)"
done <<<"$segs"
"$IPCS" export "$T/pg.ipcs" --format perfetto -o "$T/pg.pf.json" 2>/dev/null
check_jq "perfetto: the backend's track is named by its title" true "$T/pg.pf.json" \
	'any(.traceEvents[]; .ph == "M" and .name == "process_name" and .pid == $b and (.args.name | startswith("postgres: postgres postgres [local]")))' \
	--argjson b "$be"
live_finish
