#!/bin/bash
# run.sh BUILD - run every tests/live/test_*.sh against BUILD/ipcscope and the
# workloads in BUILD/tests/workloads, each under a 120 s timeout. Ends with
# "live (BUILD): N passed, N failed, N skipped"; exit 1 if any test failed.
#
# A skip is allowed only where BPF really is unavailable: not root, or a
# kernel without BTF (the same test as lib.sh's live_require_bpf). There a
# test may exit 77 with its "SKIPPED (BPF unavailable: ...)" line, and the
# summary says loudly that the live tests did not run. On a machine with root
# and BTF, a test that skips has not tested anything: it fails. Any other
# exit is a pass (0) or a failure, so a crash can never pass for a skip.
#
# A test that fails is run once more: these tests run real processes on a
# shared kernel, and a scheduling accident should not hide the rest. One that
# passes the second time counts as passed but is named loudly as FLAKY in the
# summary, with its first failure's log kept above; failing twice fails.
#
# With IPCS_CHECK_SUMMARY set (make check), what make check's last line must
# say (FLAKY reruns, tests not run) is appended to that file.
BUILD=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0 skip=0 failed=() skipped=() flaky=()
log=$(mktemp /tmp/ipcscope-live-log.XXXXXX)
trap 'rm -f "$log"' EXIT

nobpf=
if [[ $(id -u) != 0 ]]; then
	nobpf="not root (uid $(id -u))"
elif [[ ! -r /sys/kernel/btf/vmlinux ]]; then
	nobpf="no /sys/kernel/btf/vmlinux (kernel built without BTF)"
fi
is_skip() {	# is_skip RC: the test skipped, and skipping is allowed here
	(($1 == 77)) && grep -q '^SKIPPED (BPF unavailable' "$log" && [[ -n $nobpf ]]
}

for t in "$here"/test_*.sh; do
	name=$(basename "$t" .sh)
	echo "== $name"
	start=$(date +%s%N)
	timeout -k 10 120 bash "$t" "$BUILD" </dev/null 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	if ((rc != 0)) && ! is_skip "$rc"; then
		echo "== $name: failed (exit $rc): running it once more"
		timeout -k 10 120 bash "$t" "$BUILD" </dev/null 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		((rc == 0)) && flaky+=("$name")
	fi
	secs=$(( ($(date +%s%N) - start) / 1000000000 ))
	if ((rc == 0)); then
		pass=$((pass + 1))
		echo "== $name: passed (${secs} s)"
	elif is_skip "$rc"; then
		skip=$((skip + 1))
		skipped+=("$name")
		echo "== $name: SKIPPED"
	else
		fail=$((fail + 1))
		failed+=("$name")
		((rc == 124 || rc == 137)) && echo "== $name: TIMED OUT after 120 s"
		((rc == 77)) && echo "== $name: it skipped, but this machine has root and BTF: a skip here is a failure"
		echo "== $name: FAILED (exit $rc, ${secs} s)"
	fi
done

((${#flaky[@]} > 0)) && echo "FLAKY (failed once, passed when run again): ${flaky[*]}"
((fail > 0)) && echo "failed: ${failed[*]}"
((skip > 0)) && echo "SKIPPED (not run, BPF unavailable: $nobpf): ${skipped[*]}"
echo "live ($BUILD): $pass passed, $fail failed, $skip skipped"
if [[ -n ${IPCS_CHECK_SUMMARY:-} ]]; then
	((${#flaky[@]} > 0)) && echo "FLAKY live ($BUILD): ${flaky[*]}" >>"$IPCS_CHECK_SUMMARY"
	((skip > 0)) && echo "NOT RUN live ($BUILD): $skip of $((pass + fail + skip)) tests (BPF unavailable: $nobpf)" >>"$IPCS_CHECK_SUMMARY"
fi
((fail == 0)) || exit 1
