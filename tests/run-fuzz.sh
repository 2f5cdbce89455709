#!/bin/bash
# run-fuzz.sh BUILD SECONDS - run every libFuzzer harness in BUILD/fuzz for
# SECONDS each (make check: 12 s each, about 50 s in all; make fuzz: 600 s),
# seeded with crafted inputs; a crash, leak, sanitizer report or timeout fails
# the run. The corpus grows in BUILD/fuzz/corpus-NAME across runs.
set -uo pipefail
BUILD=${1:-build} SECS=${2:-25}
pass=0 fail=0 total=0

# seed NAME DIR: the crafted starting inputs of one harness
seed() {
	case $1 in
	fuzz_recfile) "$BUILD"/tests/unit/test_recfile --write-corpus "$2" >/dev/null 2>&1 ;;
	fuzz_decode) "$BUILD"/tests/unit/test_decode --write-corpus "$2" >/dev/null 2>&1 ;;
	fuzz_opts)
		printf 'record\0-o\0t.ipcs\0-p\0123\0--duration\0 1.5\0--\0sh\0-c\0true' >"$2/record"
		printf 'record\0-qv\0-c\0nginx\0--ringbuf-kb\0064\0-o\0x' >"$2/short-cluster"
		printf 'report\0t.ipcs\0--json' >"$2/report"
		printf 'replay\0-n\0003\0--plain\0t.ipcs' >"$2/replay"
		printf 'demo\0--keep\0--force\0-o' >"$2/demo" ;;
	fuzz_procfs)
		printf '\0%s' "42 (a) b) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123456 1000 10" >"$2/stat"
		printf '\1pos:\t0\nflags:\t02000001\nmnt_id:\t15\nino:\t77\n' >"$2/fdinfo"
		printf '\2pipe:[18446744073709551615]' >"$2/pipe-link"
		printf '\3%s' 2147483647 >"$2/num" ;;
	esac
}

for f in "$BUILD"/fuzz/fuzz_*; do
	[[ -x $f && $f != *.d && $f != *.log ]] || continue
	name=$(basename "$f")
	corpus=$BUILD/fuzz/corpus-$name
	mkdir -p "$corpus"
	seed "$name" "$corpus" || { echo "fuzz $name: cannot write its seeds"; fail=$((fail + 1)); continue; }
	if "$f" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 \
		-print_final_stats=1 -artifact_prefix="$BUILD/fuzz/$name-" "$corpus" \
		>"$BUILD/fuzz/$name.log" 2>&1; then
		n=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$BUILD/fuzz/$name.log" | grep -o '[0-9]*$')
		echo "fuzz $name: ${n:-?} executions in ${SECS}s, $(find "$corpus" -type f | wc -l) inputs in corpus, no crash"
		total=$((total + ${n:-0}))
		pass=$((pass + 1))
	else
		echo "fuzz $name: FAILED (see $BUILD/fuzz/$name.log; reproduce: $f $BUILD/fuzz/$name-crash-*)"
		grep -A12 -E '^==[0-9]+==ERROR|runtime error|deadly signal|ERROR: libFuzzer' "$BUILD/fuzz/$name.log" | head -30
		fail=$((fail + 1))
	fi
done
((pass + fail > 0)) || { echo "fuzz: no harness built in $BUILD/fuzz (make fuzz-short builds them)"; exit 1; }
echo "fuzz: $pass passed, $fail failed, $total executions"
((fail == 0))
