#!/bin/bash
# shellcheck disable=SC2016 # jq programs use $vars
# Every 64-bit identifier in jsonl and report --json survives jq: ids are
# strings (docs/jsonl.md, docs/report-json.md), so what jq reads back is the
# text ipcscope wrote, digit for digit, and joins on them hold. The demo's
# recording has them all: pipes, sockets (kernel-address identities),
# eventfds (scrambled 64-bit ids), futex keys, shm segments, cgroups.
source "$(dirname "$0")/lib.sh"
live_init "$@"

"$IPCS" demo -q -o "$T/demo.ipcs" </dev/null >/dev/null 2>"$T/demo.err" || { show "$T/demo.err"; die "demo failed"; }
"$IPCS" export "$T/demo.ipcs" --format jsonl -o "$T/demo.jsonl" 2>"$T/export.err" || die "export failed"
report_json demo

NAMES=(ino dev sock_ino peer_ino peer sock sock_dev uaddr addr key key_dev key_ino key_off cgroup_id start_real_ns offset)
IDS=$(printf '"%s",' "${NAMES[@]}")
IDS=${IDS%,}
RE=$(IFS='|'; echo "${NAMES[*]}")
# raw FILE: "key=value" of every numeric id as written (the text, before any parser)
raw() {
	grep -oE "\"($RE)\": ?\"?[0-9]+\"?" "$1" | tr -d '" ' | sed 's/:/=/' | sort
}
# parsed FILE: the same read back through jq (names and objects under these keys left out)
parsed() {
	jq -r --argjson ids "[$IDS]" '.. | objects | to_entries[] | select(.key as $k | $ids | index($k)) |
		select((.value | type) == "number" or ((.value | type) == "string" and (.value | test("^[0-9]+$")))) |
		"\(.key)=\(.value)"' "$1" | sort
}
for f in demo.jsonl demo.json; do
	raw "$T/$f" >"$T/$f.raw"
	parsed "$T/$f" >"$T/$f.parsed"
	n=$(wc -l <"$T/$f.raw")
	check_eq "$f: ids found (more than 20)" true "$( ((n > 20)) && echo true || echo "false ($n)")"
	check_eq "$f: every id is a string" 0 \
		"$(jq --argjson ids "[$IDS]" '[.. | objects | to_entries[] | select(.key as $k | $ids | index($k)) |
			select((.value | type) == "number")] | length' "$T/$f" | awk '{ s += $1 } END { print s }')"
	check_eq "$f: jq reads back every id as written" "" "$(diff "$T/$f.raw" "$T/$f.parsed" | head -5)"
	# the test means something: ids past 2^53 are there, which jq would round as numbers
	big=$(cut -d= -f2 "$T/$f.raw" | awk 'length($0) > 16 || (length($0) == 16 && $0 > "9007199254740992")' | sort -u | head -1)
	check_eq "$f: has an id past 2^53" true "$([[ -n $big ]] && echo true || echo false)"
	check_eq "$f: that id as a number would not survive jq" false \
		"$([[ $(jq -n "$big") == "$big" ]] && echo true || echo false)"
done
# A join: every socket's peer identity names a socket in the stream (as strings).
check_jq "jsonl: unix peers join on their identity" true "$T/demo.jsonl" \
	'[.[] | select(.type == "sock" and .family == 1)] as $s | ($s | map(.ino) | unique) as $ids |
	 [$s[] | select(.peer != "0") | .peer] | unique | all(. as $p | $ids | index($p) != null)' --slurp
# channels of report --json and the calls in jsonl agree on the ids
check_jq "report and jsonl: every pipe channel's ino is in the stream" true "$T/demo.json" \
	'[.channels[] | select(.kind == "pipe") | .ino] | all(. as $i | $stream | index($i) != null)' \
	--argjson stream "$(jq -s '[.[] | select(.kind == "pipe") | .ino] | unique' "$T/demo.jsonl")"
live_finish
