# shellcheck disable=SC2016 # jq programs use $vars, not shell ones
# attach_lib.sh - for the attach tests (a server started before ipcscope,
# traced on its side only, its client untraced): the client under strace,
# and the checks of every connection against strace's count.

# strace_client NAME CMD ARGS...: CMD under `strace -f` into $T/NAME.strace,
# its output in $T/NAME.out; sets CLIENT_PID (the client's pid) and CLIENT_RC.
strace_client() {
	local name=$1
	shift
	strace -f -qq -s 0 -e trace=connect,close,read,write,readv,writev,sendto,recvfrom,sendmsg,recvmsg \
		-o "$T/$name.strace" "$@" </dev/null >"$T/$name.out" 2>&1
	CLIENT_RC=$?
	CLIENT_PID=$(awk 'NR == 1 { print $1 }' "$T/$name.strace")
}

# check_attach NAME JSON KIND CHANNEL_RE DEST COMM SERVER_COMM MIN_MSGS NCONN:
# the connections the client of $T/NAME.strace made to DEST and the
# conversations of KIND whose channel matches CHANNEL_RE carry the same bytes
# each way, connection by connection (client sent, received: its side is the
# untraced one); the NCONN that moved at least MIN_MSGS messages name the client
# (its pid and COMM, "traced": false) and a traced SERVER_COMM.
check_attach() {
	local name=$1 j=$2 kind=$3 chre=$4 dest=$5 comm=$6 scomm=$7 minmsgs=$8 nconn=$9 want got
	local sel='[.conversations[] | select(.kind == $k and (.channel | test($re)))]'
	want=$(python3 "$(dirname "${BASH_SOURCE[0]}")/strace_bytes.py" "$T/$name.strace" "$dest" | sort)
	# a is the first writer seen: the client, or the server when its write came first; the
	# client's side is the untraced one
	got=$(jq -r --arg k "$kind" --arg re "$chre" "$sel"'[] | if .a.traced then
		"\(.b_to_a.bytes) \(.a_to_b.bytes)" else "\(.a_to_b.bytes) \(.b_to_a.bytes)" end' "$j" | sort)
	if [[ -z $want ]]; then
		bad "$name: strace saw no connection to $dest"
	else
		check_eq "$name: bytes each way, per connection (strace of the client: $(wc -l <<<"$want") connections)" \
			"$(tr '\n' ',' <<<"$want")" "$(tr '\n' ',' <<<"$got")"
	fi
	check_jq "$name: the $nconn connections of $comm name it (pid $CLIENT_PID, not traced) and a traced $scomm" \
		"$nconn" "$j" "$sel"' | map(select(.a_to_b.msgs >= $m)) |
		map(select(.a.pid == $p and .a.comm == $c and .a.traced == false and
			   .b.comm == $s and .b.traced == true)) | length' \
		--arg k "$kind" --arg re "$chre" --argjson m "$minmsgs" --argjson p "$CLIENT_PID" \
		--arg c "$comm" --arg s "$scomm"
	check_jq "$name: every busy connection of $kind is one of them" "$nconn" "$j" \
		"$sel"' | map(select(.a_to_b.msgs >= $m)) | length' \
		--arg k "$kind" --arg re "$chre" --argjson m "$minmsgs"
}

# check_no_server_pairs JSON COMM: no socket conversation between two COMM processes.
check_no_server_pairs() {
	check_jq "no socket conversation between two $2 processes" 0 "$1" \
		'[.conversations[] | select((.kind | test("^(unix|tcp|udp)")) and .a.comm == $c and .b.comm == $c)] | length' \
		--arg c "$2"
}
