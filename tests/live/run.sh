#!/bin/bash
# run.sh BUILD - run every tests/live/test_*.sh against BUILD/ipcscope and the
# workloads in BUILD/tests/workloads, each under a 120 s timeout. Ends with
# "live (BUILD): N passed, N failed, N skipped"; exit 1 if any test failed.
#
# A test counts as skipped only if it exits 77 AND printed the
# "SKIPPED (BPF unavailable: ...)" line: any other exit is a pass (0) or a
# failure, so a crash can never pass for a skip.
#
# A test that fails is run once more: these tests run real processes on a
# shared kernel, and a scheduling accident should not hide the rest. One that
# passes the second time counts as passed but is named loudly as FLAKY in the
# summary, with its first failure's log kept above; failing twice fails.
BUILD=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0 skip=0 failed=() skipped=() flaky=()
log=$(mktemp /tmp/ipcscope-live-log.XXXXXX)
trap 'rm -f "$log"' EXIT

for t in "$here"/test_*.sh; do
	name=$(basename "$t" .sh)
	echo "== $name"
	start=$(date +%s%N)
	timeout -k 10 120 bash "$t" "$BUILD" </dev/null 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	if ((rc != 0)) && ! { ((rc == 77)) && grep -q '^SKIPPED (BPF unavailable' "$log"; }; then
		echo "== $name: failed (exit $rc): running it once more"
		timeout -k 10 120 bash "$t" "$BUILD" </dev/null 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		((rc == 0)) && flaky+=("$name")
	fi
	secs=$(( ($(date +%s%N) - start) / 1000000000 ))
	if ((rc == 0)); then
		pass=$((pass + 1))
		echo "== $name: passed (${secs} s)"
	elif ((rc == 77)) && grep -q '^SKIPPED (BPF unavailable' "$log"; then
		skip=$((skip + 1))
		skipped+=("$name")
		echo "== $name: SKIPPED"
	else
		fail=$((fail + 1))
		failed+=("$name")
		((rc == 124 || rc == 137)) && echo "== $name: TIMED OUT after 120 s"
		echo "== $name: FAILED (exit $rc, ${secs} s)"
	fi
done

((${#flaky[@]} > 0)) && echo "FLAKY (failed once, passed when run again): ${flaky[*]}"
((fail > 0)) && echo "failed: ${failed[*]}"
((skip > 0)) && echo "SKIPPED (not run, BPF unavailable): ${skipped[*]}"
echo "live ($BUILD): $pass passed, $fail failed, $skip skipped"
((fail == 0)) || exit 1
