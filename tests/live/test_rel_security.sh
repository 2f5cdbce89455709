#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# Security: no tracing without CAP_BPF + CAP_PERFMON (the refusal names what
# is missing, nothing is left behind); a symlink or file an unprivileged user
# planted at the output path is never written through; payload capture is
# off unless --capture N, which the header and the report then say; a socket
# path with escape sequences is escaped everywhere; the BPF
# programs load with no warning from libbpf or the verifier.
source "$(dirname "$0")/lib.sh"
live_init "$@"
command -v setpriv >/dev/null || die "setpriv missing (util-linux)"

# nocaps NAME BOUNDING-SET MISSING: record with only these capabilities
nocaps() {
	local name=$1 set=$2 missing=$3
	echo "ran-before" >"$T/$name.ran"
	setpriv --inh-caps=-all --bounding-set="$set" -- \
		"$IPCS" record -o "$T/$name.ipcs" -- sh -c "echo ran >'$T/$name.ran'" \
		</dev/null >"$T/$name.out" 2>"$T/$name.err"
	check_eq "$name: exit status" 1 "$?"
	check_grep "$name: says what is needed" "$T/$name.err" "needs root or CAP_BPF+CAP_PERFMON"
	check_grep "$name: names what is missing" "$T/$name.err" "(missing: $missing)"
	check_eq "$name: one line, nothing else" 1 "$(wc -l <"$T/$name.err")"
	check_eq "$name: no recording left behind" false "$([[ -e $T/$name.ipcs ]] && echo true || echo false)"
	check_eq "$name: the command never ran" ran-before "$(cat "$T/$name.ran")"
}
nocaps nocaps -all "CAP_BPF+CAP_PERFMON"
nocaps onlybpf -all,+bpf "CAP_PERFMON"
nocaps onlyperfmon -all,+perfmon,+dac_override "CAP_BPF"
setpriv --inh-caps=-all --bounding-set=-all,+bpf,+perfmon -- "$IPCS" record -o "$T/caps.ipcs" -- true \
	</dev/null >"$T/caps.out" 2>"$T/caps.err"
check_eq "CAP_BPF+CAP_PERFMON without root's other capabilities: record works" 0 "$?"

# Planted paths in a world-writable sticky directory (as /tmp is).
chmod 755 "$T"	# mktemp made it 0700: let the unprivileged user in
mkdir -m 1777 "$T/pub"
echo "secret config" >"$T/victim"
chmod 600 "$T/victim"
setpriv --reuid=65534 --regid=65534 --clear-groups -- ln -s "$T/victim" "$T/pub/trace.ipcs"
setpriv --reuid=65534 --regid=65534 --clear-groups -- ln -s "$T/pub/nothing" "$T/pub/dangling.ipcs"
setpriv --reuid=65534 --regid=65534 --clear-groups -- sh -c "umask 0; : >'$T/pub/theirs.ipcs'"
for f in trace dangling; do
	for force in "" --force; do
		"$IPCS" record -o "$T/pub/$f.ipcs" $force -- true </dev/null >/dev/null 2>"$T/link.err"
		check_eq "symlink $f.ipcs ${force:-(no --force)}: refused" 1 "$?"
		check_grep "symlink $f.ipcs ${force:-(no --force)}: says it is a link" "$T/link.err" "is a symbolic link"
	done
done
check_eq "the link's target untouched" "secret config" "$(cat "$T/victim")"
check_eq "nothing created through the dangling link" false "$([[ -e $T/pub/nothing ]] && echo true || echo false)"
"$IPCS" record -o "$T/pub/theirs.ipcs" -- true </dev/null >/dev/null 2>"$T/excl.err"
check_eq "a file planted by another user: refused without --force" 1 "$?"
check_grep "the refusal tells about --force" "$T/excl.err" "use --force to replace it"
"$IPCS" record -o "$T/pub/theirs.ipcs" --force -- true </dev/null >/dev/null 2>"$T/force.err"
check_eq "--force over another user's file: refused" 1 "$?"
check_grep "the refusal says whose it is" "$T/force.err" "belongs to another user (uid 65534)"
check_grep "the refusal names --replace-foreign" "$T/force.err" "--replace-foreign"
check_eq "their file untouched (still nobody's, empty)" "65534 0" "$(stat -c '%u %s' "$T/pub/theirs.ipcs")"
# issue 23 #2: nobody plants a 0666 file and keeps it open; root records with
# --capture over it: the data must go to a new inode of root's, never into theirs.
setpriv --reuid=65534 --regid=65534 --clear-groups -- sh -c "umask 0; echo planted >'$T/pub/planted.ipcs'"
ino0=$(stat -c %i "$T/pub/planted.ipcs")
setpriv --reuid=65534 --regid=65534 --clear-groups -- \
	sh -c "exec 3<'$T/pub/planted.ipcs'; : >'$T/pub/ready'; while [ ! -e '$T/pub/go' ]; do sleep 0.05; done; cat <&3 >'$T/pub/seen'" &
spy=$!
for _ in $(seq 600); do [[ -e $T/pub/ready ]] && break; sleep 0.05; done
"$IPCS" record -o "$T/pub/planted.ipcs" --force --replace-foreign --capture 64 -- \
	sh -c 'echo password=hunter2 | cat >/dev/null' </dev/null >/dev/null 2>"$T/foreign.err"
check_eq "--force --replace-foreign: exit status" 0 "$?"
: >"$T/pub/go"
wait "$spy"
check_eq "the name now points to a new inode" true "$([[ $(stat -c %i "$T/pub/planted.ipcs") != "$ino0" ]] && echo true || echo false)"
check_eq "the new file is root's, 0600" "0 600" "$(stat -c '%u %a' "$T/pub/planted.ipcs")"
check_eq "nobody's open file still holds only what they wrote" planted "$(cat "$T/pub/seen")"
check_eq "the recording holds the captured secret (so the check above means something)" true \
	"$("$IPCS" export "$T/pub/planted.ipcs" --format jsonl 2>/dev/null | grep -q hunter2 && echo true || echo false)"
ls -a "$T/pub" | grep -c '^\.ipcscope-' >"$T/tmpleft"
check_eq "no temporary file left behind" 0 "$(cat "$T/tmpleft")"
# The same for merge, export and demo: --force alone refuses another user's file.
"$IPCS" record -o "$T/m2.ipcs" -- true </dev/null >/dev/null 2>&1
for cmd in "merge $T/caps.ipcs $T/m2.ipcs" "export $T/m2.ipcs --format jsonl" "demo -q"; do
	setpriv --reuid=65534 --regid=65534 --clear-groups -- sh -c "umask 0; echo planted >'$T/pub/out'"
	# shellcheck disable=SC2086 # the command's words
	$IPCS $cmd -o "$T/pub/out" --force </dev/null >/dev/null 2>"$T/other.err"
	check_eq "${cmd%% *} --force over nobody's file: refused" 1 "$?"
	check_eq "${cmd%% *}: their file untouched" "65534 planted" "$(stat -c %u "$T/pub/out") $(cat "$T/pub/out")"
	# shellcheck disable=SC2086
	$IPCS $cmd -o "$T/pub/out" --force --replace-foreign </dev/null >/dev/null 2>"$T/other.err"
	check_eq "${cmd%% *} --force --replace-foreign: exit status" 0 "$?"
	check_eq "${cmd%% *}: a new 0600 file of root's" "0 600" "$(stat -c '%u %a' "$T/pub/out")"
	rm -f "$T/pub/out"
done

# Crafted recordings (issue 23 #5, #7, #8): the seeds tests/run-fuzz.sh gives fuzz_recfile.
[[ -x $BUILD/tests/unit/test_recfile ]] || die "$BUILD/tests/unit/test_recfile missing: run make tests"
mkdir -p "$T/seeds"
"$BUILD/tests/unit/test_recfile" --write-corpus "$T/seeds" >/dev/null 2>&1
w=$T/seeds/wait_escapes.ipcs
"$IPCS" report "$w" >"$T/w.txt" 2>"$T/w.err"
check_eq "WAIT with ESC in its kind: report exit status" 0 "$?"
check_no_raw "WAIT with ESC in its kind: report text has no raw control bytes" "$T/w.txt"
check_grep "WAIT with ESC: escaped, still readable" "$T/w.txt" 'waits on \x1b[2J\x1b[H obj\x1b]0;x\x07'
"$IPCS" report "$w" --json >"$T/w.json" 2>/dev/null
check_no_raw "WAIT with ESC: report --json has no raw control bytes" "$T/w.json"
check_jq "WAIT with ESC: JSON carries the exact kind" $'\e[2J\e[H' "$T/w.json" '.deadlocks.stalls[0].threads[0].waits_for.kind'
for fmt in jsonl dot perfetto; do
	"$IPCS" export "$w" --format "$fmt" -o "$T/w.$fmt" 2>/dev/null
	check_no_raw "WAIT with ESC: export $fmt has no raw control bytes" "$T/w.$fmt"
done
"$IPCS" replay "$w" --plain >"$T/w.plain" 2>&1
check_eq "WAIT with ESC: replay --plain has no raw ESC" 0 "$(grep -c $'\e' "$T/w.plain")"
"$IPCS" report "$T/seeds/trailer_only.ipcs" --json >"$T/t.json" 2>"$T/t.err"
check_jq "trailer only: not clean, 120015 events missing" "false 120015" "$T/t.json" '"\(.status.clean) \(.status.missing_events)"'
check_grep "trailer only: said on stderr" "$T/t.err" "the trailer says 120015 events in 46 blocks; 0 events in 0 blocks were read; missing 120015 events in 46 blocks"
"$IPCS" report "$T/seeds/resync.ipcs" --json >"$T/s.json" 2>"$T/s.err"
check_jq "resync: one damaged stretch skipped, 6 events missing, read on" "1 6 true" "$T/s.json" \
	'"\(.status.damaged_blocks) \(.status.missing_events) \(.status.corrupt)"'
# The byte offset follows the file header's size (it grows with the ABI): block 6 is what counts.
if grep -qE 'skipped a damaged stretch at byte [0-9]+, block 6 \(580 bytes\): CRC mismatch' "$T/s.err"; then
	ok "resync: each skip said with why"
else
	bad "resync: each skip said with why: not found in $T/s.err"
fi

# Payloads: off by default, marked when on.
"$IPCS" record -o "$T/plain.ipcs" -- true </dev/null >/dev/null 2>&1
report_json plain
check_jq "default: no payloads, capture 0" "false 0" "$T/plain.json" '"\(.payload) \(.capture_bytes)"'
check_eq "default: header flags 0" 0 "$(od -An -tu4 -j16 -N4 "$T/plain.ipcs" | tr -d ' ')"
"$IPCS" record -o "$T/cap.ipcs" --capture 64 -- true </dev/null >/dev/null 2>&1
check_eq "--capture 64: record exit status" 0 "$?"
check_eq "--capture 64: header flags IPCS_FILEF_PAYLOAD, capture_bytes 64" "1 64" \
	"$(od -An -tu4 -j16 -N8 "$T/cap.ipcs" | xargs)"
report_json cap
check_jq "--capture 64: report --json" "true 64" "$T/cap.json" '"\(.payload) \(.capture_bytes)"'
"$IPCS" report "$T/cap.ipcs" >"$T/cap.txt" 2>&1
check_grep "--capture 64: report text warns" "$T/cap.txt" "payloads: up to 64 bytes per message were captured: this file may hold secrets"
check_eq "--capture 64: mode" 600 "$(stat -c %a "$T/cap.ipcs")"

# A unix socket path holding escape sequences reaches no terminal raw.
need_workload unix_dgram
sock=$T/s$'\e]0;pwned\a\e[2J'
rec esock "$WL/unix_dgram" "$sock" 3 10 20
check_eq "socket path with ESC: record exit status" 0 "$REC_RC"
report_json esock
check_no_raw "socket path: report --json has no raw control bytes" "$T/esock.json"
check_jq "socket path: JSON carries the exact path" "$sock" "$T/esock.json" \
	'[.conversations[] | select(.kind == "unix-dgram") | .channel] | unique | join(" ")'
"$IPCS" report "$T/esock.ipcs" >"$T/esock.txt" 2>&1
check_no_raw "socket path: report text" "$T/esock.txt"
check_grep "socket path: report text shows it escaped" "$T/esock.txt" 's\x1b]0;pwned\x07'
"$IPCS" replay "$T/esock.ipcs" --plain >"$T/esock.plain" 2>&1
check_no_raw "socket path: replay --plain" "$T/esock.plain"

# The verifier accepts every program (bounded loops only: it rejects others)
# and libbpf has nothing to warn about.
"$IPCS" record -v -o "$T/v.ipcs" -- true </dev/null >/dev/null 2>"$T/v.err"
check_eq "record -v: exit status" 0 "$?"
check_eq "record -v: no warning or error from libbpf or the verifier" "" \
	"$(grep -iE 'warn|error|libbpf' "$T/v.err")"
live_finish
