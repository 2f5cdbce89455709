#!/bin/bash
# Run every cmocka unit test binary in BUILD/tests/unit; print a summary line.
BUILD=${1:-build}
pass=0 fail=0 failed=()
for t in "$BUILD"/tests/unit/test_*; do
	[[ -x $t && ! $t == *.d ]] || continue
	if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed+=("$(basename "$t")"); fi
done
echo "unit ($BUILD): $pass passed, $fail failed"
((fail == 0)) || { echo "failed: ${failed[*]}"; exit 1; }
