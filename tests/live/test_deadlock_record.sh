#!/bin/bash
# shellcheck disable=SC2154 # role_pid sets the variables
# A recording holds the long waits: `record -- dl_mixed` (mutex + pipe cycle
# across two processes) until report shows the cycle, then Ctrl-C; the
# finished file's report lists exactly that cycle with its times, text and
# JSON; its dot export adds the wait-for graph with the cycle's two edges.
# A slow pipeline recorded the same way has no cycle (and no wait-for graph).
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload dl_mixed dl_fine
for tool in jq dot gvpr; do
	command -v "$tool" >/dev/null || die "$tool missing: run tests/setup/install-deps.sh (graphviz, jq)"
done
EV="lock word owner (glibc mutex __owner)"

# record_until NAME JQ-CONDITION CMD...: record CMD in the background until
# the growing file's report satisfies the condition (30 s at most), then
# stop the recorder with SIGINT.
record_until() {
	local name=$1 cond=$2 i pid
	shift 2
	"$IPCS" record -q -o "$T/$name.ipcs" -- "$@" </dev/null >"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
	LIVE_BG_PIDS+=("$pid")
	for ((i = 0; i < 300; i++)); do
		# (jq -e succeeds on empty input: only ask it once report worked)
		"$IPCS" report "$T/$name.ipcs" --json >"$T/$name.poll" 2>/dev/null &&
			[[ -s $T/$name.poll ]] && jq -e "$cond" "$T/$name.poll" >/dev/null 2>&1 && break
		kill -0 "$pid" 2>/dev/null || die "$name: the recorder exited early: $(cat "$T/$name.err")"
		sleep 0.1
	done
	((i < 300)) || die "$name: the condition '$cond' never held"
	kill -INT "$pid"
	bg_wait "$pid" 30
	REC_RC=$BG_RC
}

record_until mixed '.deadlocks.cycles | length > 0' "$WL/dl_mixed"
# SIGINT is passed to the traced command, which dies of it: 128 + 2
check_eq "mixed: record exit status (the command's, killed by SIGINT)" 130 "$REC_RC"
role_pid a "$T/mixed.out" a
role_pid b "$T/mixed.out" b
role_pid pino "$T/mixed.out" pipe_ino
mu=$(sed -n 's/^mutex=\(0x[0-9a-f]*\)$/\1/p' "$T/mixed.out")
report_json mixed
j=$T/mixed.json
check_jq "mixed: clean, no drops" "true 0" "$j" '"\(.status.clean) \(.drops.total)"'
check_jq "mixed: one cycle" 1 "$j" '.deadlocks.cycles | length'
wa="$a mixed_a pipe pipe:[$pino] -> $b (pipe write end held by)"
wb="$b mixed_b mutex $mu -> $a ($EV)"
if ((a < b)); then want="$wa; $wb"; else want="$wb; $wa"; fi
check_jq "mixed: the cycle's threads" "$want" "$j" \
	'.deadlocks.cycles[0].threads | sort_by(.tid) | map("\(.tid) \(.comm) \(.waits_for.kind) \(.waits_for.object) -> \(.held_by.tid) (\(.held_by.evidence))") | join("; ")'
# (a thread may be seen as a long wait a scan before the cycle closes: found_ns <= the cycle's)
check_jq "mixed: found after both waited 1 s, both began before it" true "$j" \
	'.deadlocks.cycles[0] | .found_ns as $f | .threads | all(.enter_ns + 1000000000 <= $f and .found_ns <= $f)'
check_jq "mixed: waits last until the processes die at the end" true "$j" \
	'.deadlocks.cycles[0].threads | all(.end_ns == null or .end_ns > .found_ns)'
check_jq "mixed: no stalls" 0 "$j" '.deadlocks.stalls | length'
check_jq "mixed: two long waits, none lost" "2 0" "$j" '"\(.deadlocks.long_waits) \(.deadlocks.lost)"'
"$IPCS" report "$T/mixed.ipcs" >"$T/mixed.txt" 2>&1
check_grep "mixed: text report headline" "$T/mixed.txt" "DEADLOCK 1 found at +"
check_grep "mixed: text report owner" "$T/mixed.txt" "$EV $a/$a"
check_no_raw "mixed: text report is escaped" "$T/mixed.txt"

# dot: the wait-for graph follows the conversation graph, its edges read back with gvpr
# dot_graphs NAME: the names of the graphs in $T/NAME.dot, on one line
dot_graphs() { gvpr 'BEG_G { printf("%s ", $G.name); }' "$T/$1.dot"; }
"$IPCS" export "$T/mixed.ipcs" --format dot -o "$T/mixed.dot" 2>"$T/mixed.dot.err" ||
	die "export mixed --format dot failed: $(cat "$T/mixed.dot.err")"
check_eq "mixed: dot holds the conversation and the wait-for graph" "ipcscope waits " "$(dot_graphs mixed)"
check_eq "mixed: wait-for nodes (the cycle's two threads)" \
	"$(printf '%s\n' "$a $a mixed_a" "$b $b mixed_b" | sort)" \
	"$(gvpr 'N [$G.name == "waits"] { printf("%s %s %s\n", $.pid, $.tid, $.comm); }' "$T/mixed.dot" | sort)"
check_eq "mixed: wait-for edges, both red in cycle 1" \
	"$(printf '%s\n' "$a $b pipe pipe:[$pino] pipe write end held by 1 red 3" \
		"$b $a mutex $mu $EV 1 red 3" | sort)" \
	"$(gvpr 'E [$G.name == "waits"] { printf("%s %s %s %s %s %s %s %s\n", tail.tid, head.tid, $.kind,
		$.object, $.evidence, $.cycle, $.color, $.penwidth); }' "$T/mixed.dot" | sort)"
# -O: one SVG per graph (mixed.dot.svg, mixed.dot.2.svg)
if dot -Tsvg -O "$T/mixed.dot" 2>"$T/mixed.svg.err"; then
	ok "mixed: dot -Tsvg lays both graphs out"
else
	bad "mixed: dot -Tsvg failed: $(head -3 "$T/mixed.svg.err")"
fi
check_eq "mixed: the wait-for svg draws 2 edges" 2 "$(grep -c 'class="edge"' "$T/mixed.dot.2.svg")"

# a slow pipeline: the writer sleeps 20 ms between bytes, nobody waits 1 s
"$IPCS" record -q -o "$T/pl.ipcs" --duration 3 -- "$WL/dl_fine" pipeline </dev/null >"$T/pl.out" 2>"$T/pl.err"
check_eq "pl: record exit status (--duration ends it, the command is killed)" 143 "$?"
report_json pl
check_jq "pl: no cycles, no long waits" "0 0" "$T/pl.json" '"\(.deadlocks.cycles | length) \(.deadlocks.long_waits)"'
"$IPCS" export "$T/pl.ipcs" --format dot -o "$T/pl.dot" 2>"$T/pl.dot.err" ||
	die "export pl --format dot failed: $(cat "$T/pl.dot.err")"
check_eq "pl: dot holds the conversation graph only" "ipcscope " "$(dot_graphs pl)"
live_finish
