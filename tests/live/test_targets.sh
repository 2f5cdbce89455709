#!/bin/bash
# shellcheck disable=SC2154,SC2016,SC2034 # role_pid sets variables; jq programs use $vars; C is read as ${!n}
# Targets combine (a union): `-c A -c B -- CMD` traces exactly A's, B's and
# CMD's traffic, nothing of a third workload C running at the same time, and
# seeds only the targets' processes (a process named A already running is
# seeded; the test's own shell, running too, is not). The same in stat.
# Each workload's byte count is its own (pipe_pair checks what its reader got).
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload pipe_pair

A=ta$$ B=tb$$ C=tc$$ D=td$$
# D: a process named like A's target list's third name, running before the trace
ln -s "$(command -v sleep)" "$T/$D" || die "ln"
"$T/$D" 120 &
dpid=$!
LIVE_BG_PIDS+=("$dpid")

# run NAME CMD...: record (or stat) with the targets; A, B and C start at the
# gate once tracing runs; CMD (gated too) starts after A and B are done
run() {
	local name=$1 rp
	shift
	rm -f "$T/gate" "$T/gate2"
	mkfifo "$T/gate" "$T/gate2" || die "mkfifo"
	for w in A:11:200 B:13:300 C:17:500; do
		IFS=: read -r n k s <<<"$w"
		sh -c "read x <'$T/gate'; exec '$WL/pipe_pair' $k $s 4093 ${!n} ${!n}" >"$T/$name.$n.out" 2>&1 &
		eval "wl_$n=\$!"
	done
	"$@" -c "$A" -c "$B" -c "$D" -- sh -c "read x <'$T/gate2'; exec '$WL/pipe_pair' 7 300" \
		</dev/null >"$T/$name.out" 2>"$T/$name.err" &
	rp=$!
	LIVE_BG_PIDS+=("$rp")
	# record and stat say so on stderr; live --plain --interval prints its first table
	for ((i = 0; i < 400; i++)); do
		grep -qE 'recording to|tracing' "$T/$name.err" 2>/dev/null && break
		grep -q '^# ' "$T/$name.out" 2>/dev/null && break
		kill -0 "$rp" 2>/dev/null || break
		sleep 0.05
	done
	if ((i >= 400)) || ! kill -0 "$rp" 2>/dev/null; then
		show "$T/$name.err"
		die "$name: never started"
	fi
	exec {g}>"$T/gate"
	exec {g}>&-
	for n in A B C; do
		bg_wait "$(eval echo "\$wl_$n")" 20
		check_eq "$name: workload $n exit status (its own byte check)" 0 "$BG_RC"
	done
	exec {g}>"$T/gate2"
	exec {g}>&-
	bg_wait "$rp" 30
	check_eq "$name: exit status (CMD's)" 0 "$BG_RC"
	((BG_RC == 0)) || show "$T/$name.err"
	role_pid aw "$T/$name.A.out" writer
	role_pid ar "$T/$name.A.out" reader
	role_pid bw "$T/$name.B.out" writer
	role_pid br "$T/$name.B.out" reader
	role_pid cw "$T/$name.C.out" writer
	role_pid cr "$T/$name.C.out" reader
	role_pid xw "$T/$name.out" writer
	role_pid xr "$T/$name.out" reader
}

check_targets() { # NAME JSON
	local j=$2
	check_conv "$1" pipe "$aw" "$A" "$ar" "$A" $((11 * 200)) 11
	check_conv "$1" pipe "$bw" "$B" "$br" "$B" $((13 * 300)) 13
	check_conv "$1" pipe "$xw" pp_writer "$xr" pp_reader $((7 * 300)) 7
	check_jq "$1: nothing of C (not a target)" 0 "$j" \
		'[.processes[] | select(.pid == $w or .pid == $r)] | length' --argjson w "$cw" --argjson r "$cr"
	# the test's shell is there as a peer only: the SIGCHLD of A's and B's writers (its children)
	check_jq "$1: the processes are the targets' (and this shell, their parent)" \
		"$(printf '%s\n' "$aw" "$ar" "$bw" "$br" "$xw" "$xr" "$dpid" $$ | sort -n | tr '\n' ' ')" "$j" \
		'[.processes[].pid] | unique | map(tostring) | join(" ") + " "'
	check_jq "$1: every conversation between two targets' processes (but the SIGCHLDs to this shell)" 0 "$j" \
		'[.conversations[] | select(.kind == "signal" and .b.pid == $me | not) | select(([.a.pid, .b.pid] - $t) != [])] | length' \
		--argjson t "[$aw, $ar, $bw, $br, $xw, $xr, $dpid]" --argjson me $$
	check_jq "$1: three pipe conversations" 3 "$j" '[.conversations[] | select(.kind == "pipe")] | length'
	check_jq "$1: $D, running before, known" 1 "$j" '[.processes[] | select(.pid == $p)] | length' --argjson p "$dpid"
}

run rec "$IPCS" record -o "$T/rec.ipcs"
report_json rec
check_targets rec "$T/rec.json"
# the seed: the targets' processes running when tracing began, and nothing else of the host
"$IPCS" export "$T/rec.ipcs" --format jsonl -o "$T/rec.jsonl" 2>"$T/rec.export.err" || die "export failed"
check_eq "rec: seeded processes: $D and CMD (started stopped), nothing else" \
	"$(printf '%s\n' "$dpid" "$xw" | sort -n | tr '\n' ' ')" \
	"$(jq -r 'select(.type == "seed_proc") | .pid' "$T/rec.jsonl" | sort -nu | tr '\n' ' ')"

run st "$IPCS" stat --json -o "$T/st.json"
jq -e . "$T/st.json" >/dev/null 2>&1 || die "stat --json: not JSON"
check_targets st "$T/st.json"

# live --plain --interval: its last table (after CMD exited) holds the same three pipe
# conversations with their exact bytes, and nothing of C
run lv "$IPCS" live --plain --interval 0.5
awk '/^# /{t = ""} {t = t $0 "\n"} END {printf "%s", t}' "$T/lv.out" >"$T/lv.last"
for w in "$aw/$A $ar/$A $((11 * 200))" "$bw/$B $br/$B $((13 * 300))" "$xw/pp_writer $xr/pp_reader $((7 * 300))"; do
	read -r a b n <<<"$w"
	check_eq "lv: last table: pipe $a -> $b bytes" "$n" \
		"$(awk -v a="a=$a" -v b="b=$b" '$1 == "pipe" && $3 == a && $4 == b { sub("ab_bytes=", "", $5); print $5 }' "$T/lv.last")"
done
check_eq "lv: last table: nothing of C" 0 "$(grep -c "=$cw/\|=$cr/" "$T/lv.last")"
live_finish
