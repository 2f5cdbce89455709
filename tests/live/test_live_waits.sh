#!/bin/bash
# shellcheck disable=SC2154 # role_pid sets vars
# The waits view of `ipcscope live` (tab 4) on a real deadlock: dl_futex's
# two processes deadlock on raw futex words under `ipcscope live -- CMD`;
# once a second the live model gets the long waits of the probes' in-flight
# scan, so the tab shows both threads blocked now as DEADLOCK 1, each held
# by the other on the probes' evidence, still blocked ("+").
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload dl_futex
command -v tmux >/dev/null || die "tmux missing: apt-get install tmux (tests/setup/install-deps.sh)"

SOCK=ipcs-lwaits-$$
tmx() { tmux -L "$SOCK" "$@"; }
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	tmx kill-server 2>/dev/null
	[[ -n ${pa:-} ]] && kill -9 "$pa" 2>/dev/null
	[[ -n ${ch:-} ]] && kill -9 "$ch" 2>/dev/null
	live_cleanup
}
trap cleanup EXIT

screen() { tmx capture-pane -p -t v >"$T/$1.screen" 2>/dev/null; }
# wait_screen NAME ERE [TRIES]: until the pane shows it (50 ms apart)
wait_screen() {
	local i
	for ((i = 0; i < ${3:-200}; i++)); do
		screen "$1"
		grep -qE -- "$2" "$T/$1.screen" && return 0
		sleep 0.05
	done
	return 1
}
# row NAME ERE: the first matching line, spaces squeezed (as tmux_lib.sh's)
row() { grep -E -- "$2" "$T/$1.screen" | head -1 | tr -s ' '; }

# 160 columns: HELD BY is wide enough for the evidence.
tmx new-session -d -s v -x 160 -y 30 \
	"'$IPCS' live -n 120 -- sh -c '\"$WL/dl_futex\" >\"$T/wl.out\"' 2>'$T/viewer.err'; echo \$? >'$T/viewer.rc'; sleep 30"
wait_line "$T/wl.out" "^child=" 20 || die "dl_futex did not start: $(cat "$T/viewer.err")"
role_pid pa "$T/wl.out" parent
role_pid ch "$T/wl.out" child
l1=$(sed -n 's/^l1=\(0x[0-9a-f]*\)$/\1/p' "$T/wl.out")
l2=$(sed -n 's/^l2=\(0x[0-9a-f]*\)$/\1/p' "$T/wl.out")
tmx send-keys -t v 4
# Found once both waited a second: 20 s at most.
if wait_screen waits "DEADLOCK 1 .* $ch/$ch " 400 && wait_screen waits "DEADLOCK 1 .* $pa/$pa " 20; then
	ok "waits: DEADLOCK rows on screen"
else
	bad "waits: no DEADLOCK rows"
	show "$T/waits.screen" 40
fi
check_grep "waits tab" "$T/waits.screen" "4 Waits"
EV="last acquirer seen by the probes"
# STATE PID/TID COMM WAITS-ON HELD-BY SINCE FOR
check_eq "parent: in cycle 1, on l2, held by the child, still blocked" \
	"DEADLOCK 1 $pa/$pa futex_parent futex $l2 $ch/$ch $EV +" \
	"$(row waits "^ DEADLOCK 1 +$pa/$pa " | sed -E 's/ [0-9.]+s( [0-9.]+s)(\+?) *$/ \2/' | sed 's/^ //')"
check_eq "child: in cycle 1, on l1, held by the parent, still blocked" \
	"DEADLOCK 1 $ch/$ch futex_child futex $l1 $pa/$pa $EV +" \
	"$(row waits "^ DEADLOCK 1 +$ch/$ch " | sed -E 's/ [0-9.]+s( [0-9.]+s)(\+?) *$/ \2/' | sed 's/^ //')"
check_eq "exactly two DEADLOCK rows, no stall" "2 0" \
	"$(grep -c '^ DEADLOCK ' "$T/waits.screen") $(grep -c '^ stall ' "$T/waits.screen")"
tmx send-keys -t v q
for ((i = 0; i < 200; i++)); do
	[[ -s $T/viewer.rc ]] && break
	sleep 0.05
done
check_eq "q quits, exit status" 0 "$(cat "$T/viewer.rc" 2>/dev/null)"
check_eq "nothing on stderr" "" "$(cat "$T/viewer.err" 2>/dev/null)"
live_finish
