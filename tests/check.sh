#!/bin/bash
# check.sh BUILD - `make check`: missing packages, ABI and architecture
# checks, the plain build with its unit and live tests, the same under
# ASan+UBSan (BUILD/asan), the fuzzers. Stops at the first suite that fails.
# Always ends with one line that says what happened: passed, or which step
# failed; every FLAKY rerun (a live test that passed only when run again);
# what did not run (live tests where BPF is unavailable, skipped unit tests);
# and the total time. MAKE: the make to call (the Makefile passes its own).
set -uo pipefail
BUILD=${1:-build}
MAKE=${MAKE:-make}
start=$(date +%s)
mkdir -p "$BUILD"
IPCS_CHECK_SUMMARY=$(cd "$BUILD" && pwd)/check-summary.txt
export IPCS_CHECK_SUMMARY
: >"$IPCS_CHECK_SUMMARY"

finish() {	# finish STATUS [FAILED STEP]
	local secs=$(($(date +%s) - start)) notes=() line
	local took="(total time $((secs / 60)) min $((secs % 60)) s)"
	while IFS= read -r line; do
		notes+=("$line")
	done <"$IPCS_CHECK_SUMMARY"
	if (($1 != 0)); then
		line="make check: FAILED at '$2' $took"
	elif grep -q '^NOT RUN\|^SKIPPED' "$IPCS_CHECK_SUMMARY"; then
		line="make check: the suites that ran passed, but NOT ALL TESTS RAN $took"
	else
		line="make check: all suites passed $took"
	fi
	((${#notes[@]} > 0)) && line+="; $(printf '%s; ' "${notes[@]}")" && line=${line%; }
	echo "$line"
	exit "$1"
}

step() {
	local what="$*"
	"$@" || finish 1 "make ${what#"$MAKE --no-print-directory "}"
}

step "$MAKE" --no-print-directory deps
step "$MAKE" --no-print-directory abi-check arch-check
step "$MAKE" --no-print-directory all tests
step "$MAKE" --no-print-directory unit live
step "$MAKE" --no-print-directory SAN=1 BUILD="$BUILD/asan" tests unit live
step "$MAKE" --no-print-directory fuzz-short
finish 0
