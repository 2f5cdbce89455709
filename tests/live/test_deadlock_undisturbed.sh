#!/bin/bash
# shellcheck disable=SC2154,SC2016 # dl_role sets the variables; jq programs use $vars
# The diagnosis disturbs nothing: a process blocked half-way through one
# write(2) of 1 MiB to a pipe nobody reads yet is diagnosed ten times with
# stacks; then the reader reads everything and that one call returns
# 1048576 (the workload prints it; strace of the writer, started with it,
# and the reader's byte count agree). Control: --ptrace-stacks stops the
# writer and cuts the call short, as the issue saw.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dl_lib.sh"
live_init "$@"
PY=$(dirname "$0")/../workloads/dl_bigwrite.py
command -v strace >/dev/null || die "strace missing (tests/setup/install-deps.sh installs it)"

# bigwrite NAME [STRACE...]: the writer (under strace when given: its
# writes), its stdout a pipe to a reader that reads nothing until
# $T/NAME.go exists (60 s at most: it never outlives the test), then counts.
bigwrite() {
	local name=$1
	shift
	("$@" /usr/bin/python3 "$PY" 2>"$T/$name.out" |
		{ for ((i = 0; i < 1200; i++)); do [[ -e $T/$name.go ]] && break; sleep 0.05; done; wc -c >"$T/$name.count"; }) &
	LIVE_BG_PIDS+=("$!")
	dl_role w "$name" proc
	dl_wait_blocked "$w" "$w" 1
}

bigwrite bw strace -qq -e trace=write -e signal=none -o "$T/bw.strace"
sw0=$(grep -E '^(voluntary|nonvoluntary)_ctxt_switches' "/proc/$w/status" | tr -s '\n\t' '  ')
rcs=()
for i in 1 2 3 4 5 6 7 8 9 10; do
	"$IPCS" deadlock -p "$w" --json >"$T/bw.$i.json" 2>"$T/bw.$i.err"
	rcs+=("$?")
done
check_eq "bw: ten diagnoses, each exit 0 (the reader can act)" "0 0 0 0 0 0 0 0 0 0" "${rcs[*]}"
check_jq "bw: each saw the write blocked on the pipe" "write pipe write" "$T/bw.10.json" \
	'.threads[0] | "\(.waits_on.syscall) \(.waits_on.kind) \(.waits_on.direction)"'
check_jq "bw: each unwound its stack (through _Py_write)" true "$T/bw.10.json" \
	'any(.threads[0].stack[]; .symbol == "_Py_write")'
check_eq "bw: the writer was not switched in or out meanwhile" "$sw0" \
	"$(grep -E '^(voluntary|nonvoluntary)_ctxt_switches' "/proc/$w/status" | tr -s '\n\t' '  ')"
touch "$T/bw.go"
wait_line "$T/bw.out" '^wrote=' 20 || die "bw: the writer never finished its write: $(cat "$T/bw.out")"
wait_line "$T/bw.count" '[0-9]' 20 || die "bw: the reader never finished"
check_eq "bw: the one write returned 1 MiB" "wrote=1048576" "$(grep '^wrote=' "$T/bw.out")"
check_eq "bw: strace saw one write of 1 MiB to the pipe" "1048576 = 1048576" \
	"$(grep -E '^write\(1,' "$T/bw.strace" | sed -E 's/.*, ([0-9]+)\) += ([0-9]+)$/\1 = \2/' | tr '\n' ' ' | sed 's/ $//')"
check_eq "bw: the reader got 1 MiB" 1048576 "$(tr -d ' \n' <"$T/bw.count")"

# the control (not under strace, which would hold the ptrace slot): ptrace
# interrupts the blocked write
bigwrite pt
"$IPCS" deadlock -p "$w" --ptrace-stacks --json >"$T/pt.json" 2>"$T/pt.err"
check_eq "control: --ptrace-stacks diagnosis exit 0" 0 "$?"
touch "$T/pt.go"
wait_line "$T/pt.out" '^wrote=' 20 || die "pt: the writer never finished"
wait_line "$T/pt.count" '[0-9]' 20 || die "pt: the reader never finished"
check_eq "control: under ptrace the write was cut short at the pipe's 64 KiB" "wrote=65536" "$(grep '^wrote=' "$T/pt.out")"
live_finish
