#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# Recorder faults. SIGINT and SIGTERM finish the file; SIGKILL after > 1 s of
# steady traffic leaves a file that replays an exact prefix of what happened,
# block by block, written by the once-a-second flush; a full disk stops the
# recording with an error naming the file and ENOSPC and a file that replays
# up to its last block; an unwritable path fails before anything is traced.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload steady flood
command -v python3 >/dev/null || die "python3 missing (tests/setup/install-deps.sh installs it)"
WALK=$(dirname "$0")/blockwalk.py
RATE=200

# check_prefix NAME WRITER: the writer's replayed writes are messages 1..k of
# steady (message i is 1 + (i - 1) % 200 bytes), k >= 1, none lost or reordered.
check_prefix() {
	local name=$1 w=$2 k
	"$IPCS" replay "$T/$name.ipcs" --plain >"$T/$name.plain" 2>"$T/$name.replay.err"
	check_eq "$name: replay --plain exit status" 0 "$?"
	grep -E "^ *[0-9.]+ +$w/st_writer write " "$T/$name.plain" |
		sed -E 's/.* ([0-9]+) bytes( \(blocked [^)]*\))?$/\1/' >"$T/$name.sizes"
	k=$(wc -l <"$T/$name.sizes")
	check_eq "$name: writes replayed (k=$k) >= 1" true "$( ((k >= 1)) && echo true || echo false)"
	check_eq "$name: the writes are messages 1..$k exactly" "" \
		"$(awk '$1 != 1 + (NR - 1) % 200 { print "message " NR " is " $1 " bytes"; exit }' "$T/$name.sizes")"
	PREFIX_K=$k
}

# start_steady NAME [ENV...]: record -- steady RATE 0 in the background
# with the default SIGINT disposition (bash gives background jobs SIG_IGN).
start_steady() {
	local name=$1
	env --default-signal=INT "$IPCS" record -o "$T/$name.ipcs" -- "$WL/steady" "$RATE" 0 \
		</dev/null >"$T/$name.out" 2>"$T/$name.err" &
	RECPID=$!
	LIVE_BG_PIDS+=("$RECPID")
	wait_line "$T/$name.out" '^writer=' 20 "$RECPID" ||
		{ show "$T/$name.err"; die "$name: the workload never started"; }
	role_pid SW "$T/$name.out" writer
	role_pid SR "$T/$name.out" reader
	sleep 1.5	# steady traffic, past the first one-second flush
}

# -- SIGINT and SIGTERM: a clean file, the signal passed on to the workload
for sig in INT TERM; do
	name=sig$sig
	start_steady "$name"
	kill -"$sig" "$RECPID"
	bg_wait "$RECPID" 20
	want=$((128 + $(kill -l "$sig")))
	check_eq "SIG$sig: record exits with the workload's status (killed by SIG$sig)" "$want" "$BG_RC"
	report_json "$name"
	check_recording "$name"
	check_prefix "$name" "$SW"
	kill -0 "$SW" 2>/dev/null && bad "SIG$sig: the workload outlived record"
done

# -- SIGKILL at a random moment after > 1 s of steady traffic (200 messages/s,
# far from filling a block a second): twice
kill9() {
	# shellcheck disable=SC2034 # all set by eval of blockwalk's line
	local name=$1 walk blocks meta_recs event_recs event_blocks max_event_raw trailer tail_bytes \
		trailer_events trailer_drops
	start_steady "$name"
	sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
	kill -KILL "$RECPID"
	bg_wait "$RECPID" 10
	check_eq "$name: record died of SIGKILL" 137 "$BG_RC"
	kill -TERM "$SW" "$SR" 2>/dev/null	# orphaned: nobody passes the signal on now
	"$IPCS" report "$T/$name.ipcs" --json >"$T/$name.json" 2>"$T/$name.report.err"
	check_eq "$name: report of the killed recording exit status" 0 "$?"
	check_jq "$name: not clean, truncated, not corrupt" "false true false" "$T/$name.json" \
		'.status | "\(.clean) \(.truncated) \(.corrupt)"'
	check_jq "$name: the reader says where it stopped" true "$T/$name.json" '.status.message | length > 0'
	check_prefix "$name" "$SW"
	walk=$(python3 "$WALK" "$T/$name.ipcs")
	echo "    blocks: $walk"
	eval "$walk"
	check_eq "$name: no trailer" 0 "$trailer"
	check_eq "$name: event blocks on disk" true "$( ((event_blocks >= 1)) && echo true || echo "false ($event_blocks)")"
	# No 256 KiB block fills in 2.5 s: every event block on disk was written by
	# the once-a-second flush.
	check_eq "$name: blocks written by the timer, not by a full buffer" true \
		"$( ((max_event_raw > 0 && max_event_raw < 262144)) && echo true || echo "false ($max_event_raw)")"
	check_jq "$name: records replayed = records of the complete blocks" "$((meta_recs + event_recs))" \
		"$T/$name.json" '.events'
	check_eq "$name: replayed writes fit in the complete blocks" true \
		"$( ((PREFIX_K <= event_recs)) && echo true || echo false)"
}
for i in 1 2; do
	kill9 "kill9-$i"
done

# -- full disk: a 128 KiB tmpfs fills up under a flood
mkdir -p "$T/tiny"
if mount -t tmpfs -o size=128k,mode=0700 tmpfs "$T/tiny"; then
	"$IPCS" record -o "$T/tiny/full.ipcs" -- "$WL/flood" 20000000 </dev/null >"$T/full.out" 2>"$T/full.err"
	rc=$?
	check_eq "full disk: record exit status" 1 "$rc"
	check_grep "full disk: the error names the file" "$T/full.err" "writing $T/tiny/full.ipcs failed"
	check_grep "full disk: the error names ENOSPC" "$T/full.err" "No space left on device (ENOSPC)"
	check_grep "full disk: the error says what to do" "$T/full.err" "free disk space or record to another filesystem"
	check_eq "full disk: one error line about it" 1 "$(grep -c 'ENOSPC' "$T/full.err")"
	"$IPCS" report "$T/tiny/full.ipcs" --json >"$T/full.json" 2>"$T/full.report.err"
	check_eq "full disk: report exit status" 0 "$?"
	check_jq "full disk: truncated at a block boundary, not corrupt" "false true false" "$T/full.json" \
		'.status | "\(.clean) \(.truncated) \(.corrupt)"'
	walk=$(python3 "$WALK" "$T/tiny/full.ipcs")
	echo "    blocks: $walk"
	eval "$walk"
	check_eq "full disk: no partial block left (cut back to the last good one)" 0 "$tail_bytes"
	check_eq "full disk: events kept" true "$( ((event_recs > 0)) && echo true || echo false)"
	check_jq "full disk: replays every record of its blocks" "$((meta_recs + event_recs))" "$T/full.json" '.events'
	umount "$T/tiny"
else
	bad "full disk: cannot mount a tmpfs (needs root)"
fi

# -- unwritable paths: refused before tracing starts (the command never runs)
unwritable() {
	local desc=$1 path=$2 why=$3
	"$IPCS" record -o "$path" -- touch "$T/ran" </dev/null >"$T/unw.out" 2>"$T/unw.err"
	check_eq "$desc: exit status" 1 "$?"
	check_grep "$desc: names the path and the cause" "$T/unw.err" "$path$why"
	check_eq "$desc: nothing traced, the command never ran" "false 0" \
		"$([[ -e $T/ran ]] && echo true || echo false) $(grep -c 'recording to' "$T/unw.err")"
}
unwritable "missing directory" "$T/no/such/dir/x.ipcs" ": No such file or directory"
mkdir -p "$T/isdir.ipcs"
unwritable "a directory" "$T/isdir.ipcs" " is a directory; give a file name"
mkdir -p "$T/ro"
if mount -t tmpfs -o ro,size=64k tmpfs "$T/ro"; then
	unwritable "read-only filesystem" "$T/ro/x.ipcs" ": Read-only file system"
	umount "$T/ro"
else
	bad "read-only filesystem: cannot mount a tmpfs (needs root)"
fi
live_finish
