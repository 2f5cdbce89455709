# shellcheck shell=bash
# tmux_lib.sh - drive the viewer in a tmux pane and read it back, for live
# tests (after lib.sh and live_init). tmux_init NAME: a private tmux server
# killed at exit; the viewer runs in session v.
command -v tmux >/dev/null || die "tmux missing: apt-get install tmux (tests/setup/install-deps.sh)"

tmux_init() {
	SOCK=ipcs-$1-$$
	trap cleanup_tmux EXIT
}
tmx() { tmux -L "$SOCK" "$@"; }
cleanup_tmux() { tmx kill-server 2>/dev/null; live_cleanup; }

# screen NAME: capture the pane into $T/NAME.screen
screen() { tmx capture-pane -p -t v >"$T/$1.screen" 2>/dev/null; }

# wait_screen NAME FIXED-STRING: until the pane shows it (TMUX_TRIES x 50 ms,
# default 5 s) and two captures 50 ms apart agree (a loaded machine can hand
# tmux a frame in pieces: the status line may come after the rows), saved as NAME
wait_screen() {
	local i
	for ((i = 0; i < ${TMUX_TRIES:-100}; i++)); do
		screen "$1"
		if grep -qF -- "$2" "$T/$1.screen"; then
			sleep 0.05
			cp "$T/$1.screen" "$T/$1.screen.prev"
			screen "$1"
			cmp -s "$T/$1.screen" "$T/$1.screen.prev" && grep -qF -- "$2" "$T/$1.screen" && return 0
			continue
		fi
		sleep 0.05
	done
	return 1
}

# wait_gone NAME FIXED-STRING: until the pane no longer shows it, saved as NAME
wait_gone() {
	local i
	for ((i = 0; i < ${TMUX_TRIES:-100}; i++)); do
		screen "$1"
		grep -qF -- "$2" "$T/$1.screen" || return 0
		sleep 0.05
	done
	return 1
}

# click Y X, wheel up|down: a mouse event as an xterm sends it (X10 encoding:
# ESC [ M, button + 32, column + 33, row + 33), written to the pane as bytes
click() { tmx send-keys -t v -H 1b 5b 4d 20 "$(printf '%x' $(($2 + 33)))" "$(printf '%x' $(($1 + 33)))"; }
wheel() { tmx send-keys -t v -H 1b 5b 4d "$([[ $1 == up ]] && echo 60 || echo 61)" 2a 2a; }

# keys NAME EXPECTED KEYS...: send keys, wait for EXPECTED, check it.
keys() {
	local name=$1 want=$2
	shift 2
	tmx send-keys -t v "$@"
	if wait_screen "$name" "$want"; then
		ok "$name: screen shows '$want'"
	else
		bad "$name: screen never showed '$want'"
		show "$T/$name.screen" 40
	fi
}

# row NAME ERE: the first line of screen NAME matching, spaces squeezed
row() { grep -E -- "$2" "$T/$1.screen" | head -1 | tr -s ' '; }
# nums: a row's figures one word each: bytes without their unit ("1000 B" ->
# "1000", so small counts stay exact), durations joined ("6.0 us" -> "6.0us")
nums() { sed -E 's/ ([KMGTPE]i)?B( |$)/\2/g; s/([0-9.]+) (ns|us|ms|s)( |$)/\1\2\3/g'; }

# wait_file FILE: until it is not empty (5 s), e.g. the viewer's exit status
wait_file() {
	local i
	for ((i = 0; i < 100; i++)); do
		[[ -s $1 ]] && return 0
		sleep 0.05
	done
	return 1
}
