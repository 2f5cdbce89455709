#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# The recording file: created 0600 whatever the umask; an existing file is
# refused without --force, and --force still leaves it 0600. Every other output
# (export, stat -o, merge) the same; a FIFO at the path is never opened (issue 23
# #3, #4); --force makes a new inode (the old one is never written into).
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

# export --force over a 0644 file: a new 0600 file (was: kept 0644 with payloads inside)
echo old >"$T/exp.jsonl"
chmod 644 "$T/exp.jsonl"
exec 7<"$T/exp.jsonl"	# a reader of the old file keeps seeing the old bytes
"$IPCS" export "$f" --format jsonl -o "$T/exp.jsonl" --force </dev/null >/dev/null 2>"$T/exp.err"
check_eq "export --force: exit status" 0 "$?"
check_eq "export --force over 0644: now 0600" 600 "$(stat -c %a "$T/exp.jsonl")"
check_eq "export --force: the old inode was not written into" old "$(cat <&7)"
exec 7<&-
check_eq "export --force: the new file holds the export" true "$(jq -e -s 'length > 0' "$T/exp.jsonl" >/dev/null && echo true || echo false)"

# stat -o: refuses an existing file without --force, makes 0600 files
echo "keep" >"$T/st.txt"
chmod 644 "$T/st.txt"
"$IPCS" stat -q -o "$T/st.txt" -- sh -c 'echo ran >"$0"' "$T/st.ran" </dev/null >/dev/null 2>"$T/st.err"
check_eq "stat -o existing: refused" 1 "$?"
check_grep "stat -o existing: names --force" "$T/st.err" "--force"
check_eq "stat -o existing: untouched" keep "$(cat "$T/st.txt")"
check_eq "stat -o existing: refused before the command ran" false "$([[ -e $T/st.ran ]] && echo true || echo false)"
"$IPCS" stat -q -o "$T/st.txt" --force -- true </dev/null >/dev/null 2>"$T/st2.err"
check_eq "stat -o --force: exit status" 0 "$?"
check_eq "stat -o --force: 0600" 600 "$(stat -c %a "$T/st.txt")"
check_grep "stat -o --force: holds the summary" "$T/st.txt" "traced live (not recorded)"
umask 000
"$IPCS" stat -q -o "$T/st-new.txt" -- true </dev/null >/dev/null 2>&1
check_eq "stat -o new file under umask 000: 0600" 600 "$(stat -c %a "$T/st-new.txt")"
umask 022

# A FIFO at the output path: never opened (an open(O_WRONLY) would block for ever)
mkfifo "$T/ff"
for cmd in "export $f --format jsonl -o $T/ff --force" "stat -q -o $T/ff --force -- true" \
	   "record -o $T/ff --force -- true" "merge $f $T/mode.ipcs -o $T/ff --force" \
	   "record --jsonl $T/ff --force -- true"; do
	# shellcheck disable=SC2086 # the command's words
	timeout 20 "$IPCS" $cmd </dev/null >/dev/null 2>"$T/ff.err"
	rc=$?
	check_eq "FIFO at the path, ${cmd%% *}: refused at once (not blocked)" 1 "$rc"
	check_grep "FIFO, ${cmd%% *}: says it is a FIFO" "$T/ff.err" "is a FIFO (named pipe)"
done
check_eq "the FIFO is still there" true "$([[ -p $T/ff ]] && echo true || echo false)"
live_finish
