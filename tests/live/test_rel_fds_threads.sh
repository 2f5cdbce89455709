#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# Traced-process faults: thousands of fds, and threads that die inside a
# syscall (more than the 16384 in-flight slots of the old hash map: none may leak). Exact counts.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload many_fds thread_exit
PIPES='[.conversations[] | select(.kind == "pipe")]'

# -- thousands of fds: 2500 pipes (5000 fds) between two processes
N=2500
rec fds "$WL/many_fds" "$N"
check_eq "many fds: record exit status (workload's own check)" 0 "$REC_RC"
role_pid mr "$T/fds.out" reader
role_pid mw "$T/fds.out" writer
report_json fds
check_recording fds
check_jq "many fds: one conversation per pipe, writer -> reader" "$N" "$T/fds.json" \
	"[${PIPES}[] | select(.a.pid == \$w and .b.pid == \$r and .a_to_b.msgs == 1)] | length" \
	--argjson w "$mw" --argjson r "$mr"
check_jq "many fds: $N distinct pipes" "$N" "$T/fds.json" "[${PIPES}[] | .channel] | unique | length"
# pipe i carries i % 100 + 1 bytes: 25 * 5050
check_jq "many fds: bytes" 126250 "$T/fds.json" "[${PIPES}[] | .a_to_b.bytes] | add"

# -- 17000 threads killed while blocked in read(), then an exact conversation
rec thr "$WL/thread_exit" 170 100
check_eq "threads: record exit status (workload's own check)" 0 "$REC_RC"
role_pid tp "$T/thr.out" parent
role_pid tr "$T/thr.out" reader
report_json thr
check_recording thr	# drops.total 0: no in-flight slot leaked
check_jq "threads: no in-flight slot leaked (drops.inflight)" 0 "$T/thr.json" '.drops.inflight'
check_conv thr pipe "$tp" te_parent "$tr" te_reader 1000 1
# one process each (the last thread out must not make a second one), all exited
check_jq "threads: 170 victims + the reader, each one process, exited" "171 171" "$T/thr.json" \
	'[.processes[] | select(.ppid == $p)] | "\(length) \(map(select(.exited)) | length)"' --argjson p "$tp"

live_finish
