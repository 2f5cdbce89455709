#!/bin/bash
# Run every libFuzzer harness in BUILD/fuzz for SECONDS each, seeded with the
# crafted corpus the unit tests write; a crash fails the run.
set -uo pipefail
BUILD=${1:-build} SECS=${2:-30}
pass=0 fail=0
for f in "$BUILD"/fuzz/fuzz_*; do
	[[ -x $f && $f != *.d ]] || continue
	name=$(basename "$f")
	corpus=$BUILD/fuzz/corpus-$name
	mkdir -p "$corpus"
	"$BUILD"/tests/unit/test_recfile --write-corpus "$corpus" >/dev/null 2>&1
	if "$f" -max_total_time="$SECS" -malloc_limit_mb=256 -print_final_stats=1 "$corpus" \
		>"$BUILD/fuzz/$name.log" 2>&1; then
		echo "fuzz $name: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$BUILD/fuzz/$name.log" | grep -o '[0-9]*$') executions in ${SECS}s, no crash"
		pass=$((pass + 1))
	else
		echo "fuzz $name: FAILED (see $BUILD/fuzz/$name.log)"; tail -30 "$BUILD/fuzz/$name.log"
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
((fail == 0))
