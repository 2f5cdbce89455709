#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# fdpass_pair: SCM_RIGHTS (a pipe's write end + a memfd, then a regular file +
# a unix socket) and SCM_CREDENTIALS over a socketpair. Exact: 4 fds passed and
# paired, what each is, both fd numbers, 3 credentials received; the
# receiver's writes to the pipe end and the socket it was passed are
# attributed to it, and it maps the memfd. In the viewer, the two SCM_RIGHTS
# messages show their 2 fds each.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload fdpass_pair

bytes=5000
rec fp "$WL/fdpass_pair" "$T" "$bytes"
check_eq "fp: record exit status (workload's own check)" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/fp.err"
role_pid s "$T/fp.out" sender
role_pid r "$T/fp.out" receiver
role_pid fpipe "$T/fp.out" fd_pipe
role_pid fmem "$T/fp.out" fd_memfd
role_pid ffile "$T/fp.out" fd_file
role_pid fsock "$T/fp.out" fd_sock
report_json fp
check_recording fp
j=$T/fp.json
args=(--argjson s "$s" --argjson r "$r")

check_jq "fp: totals (fds passed, paired, credentials, not listed)" "4 4 3 0" "$j" \
	'.fd_passes | "\(.fds_passed) \(.paired) \(.credentials) \(.not_listed)"'
check_jq "fp: the fds, in order (from to fd what end name)" \
	"$s,$r,$fpipe,pipe,write end,|$s,$r,$fmem,memfd,-,memfd:ipcs_fdpass|$s,$r,$ffile,file,-,fdpass.dat|$s,$r,$fsock,unix-stream,-,UNIX-STREAM" "$j" \
	'[.fd_passes.passes[] | select(.credentials == null) |
	  "\(.from.pid),\(.to.pid),\(.fd),\(.what),\(.end // "-"),\(.name)"] | join("|")'
check_jq "fp: received fds are distinct and open (>= 0)" 4 "$j" \
	'[.fd_passes.passes[] | select(.credentials == null) | .received_fd | select(. >= 0)] | unique | length'
check_jq "fp: credentials received: sender's pid, uid 0, three times" "3 $s $s $r" "$j" \
	'[.fd_passes.passes[] | select(.credentials != null)] |
	 "\(length) \(.[0].credentials.pid) \(.[0].from.pid) \(.[0].to.pid)"' "${args[@]}"
check_jq "fp: all 7 passes went over the socketpair" 7 "$j" \
	'[.fd_passes.passes[].via | select(startswith("socketpair:["))] | length'

# The socketpair the fds went over: its conversation carries the counts.
via=$(jq -r '.fd_passes.passes[0].via' "$j")
sel='[.conversations[] | select(.kind == "unix-stream" and .channel == $v)]'
check_jq "fp: one conversation over $via" 1 "$j" "$sel | length" --arg v "$via"
check_jq "fp: fds_passed on it, sender->receiver" "4 4 3" "$j" \
	"${sel}[0] | if .a.pid == \$s then \"\(.fds_passed) \(.fds.a_to_b) \(.credentials.a_to_b)\"
	 else \"\(.fds_passed) \(.fds.b_to_a) \(.credentials.b_to_a)\" end" "${args[@]}" --arg v "$via"

# The passed pipe end: the receiver is its writer.
check_conv fp pipe "$r" fdp_receiver "$s" fdp_sender "$bytes" 1
pipe=$(conv_channel fp "$r" "$s")
check_jq "fp: the pass names the pipe's channel" "$pipe" "$j" \
	'.fd_passes.passes[] | select(.what == "pipe") | .channel'

# The passed socket: the receiver wrote on it, the sender read the other end.
sock=$(jq -r '.fd_passes.passes[] | select(.what == "unix-stream") | .channel' "$j")
check_jq "fp: the passed socket's conversation (receiver -> sender)" "1 $r $s 1 700 0" "$j" \
	'[.conversations[] | select(.kind == "unix-stream" and .channel == $c)] |
	 "\(length) \(.[0].a.pid) \(.[0].b.pid) \(.[0].a_to_b.msgs) \(.[0].a_to_b.bytes) \(.[0].b_to_a.bytes)"' \
	--arg c "$sock"
check_eq "fp: the passed socket is another socketpair" true "$([[ $sock == socketpair:* && $sock != "$via" ]] && echo true)"

# The passed memfd: created by the sender, mapped by both.
check_jq "fp: memfd segment (creator, mappers)" "$s $fmem 4096 $s,$r" "$j" \
	'.channels[] | select(.kind == "shm" and .channel == "memfd:ipcs_fdpass") |
	 "\(.creator.pid) \(.creator_fd) \(.size) \([.mappers[].pid] | sort | map(tostring) | join(","))"'

"$IPCS" report "$T/fp.ipcs" >"$T/fp.txt" 2>&1 || die "report (text) failed"
check_grep "fp: text says who passed what" "$T/fp.txt" \
	"$s/fdp_sender passed fd $fmem (memfd: memfd:ipcs_fdpass) to $r/fdp_receiver as fd"
check_grep "fp: text names credentials" "$T/fp.txt" "$r/fdp_receiver received credentials pid $s uid 0 gid 0"

# The viewer: the socketpair's conversation (filtered by its name), its
# sequence and message pane. Messages: the receiver's "ready" byte, then the
# three sendmsgs (2 fds, 2 fds, credentials only).
source "$(dirname "$0")/tmux_lib.sh"
tmux_init fdpass
tmx new-session -d -s v -x 120 -y 30 \
	"'$IPCS' replay '$T/fp.ipcs' 2>'$T/viewer.err'; echo \$? >'$T/viewer.rc'; sleep 30"
keys v_start "fdp_sender" ""
keys v_filter "filter: $via" / "$via" Enter
keys v_seq "sendmsg" Enter
check_eq "viewer: two arrows of 1 byte with fds" 2 "$(grep -cE -- '1 B sendmsg \+fds' "$T/v_seq.screen")"
check_eq "viewer: one sendmsg without" 1 "$(grep -cE -- '1 B sendmsg -' "$T/v_seq.screen")"
keys v_msg4 "message 4/4" Enter
check_grep "viewer: the credentials message passed no fds" "$T/v_msg4.screen" "fds passed 0"
keys v_msg3 "message 3/4" Up
check_grep "viewer: the file and the socket: 2 fds" "$T/v_msg3.screen" "size 1 bytes   fds passed 2"
keys v_msg2 "message 2/4" Up
check_grep "viewer: the pipe end and the memfd: 2 fds" "$T/v_msg2.screen" "size 1 bytes   fds passed 2"
keys v_msg1 "message 1/4: write on socketpair" Up
check_grep "viewer: the receiver's ready byte, no fds" "$T/v_msg1.screen" "fds passed 0"
tmx send-keys -t v q
wait_file "$T/viewer.rc"
check_eq "viewer: q quits, exit status" 0 "$(cat "$T/viewer.rc" 2>/dev/null)"
check_eq "viewer: nothing on stderr" "" "$(cat "$T/viewer.err" 2>/dev/null)"
live_finish
