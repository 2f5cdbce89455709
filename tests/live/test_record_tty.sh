#!/bin/bash
# record -- CMD on a terminal (a tmux pane running a shell): CMD's process group is given the
# terminal's foreground, as a shell gives it: CMD reads the terminal; Ctrl-Z stops CMD and
# record together (the shell gets its prompt back), fg continues both; Ctrl-C reaches CMD's
# whole group (sh and the sleep it waits for), record finishes the file and exits 130.
source "$(dirname "$0")/lib.sh"
live_init "$@"
source "$(dirname "$0")/tmux_lib.sh"
tmux_init tty
cd "$T" || die "cd"

tmx new-session -d -s v -x 150 -y 40 "bash --norc --noprofile" || die "tmux"
tmx send-keys -t v "cd '$T'; PS1='PROMPT\$ '" Enter
wait_screen p0 'PROMPT$' || die "no shell prompt"

# 1. an interactive command, Ctrl-Z, fg, Ctrl-D
tmx send-keys -t v "'$IPCS' record -o cat.ipcs -- cat" Enter
wait_screen c0 'recording to' || { show "$T/c0.screen"; die "record never started"; }
tmx send-keys -t v "hello-one" Enter
TMUX_TRIES=200 wait_screen c1 'hello-one' || die "no echo"
check_eq "cat reads the terminal (its input echoed back by cat)" 2 "$(grep -c '^hello-one$\|hello-one$' "$T/c1.screen")"
tmx send-keys -t v C-z
TMUX_TRIES=200 wait_screen c2 'Stopped' || { show "$T/c2.screen"; bad "Ctrl-Z: the shell did not get the job back"; }
tmx send-keys -t v "echo shell-is-back" Enter
TMUX_TRIES=200 wait_screen c3 'shell-is-back' || bad "Ctrl-Z: the shell does not read the terminal"
check_grep "Ctrl-Z: record and cat stopped as one job" "$T/c3.screen" "Stopped"
tmx send-keys -t v "fg" Enter
sleep 1
tmx send-keys -t v "hello-two" Enter
TMUX_TRIES=200 wait_screen c4 'hello-two' || die "no echo after fg"
tmx send-keys -t v C-d
# once record has exited, the shell says its status
for ((i = 0; i < 200; i++)); do pgrep -f "record -o cat.ipcs" >/dev/null || break; sleep 0.05; done
tmx send-keys -t v "echo cat-rc=\$?" Enter
TMUX_TRIES=200 wait_screen c5 'cat-rc=' || show "$T/c5.screen"
check_eq "Ctrl-D: record ends with cat's status" 1 "$(grep -c 'cat-rc=0' "$T/c5.screen")"
"$IPCS" report cat.ipcs --json >cat.json 2>/dev/null
check_jq "cat's recording is finished cleanly" true cat.json '.status.clean'

# 2. Ctrl-C while a shell waits for its child
tmx send-keys -t v "clear" Enter
tmx send-keys -t v "'$IPCS' record -o int.ipcs -- sh -c 'sleep 311; echo after'; echo rc=\$?" Enter
TMUX_TRIES=200 wait_screen i0 'recording to' || { show "$T/i0.screen"; die "record never started"; }
for ((i = 0; i < 100; i++)); do pgrep -fx "sleep 311" >/dev/null && break; sleep 0.05; done
tmx send-keys -t v C-c
TMUX_TRIES=200 wait_screen i1 'rc=130' || { show "$T/i1.screen"; bad "Ctrl-C: record did not exit 130"; }
check_eq "Ctrl-C: the sleep the shell waited for is gone" 0 "$(pgrep -fxc "sleep 311")"
check_eq "Ctrl-C: the shell did not go on ('after' not printed)" 0 "$(grep -c '^after' "$T/i1.screen")"
"$IPCS" report int.ipcs --json >int.json 2>/dev/null
check_jq "Ctrl-C: the recording is finished cleanly" true int.json '.status.clean'
live_finish
