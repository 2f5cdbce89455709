#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# Flood recovery: a flood far larger than a 4 KiB ring buffer loses records
# (the smallest ring: on a quiet machine the collector drains a 64 KiB one in time),
# every lost one is counted (arrived + dropped = produced) and shown in the
# report, the trailer and the viewer's status line; once the flood stops the
# collector catches up and the traffic after it is counted exactly.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload flood steady
command -v python3 >/dev/null || die "python3 missing (tests/setup/install-deps.sh installs it)"
command -v tmux >/dev/null || die "tmux missing (tests/setup/install-deps.sh installs it)"

N=300000
"$IPCS" record -o "$T/f.ipcs" --ringbuf-kb 4 -- sh -c "'$WL/flood' $N && '$WL/steady' 100 2" \
	</dev/null >"$T/f.out" 2>"$T/f.err"
check_eq "record exit status (both workloads' own checks)" 0 "$?"
role_pid fp "$T/f.out" flood
role_pid sw "$T/f.out" writer
role_pid sr "$T/f.out" reader
report_json f
check_jq "status.clean" true "$T/f.json" '.status.clean'
drops=$(jq '.drops.total' "$T/f.json")
check_eq "the flood overflowed the ring buffer" true "$( ((drops > 0)) && echo true || echo "false ($drops)")"
check_jq "drops: total = sum of the reasons" "$drops" "$T/f.json" '.drops.ringbuf + .drops.inflight + .drops.read + .drops.traced + .drops.late'
"$IPCS" replay "$T/f.ipcs" --plain >"$T/f.plain" 2>/dev/null
# The flood's own calls: exec, pipe2, N writes, N reads, 2 closes, exit. Its
# fork (by sh) and the signals generated while it ran (SIGCHLD, and timer
# signals of other processes that fire while it is on the CPU) come on top,
# and may be dropped too: so >=, and the exact equation is test_drops'.
core=' (exec|pipe2|write|read|close|exit)( |$)'
arrived=$(grep -E "^ *[0-9.]+ +${fp}/" "$T/f.plain" | grep -cE "$core")
check_eq "flood: arrived + dropped >= produced ($arrived + $drops >= $((2 * N + 5)))" true \
	"$( ((arrived + drops >= 2 * N + 5)) && echo true || echo false)"
# after the flood: 200 messages of 1..200 bytes, every one counted
check_conv f pipe "$sw" st_writer "$sr" st_reader 20100 200

eval "$(python3 "$(dirname "$0")/blockwalk.py" "$T/f.ipcs")"
check_eq "trailer: the same drops" "$drops" "$trailer_drops"
check_jq "report: events = the trailer's + the META block's" $((trailer_events + meta_recs)) "$T/f.json" '.events'
check_grep "record's last line says how many were dropped" "$T/f.err" "$drops dropped"
"$IPCS" report "$T/f.ipcs" >"$T/f.txt" 2>&1
check_grep "report text shows the drops" "$T/f.txt" "dropped $drops"

# the viewer's status line
SOCK=ipcs-flood-$$
tmux -L "$SOCK" new-session -d -s v -x 120 -y 30 "'$IPCS' replay '$T/f.ipcs'" || die "tmux failed"
seen=false
for ((i = 0; i < 100; i++)); do
	tmux -L "$SOCK" capture-pane -p -t v >"$T/f.screen" 2>/dev/null
	grep -qF "drops $drops" "$T/f.screen" && { seen=true; break; }
	sleep 0.05
done
tmux -L "$SOCK" send-keys -t v q 2>/dev/null
tmux -L "$SOCK" kill-server 2>/dev/null
check_eq "viewer status line shows 'drops $drops'" true "$seen"
$seen || show "$T/f.screen"
live_finish
