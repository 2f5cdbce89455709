#!/bin/bash
# run-unit.sh BUILD - run every cmocka unit test binary in BUILD/tests/unit;
# print a summary line with the tests cmocka skipped (skip()) counted apart
# from the passed ones, by name. cmocka exits 0 when a test skips, so its
# output is read: "[  SKIPPED ] NAME" per skipped test.
#
# A unit test may skip only for what this machine lacks: on a machine with
# root and BTF (where make check's live tests run too) a skip fails the run.
# With IPCS_CHECK_SUMMARY set (make check), skips are appended to that file.
BUILD=${1:-build}
pass=0 fail=0 nskip=0 failed=() skipped=()
out=$(mktemp /tmp/ipcscope-unit-log.XXXXXX)
trap 'rm -f "$out"' EXIT
full=
[[ $(id -u) == 0 && -r /sys/kernel/btf/vmlinux ]] && full=1

for t in "$BUILD"/tests/unit/test_*; do
	[[ -x $t && ! $t == *.d ]] || continue
	name=$(basename "$t")
	"$t" >"$out" 2>&1
	rc=$?
	cat "$out"
	# per test "[  SKIPPED ] test_x"; the closing list repeats them after
	# "[  SKIPPED ] N test(s), listed below:"
	mapfile -t s < <(sed -n 's/^\[  SKIPPED \] \([A-Za-z0-9_]*\)$/\1/p' "$out" | sort -u)
	for x in "${s[@]}"; do
		skipped+=("$name:$x")
	done
	nskip=$((nskip + ${#s[@]}))
	if ((rc != 0)); then
		fail=$((fail + 1))
		failed+=("$name")
	elif ((${#s[@]} > 0)) && [[ -n $full ]]; then
		echo "$name: skipped ${s[*]} on a machine with root and BTF: a skip here is a failure"
		fail=$((fail + 1))
		failed+=("$name")
	else
		pass=$((pass + 1))
	fi
done
((nskip > 0)) && echo "SKIPPED unit tests: ${skipped[*]}"
echo "unit ($BUILD): $pass passed, $fail failed, $nskip tests skipped"
if [[ -n ${IPCS_CHECK_SUMMARY:-} ]] && ((nskip > 0)); then
	echo "SKIPPED unit ($BUILD): ${skipped[*]}" >>"$IPCS_CHECK_SUMMARY"
fi
((fail == 0)) || { echo "failed: ${failed[*]}"; exit 1; }
