#!/bin/bash
# shellcheck disable=SC2154 # role_pid sets vars
# record --capture 16 of pipe_pair (10 writes of 100 bytes), then `replay` in
# tmux: Enter on the conversation, Enter on a message: the message pane shows
# the first 16 bytes that write put in the pipe, as hex and text (the
# workload's byte i is i % 251). Without --capture: "payload not captured".
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload pipe_pair
source "$(dirname "$0")/tmux_lib.sh"
tmux_init vpay

# hexline OFFSET: the dump line of 16 pattern bytes from stream offset OFFSET
hexline() {
	local i b hex="" txt=""
	for ((i = 0; i < 16; i++)); do
		b=$((($1 + i) % 251))
		hex+=$(printf '%02x ' "$b")
		if ((b >= 32 && b < 127)); then
			txt+=$(printf %b "\\x$(printf %02x "$b")")
		else
			txt+=.
		fi
	done
	printf '  0000  %s |%s|' "$hex" "$txt"
}

"$IPCS" record --capture 16 -o "$T/pp.ipcs" -- "$WL/pipe_pair" 10 100 50 </dev/null \
	>"$T/pp.out" 2>"$T/pp.err"
check_eq "record --capture 16 exit status" 0 "$?"
role_pid w "$T/pp.out" writer
role_pid r "$T/pp.out" reader
check_eq "recording: 10 write payloads of 16 bytes" 10 \
	"$("$IPCS" replay --plain "$T/pp.ipcs" | grep -c 'bytes   16 of 100 out')"

tmx new-session -d -s v -x 120 -y 30 \
	"'$IPCS' replay '$T/pp.ipcs' 2>'$T/viewer.err'; echo \$? >'$T/viewer.rc'; sleep 30"
keys start "pp_reader" ""
keys seq "100 B write" Enter
keys msg10 "message 10/10" Enter
check_grep "newest message: 16 bytes captured" "$T/msg10.screen" \
	"size 100 bytes   fds passed 0   payload: first 16 bytes"
check_grep "newest message: bytes 900..915 of the stream" "$T/msg10.screen" "$(hexline 900)"
check_eq "one dump line (16 bytes)" 1 "$(grep -cE '^  [0-9a-f]{4}  ' "$T/msg10.screen")"
# Up to message 2: bytes 100..115 are printable ("defg...").
for ((i = 9; i > 2; i--)); do
	keys "msg$i" "message $i/10" Up
done
keys msg2 "message 2/10" Up
check_grep "message 2: bytes 100..115, text shown" "$T/msg2.screen" "$(hexline 100)"
tmx send-keys -t v q
wait_file "$T/viewer.rc"
check_eq "q quits, exit status" 0 "$(cat "$T/viewer.rc" 2>/dev/null)"
check_eq "nothing on stderr" "" "$(cat "$T/viewer.err" 2>/dev/null)"
tmx kill-session -t v 2>/dev/null

# Without --capture the pane says so, and shows no dump.
rec nocap "$WL/pipe_pair" 3 100 50
check_eq "record exit status" 0 "$REC_RC"
tmx new-session -d -s v -x 120 -y 30 \
	"'$IPCS' replay '$T/nocap.ipcs' 2>'$T/viewer2.err'; echo \$? >'$T/viewer2.rc'; sleep 30"
keys nstart "pp_reader" ""
keys nseq "100 B write" Enter
keys nmsg "payload not captured" Enter
check_eq "no dump line" 0 "$(grep -cE '^  [0-9a-f]{4}  ' "$T/nmsg.screen")"
tmx send-keys -t v q
live_finish
