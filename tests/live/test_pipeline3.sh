#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# pipeline3: stage1 -> stage2 -> stage3, stage2 doubles every byte.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload pipeline3

rec p3 "$WL/pipeline3" 200000 4000 1000
check_eq "record exit status (workload's own check)" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/p3.err"
role_pid s1 "$T/p3.out" stage1
role_pid s2 "$T/p3.out" stage2
role_pid s3 "$T/p3.out" stage3
report_json p3
check_recording p3
# 50 writes of 4000; then 200 writes of 2000 (one per 1000-byte block read)
check_conv p3 pipe "$s1" p3_stage1 "$s2" p3_stage2 200000 50
check_conv p3 pipe "$s2" p3_stage2 "$s3" p3_stage3 400000 200
c1=$(conv_channel p3 "$s1" "$s2")
c2=$(conv_channel p3 "$s2" "$s3")
check_eq "two hops on two different pipes" true \
	"$([[ $c1 != null && $c2 != null && $c1 != "$c2" ]] && echo true || echo "false ($c1, $c2)")"
# The parent only creates and closes the pipes: it talks to nobody.
check_jq "no other conversations" 2 "$T/p3.json" '[.conversations[] | select(.kind != "signal")] | length'
live_finish
