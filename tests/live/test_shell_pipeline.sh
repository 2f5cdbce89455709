#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# `sh -c 'seq 1 100000 | gzip -c | wc -c'`: real programs, exec'd after
# the shell wired the pipes; stdio passes through record.
source "$(dirname "$0")/lib.sh"
live_init "$@"

rec sh sh -c 'seq 1 100000 | gzip -c | wc -c'
check_eq "record exit status" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/sh.err"
# wc's output is the command's stdout, passed through untouched
gz=$(cat "$T/sh.out")
[[ $gz =~ ^[0-9]+$ ]] || { show "$T/sh.out"; die "stdout is not wc's single number: '$gz'"; }
report_json sh
check_recording sh
j=$T/sh.json
seq_gz='[.conversations[] | select(.a.comm == "seq" and .b.comm == "gzip")]'
gz_wc='[.conversations[] | select(.a.comm == "gzip" and .b.comm == "wc")]'
check_jq "seq->gzip conversations" 1 "$j" "$seq_gz | length"
check_jq "seq->gzip bytes (seq 1 100000 | wc -c)" 588895 "$j" "${seq_gz}[0].a_to_b.bytes"
check_jq "gzip->wc conversations" 1 "$j" "$gz_wc | length"
check_jq "gzip->wc bytes (what wc printed)" "$gz" "$j" "${gz_wc}[0].a_to_b.bytes"
check_jq "seq->gzip, gzip->wc on different pipes" true "$j" "${seq_gz}[0].channel != ${gz_wc}[0].channel"
check_jq "conversations are pipes" "pipe pipe" "$j" "[${seq_gz}[0], ${gz_wc}[0]] | map(.kind) | join(\" \")"
check_jq "nothing flows back" "0 0" "$j" "[${seq_gz}[0], ${gz_wc}[0]] | map(.b_to_a.bytes) | map(tostring) | join(\" \")"
live_finish
