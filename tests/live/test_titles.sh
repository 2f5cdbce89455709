#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# Process titles, futexes and POSIX shm names (issue 16, items 6 and 7), on
# titles_shm started BEFORE ipcscope: two processes that rewrite their argv
# area in place as PostgreSQL does, then hand a futex in /dev/shm/ipcs_ttl_PID
# back and forth N times (strict handoffs, checked by the workload itself:
# every wake wakes exactly one sleeping waiter).
#   record -p: titles (seeded, then changed) in report text/JSON, replay,
#   jsonl, perfetto process names and dot; the futex conversation's exact
#   counts in report, dot edges and perfetto wake -> wait flows; the segment
#   named by its path.
#   live --plain --interval 1: the futex row with exact counts.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload titles_shm

PAD=$(printf '%0100d' 0)	# room in argv for the titles

# title_of PID: /proc/PID/cmdline as ps shows it (the test's own read)
title_of() {
	tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | sed 's/ *$//'
}

# start_wl NAME N: titles_shm in the background; sets wlpid p c ino name
start_wl() {
	"$WL/titles_shm" "$2" "$PAD" >"$T/$1.wl.out" 2>"$T/$1.wl.err" &
	wlpid=$!
	LIVE_BG_PIDS+=("$wlpid")
	wait_line "$T/$1.wl.out" '^child=' 10 "$wlpid" || { show "$T/$1.wl.err"; die "titles_shm did not start"; }
	role_pid p "$T/$1.wl.out" parent
	role_pid c "$T/$1.wl.out" child
	role_pid ino "$T/$1.wl.out" ino
	name=$(sed -n 's/^name=//p' "$T/$1.wl.out")
	# the titles are set right after the pids are printed
	wait_until 10 '[[ $(title_of "$p") == "ttl_parent: idle" && $(title_of "$c") == "ttl_child: idle" ]]' ||
		die "$1: titles_shm's idle titles not in /proc ($(title_of "$p") / $(title_of "$c"))"
}

# wait_until SECS 'shell condition'
wait_until() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		eval "$2" && return 0
		sleep 0.1
	done
	return 1
}

N=25
start_wl rec "$N"
busy_p="ttl_parent: serving $N rounds"
busy_c="ttl_child: client of $p"
"$IPCS" record -o "$T/rec.ipcs" -p "$p" -p "$c" </dev/null >"$T/rec.out" 2>"$T/rec.err" &
recpid=$!
LIVE_BG_PIDS+=("$recpid")
wait_line "$T/rec.err" 'recording to' 20 "$recpid" || { show "$T/rec.err"; die "record -p did not start"; }
kill -USR1 "$p" "$c"
# The titles change with no syscall: wait until /proc shows them (independent
# read), then until the recording being written has them, then let both go.
wait_until 20 '[[ $(title_of "$p") == "$busy_p" && $(title_of "$c") == "$busy_c" ]]' ||
	die "the workload's busy titles never showed in /proc"
wait_until 30 '"$IPCS" report "$T/rec.ipcs" --json 2>/dev/null | jq -e --argjson p "$p" --argjson c "$c" \
	--arg bp "$busy_p" --arg bc "$busy_c" \
	"[.processes[] | select((.pid == \$p and .cmdline == \$bp) or (.pid == \$c and .cmdline == \$bc))] | length == 2" \
	>/dev/null' || check_eq "the recording got the changed titles while the processes ran" yes no
kill -USR1 "$p" "$c"
bg_wait "$wlpid" 20
check_eq "workload exit status (its own check: every wake woke one waiter)" 0 "$BG_RC"
((BG_RC == 0)) || show "$T/rec.wl.err"
bg_wait "$recpid" 20
check_eq "record -p exit status once both pids exited" 0 "$BG_RC"
((BG_RC == 0)) || show "$T/rec.err"
report_json rec
check_recording rec
j=$T/rec.json

# titles: JSON, text, replay, jsonl (the seeded one, then the change)
check_jq "report JSON: the parent's title as /proc showed it" "$busy_p" "$j" \
	'.processes[] | select(.pid == $p) | .cmdline' --argjson p "$p"
check_jq "report JSON: the child's title" "$busy_c" "$j" \
	'.processes[] | select(.pid == $c) | .cmdline' --argjson c "$c"
check_jq "report JSON: not cut" "false false" "$j" \
	'[.processes[] | select(.pid == $p or .pid == $c) | .cmdline_cut] | map(tostring) | join(" ")' \
	--argjson p "$p" --argjson c "$c"
"$IPCS" report "$T/rec.ipcs" >"$T/rec.txt" 2>&1
check_eq "report text: the parent's title line" 1 \
	"$(grep -cE "^$p +ttl_parent +ttl_parent: serving $N rounds \(exited\)$" "$T/rec.txt")"
check_eq "report text: the child's title line" 1 \
	"$(grep -cE "^$c +ttl_child +ttl_child: client of $p \(exited\)$" "$T/rec.txt")"
"$IPCS" replay --plain "$T/rec.ipcs" >"$T/rec.replay" 2>"$T/rec.replay.err"
check_eq "replay --plain: exit status" 0 "$?"
check_eq "replay --plain: the parent's titles, idle (seed) then busy" "ttl_parent: idle|$busy_p" \
	"$(grep -E "^ +[0-9.]+ +$p/ title " "$T/rec.replay" | sed 's/.* title   //' | uniq | paste -sd'|')"
check_eq "replay --plain: the child's titles" "ttl_child: idle|$busy_c" \
	"$(grep -E "^ +[0-9.]+ +$c/ title " "$T/rec.replay" | sed 's/.* title   //' | uniq | paste -sd'|')"
"$IPCS" export "$T/rec.ipcs" --format jsonl -o "$T/rec.jsonl" 2>"$T/rec.jsonl.err"
check_eq "export jsonl: exit status" 0 "$?"
check_eq "jsonl: the parent's cmdline records (consecutive repeats folded), argv split" \
	"ttl_parent: idle|$busy_p" \
	"$(jq -r --argjson p "$p" 'select(.type == "cmdline" and .pid == $p) | .argv | join(" ")' "$T/rec.jsonl" | uniq | paste -sd'|')"

# the futex: exact counts, its segment named by path
FX='[.conversations[] | select(.kind == "futex")]'
check_jq "one futex conversation" 1 "$j" "$FX | length"
check_jq "futex: a = parent, b = child, channel by inode + offset" "$p $c futex:[$ino]+128" "$j" \
	"${FX}[0] | \"\(.a.pid) \(.b.pid) \(.channel)\""
check_jq "futex: wakes and waits each way" "$N $N $N $N" "$j" \
	"${FX}[0] | \"\(.a_to_b.msgs) \(.a_to_b.waits) \(.b_to_a.msgs) \(.b_to_a.waits)\""
check_jq "futex: the segment it lives in" "$name" "$j" "${FX}[0].key.segment"
check_jq "shm: the segment is named by its path, not shm:[ino]" "$name" "$j" \
	'.channels[] | select(.kind == "shm" and .ino == $i) | .channel' --arg i "$ino"
check_eq "report text: the segment by path" 1 "$(grep -cE "^shm +$name +$c/ttl_child " "$T/rec.txt")"
check_eq "replay --plain: the segment's name record" 1 \
	"$(grep -cF "shm:[$ino] is $name" "$T/rec.replay")"

# dot: futex edges both ways with the exact counts; titles as tooltips
"$IPCS" export "$T/rec.ipcs" --format dot -o "$T/rec.dot" 2>"$T/rec.dot.err"
check_eq "export dot: exit status" 0 "$?"
check_eq "dot: futex edge parent -> child" 1 \
	"$(grep -cE "^  \"p$p\.[0-9]+\" -> \"p$c\.[0-9]+\" \[kind=\"futex\", bytes=0, msgs=$N, .*waits=$N," "$T/rec.dot")"
check_eq "dot: futex edge child -> parent" 1 \
	"$(grep -cE "^  \"p$c\.[0-9]+\" -> \"p$p\.[0-9]+\" \[kind=\"futex\", bytes=0, msgs=$N, .*waits=$N," "$T/rec.dot")"
check_eq "dot: the parent's node has its title (cmdline, tooltip)" 1 \
	"$(grep -cF "cmdline=\"$busy_p\", tooltip=\"$busy_p\"" "$T/rec.dot")"

# perfetto: one flow per wake -> wait it ended, bound to the two processes
"$IPCS" export "$T/rec.ipcs" --format perfetto -o "$T/rec.pf.json" 2>"$T/rec.pf.err"
check_eq "export perfetto: exit status" 0 "$?"
FL='[.traceEvents[] | select(.cat == "flow" and .name == "wake")]'
check_jq "perfetto: $((2 * N)) wake flows, each id one start and one end" "$((2 * N)) true" "$T/rec.pf.json" \
	"$FL | group_by(.id) | \"\(length) \(all(length == 2 and (map(.ph) | sort) == [\"f\", \"s\"]))\""
check_jq "perfetto: parent's wakes -> child's waits, and back" "$N $N" "$T/rec.pf.json" \
	"$FL | group_by(.id) | map({s: (.[] | select(.ph == \"s\")), f: (.[] | select(.ph == \"f\"))})
	 | \"\(map(select(.s.pid == \$p and .f.pid == \$c)) | length) \(map(select(.s.pid == \$c and .f.pid == \$p)) | length)\"" \
	--argjson p "$p" --argjson c "$c"
check_jq "perfetto: each flow ends inside a futex wait slice of the waiter" true "$T/rec.pf.json" \
	"[.traceEvents[] | select(.ph == \"X\" and .cat == \"futex\")] as \$x | $FL | map(select(.ph == \"f\"))
	 | all(. as \$f | any(\$x[]; .tid == \$f.tid and .ts <= \$f.ts and \$f.ts <= .ts + .dur and .name == \"futex\"))"
check_jq "perfetto: futex_flows in otherData" "$((2 * N))" "$T/rec.pf.json" '.otherData.futex_flows'
check_jq "perfetto: processes named by their titles" "$busy_p|$busy_c" "$T/rec.pf.json" \
	'[.traceEvents[] | select(.ph == "M" and .name == "process_name" and (.pid == $p or .pid == $c))]
	 | sort_by(.pid != $p) | map(.args.name) | join("|")' --argjson p "$p" --argjson c "$c"

# a title with terminal controls (argv is the program's to choose): escaped everywhere
rec esc sh -c 'sleep 1.5' x $'\e[31mred\a\x7f'
check_eq "esc: record exit status" 0 "$REC_RC"
report_json esc
check_jq "esc: JSON has the title's bytes (JSON-escaped)" true "$T/esc.json" \
	'any(.processes[]; .cmdline == "sh -c sleep 1.5 x \u001b[31mred\u0007\u007f")'
"$IPCS" report "$T/esc.ipcs" >"$T/esc.txt" 2>&1
check_grep "esc: report text shows it escaped" "$T/esc.txt" 'sh -c sleep 1.5 x \x1b[31mred\x07\x7f'
check_no_raw "esc: report text is inert" "$T/esc.txt"
"$IPCS" replay --plain "$T/esc.ipcs" >"$T/esc.replay" 2>&1
check_grep "esc: replay --plain shows it escaped" "$T/esc.replay" 'title   sh -c sleep 1.5 x \x1b[31mred\x07\x7f'
check_no_raw "esc: replay --plain is inert" "$T/esc.replay"
"$IPCS" export "$T/esc.ipcs" --format dot -o "$T/esc.dot" 2>/dev/null
check_no_raw "esc: dot is inert" "$T/esc.dot"

# record -G 1: every file of a rotated recording names the titles of the
# processes it holds, the file with only their exits too (from memory: /proc
# has no title for an exiting process)
start_wl rot 10
"$IPCS" record -o "$T/rot.ipcs" -G 1 -p "$p" -p "$c" </dev/null >"$T/rot.out" 2>"$T/rot.err" &
recpid=$!
LIVE_BG_PIDS+=("$recpid")
wait_line "$T/rot.err" 'recording to' 20 "$recpid" || { show "$T/rot.err"; die "record -G did not start"; }
kill -USR1 "$p" "$c"
wait_until 20 '[[ $(title_of "$p") == "ttl_parent: serving 10 rounds" ]]' || die "rot: no busy title"
wait_until 20 '[[ -e $T/rot.ipcs.2 ]]' || die "rot: record -G 1 made no third file"
kill -USR1 "$p" "$c"
bg_wait "$wlpid" 20
check_eq "rot: workload exit status" 0 "$BG_RC"
bg_wait "$recpid" 20
check_eq "rot: record -G exit status" 0 "$BG_RC"
nfiles=0
for f in "$T"/rot.ipcs.*; do
	"$IPCS" report --json "$f" >"$f.json" 2>/dev/null || die "report $f"
	if jq -e --argjson p "$p" --argjson c "$c" 'any(.processes[]; .pid == $p or .pid == $c)' "$f.json" >/dev/null; then
		nfiles=$((nfiles + 1))
		check_jq "rot: $(basename "$f"): both processes' titles" true "$f.json" \
			'[.processes[] | select(.pid == $p or .pid == $c) | .cmdline // ""]
			 | length == 2 and all(test("^ttl_(parent|child): "))' --argjson p "$p" --argjson c "$c"
	fi
done
check_eq "rot: the processes are in two files at least (start, exit)" true \
	"$( ((nfiles >= 2)) && echo true || echo "false ($nfiles)")"

# live --plain --interval 1: the futex row, exact, in the periodic tables
M=30
start_wl lv "$M"
"$IPCS" live --plain --interval 1 -p "$p" -p "$c" </dev/null >"$T/lv.out" 2>"$T/lv.err" &
lvpid=$!
LIVE_BG_PIDS+=("$lvpid")
wait_line "$T/lv.out" '^# ' 20 "$lvpid" || { show "$T/lv.err"; die "live --interval printed no table"; }
kill -USR1 "$p" "$c"
row="a=$p/ttl_parent b=$c/ttl_child ab_bytes=0 ab_msgs=$M ab_rate=0 ba_bytes=0 ba_msgs=$M ba_rate=0"
wait_until 30 'grep -qF "futex channel=futex:[$ino]+128 $row" "$T/lv.out"' ||
	{ show "$T/lv.out" 60; check_eq "live --interval: a periodic table has the futex row" yes no; }
kill -USR1 "$p" "$c"
bg_wait "$wlpid" 20
check_eq "live: workload exit status" 0 "$BG_RC"
bg_wait "$lvpid" 20
check_eq "live --interval exits once both pids are gone" 0 "$BG_RC"
check_eq "live --interval: futex rows with the exact counts, in the periodic and final tables" true \
	"$( (($(grep -cF "futex channel=futex:[$ino]+128 $row" "$T/lv.out") >= 2)) && echo true || echo false)"
check_no_raw "live --interval output is inert" "$T/lv.out"
live_finish
