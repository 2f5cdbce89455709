#!/bin/bash
# shellcheck disable=SC2154 # role_pid sets vars
# `ipcscope live` as a person sees it: the viewer in a tmux pane on a real
# workload (pipe_pair: 10 writes of 100 bytes) started with -- CMD; once the
# command has exited the screen must show the exact totals. Then the plain
# surfaces: --interval tables and per-event lines, with exact figures.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload pipe_pair
source "$(dirname "$0")/tmux_lib.sh"
TMUX_TRIES=200	# 10 s: the live viewer refreshes once a second on a loaded machine
tmux_init live

# The command's output goes to a file: in the viewer its stdio is /dev/null.
# -n 60: a bound (one refresh a second) should q never arrive.
tmx new-session -d -s v -x 120 -y 30 \
	"'$IPCS' live -n 60 -- sh -c '\"$WL/pipe_pair\" 10 100 50 >\"$T/wl.out\"' 2>'$T/viewer.err'; echo \$? >'$T/viewer.rc'; sleep 30"
keys start "command exited 0" ""
role_pid w "$T/wl.out" writer
role_pid r "$T/wl.out" reader
# A refresh after the exit has every event: wait for the row to stop moving
# (at most 10 s), then check it exactly.
for ((i = 0; i < 200; i++)); do
	screen done
	[[ $(row done "^ pipe .* $w/pp_writer " | nums | awk '{print $9}') == 10 ]] && break
	sleep 0.05
done
check_grep "status: live, what is watched" "$T/done.screen" "-- sh"
check_grep "status: drops shown" "$T/done.screen" "drops 0"
# events/s needs two refreshes a second apart: wait for it (at most 5 s)
for ((i = 0; i < 100; i++)); do
	grep -qE '^ [0-9]+ events [0-9]+/s  drops' "$T/done.screen" && break
	sleep 0.05
	screen done
done
check_eq "status: events and events/s" 1 "$(grep -cE '^ [0-9]+ events [0-9]+/s  drops' "$T/done.screen")"
# KIND CHANNEL A B A->B B->A A>B/s B>A/s MSGS IDLE (120 columns)
check_eq "conversation row: writer, reader, bytes each way, messages" \
	"$w/pp_writer $r/pp_reader 1000 0 10" \
	"$(row done "^ pipe .* $w/pp_writer " | nums | awk '{print $3, $4, $5, $6, $9}')"
keys procs "COMM" 2
procs_row() { row procs "^ +$1 " | nums | awk '{print $1, $2, $5, $6, $8, $9}'; }
check_eq "processes: writer row (pid comm out in state)" "$w pp_writer 1000 0 exited 0" "$(procs_row "$w")"
check_eq "processes: reader row" "$r pp_reader 0 1000 exited 0" "$(procs_row "$r")"
keys seq "100 B write" 1 Enter	# (the arrows: the sequence is open)
check_eq "sequence: 10 arrows of 100 bytes" 10 "$(grep -cE -- '-- 100 B write -*>' "$T/seq.screen")"
tmx send-keys -t v q
for ((i = 0; i < 100; i++)); do
	[[ -s $T/viewer.rc ]] && break
	sleep 0.05
done
check_eq "q quits, exit status" 0 "$(cat "$T/viewer.rc" 2>/dev/null)"
check_eq "nothing on stderr" "" "$(cat "$T/viewer.err" 2>/dev/null)"
tmx kill-session -t v 2>/dev/null

# -n N: exits by itself after N refreshes, the command still running is stopped.
tmx new-session -d -s n -x 80 -y 24 \
	"timeout --foreground 20 '$IPCS' live -n 2 -- sleep 100; echo \$? >'$T/frames.rc'; sleep 30"
for ((i = 0; i < 200; i++)); do
	[[ -s $T/frames.rc ]] && break
	sleep 0.05
done
check_eq "-n 2 exits on its own, status" 0 "$(cat "$T/frames.rc" 2>/dev/null)"

# Plain, per interval: tables while it runs, and the final one has the exact totals.
"$IPCS" live --plain --interval 0.5 -- sh -c "sleep 1.2; exec '$WL/pipe_pair' 20 100 100" \
	>"$T/int.out" 2>"$T/int.err"
check_eq "--interval: exit status is the command's" 0 "$?"
ntables=$(grep -c '^# ' "$T/int.out")
check_eq "--interval: tables while it ran (1.2 s at 0.5 s), then the final one" true \
	"$( ((ntables >= 3)) && echo true || echo "false ($ntables)")"
role_pid w2 "$T/int.out" writer
role_pid r2 "$T/int.out" reader
last=$(grep -n '^# ' "$T/int.out" | tail -1 | cut -d: -f1)
tail -n +"$last" "$T/int.out" >"$T/int.last"
check_eq "--interval: final table header" 1 "$(grep -cE '^# [0-9.]+ s  events [0-9]+  drops 0  conversations [0-9]+$' "$T/int.last")"
check_eq "--interval: the pipe's exact totals" \
	"a=$w2/pp_writer b=$r2/pp_reader ab_bytes=2000 ab_msgs=20 ba_bytes=0 ba_msgs=0" \
	"$(grep "^pipe .* a=$w2/pp_writer " "$T/int.last" | awk '{print $3, $4, $5, $6, $8, $9}')"
check_no_raw "--interval output is inert" "$T/int.out"

# Plain, per event (a pipe, so not a terminal, --plain implied), --kind pipe.
"$IPCS" live --kind pipe -- "$WL/pipe_pair" 5 100 100 >"$T/ev.out" 2>"$T/ev.err"
check_eq "per event: exit status" 0 "$?"
role_pid w3 "$T/ev.out" writer
check_eq "per event: 5 writes of 100 bytes by the writer" 5 \
	"$(grep -cE "^ +[0-9.]+ +$w3/pp_writer write +fd [0-9]+ pipe:\[[0-9]+\] 100 bytes$" "$T/ev.out")"
check_eq "--kind pipe: no signal lines" 0 "$(grep -c ' SIGCHLD' "$T/ev.out")"
check_eq "drops line at the end" 1 "$(grep -c 'drops   0 events lost' "$T/ev.out")"
live_finish
