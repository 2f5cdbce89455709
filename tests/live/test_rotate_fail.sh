#!/bin/bash
# shellcheck disable=SC2016 # PLANT is evaluated later, on purpose
# record -C/-G/-W when the next file cannot be created (a file, a symlink or a
# directory already has its name, planted before or during the run): the
# recording stops with an error naming the file, record exits 1 (no crash), the
# files before it are complete recordings, the planted thing is untouched, and
# the traced command is ended, not left running untraced.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload pipe_pair

# fail NAME MARK RECORD-OPTS...: record -o $T/NAME.ipcs with the options; the
# command writes 2 MB over a pipe once $T/NAME.go exists, then sleeps (sleep MARK)
fail() {
	local name=$1 mark=$2 rp
	shift 2
	"$IPCS" record -o "$T/$name.ipcs" "$@" -- sh -c \
		"while [ ! -e '$T/$name.go' ]; do sleep 0.05; done; '$WL/pipe_pair' 20000 100 >/dev/null; sleep $mark" \
		</dev/null >"$T/$name.out" 2>"$T/$name.err" &
	rp=$!
	LIVE_BG_PIDS+=("$rp")
	wait_line "$T/$name.err" 'recording to' 20 "$rp" || { show "$T/$name.err"; die "$name: record never started"; }
	[[ -n ${PLANT:-} ]] && eval "$PLANT"
	touch "$T/$name.go"
	bg_wait "$rp" 40
	check_eq "$name: record exits 1 (no crash, not the command's 0)" 1 "$BG_RC"
	((BG_RC == 1)) || show "$T/$name.err"
	check_grep "$name: names the file it could not create" "$T/$name.err" "recording stopped: cannot go on in $T/$name.ipcs."
	check_grep "$name: says the command was ended" "$T/$name.err" "the traced command is ended too"
	check_eq "$name: the command does not run on untraced" 0 "$(pgrep -fc "^sleep $mark\$")"
	"$IPCS" report "$T/$name.ipcs.0" --json >"$T/$name.0.json" 2>/dev/null
	check_jq "$name: the first file is a complete recording" true "$T/$name.0.json" '.status.clean'
}

echo x >"$T/f.ipcs.1"
fail f 291 -C 100k
check_eq "planted file untouched" x "$(cat "$T/f.ipcs.1")"

echo secret >"$T/victim"
ln -s "$T/victim" "$T/l.ipcs.1"
fail l 292 -C 100k
check_eq "symlink's target untouched" secret "$(cat "$T/victim")"

mkdir "$T/d.ipcs.1"
fail d 293 -C 100k
check_eq "planted directory still a directory" true "$([[ -d $T/d.ipcs.1 ]] && echo true || echo false)"

echo x >"$T/g.ipcs.1"
fail g 294 -G 1

PLANT='echo y >"$T/w.ipcs.1"' fail w 295 -C 100k -W 2
check_eq "-W 2: the file planted mid-run untouched" y "$(cat "$T/w.ipcs.1")"

# a full disk (a 200 KiB tmpfs): the last status line says how many events were not
# written, and the events in the file plus those equal every event taken in
mkdir "$T/full" || die "mkdir"
mount -t tmpfs -o size=200k tmpfs "$T/full" || die "cannot mount a tmpfs"
"$IPCS" record -o "$T/full/f.ipcs" -- "$WL/pipe_pair" 50000 100 </dev/null >/dev/null 2>"$T/full.err"
check_eq "full disk: record exits 1" 1 "$?"
last=$(tail -1 "$T/full.err")
n=$(sed -n 's/^ipcscope: \([0-9]*\) events, [0-9]* dropped, \([0-9]*\) not written -> .*/\1 \2/p' <<<"$last")
check_eq "full disk: the last status line says how many were not written" true "$([[ -n $n ]] && echo true || echo "false ($last)")"
# the events the file holds, counted by walking its blocks (the META block's seed records are
# not events of the stream)
event_recs=
# shellcheck disable=SC2034 # blockwalk's line sets several
eval "$(python3 "$(dirname "$0")/blockwalk.py" "$T/full/f.ipcs")"
inf=$event_recs
read -r all lost <<<"$n"
check_eq "full disk: events in the file + not written = all events" "$all" "$((inf + lost))"
umount "$T/full"
live_finish
