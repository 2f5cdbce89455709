#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# Cgroups v2: which cgroup each process is in, and --cgroup PATH.
# Two fresh cgroups A and B: a shell moves itself into B and runs a pipe pair
# there (born in B), then forks a shell that moves itself into A (after fork)
# and execs a pipe pair. One recording follows the command (every process's
# cgroup exact in report --json, report text, jsonl and perfetto, figures
# exact); a second, whole-host with --cgroup A at the same time, holds only
# A's processes; a third with IPCSCOPE_DISABLE=cgroup shows what forks and
# execs alone still tell.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/export_lib.sh"
live_init "$@"
need_workload pipe_pair
mnt=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
[[ -n $mnt ]] || die "no cgroup2 filesystem mounted (mount -t cgroup2 none /sys/fs/cgroup)"
name=ipcscope-test-$$
A=$mnt/$name-a
B=$mnt/$name-b
mkdir "$A" || die "cannot create cgroup $A (is $mnt writable?)"
mkdir "$B" || { rmdir "$A"; die "cannot create cgroup $B"; }
trap 'rmdir "$A" "$B" 2>/dev/null; live_cleanup' EXIT
ida=$(stat -c %i "$A")
idb=$(stat -c %i "$B")
own=$(sed -n 's/^0:://p' /proc/self/cgroup)

# the workload: $1 = where its pids go
cat >"$T/run.sh" <<'SH'
echo $$ > "$B/cgroup.procs" || exit 3
echo "top=$$" > "$1/top.out"
"$WL/pipe_pair" 7 100 4093 b_writer b_reader > "$1/b.out" </dev/null || exit 4
sh -c 'echo $$ > "$A/cgroup.procs" && exec "$WL/pipe_pair" 10 100 4093 a_writer a_reader' \
	> "$1/a.out" </dev/null || exit 5
SH
export A B WL

# --cgroup A on the whole host, while the command is recorded
"$IPCS" record -v -o "$T/cg.ipcs" --cgroup "/$name-a" </dev/null >"$T/cg.out" 2>"$T/cg.err" &
rp=$!
LIVE_BG_PIDS+=("$rp")
wait_line "$T/cg.err" 'recording to' 20 "$rp" || { show "$T/cg.err"; die "record --cgroup did not start"; }
check_grep "--cgroup resolved to the directory" "$T/cg.err" "--cgroup $A: id $ida, level"
mkdir "$T/two"
rec two sh "$T/run.sh" "$T/two"
check_eq "record -- the workload: exit" 0 "$REC_RC"
kill -INT "$rp"
bg_wait "$rp" 20
check_eq "record --cgroup finished on SIGINT" 0 "$BG_RC"

role_pid top "$T/two/top.out" top
role_pid bw "$T/two/b.out" writer
role_pid br "$T/two/b.out" reader
role_pid aw "$T/two/a.out" writer
role_pid ar "$T/two/a.out" reader

# ---- report --json: every process's cgroup, exact ----
report_json two
check_recording two
check_conv two pipe "$bw" b_writer "$br" b_reader 700 7
check_conv two pipe "$aw" a_writer "$ar" a_reader 1000 10
cgof() {	# cgof JSON PID: "id path" of that process (the last instance)
	jq -r --argjson p "$2" '[.processes[] | select(.pid == $p)] | last | "\(.cgroup_id) \(.cgroup)"' "$1"
}
check_eq "top shell: moved into B" "$idb /$name-b" "$(cgof "$T/two.json" "$top")"
check_eq "b_writer: born in B (fork)" "$idb /$name-b" "$(cgof "$T/two.json" "$bw")"
check_eq "b_reader: born in B" "$idb /$name-b" "$(cgof "$T/two.json" "$br")"
check_eq "a_writer: moved into A after fork" "$ida /$name-a" "$(cgof "$T/two.json" "$aw")"
check_eq "a_reader: forked in A" "$ida /$name-a" "$(cgof "$T/two.json" "$ar")"
check_jq "every process has a named cgroup" 0 "$T/two.json" '[.processes[] | select(.cgroup == null)] | length'

# ---- report text: a line per cgroup ----
"$IPCS" report "$T/two.ipcs" >"$T/two.txt" 2>&1
check_eq "report text: exit" 0 "$?"
# (columns as wide as the longest path: any run of blanks between them)
check_eq "report text: the CGROUP table" 1 "$(grep -cE '^CGROUP +PROCESSES$' "$T/two.txt")"
check_eq "report text: A's processes" 1 "$(grep -cE "^/$name-a +$aw/a_writer $ar/a_reader\$" "$T/two.txt")"
check_eq "report text: B's processes" 1 "$(grep -cE "^/$name-b +$top/sh $bw/b_writer $br/b_reader\$" "$T/two.txt")"

# ---- jsonl: process objects carry their cgroup; moves and names are events ----
export_to two jsonl
J=$T/two.jsonl
check_jq "jsonl: a_reader's fork in A" "/$name-a" "$J" \
	'[.[] | select(.type == "proc" and .op == "fork" and .pid == $p)][0].cgroup' --slurp --argjson p "$ar"
check_jq "jsonl: a_writer's exec in A" "/$name-a" "$J" \
	'[.[] | select(.type == "proc" and .op == "exec" and .pid == $p)][-1].cgroup' --slurp --argjson p "$aw"
check_jq "jsonl: b_reader's fork in B" "$idb /$name-b" "$J" \
	'[.[] | select(.type == "proc" and .op == "fork" and .pid == $p)][0] | "\(.cgroup_id) \(.cgroup)"' \
	--slurp --argjson p "$br"
check_jq "jsonl: the two moves (top shell to B, inner shell to A)" "$top:/$name-b $aw:/$name-a" "$J" \
	'[.[] | select(.type == "cgroup") | "\(.pid):\(.cgroup)"] | join(" ")' --slurp
check_jq "jsonl: A and B named once each" "1 1" "$J" \
	'"\([.[] | select(.type == "cgroup_name" and .cgroup_id == $a)] | length) \([.[] | select(.type == "cgroup_name" and .cgroup_id == $b)] | length)"' \
	--slurp --arg a "$ida" --arg b "$idb"
check_jq "jsonl: every name before its first use" true "$J" \
	'. as $e | [range(length) | select($e[.].cgroup_id != null and $e[.].cgroup_id != "0" and $e[.].type != "cgroup_name")] |
	 all(. as $i | [$e[0:$i][] | select(.type == "cgroup_name" and .cgroup_id == $e[$i].cgroup_id)] | length > 0)' \
	--slurp

# ---- perfetto: the cgroup as a process label ----
export_to two perfetto
check_jq "perfetto: a_reader labelled with A" "cgroup:/$name-a" "$T/two.perfetto" \
	'[.traceEvents[] | select(.ph == "M" and .name == "process_labels" and .pid == $p)][0].args.labels' \
	--argjson p "$ar"

# ---- dot: the cgroup as a node attribute (and SVG tooltip) ----
export_to two dot
check_grep "dot: a_reader's node names A" "$T/two.dot" \
	"pid=$ar, comm=\"a_reader\", cgroup=\"/$name-a\", tooltip=\"/$name-a\""

# ---- --cgroup A: only A's processes, all in A ----
report_json cg
check_recording cg
check_conv cg pipe "$aw" a_writer "$ar" a_reader 1000 10
check_jq "--cgroup A: no process of B" 0 "$T/cg.json" \
	'[.processes[] | select(.pid == $w or .pid == $r)] | length' --argjson w "$bw" --argjson r "$br"
# seeded too: only what was in A when recording began (nothing), not the host;
# the top shell (in B) is there only as the receiver of a_writer's SIGCHLD
check_jq "--cgroup A: A's processes in A, and the SIGCHLD receiver unknown" \
	"$top:null $aw:/$name-a $ar:/$name-a" "$T/cg.json" '[.processes | sort_by(.pid)[] | "\(.pid):\(.cgroup)"] | join(" ")'
check_jq "--cgroup A: the top shell only as a_writer's SIGCHLD receiver" "signal SIGCHLD $aw" "$T/cg.json" \
	'[.conversations[] | select(.a.pid == $t or .b.pid == $t) | "\(.kind) \(.channel) \(.a.pid)"] | join(",")' \
	--argjson t "$top"
check_jq "--cgroup A: the one pipe conversation" 1 "$T/cg.json" '[.conversations[] | select(.kind == "pipe")] | length'

# ---- live --cgroup A: the viewer's plain table holds A's pipe only ----
"$IPCS" live -v --plain --interval 0.5 --cgroup "/$name-a" </dev/null >"$T/lv.out" 2>"$T/lv.err" &
lp=$!
LIVE_BG_PIDS+=("$lp")
wait_line "$T/lv.out" '^# ' 20 "$lp" || { show "$T/lv.err"; die "live --cgroup did not start"; }
check_grep "live --cgroup resolved to the directory" "$T/lv.err" "--cgroup $A: id $ida, level"
mkdir "$T/live"
sh "$T/run.sh" "$T/live" </dev/null >/dev/null 2>&1
check_eq "live --cgroup: the workload's exit" 0 "$?"
kill -INT "$lp"
bg_wait "$lp" 20
check_eq "live --cgroup finished on SIGINT" 0 "$BG_RC"
role_pid bw "$T/live/b.out" writer
role_pid aw "$T/live/a.out" writer
role_pid ar "$T/live/a.out" reader
last=$(grep -n '^# ' "$T/lv.out" | tail -1 | cut -d: -f1)
tail -n +"$last" "$T/lv.out" >"$T/lv.last"
check_eq "live --cgroup A: A's pipe, exact" \
	"a=$aw/a_writer b=$ar/a_reader ab_bytes=1000 ab_msgs=10 ba_bytes=0 ba_msgs=0" \
	"$(grep "^pipe .* a=$aw/a_writer " "$T/lv.last" | awk '{print $3, $4, $5, $6, $8, $9}')"
check_eq "live --cgroup A: nothing of B's pipe" 0 "$(grep -c "b_writer\|b_reader\|a=$bw/" "$T/lv.last")"

# ---- without cgroup_attach_task: forks and execs still say where ----
mkdir "$T/nomove"
IPCSCOPE_DISABLE=cgroup "$IPCS" record -o "$T/nomove.ipcs" -- sh "$T/run.sh" "$T/nomove" \
	</dev/null >"$T/nomove.rec.out" 2>"$T/nomove.rec.err"
check_eq "IPCSCOPE_DISABLE=cgroup: record exit" 0 "$?"
check_grep "IPCSCOPE_DISABLE=cgroup: says what is not seen" "$T/nomove.rec.err" \
	"without cgroup_attach_task: moves of processes to other cgroups not seen"
role_pid top "$T/nomove/top.out" top
role_pid bw "$T/nomove/b.out" writer
role_pid aw "$T/nomove/a.out" writer
role_pid ar "$T/nomove/a.out" reader
report_json nomove
check_conv nomove pipe "$aw" a_writer "$ar" a_reader 1000 10
# the top shell's move is not seen: it is where it started until its exit says B
export_to nomove jsonl
check_jq "no moves: no move records" 0 "$T/nomove.jsonl" '[.[] | select(.type == "cgroup")] | length' --slurp
check_jq "no moves: the top shell's exec in its first cgroup" "$own" "$T/nomove.jsonl" \
	'[.[] | select(.type == "proc" and .op == "exec" and .pid == $p)][0].cgroup' --slurp --argjson p "$top"
check_eq "no moves: the top shell's exit says B" "$idb /$name-b" "$(cgof "$T/nomove.json" "$top")"
check_eq "no moves: b_writer from its fork" "$idb /$name-b" "$(cgof "$T/nomove.json" "$bw")"
check_eq "no moves: a_writer from its exec" "$ida /$name-a" "$(cgof "$T/nomove.json" "$aw")"

"$IPCS" record -o "$T/x.ipcs" --cgroup /no/such/cgroup -- true 2>"$T/e1"
check_eq "--cgroup of a missing cgroup: fails" 1 "$?"
check_grep "--cgroup: says where to look" "$T/e1" "/proc/PID/cgroup"
[[ -e $T/x.ipcs ]] && bad "--cgroup failure left a file" || ok "--cgroup failure leaves no file"
live_finish
