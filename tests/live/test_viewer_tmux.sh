#!/bin/bash
# shellcheck disable=SC2154 # role_pid sets vars
# The viewer as a person sees it: `ipcscope replay F` in a tmux pane on a
# recording of pipe_pair (10 writes of 100 bytes), driven by keys (sort,
# filter, switch view, help, q) and read back with capture-pane.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload pipe_pair
source "$(dirname "$0")/tmux_lib.sh"
tmux_init viewer

# row NAME PATTERN: the first screen line matching ERE PATTERN, squeezed

rec pp "$WL/pipe_pair" 10 100 50
check_eq "record exit status" 0 "$REC_RC"
role_pid w "$T/pp.out" writer
role_pid r "$T/pp.out" reader

tmx new-session -d -s v -x 120 -y 30 \
	"'$IPCS' replay '$T/pp.ipcs' 2>'$T/viewer.err'; echo \$? >'$T/viewer.rc'; sleep 30"

keys start "pp_reader" ""
check_grep "conversations tab" "$T/start.screen" "1 Conversations"
check_eq "conversation row: kind, channel" "pipe pipe:[" "$(row start "^ pipe " | cut -c2-12)"
# KIND CHANNEL A B A->B B->A A>B/s B>A/s MSGS IDLE (120 columns)
check_eq "row: A, B, bytes each way, messages" "$w/pp_writer $r/pp_reader 1000 0 10" \
	"$(row start '^ pipe ' | nums | awk '{print $3, $4, $5, $6, $9}')"
check_grep "sorted by A->B, biggest first" "$T/start.screen" "A->B v"
check_grep "status: drops shown" "$T/start.screen" "drops 0"
check_grep "status: replay, the cursor at the end, the file" "$T/start.screen" "end, event"
check_grep "status: the file" "$T/start.screen" "$T/pp.ipcs"
check_eq "status: events counted" 1 "$(grep -cE '^ [0-9]+ events' "$T/start.screen")"

keys reverse "A->B ^" S
keys sortnext "B->A v" s
keys filter_typing "filter: pp_reader_" / p p _ r e a d e r
check_grep "filter keeps the matching row" "$T/filter_typing.screen" "$w/pp_writer"
keys filter_nomatch "(no conversation matches the filter)" x Enter
keys filter_cleared "$w/pp_writer" Escape
check_grep "filter cleared" "$T/filter_cleared.screen" "filter: -"

keys procs "COMM" 2
# PID COMM CHANS PEERS OUT IN BLOCKED STATE CGROUP (time blocked varies: "t")
procs_row() { row procs "^ +$1 " | nums | awk '{sub(/^[0-9.]+(ns|us|ms|s)$/, "t", $7); print $1, $2, $3, $4, $5, $6, $7, $8, $9}'; }
# CHANS 2: the pipe, and SIGCHLD from the reader to the writer (its parent) at exit
check_eq "processes: writer row" "$w pp_writer 2 1 1000 0 t exited 0" "$(procs_row "$w")"
check_eq "processes: reader row" "$r pp_reader 2 1 0 1000 t exited 0" "$(procs_row "$r")"
# Mark both (m), Enter: all their traffic side by side: 10 writes and SIGCHLD.
keys group "traffic among 2 processes" m j m Enter
check_grep "group: 11 messages (10 writes, 1 signal)" "$T/group.screen" "messages: 11 shown"
check_eq "group: 10 arrows of 100 bytes" 10 "$(grep -cE -- '-- 100 B write -*>' "$T/group.screen")"
check_eq "group: the signal, reader to writer" 1 "$(grep -cE -- '<-* 0 B signal -*\|' "$T/group.screen")"
keys procs_again "OUT v" 2
keys help "reverse the sort order" '?'
check_grep "help lists q" "$T/help.screen" "quit"
keys help_closed "OUT v" j
keys seq_tab "TIME s" Tab
keys back_tab "A->B" Tab

# The replay cursor: t 0 jumps to the start (nothing yet), '.' steps one
# event, ']' one second (past the end: everything), ',' one event back.
keys jump_start "paused, event 0/" t 0 Enter
check_eq "at the start: no conversation row" "" "$(row jump_start '^ pipe ')"
nev=$(sed -n 's/.*paused, event 0\/\([0-9]*\).*/\1/p' "$T/jump_start.screen")
keys step1 "paused, event 1/$nev" .
keys step_sec "end, event $nev/$nev" ]
check_eq "a second on: all 10 writes, as at the end" "1000 0 10" \
	"$(row step_sec '^ pipe ' | nums | awk '{print $5, $6, $9}')"
keys back1 "paused, event $((nev - 1))/$nev" ,
# Step back until the row shows fewer than 10 messages: the counts follow the cursor.
for ((i = nev - 2; i >= 0; i--)); do
	tmx send-keys -t v ,
	wait_screen back "paused, event $i/$nev" || break
	msgs=$(row back '^ pipe ' | nums | awk '{print $9}')
	[[ -n $msgs && $msgs -lt 10 ]] && break
done
got=$(row back '^ pipe ' | nums | awk '{print $5, $9}')
check_eq "stepped back to the 10th write being unread: 900 bytes in 9 messages" "900 9" "$got"
keys play "playing x1" p
keys play_end "end, event $nev/$nev" ""
check_eq "played to the end: the totals again" "1000 0 10" \
	"$(row play_end '^ pipe ' | nums | awk '{print $5, $6, $9}')"

# The sequence of the conversation: 10 arrows of 100 bytes, writer -> reader.
keys seq "100 B write" Enter	# (the arrows: the sequence is open)
check_eq "sequence: 10 arrows of 100 bytes" 10 "$(grep -cE -- '-- 100 B write -*>' "$T/seq.screen")"
keys seq_msg "fds passed 0" Enter
check_grep "message pane: the newest message, writer to reader" "$T/seq_msg.screen" "$w -> $r"
check_grep "message pane: its number and call" "$T/seq_msg.screen" "message 10/10: write on pipe:["
check_grep "message pane: the size" "$T/seq_msg.screen" "size 100 bytes"
keys back_convs "A->B" 1

tmx send-keys -t v q
for ((i = 0; i < 100; i++)); do
	[[ -s $T/viewer.rc ]] && break
	sleep 0.05
done
check_eq "q quits, exit status" 0 "$(cat "$T/viewer.rc" 2>/dev/null)"
check_eq "nothing on stderr" "" "$(cat "$T/viewer.err" 2>/dev/null)"
tmx kill-session -t v 2>/dev/null

# htop's habits: Esc/Backspace/Left go back one step (the message pane, the
# sequence, the filter), a click selects a row, the wheel scrolls, F1 helps,
# F10 quits.
# (the server may still be going away with the session before: retry)
for ((i = 0; i < 50; i++)); do
	tmx new-session -d -s v -x 120 -y 30 \
		"'$IPCS' replay '$T/pp.ipcs' 2>'$T/habits.err'; echo \$? >'$T/habits.rc'; sleep 30" 2>/dev/null &&
		tmx has-session -t v 2>/dev/null && break
	sleep 0.1
done
keys h_start "pp_reader" ""
keys h_filter "filter: pp" / p p Enter
keys h_seq "100 B write" Enter
keys h_pane "fds passed 0" Enter
tmx send-keys -t v Escape
check_eq "Esc with the message pane open: the pane closes" 0 "$(wait_gone h_esc "fds passed" && echo 0 || echo 1)"
check_grep "Esc: still the sequence" "$T/h_esc.screen" "100 B write"
check_grep "Esc: the filter kept" "$T/h_esc.screen" "filter: pp"
keys h_bs "A->B v" BSpace
check_grep "Backspace: back to the conversations, the filter kept" "$T/h_bs.screen" "filter: pp"
keys h_left "filter: -" Left
# the rows: which screen row holds the SIGCHLD conversation
sig_y=$(($(grep -nE '^ signal +SIGCHLD' "$T/h_left.screen" | head -1 | cut -d: -f1) - 1))
pipe_y=$(($(grep -nE '^ pipe ' "$T/h_left.screen" | head -1 | cut -d: -f1) - 1))
check_eq "two rows to click on" true "$( ((sig_y > 0 && pipe_y > 0)) && echo true || echo false)"
click "$sig_y" 10
keys h_click "signal" Enter
check_grep "click on the SIGCHLD row, Enter: its sequence" "$T/h_click.screen" "signal SIGCHLD"
keys h_back "A->B v" Escape
click "$pipe_y" 10
wheel down
keys h_wheel "TIME s" Enter
nrows=$(grep -cE '^ (pipe|signal) ' "$T/h_left.screen")
# from the top row the wheel moved the selection 3 rows down (at most to the last)
check_eq "wheel down from the top: the last of $nrows rows opened (not the pipe)" 0 \
	"$(grep -c -- '-- 100 B write' "$T/h_wheel.screen")"
keys h_back2 "A->B v" Escape
wheel up
keys h_wheel_up "100 B write" Enter
check_eq "wheel up: back to the top row (the pipe)" 10 "$(grep -cE -- '-- 100 B write -*>' "$T/h_wheel_up.screen")"
keys h_back3 "A->B v" Left
keys h_f1 "reverse the sort order" F1
keys h_f1_closed "A->B v" j
tmx send-keys -t v F10
wait_file "$T/habits.rc"
check_eq "F10 quits, exit status" 0 "$(cat "$T/habits.rc" 2>/dev/null)"
check_eq "habits: nothing on stderr" "" "$(cat "$T/habits.err" 2>/dev/null)"
tmx kill-session -t v 2>/dev/null

# -n N exits by itself after N refreshes (scripts), still on a terminal.
tmx new-session -d -s n -x 80 -y 24 \
	"timeout --foreground 10 '$IPCS' replay -n 3 '$T/pp.ipcs'; echo \$? >'$T/frames.rc'; sleep 30"
for ((i = 0; i < 100; i++)); do
	[[ -s $T/frames.rc ]] && break
	sleep 0.05
done
check_eq "-n 3 exits on its own, status" 0 "$(cat "$T/frames.rc" 2>/dev/null)"

# Resize, then Ctrl-C: redrawn at the new width, then the terminal given back.
tmx new-session -d -s v -x 120 -y 30 \
	"'$IPCS' replay '$T/pp.ipcs' 2>'$T/sig.err'; echo \$? >'$T/sig.rc'; sleep 30"
keys wide "pp_reader" ""
tmx resize-window -t v -x 70 -y 20
keys narrow "q quit" ""
for ((i = 0; i < 100; i++)); do
	screen narrow
	[[ $(head -1 "$T/narrow.screen" | sed 's/ *$//' | wc -c) == 70 ]] && break
	sleep 0.05
done
check_eq "resized: the tab line ends at the new edge (69 chars + newline)" 70 "$(head -1 "$T/narrow.screen" | sed 's/ *$//' | wc -c)"
check_eq "resized: status line still at the bottom (row 20)" 20 "$(grep -nE '^ [0-9]+ events' "$T/narrow.screen" | cut -d: -f1)"
tmx send-keys -t v C-c
for ((i = 0; i < 100; i++)); do
	[[ -s $T/sig.rc ]] && break
	sleep 0.05
done
check_eq "Ctrl-C ends the viewer, status" 0 "$(cat "$T/sig.rc" 2>/dev/null)"

# Colours degrade: 8 colours (screen), none (vt100: bold and reverse only).
# capture-pane -e shows the attributes the terminal was told to draw.
for term in screen vt100; do
	tmx new-session -d -s c -x 100 -y 24 \
		"TERM=$term timeout --foreground 20 '$IPCS' replay -n 4 '$T/pp.ipcs' 2>'$T/$term.err'; echo \$? >'$T/$term.rc'; sleep 30"
	for ((i = 0; i < 100; i++)); do
		tmx capture-pane -e -p -t c >"$T/$term.screen" 2>/dev/null
		grep -qF '/pp_writ' "$T/$term.screen" && break
		sleep 0.05
	done
	for ((i = 0; i < 200; i++)); do
		[[ -s $T/$term.rc ]] && break
		sleep 0.05
	done
	check_eq "TERM=$term: runs and exits, status" 0 "$(cat "$T/$term.rc" 2>/dev/null)"
	check_eq "TERM=$term: nothing on stderr" "" "$(cat "$T/$term.err" 2>/dev/null)"
	# The first row (the pipe: most bytes) is selected; its attributes come first.
	sel=$(grep -F '/pp_writ' "$T/$term.screen" | head -1 | cut -d' ' -f1 | cat -v)
	if [[ $term == vt100 ]]; then
		want='[[;]7m'	# reverse video, no colour
		nocolour=$(grep -cE $'\e\\[[0-9;]*(3[0-7]|4[0-7])m' "$T/$term.screen")
		check_eq "TERM=vt100: no colour codes at all" 0 "$nocolour"
	else
		want='4[0-7]m'	# a background colour of the 8
	fi
	if [[ $sel =~ $want ]]; then
		ok "TERM=$term: selected row drawn with $want"
	else
		bad "TERM=$term: selected row lacks $want: $sel"
		show "$T/$term.screen" 5
	fi
	tmx kill-session -t c 2>/dev/null
done

# Not a terminal: the line output, as --plain.
"$IPCS" replay "$T/pp.ipcs" >"$T/notty.out" 2>"$T/notty.err"
check_eq "stdout not a tty: plain lines, one write per line" 10 "$(grep -c ' write ' "$T/notty.out")"
"$IPCS" replay "$T/pp.ipcs" --plain >"$T/plain.out"
check_eq "--plain is the same" "" "$(diff "$T/notty.out" "$T/plain.out")"
live_finish
