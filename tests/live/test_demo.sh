#!/bin/bash
# shellcheck disable=SC2016 # jq programs use $vars
# `ipcscope demo`: the bundled workload shows every channel kind with its exact figures.
source "$(dirname "$0")/lib.sh"
live_init "$@"

"$IPCS" demo -q -o "$T/demo.ipcs" >"$T/demo.out" 2>"$T/demo.err"
check_eq "demo exit status" 0 "$?"
check_grep "demo prints the report" "$T/demo.out" "demo-producer"
report_json demo
j=$T/demo.json
check_jq "status.clean" true "$j" '.status.clean'
check_jq "no drops" 0 "$j" '.drops.total'
check_jq "kinds shown" "eventfd fifo futex mq pipe signal tcp unix-stream" "$j" \
	'[.conversations[].kind] | unique | join(" ")'
# conv A B: "msgs bytes / msgs bytes" of the conversation from comm A to comm B
conv() {
	jq -r --arg a "$1" --arg b "$2" '[.conversations[] | select(.kind != "signal" and .a.comm == $a and .b.comm == $b)] |
		if length == 1 then .[0] | "\(.a_to_b.msgs) \(.a_to_b.bytes) / \(.b_to_a.msgs) \(.b_to_a.bytes)" else "found \(length)" end' "$j"
}
check_eq "pipe producer->filter" "1000 64000 / 0 0" "$(conv demo-producer demo-filter)"
# the filter writes what each read returned, twice: its write count depends on read sizes
check_eq "pipe filter->consumer (doubled)" "128000 / 0 0" "$(conv demo-filter demo-consumer | cut -d' ' -f2-)"
check_eq "unix socketpair RPC" "20 640 / 20 2560" "$(conv demo-rpc-client demo-rpc-server)"
check_eq "loopback TCP RPC" "20 640 / 20 2560" "$(conv demo-tcp-client demo-tcp-server)"
check_eq "eventfd 1..10" "10 55 / 0 0" "$(conv demo-notifier demo-waiter)"
check_jq "FIFO and mq summaries, 27 bytes each" "fifo 1 27,mq 1 27" "$j" \
	'[.conversations[] | select(.a.comm == "demo-consumer" and .b.comm == "demo-logger") |
	  "\(.kind) \(.a_to_b.msgs) \(.a_to_b.bytes)"] | sort | join(",")'
check_jq "RPC latency samples" "20 20" "$j" \
	'[.conversations[] | select(.kind == "unix-stream" or .kind == "tcp") | .latency_ns.count] | map(tostring) | join(" ")'
check_jq "SIGUSR1 waiter->notifier" 1 "$j" \
	'[.conversations[] | select(.channel == "SIGUSR1" and .a.comm == "demo-waiter" and .b.comm == "demo-notifier")] | .[0].a_to_b.msgs'
# each side posts only once the other sleeps on the semaphore: every hand-over is a wake
check_jq "ping and pong: 50 wakes and 50 woken waits each way, one shared key per semaphore" \
	"demo-ping>demo-pong 50/50 shared,demo-pong>demo-ping 50/50 shared" "$j" \
	'[.conversations[] | select(.kind == "futex") |
	  "\(.a.comm)>\(.b.comm) \(.a_to_b.msgs)/\(.a_to_b.waits) \(if .key.shared then "shared" else "private" end)" +
	  (if .b_to_a.msgs == 0 then "" else " back \(.b_to_a.msgs)" end)] | sort | join(",")'
live_finish
