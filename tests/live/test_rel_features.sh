#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# Kernel variety: IPCSCOPE_DISABLE switches features off through the path a
# kernel that lacks them takes. Recording still works, one notice line says
# which channels are not seen, and exactly those are missing.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload signal_pair futex_pingpong

SIGS='[.conversations[] | select(.kind == "signal")] | length'

# Baseline: everything present, no notice.
rec base "$WL/signal_pair" 3 2
check_eq "base: record exit status" 0 "$REC_RC"
report_json base
check_recording base
check_jq "base: signal conversations" 3 "$T/base.json" "$SIGS"
check_eq "base: no 'not seen' notice" 0 "$(grep -c 'not seen' "$T/base.err")"

# signal tracepoints off
IPCSCOPE_DISABLE=signal "$IPCS" record -o "$T/nosig.ipcs" -- "$WL/signal_pair" 3 2 \
	</dev/null >"$T/nosig.out" 2>"$T/nosig.err"
check_eq "signal off: record exit status" 0 "$?"
role_pid s "$T/nosig.out" sender
role_pid r "$T/nosig.out" receiver
check_eq "signal off: exactly one notice line" 1 "$(grep -c 'not seen' "$T/nosig.err")"
check_grep "signal off: the notice names the channel" "$T/nosig.err" "signals not seen"
check_grep "signal off: the notice says why" "$T/nosig.err" "IPCSCOPE_DISABLE=signal"
report_json nosig
check_recording nosig
check_jq "signal off: no signal conversations" 0 "$T/nosig.json" "$SIGS"
check_jq "signal off: both processes still recorded" 2 "$T/nosig.json" \
	'[.processes[] | select(.pid == $s or .pid == $r)] | length' --argjson s "$s" --argjson r "$r"

# bpf_find_vma off: shared futexes are keyed per process, none is shared.
N=10
IPCSCOPE_DISABLE=find_vma "$IPCS" record -o "$T/novma.ipcs" -- "$WL/futex_pingpong" shared "$N" \
	</dev/null >"$T/novma.out" 2>"$T/novma.err"
check_eq "find_vma off: record exit status" 0 "$?"
check_grep "find_vma off: notice" "$T/novma.err" "without bpf_find_vma: shared futexes across processes"
report_json novma
check_recording novma
check_jq "find_vma off: no shared futex key" 0 "$T/novma.json" \
	'[.conversations[] | select(.kind == "futex" and .key.shared)] | length'
rec vma "$WL/futex_pingpong" shared "$N"
report_json vma
check_jq "find_vma on: one shared futex conversation" 1 "$T/vma.json" \
	'[.conversations[] | select(.kind == "futex" and .key.shared)] | length'

# Several at once, and an unknown name is refused before anything starts.
IPCSCOPE_DISABLE=fork,exec,exit,signal "$IPCS" record -o "$T/many.ipcs" -- true \
	</dev/null >/dev/null 2>"$T/many.err"
check_eq "four off: record exit status" 0 "$?"
check_eq "four off: one notice line" 1 "$(grep -c 'not seen' "$T/many.err")"
check_grep "four off: names children" "$T/many.err" "children of traced processes not seen"
IPCSCOPE_DISABLE=signal,nosuch "$IPCS" record -o "$T/bad.ipcs" -- true </dev/null >/dev/null 2>"$T/bad.err"
check_eq "unknown feature: exit status" 1 "$?"
check_grep "unknown feature: named with the valid ones" "$T/bad.err" "unknown feature 'nosuch' (known: fork"
check_eq "unknown feature: no file left" false "$([[ -e $T/bad.ipcs ]] && echo true || echo false)"
live_finish
