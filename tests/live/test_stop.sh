#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# record -p stops at --duration, on SIGINT, and leaves a clean recording.
source "$(dirname "$0")/lib.sh"
live_init "$@"

sleep 60 &
sl=$!
LIVE_BG_PIDS+=("$sl")

start=$(date +%s%N)
timeout 20 "$IPCS" record -o "$T/dur.ipcs" -p "$sl" --duration 2 </dev/null >"$T/dur.out" 2>"$T/dur.err"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check_eq "--duration 2: exit status" 0 "$rc"
((rc == 0)) || show "$T/dur.err"
# timings are the one place for a range: attach time varies
check_eq "--duration 2: stopped after 2 s, before 10 s" true \
	"$( ((ms >= 2000 && ms <= 10000)) && echo true || echo "false (${ms} ms)")"
report_json dur
check_jq "--duration: clean" true "$T/dur.json" '.status.clean'
check_jq "--duration: target seeded, not exited" "1 false" "$T/dur.json" \
	'[.processes[] | select(.pid == $p)] | "\(length) \(map(.exited) | any)"' --argjson p "$sl"

# bash starts background jobs with SIGINT ignored; give record the default
# disposition a foreground command (and Ctrl-C) would see
env --default-signal=INT "$IPCS" record -o "$T/int.ipcs" -p "$sl" </dev/null >"$T/int.out" 2>"$T/int.err" &
recpid=$!
LIVE_BG_PIDS+=("$recpid")
wait_line "$T/int.err" 'recording to' 20 "$recpid" ||
	{ show "$T/int.err"; die "record -p never printed 'recording to'"; }
kill -INT "$recpid"
bg_wait "$recpid" 10
check_eq "SIGINT: record stops (0 or 130)" true \
	"$([[ $BG_RC == 0 || $BG_RC == 130 ]] && echo true || echo "false (exit $BG_RC)")"
report_json int
check_jq "SIGINT: clean" true "$T/int.json" '.status.clean'

# every given pid gone -> record ends by itself
"$IPCS" record -o "$T/gone.ipcs" -p "$sl" </dev/null >"$T/gone.out" 2>"$T/gone.err" &
recpid=$!
LIVE_BG_PIDS+=("$recpid")
wait_line "$T/gone.err" 'recording to' 20 "$recpid" ||
	{ show "$T/gone.err"; die "record -p never printed 'recording to'"; }
kill -TERM "$sl"
wait "$sl" 2>/dev/null
bg_wait "$recpid" 10
check_eq "target exited: record ends with status" 0 "$BG_RC"
report_json gone
check_jq "target exited: clean" true "$T/gone.json" '.status.clean'
check_jq "target exited: recorded as exited" true "$T/gone.json" \
	'[.processes[] | select(.pid == $p) | .exited] | any' --argjson p "$sl"
live_finish
