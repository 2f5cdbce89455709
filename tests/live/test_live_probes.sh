#!/bin/bash
# test_live_probes.sh - the real probes on the real kernel through the
# collector's own API: tests/live/live_probes.c (cmocka) starts children that
# run known workloads and checks their records exactly. live_init skips where
# BPF is unavailable; past it, a cmocka skip is a failure, as is any test that
# did not pass.
source "$(dirname "$0")/lib.sh"
live_init "$@"
bin=$BUILD/tests/live/live_probes
[[ -x $bin ]] || die "$bin missing: run make tests"
"$bin" >"$T/out" 2>&1
rc=$?
sed 's/^/    | /' "$T/out"
check_eq "live_probes exit status" 0 "$rc"
check_eq "live_probes: no test skipped" 0 "$(grep -c '^\[  SKIPPED \] [A-Za-z0-9_]*$' "$T/out")"
ran=$(grep -c '^\[ RUN      \]' "$T/out")
check_eq "live_probes: every test passed" "$ran" "$(grep -c '^\[       OK \]' "$T/out")"
check_eq "live_probes: its 9 tests ran" 9 "$ran"
live_finish
