# shellcheck shell=bash
# serve_lib.sh - helpers for the `ipcscope serve` live tests; source after lib.sh.

SERVE_WRAP=()

# serve_start NAME ARGS...: `ipcscope serve --listen 127.0.0.1:0 ARGS` in the background;
# sets SERVE_PID and SERVE_URL (the port it printed) once the probes are attached.
# SERVE_WRAP (an array, may be empty): a command to run it under (setpriv ...).
serve_start() {
	local name=$1
	shift
	"${SERVE_WRAP[@]}" "$IPCS" serve --listen 127.0.0.1:0 "$@" </dev/null >"$T/$name.out" 2>"$T/$name.err" &
	SERVE_PID=$!
	LIVE_BG_PIDS+=("$SERVE_PID")
	wait_line "$T/$name.err" 'serving http://' 30 "$SERVE_PID" ||
		{ show "$T/$name.err"; die "serve never said where it serves"; }
	SERVE_URL=$(grep -o 'http://[0-9.:]*/metrics' "$T/$name.err" | head -1)
	[[ -n $SERVE_URL ]] || die "no URL in $T/$name.err"
}

# metric FILE SERIES: the value of the sample line 'SERIES VALUE' (exact series text), or "none".
# (The series goes through the environment: awk -v would read its backslashes as escapes.)
metric() {
	K=$2 awk 'BEGIN { k = ENVIRON["K"] }
		index($0, k " ") == 1 && length($0) > length(k) + 1 { v = substr($0, length(k) + 2) }
		END { print (v == "" ? "none" : v) }' "$1"
}

# scrape_until FILE SERIES VALUE SECS: fetch SERVE_URL into FILE until SERIES has VALUE
# (the text is rebuilt once a second), at most SECS seconds; the last fetch stays in FILE.
scrape_until() {
	local file=$1 series=$2 want=$3 secs=$4 i
	for ((i = 0; i < secs * 4; i++)); do
		curl -sf -o "$file" "$SERVE_URL" && [[ $(metric "$file" "$series") == "$want" ]] && return 0
		sleep 0.25
	done
	return 1
}

# serve_stop NAME: SIGTERM, then the exit status must be 0 and the summary said.
serve_stop() {
	kill -TERM "$SERVE_PID" 2>/dev/null
	bg_wait "$SERVE_PID" 20
	check_eq "serve exits 0 on SIGTERM" 0 "$BG_RC"
	check_grep "serve: final status line" "$T/$1.err" "-> served"
}
