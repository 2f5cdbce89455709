#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# preopened: the pipe and the fork happen before `record -p`; only seeding
# from /proc can name both ends.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload preopened

"$WL/preopened" 12000 1500 >"$T/wl.out" 2>"$T/wl.err" &
wlpid=$!
LIVE_BG_PIDS+=("$wlpid")
wait_line "$T/wl.out" '^writer=' 10 "$wlpid" && wait_line "$T/wl.out" '^reader=' 10 "$wlpid" ||
	{ show "$T/wl.err"; die "preopened did not print its pids"; }
role_pid w "$T/wl.out" writer
role_pid r "$T/wl.out" reader
role_pid ino "$T/wl.out" ino
role_pid rfd "$T/wl.out" rfd
role_pid wfd "$T/wl.out" wfd
check_eq "writer is the process started" "$wlpid" "$w"

# 1. While both sleep: only the seed knows the pipe. Exactly two holders,
# each listed once, with the fd and the end it holds.
timeout 20 "$IPCS" record -o "$T/idle.ipcs" -p "$w" -p "$r" --duration 1 </dev/null \
	>"$T/idle.out" 2>"$T/idle.err"
rc=$?
check_eq "idle record --duration 1: exit status" 0 "$rc"
((rc == 0)) || show "$T/idle.err"
report_json idle
check_recording idle
check_jq "idle: no conversations (no bytes moved)" 0 "$T/idle.json" '.conversations | length'
check_jq "idle: the pipe, by inode" "pipe pipe:[$ino]" "$T/idle.json" \
	'[.channels[] | select(.ino == $i) | "\(.kind) \(.channel)"] | join(",")' --arg i "$ino"
check_jq "idle: its holders (seeded from /proc)" \
	"$w po_writer $wfd w,$r po_reader $rfd r" "$T/idle.json" \
	'[.channels[] | select(.ino == $i) | .holders[] | "\(.pid) \(.comm) \(.fd) \(.mode)"] | sort | join(",")' \
	--arg i "$ino"
check_jq "idle: the two processes, each listed once" "1 1 2" "$T/idle.json" \
	'[.processes[] | select(.pid == $w)] as $pw | [.processes[] | select(.pid == $r)] as $pr
	 | "\($pw | length) \($pr | length) \(.processes | length)"' --argjson w "$w" --argjson r "$r"
# one line per event: the only events on this pipe are the two seeded fds
"$IPCS" replay "$T/idle.ipcs" --plain >"$T/idle.replay" 2>"$T/idle.replay.err"
check_eq "idle: replay --plain exit status" 0 "$?"
check_eq "idle: replay lines on pipe:[$ino] (one per seeded fd)" 2 \
	"$(grep -cF "pipe:[$ino]" "$T/idle.replay")"

# 2. Record again, then let them talk.
rec_pids_released po "$wlpid" "$w" "$r"
check_recording po
check_conv po pipe "$w" po_writer "$r" po_reader 12000 8
check_eq "po: conversation on the seeded pipe" "pipe:[$ino]" "$(conv_channel po "$w" "$r")"
check_jq "no other conversations" 1 "$T/po.json" '[.conversations[] | select(.kind != "signal")] | length'
check_jq "seeded writer is named" po_writer "$T/po.json" \
	'.processes[] | select(.pid == $p) | .comm' --argjson p "$w"
check_jq "seeded reader is named" po_reader "$T/po.json" \
	'.processes[] | select(.pid == $p) | .comm' --argjson p "$r"
live_finish
