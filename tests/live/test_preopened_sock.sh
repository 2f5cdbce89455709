#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# preopened_sock: a socketpair, a loopback TCP connection and a message queue
# made before `record -p`. While both sleep only the seed from /proc
# (sock_diag, /proc/net/tcp, the mqueue fd) names them and their holders; once
# they talk, the seeded holders move to the live channels and each is one
# exact conversation.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload preopened_sock

K=9000
port=$((31000 + ($$ % 1500)))
"$WL/preopened_sock" "$port" "$K" >"$T/wl.out" 2>"$T/wl.err" &
wlpid=$!
LIVE_BG_PIDS+=("$wlpid")
wait_line "$T/wl.out" '^server=' 10 "$wlpid" && wait_line "$T/wl.out" '^client=' 10 "$wlpid" ||
	{ show "$T/wl.err"; die "preopened_sock did not print its pids"; }
role_pid s "$T/wl.out" server
role_pid c "$T/wl.out" client
role_pid pino "$T/wl.out" pair_ino
role_pid pfd "$T/wl.out" pair_fd
role_pid cpfd "$T/wl.out" cpair_fd
role_pid tfd "$T/wl.out" tcp_fd
role_pid ctfd "$T/wl.out" ctcp_fd
role_pid cport "$T/wl.out" cport
role_pid mqfd "$T/wl.out" mq_fd
mq=$(sed -n 's/^mq=//p' "$T/wl.out")
pair="socketpair:[$pino]"
tcp="127.0.0.1:$port<->127.0.0.1:$cport"

# 1. While both sleep: the seed alone names both ends of both sockets.
timeout 20 "$IPCS" record -o "$T/idle.ipcs" -p "$s" -p "$c" --duration 1 </dev/null \
	>"$T/idle.out" 2>"$T/idle.err"
rc=$?
check_eq "idle record --duration 1: exit status" 0 "$rc"
((rc == 0)) || show "$T/idle.err"
report_json idle
check_recording idle
j=$T/idle.json
check_jq "idle: no conversations" 0 "$j" '.conversations | length'
holders() {	# KIND CHANNEL: "pid comm fd mode" of every holder, sorted
	jq -r --arg k "$1" --arg ch "$2" \
		'[.channels[] | select(.kind == $k and .channel == $ch) | .holders[] |
		  "\(.pid) \(.comm) \(.fd) \(.mode)"] | sort | join(",")' "$3"
}
check_eq "idle: socketpair ends and holders (seeded)" \
	"$(printf '%s\n' "$c ps_client $cpfd rw" "$s ps_server $pfd rw" | sort | paste -sd,)" \
	"$(holders unix-stream "$pair" "$j")"
check_eq "idle: TCP connection ends and holders (seeded)" \
	"$(printf '%s\n' "$c ps_client $ctfd rw" "$s ps_server $tfd rw" | sort | paste -sd,)" \
	"$(holders tcp "$tcp" "$j")"
check_eq "idle: message queue and holders (seeded)" \
	"$(printf '%s\n' "$c ps_client $mqfd rw" "$s ps_server $mqfd rw" | sort | paste -sd,)" \
	"$(holders mq "$mq" "$j")"

# 2. Record again, then let them talk.
rec_pids_released ps "$wlpid" "$s" "$c"
check_recording ps
check_conv ps unix-stream "$c" ps_client "$s" ps_server "$K" 1
check_conv ps tcp "$c" ps_client "$s" ps_server "$K" 1
check_conv ps mq "$c" ps_client "$s" ps_server 300 3
# the live channels carry the names the seed gave in the idle recording
check_jq "ps: the conversations' channels" "$mq|$tcp|$pair" "$T/ps.json" \
	'[.conversations[] | select(.kind != "signal") | .channel] | sort | join("|")'
live_finish
