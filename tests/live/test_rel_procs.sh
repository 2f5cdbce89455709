#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# Traced-process faults: a fork bomb of short-lived children, pid reuse (two
# processes under one pid are never merged), thousands of fds, threads that
# die inside a syscall (past the 16384 in-flight slots: none may leak), and
# exec in the middle of a conversation. Exact counts, right attribution.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload forkbomb pid_reuse many_fds thread_exit exec_chain
PIPES='[.conversations[] | select(.kind == "pipe")]'

# -- fork bomb: 1000 children, 64 alive at once, 10 bytes each
N=1000
rec fb "$WL/forkbomb" "$N"
check_eq "forkbomb: record exit status (workload's own check)" 0 "$REC_RC"
role_pid fp "$T/fb.out" parent
report_json fb
check_recording fb
check_jq "forkbomb: one pipe conversation per child" "$N" "$T/fb.json" "$PIPES | length"
check_jq "forkbomb: each child -> parent, 10 bytes in 1 message" "$N" "$T/fb.json" \
	"[${PIPES}[] | select(.a.comm == \"fb_child\" and .b.pid == \$p and .a_to_b.bytes == 10 and .a_to_b.msgs == 1 and .b_to_a.bytes == 0)] | length" \
	--argjson p "$fp"
check_jq "forkbomb: $N distinct children" "$N" "$T/fb.json" "[${PIPES}[] | .a.pid] | unique | length"
check_jq "forkbomb: every child recorded as exited" "$N" "$T/fb.json" \
	'[.processes[] | select(.comm == "fb_child" and .exited)] | length'

# -- pid reuse, forced through /proc/sys/kernel/ns_last_pid
rec reuse "$WL/pid_reuse"
check_eq "pid reuse: record exit status (B got A's pid)" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/reuse.err"
role_pid pp "$T/reuse.out" parent
role_pid a "$T/reuse.out" a
role_pid b "$T/reuse.out" b
check_eq "pid reuse: both children had pid $a" "$a" "$b"
report_json reuse
check_recording reuse
check_jq "pid reuse: two processes under pid $a" "reuse_a reuse_b" "$T/reuse.json" \
	'[.processes[] | select(.pid == $a) | .comm] | sort | join(" ")' --argjson a "$a"
check_jq "pid reuse: both exited" "true true" "$T/reuse.json" \
	'[.processes[] | select(.pid == $a) | .exited] | map(tostring) | join(" ")' --argjson a "$a"
check_jq "pid reuse: two conversations, each its own bytes" "reuse_a:100:1 reuse_b:200:1" "$T/reuse.json" \
	"[${PIPES}[] | select(.a.pid == \$a and .b.pid == \$p) | \"\\(.a.comm):\\(.a_to_b.bytes):\\(.a_to_b.msgs)\"] | sort | join(\" \")" \
	--argjson a "$a" --argjson p "$pp"

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

# -- 20000 threads killed while blocked in read(), then an exact conversation
rec thr "$WL/thread_exit" 200 100
check_eq "threads: record exit status (workload's own check)" 0 "$REC_RC"
role_pid tp "$T/thr.out" parent
role_pid tr "$T/thr.out" reader
report_json thr
check_recording thr	# drops.total 0: no in-flight slot leaked
check_jq "threads: no in-flight slot leaked (drops.inflight)" 0 "$T/thr.json" '.drops.inflight'
check_conv thr pipe "$tp" te_parent "$tr" te_reader 1000 1
# one process each (the last thread out must not make a second one), all exited
check_jq "threads: 200 victims + the reader, each one process, exited" "201 201" "$T/thr.json" \
	'[.processes[] | select(.ppid == $p)] | "\(length) \(map(select(.exited)) | length)"' --argjson p "$tp"

# -- exec in the middle: one process, one conversation, the new name
rec exec "$WL/exec_chain"
check_eq "exec: record exit status (workload's own check)" 0 "$REC_RC"
role_pid er "$T/exec.out" reader
role_pid ew "$T/exec.out" writer
report_json exec
check_recording exec
check_conv exec pipe "$ew" ec_after "$er" ec_reader 120 2
check_jq "exec: the writer is one process" 1 "$T/exec.json" \
	'[.processes[] | select(.pid == $w)] | length' --argjson w "$ew"
live_finish
