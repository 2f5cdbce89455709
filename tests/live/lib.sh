# shellcheck disable=SC2016 # jq programs use $vars, not shell ones
# lib.sh - helpers for the live tests; `source` it, then `live_init "$@"`.
#
# A test is `bash test_x.sh BUILD`: exit 0 = passed, 1 = failed, 77 with a
# "SKIPPED (BPF unavailable: ...)" line = skipped (run.sh needs both). Only
# live_init skips, and only for a missing privilege or missing BTF; anything
# else that goes wrong (no binary, record failing, bad JSON) is a failure.
#
# Checks (check_eq, check_jq, ...) report every mismatch and go on, so one run
# shows all of them; live_finish turns them into the exit status. die() is
# for steps later checks cannot do without.

LIVE_FAILS=0
LIVE_CHECKS=0
LIVE_BG_PIDS=()
T=

live_init() {
	BUILD=${1:?usage: $0 BUILD}
	TEST_NAME=$(basename "$0" .sh)
	[[ -d $BUILD ]] || die "build dir '$BUILD' not found: run make"
	BUILD=$(cd "$BUILD" && pwd)
	IPCS=$BUILD/ipcscope
	WL=$BUILD/tests/workloads
	[[ -x $IPCS ]] || die "$IPCS missing: run make"
	# a test that never loads BPF sets LIVE_NO_BPF=1 and runs anywhere
	[[ ${LIVE_NO_BPF:-0} == 1 ]] || live_require_bpf
	T=$(mktemp -d /tmp/ipcscope-live.XXXXXX) || die "mktemp failed"
	trap live_cleanup EXIT
	trap 'echo "  interrupted (signal)"; LIVE_FAILS=$((LIVE_FAILS + 1)); exit 1' TERM INT
}

live_require_bpf() {
	local why=
	if [[ $(id -u) != 0 ]]; then
		why="not root (uid $(id -u))"
	elif [[ ! -r /sys/kernel/btf/vmlinux ]]; then
		why="no /sys/kernel/btf/vmlinux (kernel built without BTF)"
	fi
	if [[ -n $why ]]; then
		echo "SKIPPED (BPF unavailable: $why)"
		exit 77
	fi
}

# A workload the test needs; its absence is a failure, not a skip.
need_workload() {
	local w
	for w in "$@"; do
		[[ -x $WL/$w ]] || die "workload $WL/$w missing: run make $WL/$w"
	done
}

live_cleanup() {
	local p
	for p in "${LIVE_BG_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	if ((LIVE_FAILS > 0)) && [[ -n $T ]]; then
		echo "  files kept for inspection: $T"
	elif [[ -n $T ]]; then
		rm -rf "$T"
	fi
}

die() {
	echo "  FAIL (fatal) $*" | LC_ALL=C cat -v
	LIVE_FAILS=$((LIVE_FAILS + 1))
	exit 1
}

# The test log is terminal output too: show control bytes as ^[ etc.
ok() {
	LIVE_CHECKS=$((LIVE_CHECKS + 1))
	echo "  ok   $*" | LC_ALL=C cat -v
}

bad() {
	LIVE_CHECKS=$((LIVE_CHECKS + 1))
	LIVE_FAILS=$((LIVE_FAILS + 1))
	echo "  FAIL $*" | LC_ALL=C cat -v
}

live_finish() {
	if ((LIVE_CHECKS == 0)); then
		die "no checks ran"
	fi
	if ((LIVE_FAILS > 0)); then
		echo "$TEST_NAME: $LIVE_FAILS of $LIVE_CHECKS checks failed"
		exit 1
	fi
	echo "$TEST_NAME: all $LIVE_CHECKS checks passed"
	exit 0
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [[ "$2" == "$3" ]]; then
		ok "$1 = $2"
	else
		bad "$1: expected '$2', got '$3'"
	fi
}

# check_jq DESC EXPECTED JSONFILE FILTER [jq options...]: compares `jq -r`.
check_jq() {
	local desc=$1 want=$2 file=$3 filter=$4 got
	shift 4
	got=$(jq -r "$@" "$filter" "$file" 2>&1) || got="jq error: $got"
	check_eq "$desc" "$want" "$got"
}

# check_grep DESC FILE FIXED-STRING: FILE contains the string.
check_grep() {
	if grep -qF -- "$3" "$2"; then
		ok "$1"
	else
		bad "$1: '$3' not found in $2"
	fi
}

# check_no_raw DESC FILE: non-empty and free of ESC, BEL, DEL and every other
# C0 control but tab and newline: what a terminal would act on.
check_no_raw() {
	local re='[\x00-\x08\x0b-\x1f\x7f]'
	if [[ ! -s $2 ]]; then
		bad "$1: $2 is empty"
	elif LC_ALL=C grep -qaP "$re" "$2"; then
		bad "$1: raw control byte(s) in $2: $(LC_ALL=C grep -naP "$re" "$2" | head -3 | cat -v)"
	else
		ok "$1"
	fi
}

# wait_line FILE ERE SECS [PID]: wait until FILE has a line matching ERE;
# fails early if PID (a process that should write it) is gone.
wait_line() {
	local file=$1 re=$2 secs=$3 pid=${4:-} i
	for ((i = 0; i < secs * 20; i++)); do
		grep -qE -- "$re" "$file" 2>/dev/null && return 0
		if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
			grep -qE -- "$re" "$file" 2>/dev/null && return 0
			return 1
		fi
		sleep 0.05
	done
	return 1
}

# bg_wait PID SECS: wait for a background job of this shell; sets BG_RC to
# its exit status, or 124 after killing it if it outlived SECS. (Not for
# $(...): a subshell cannot wait for its parent's children.)
bg_wait() {
	local pid=$1 secs=$2 i
	for ((i = 0; i < secs * 20; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		sleep 1
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		BG_RC=124
		return
	fi
	wait "$pid"
	BG_RC=$?
}

# role_pid VAR OUTFILE ROLE: set VAR to the PID a workload printed as
# "ROLE=PID"; fatal if there is none. (Sets a variable rather than printing:
# die inside $(...) would only end the subshell.)
role_pid() {
	local v
	v=$(sed -n "s/^$3=\([0-9][0-9]*\)\$/\1/p" "$2" | head -1)
	[[ -n $v ]] || die "no '$3=PID' line in $2 ($(tr '\n' ' ' <"$2"))"
	printf -v "$1" '%s' "$v"
}

# rec_pids_released NAME WLPID PID...: `record -o $T/NAME.ipcs -p PID...` in
# the background; once it records, SIGUSR1 releases the PIDs (a workload that
# waits to be traced), then the workload WLPID and the recorder (which stops
# once every pid exited) must both exit 0; then report_json NAME.
rec_pids_released() {
	local name=$1 wlpid=$2 recpid p args=()
	shift 2
	for p in "$@"; do args+=(-p "$p"); done
	"$IPCS" record -o "$T/$name.ipcs" "${args[@]}" </dev/null >"$T/$name.out" 2>"$T/$name.err" &
	recpid=$!
	LIVE_BG_PIDS+=("$recpid")
	wait_line "$T/$name.err" 'recording to' 20 "$recpid" ||
		{ show "$T/$name.err"; die "record -p never printed 'recording to'"; }
	kill -USR1 "$@" || die "cannot signal the workload"
	bg_wait "$wlpid" 10
	check_eq "workload exit status (its own check)" 0 "$BG_RC"
	((BG_RC == 0)) || show "$T/wl.err"
	bg_wait "$recpid" 15
	check_eq "record -p exit status once all pids exited" 0 "$BG_RC"
	((BG_RC == 0)) || show "$T/$name.err"
	report_json "$name"
}

# rec NAME CMD ARGS...: `ipcscope record -o $T/NAME.ipcs -- CMD...` with
# stdin from /dev/null, stdout in $T/NAME.out, stderr in $T/NAME.err.
# Sets REC_RC to record's exit status.
rec() {
	local name=$1
	shift
	"$IPCS" record -o "$T/$name.ipcs" -- "$@" </dev/null >"$T/$name.out" 2>"$T/$name.err"
	REC_RC=$?
}

# show FILE: indent a file into the test log (for failures).
show() {
	sed 's/^/    | /' "$1" | cat -v | head -n "${2:-40}"
}

# report_json NAME: `ipcscope report $T/NAME.ipcs --json` into $T/NAME.json,
# which must be valid JSON; fatal otherwise.
report_json() {
	local name=$1 rc
	"$IPCS" report "$T/$name.ipcs" --json >"$T/$name.json" 2>"$T/$name.report.err"
	rc=$?
	if ((rc != 0)); then
		show "$T/$name.report.err"
		die "ipcscope report $name.ipcs --json exited $rc"
	fi
	if ! jq -e . "$T/$name.json" >/dev/null 2>&1; then
		show "$T/$name.json"
		die "ipcscope report $name.ipcs --json: output is not valid JSON"
	fi
}

# check_recording NAME: a finished recording is clean, complete, drop-free.
check_recording() {
	local j=$T/$1.json
	check_jq "$1: status.clean" true "$j" '.status.clean'
	check_jq "$1: status.truncated" false "$j" '.status.truncated'
	check_jq "$1: status.corrupt" false "$j" '.status.corrupt'
	check_jq "$1: drops.total" 0 "$j" '.drops.total'
	check_jq "$1: has events" true "$j" '.events > 0'
}

# check_conv NAME KIND A_PID A_COMM B_PID B_COMM BYTES MSGS:
# exactly one conversation of KIND from A (writer) to B (reader) with these
# figures, and nothing flowing back.
check_conv() {
	local name=$1 kind=$2 ap=$3 ac=$4 bp=$5 bc=$6 bytes=$7 msgs=$8
	local j=$T/$name.json d="$name: $kind $ac($ap)->$bc($bp)"
	local sel='[.conversations[] | select(.kind == $k and .a.pid == $a and .b.pid == $b)]'
	local args=(--arg k "$kind" --argjson a "$ap" --argjson b "$bp")
	local n
	n=$(jq -r "${args[@]}" "$sel | length" "$j")
	check_eq "$d: conversations" 1 "$n"
	if [[ $n != 1 ]]; then
		echo "    conversations in $name.json ($(jq '.conversations | length' "$j")):"
		jq -c '.conversations[] | {kind, channel, a, b, a_to_b, b_to_a}' "$j" | show /dev/stdin
		return
	fi
	check_jq "$d: a.comm" "$ac" "$j" "${sel}[0].a.comm" "${args[@]}"
	check_jq "$d: b.comm" "$bc" "$j" "${sel}[0].b.comm" "${args[@]}"
	check_jq "$d: a_to_b.bytes" "$bytes" "$j" "${sel}[0].a_to_b.bytes" "${args[@]}"
	check_jq "$d: a_to_b.msgs" "$msgs" "$j" "${sel}[0].a_to_b.msgs" "${args[@]}"
	check_jq "$d: b_to_a" "0 0" "$j" "${sel}[0].b_to_a | \"\(.msgs) \(.bytes)\"" "${args[@]}"
	check_jq "$d: first_ns <= last_ns" true "$j" "${sel}[0] | .first_ns > 0 and .first_ns <= .last_ns" "${args[@]}"
}

# conv_channel NAME A_PID B_PID: the channel name of that conversation
# ("null" if there is none).
conv_channel() {
	jq -r --argjson a "$2" --argjson b "$3" \
		'[.conversations[] | select(.a.pid == $a and .b.pid == $b)][0].channel' "$T/$1.json"
}
