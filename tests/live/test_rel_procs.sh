#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# Traced-process faults: a fork bomb of short-lived children, pid reuse (two
# processes under one pid are never merged) and exec in the middle of a
# conversation. Exact counts, right attribution. (Thousands of fds and threads
# dying mid-syscall: test_rel_fds_threads.sh.)
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload forkbomb pid_reuse exec_chain
PIPES='[.conversations[] | select(.kind == "pipe")]'

# -- fork bomb: 600 children, 64 alive at once, 10 bytes each
N=600
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
