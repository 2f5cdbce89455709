#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# Usage errors exit 2, runtime errors exit 1, each with a message.
source "$(dirname "$0")/lib.sh"
LIVE_NO_BPF=1	# every case fails before anything is loaded
live_init "$@"

# expect DESC RC CMD...: exit status RC and something on stderr
expect() {
	local desc=$1 want=$2
	shift 2
	"$@" </dev/null >"$T/out" 2>"$T/err"
	check_eq "$desc: exit status" "$want" "$?"
	check_eq "$desc: says why on stderr" true "$([[ -s $T/err ]] && echo true || echo false)"
}

expect "record without -o" 2 "$IPCS" record -- true
expect "record with an unknown option" 2 "$IPCS" record -o "$T/a.ipcs" --no-such-option -- true
expect "record -p not a number" 2 "$IPCS" record -o "$T/b.ipcs" -p abc
expect "report of a missing file" 1 "$IPCS" report "$T/missing.ipcs" --json
echo "not a recording" >"$T/junk.ipcs"
expect "report of a non-recording" 1 "$IPCS" report "$T/junk.ipcs" --json
check_eq "no recording left behind by a usage error" false \
	"$([[ -e $T/a.ipcs || -e $T/b.ipcs ]] && echo true || echo false)"
live_finish
