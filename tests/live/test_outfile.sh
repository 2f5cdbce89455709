#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# The recording file: created 0600 whatever the umask; an existing file is
# refused without --force, and --force still leaves it 0600.
source "$(dirname "$0")/lib.sh"
live_init "$@"

umask 000
rec mode true
check_eq "record -- true exit status" 0 "$REC_RC"
check_eq "recording mode under umask 000" 600 "$(stat -c %a "$T/mode.ipcs")"
umask 022

f=$T/existing.ipcs
echo "precious data" >"$f"
chmod 644 "$f"
"$IPCS" record -o "$f" -- true </dev/null >"$T/refuse.out" 2>"$T/refuse.err"
rc=$?
check_eq "existing file refused (exit 1 or 2)" true "$([[ $rc == 1 || $rc == 2 ]] && echo true || echo "false (exit $rc)")"
check_grep "refusal names --force" "$T/refuse.err" "--force"
check_eq "existing file untouched" "precious data" "$(cat "$f")"

"$IPCS" record -o "$f" --force -- true </dev/null >"$T/force.out" 2>"$T/force.err"
rc=$?
check_eq "--force overwrites: exit status" 0 "$rc"
((rc == 0)) || show "$T/force.err"
check_eq "--force: recording mode" 600 "$(stat -c %a "$f")"
"$IPCS" report "$f" --json >"$T/force.json" 2>"$T/force.report.err"
check_eq "--force: recording readable" 0 "$?"
check_jq "--force: recording clean" true "$T/force.json" '.status.clean'
live_finish
