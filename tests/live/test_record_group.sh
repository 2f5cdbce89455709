#!/bin/bash
# record -- CMD: the command is a process group of its own, and what ends the
# recorder ends the whole group, also a shell's children (docs/ipcscope.8):
#  - SIGINT to record while `sh -c 'sleep; echo after'` runs: the file is
#    finished, the signal reaches the sleep (not only the shell, which would wait
#    for it), record exits with the shell's status;
#  - a command that ignores the signal: a second signal kills the group;
#  - SIGKILL of record: nothing of the command tree runs on (PR_SET_PDEATHSIG on
#    the command, a guard process for the rest of its group);
#  - record -p with a pid that does not exist: an error, exit 1, no file.
source "$(dirname "$0")/lib.sh"
live_init "$@"

# the processes of group $1 still alive (zombies do not count)
group_alive() { ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/' | wc -l; }
# wait (10 s at most) until group $1 is empty
group_gone() {
	local i
	for ((i = 0; i < 200; i++)); do
		(($(group_alive "$1") == 0)) && return 0
		sleep 0.05
	done
	return 1
}
# the traced command's pid (the child of record that is not the guard)
cmd_pid() {
	local i c
	for ((i = 0; i < 200; i++)); do
		for c in $(pgrep -P "$1"); do
			[[ $(cat "/proc/$c/comm" 2>/dev/null) == sh ]] && { echo "$c"; return; }
		done
		sleep 0.05
	done
}

# 1. SIGINT while the shell waits for its child
env --default-signal=INT "$IPCS" record -o "$T/int.ipcs" -- sh -c 'sleep 301; echo after' \
	</dev/null >"$T/int.out" 2>"$T/int.err" &
rp=$!
LIVE_BG_PIDS+=("$rp")
wait_line "$T/int.err" 'recording to' 20 "$rp" || { show "$T/int.err"; die "record never started"; }
sh=$(cmd_pid "$rp")
[[ -n $sh ]] || die "no traced shell under record $rp"
check_eq "the command leads its own process group" "$sh" "$(ps -o pgid= -p "$sh" | tr -d ' ')"
kill -INT "$rp"
bg_wait "$rp" 15
check_eq "SIGINT: record exits with the shell's status (killed by SIGINT)" 130 "$BG_RC"
((BG_RC == 130)) || show "$T/int.err"
check_eq "SIGINT: nothing of the command's group runs on" 0 "$(group_alive "$sh")"
report_json int
check_jq "SIGINT: the recording is finished cleanly" true "$T/int.json" '.status.clean'

# 2. a command that ignores SIGINT and SIGTERM: the second signal kills its group
env --default-signal=INT "$IPCS" record -o "$T/ign.ipcs" -- sh -c 'trap "" INT TERM; sleep 302; echo after' \
	</dev/null >"$T/ign.out" 2>"$T/ign.err" &
rp=$!
LIVE_BG_PIDS+=("$rp")
wait_line "$T/ign.err" 'recording to' 20 "$rp" || { show "$T/ign.err"; die "record never started"; }
sh=$(cmd_pid "$rp")
kill -INT "$rp"
sleep 1
check_eq "ignored SIGINT: record still waits for the command" 0 "$(kill -0 "$rp" 2>/dev/null; echo $?)"
kill -TERM "$rp"
bg_wait "$rp" 15
check_eq "then SIGTERM: the group is killed, record exits (shell killed by SIGKILL)" 137 "$BG_RC"
check_eq "then SIGTERM: nothing of the command's group runs on" 0 "$(group_alive "$sh")"
check_grep "then SIGTERM: says it killed the command" "$T/ign.err" "killing the traced command"
report_json ign
check_jq "then SIGTERM: the recording is finished cleanly" true "$T/ign.json" '.status.clean'

# 3. SIGKILL of the recorder: the shell and its background children go too
"$IPCS" record -o "$T/kill.ipcs" -- sh -c 'sleep 303 & sleep 304 & wait' </dev/null >"$T/kill.out" 2>"$T/kill.err" &
rp=$!
LIVE_BG_PIDS+=("$rp")
wait_line "$T/kill.err" 'recording to' 20 "$rp" || { show "$T/kill.err"; die "record never started"; }
sh=$(cmd_pid "$rp")
for ((i = 0; i < 100; i++)); do (($(group_alive "$sh") >= 3)) && break; sleep 0.05; done
check_eq "before SIGKILL: the shell and its two children run" 3 "$(group_alive "$sh")"
kill -KILL "$rp"
wait "$rp" 2>/dev/null
group_gone "$sh"
check_eq "after SIGKILL of record: nothing of the command's group runs on" 0 "$(group_alive "$sh")"

# 4. -p with a pid that does not exist
sh -c 'exit 0' &
dead=$!
wait "$dead"
"$IPCS" record -o "$T/nopid.ipcs" -p "$dead" </dev/null >"$T/nopid.out" 2>"$T/nopid.err"
check_eq "-p PID that does not exist: exit status" 1 "$?"
check_grep "-p PID that does not exist: says so" "$T/nopid.err" "-p $dead: no such process"
check_eq "-p PID that does not exist: no recording left" false "$([[ -e $T/nopid.ipcs ]] && echo true || echo false)"
live_finish
