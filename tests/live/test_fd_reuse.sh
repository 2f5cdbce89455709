#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# fd_reuse: the probes' fd cache (bpf/fdres.bpf.h) must notice every way an
# fd number gets another file: close, close_range, dup2 over it, exec closing
# an O_CLOEXEC fd, fds received by SCM_RIGHTS at a number just closed, and
# fds installed by a call it does not see (pidfd_getfd) after close, close_range
# or exec. Exact: 11 pipes from the writer to the reader, pipe k with k writes
# of 10*k bytes, nothing attributed to another pipe or to nobody.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload fd_reuse

rec fr "$WL/fd_reuse"
check_eq "fr: record exit status (workload's own check)" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/fr.err"
role_pid r "$T/fr.out" reader
role_pid w "$T/fr.out" writer
report_json fr
check_recording fr
j=$T/fr.json
args=(--argjson w "$w" --argjson r "$r")

want=""
for k in 1 2 3 4 5 6 7 8 9 10 11; do want+="${want:+ }$((10 * k * k))/$k"; done
check_jq "fr: pipes writer->reader (bytes/msgs, by size)" "$want" "$j" \
	'[.conversations[] | select(.kind == "pipe" and .a.pid == $w and .b.pid == $r)] |
	 sort_by(.a_to_b.bytes) | map("\(.a_to_b.bytes)/\(.a_to_b.msgs)") | join(" ")' "${args[@]}"
check_jq "fr: 11 distinct pipe channels" 11 "$j" \
	'[.conversations[] | select(.kind == "pipe") | .channel] | unique | length'
check_jq "fr: no pipe conversation with an unseen end" 0 "$j" \
	'[.conversations[] | select(.kind == "pipe" and (.a.pid == 0 or .b.pid == 0))] | length'
check_jq "fr: no bytes the other way" 0 "$j" \
	'[.conversations[] | select(.kind == "pipe") | .b_to_a.bytes] | add'
check_jq "fr: the writer's comm, after its exec too" fr_writer "$j" \
	'[.conversations[] | select(.kind == "pipe") | .a.comm] | unique | join(",")'
check_jq "fr: 11 read ends passed and paired" "11 11" "$j" \
	'.fd_passes | "\(.fds_passed) \(.paired)"'
live_finish
