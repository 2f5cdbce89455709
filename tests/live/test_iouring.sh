#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# io_uring: uring_pingpong under `record -- CMD`, one side through a ring and
# the other through plain syscalls. The ring side's requests must be the
# records the syscalls would make (conversations with exact bytes and
# messages both ways, from the workload's own N and S), marked io_uring,
# charged to the thread that submitted them: not an io-wq worker
# (IOSQE_ASYNC), not the SQPOLL poller. A thread asleep in io_uring_enter
# with a read pending is a waiter in deadlock --watch. IPCSCOPE_DISABLE=iouring:
# a notice, and no io_uring records.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dl_lib.sh"
live_init "$@"
need_workload uring_pingpong

N=40
S=1000

# uring_records NAME: "count tids comms syss" of the io_uring records
uring_records() {
	"$IPCS" export "$T/$1.ipcs" --format jsonl 2>"$T/$1.export.err" |
		jq -rs '[.[] | select(.via == "io_uring")] |
			"\(length) \([.[].tid] | unique | map(tostring) | join(",")) \([.[].comm] | unique | join(",")) \([.[].sys] | unique | join(","))"'
}

# plain_calls NAME PID: "data calls, of them io_uring" of the process PID
plain_calls() {
	"$IPCS" export "$T/$1.ipcs" --format jsonl 2>>"$T/$1.export.err" |
		jq -rs --argjson p "$2" '[.[] | select(.pid == $p and ((.sys // "") | test("^(read|write|sendto|recvfrom|sendmsg|recvmsg)$")) and .ret > 0)] |
			"\(length) \([.[] | select(.via)] | length)"'
}

# run_mode NAME MODE RING_COMM WRITE_SYS READ_SYS KIND
run_mode() {
	local name=$1 mode=$2 rcomm=$3 wsys=$4 rsys=$5 kind=$6 ring rtid plain
	rec "$name" "$WL/uring_pingpong" "$mode" "$N" "$S"
	check_eq "$name: record exit status (workload's own check)" 0 "$REC_RC"
	((REC_RC == 0)) || show "$T/$name.err"
	role_pid ring "$T/$name.out" ring
	role_pid rtid "$T/$name.out" ring_tid
	role_pid plain "$T/$name.out" plain
	report_json "$name"
	check_recording "$name"
	if [[ $kind == pipe ]]; then
		# two pipes: ring -> plain, plain -> ring
		check_conv "$name" pipe "$ring" ur_main "$plain" ur_plain $((N * S)) "$N"
		check_conv "$name" pipe "$plain" ur_plain "$ring" ur_main $((N * S)) "$N"
	else
		# one socketpair conversation, both directions
		check_jq "$name: $kind conversation both ways" "1 $((N * S)) $N $((N * S)) $N" "$T/$name.json" \
			'[.conversations[] | select(.kind == $k and ((.a.pid == $r and .b.pid == $p) or (.a.pid == $p and .b.pid == $r)))] |
			 "\(length) \(.[0].a_to_b.bytes) \(.[0].a_to_b.msgs) \(.[0].b_to_a.bytes) \(.[0].b_to_a.msgs)"' \
			--arg k "$kind" --argjson r "$ring" --argjson p "$plain"
	fi
	# N writes and N reads (a message of S <= PIPE_BUF bytes is never split), all by the ring thread
	check_eq "$name: io_uring records, tid, comm, calls" "$((2 * N)) $rtid $rcomm $(printf '%s\n' "$rsys" "$wsys" | sort | paste -sd,)" \
		"$(uring_records "$name")"
	check_eq "$name: the ring thread is not the process" 1 "$((rtid != ring))"
	check_eq "$name: the plain side: N reads and N writes by syscall" "$((2 * N)) 0" \
		"$(plain_calls "$name" "$plain")"
	"$IPCS" replay --plain "$T/$name.ipcs" >"$T/$name.plain" 2>&1
	check_eq "$name: replay --plain marks the ring's calls" "$((2 * N))" \
		"$(grep -c "^ *[0-9.]* *$ring/$rcomm .*\[io_uring\]\$" "$T/$name.plain")"
	check_eq "$name: and only those" "$((2 * N))" "$(grep -c '\[io_uring\]' "$T/$name.plain")"
}

run_mode pipe pipe ur_ring write read pipe
# IOSQE_ASYNC: an io-wq worker (iou-wrk-TID) does the work; charged to the submitter
run_mode async async ur_ring write read pipe
# registered files: the request's file, no fd
run_mode fixed fixed ur_ring write read pipe
check_eq "fixed: io_uring records carry fd -1" "-1" \
	"$("$IPCS" export "$T/fixed.ipcs" --format jsonl | jq -rs '[.[] | select(.via == "io_uring") | .fd] | unique | map(tostring) | join(",")')"
# SQPOLL: the poller (iou-sqp-TID) submits; charged to the thread that made the ring,
# named by its process (the poller's comm is the kernel's)
run_mode sqpoll sqpoll ur_main write read pipe
run_mode vec vec ur_ring writev readv pipe
run_mode unix unix ur_ring sendto recvfrom unix-stream
run_mode msg msg ur_ring sendmsg recvmsg unix-stream
# SCM_RIGHTS through IORING_OP_SENDMSG: each message passes a pipe's read end, which the
# plain side takes with recvmsg() (the workload checks one fd per message)
run_mode rights rights ur_ring sendmsg recvmsg unix-stream
role_pid ring "$T/rights.out" ring
role_pid plain "$T/rights.out" plain
check_jq "rights: $N pipe read ends passed from the ring's process, each paired with its receive" \
	"$N $N 0 $N $N" "$T/rights.json" \
	'.fd_passes as $f | [$f.passes[] | select(.from.pid == $r and .to.pid == $p and .what == "pipe" and .end == "read end")] |
	 "\($f.fds_passed) \($f.paired) \($f.not_listed) \(length) \([.[].received_fd] | length)"' \
	--argjson r "$ring" --argjson p "$plain"

# An io_uring futex wait/wake pair (6.7+): the ring side waits with IORING_OP_FUTEX_WAIT and
# wakes with IORING_OP_FUTEX_WAKE on a shared word, the plain side with futex(2). The model
# pairs wakes with the waits they ended: exactly the counts each side kept of its own waits
# that a wake ended.
rec fx "$WL/uring_pingpong" futex 200 1
check_eq "futex: record exit status" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/fx.err"
role_pid ring "$T/fx.out" ring
role_pid rtid "$T/fx.out" ring_tid
role_pid plain "$T/fx.out" plain
role_pid rwaits "$T/fx.out" ring_waits
role_pid pwaits "$T/fx.out" plain_waits
role_pid rwoke "$T/fx.out" ring_woke
report_json fx
check_jq "futex: one shared futex conversation ring -> plain: plain's waits ended, and back: ring's" \
	"1 $pwaits $rwaits" "$T/fx.json" \
	'[.conversations[] | select(.kind == "futex" and .key.shared and .a.pid == $r and .b.pid == $p)] |
	 "\(length) \(.[0].a_to_b.msgs) \(.[0].b_to_a.msgs)"' --argjson r "$ring" --argjson p "$plain"
check_eq "futex: io_uring waits ended by a wake, wakes that woke, all by the ring thread" \
	"$rwaits $rwoke $rtid" \
	"$("$IPCS" export "$T/fx.ipcs" --format jsonl | jq -rs --argjson r "$ring" '[.[] | select(.type == "futex" and .via == "io_uring" and .pid == $r and .shared)] |
		"\([.[] | select(.sys == "futex_wait" and .ret == 0)] | length) \([.[] | select(.sys == "futex_wake" and .ret > 0)] | length) \([.[].tid] | unique | map(tostring) | join(","))"')"

# --capture: each io_uring write and read carries its first bytes (the workload's pattern:
# byte k of message i is (i*S + k) % 251, both ways), right after its record (same ts, tid)
"$IPCS" record --capture 8 -o "$T/cap.ipcs" -- "$WL/uring_pingpong" pipe 5 300 </dev/null >"$T/cap.out" 2>"$T/cap.err"
check_eq "capture: record exit" 0 "$?"
role_pid ring "$T/cap.out" ring
want=$(for i in 0 1 2 3 4; do for d in out in; do
	printf '%s ' "$d"; for k in 0 1 2 3 4 5 6 7; do printf '%02x' $(((i * 300 + k) % 251)); done; echo; done; done)
"$IPCS" export "$T/cap.ipcs" --format jsonl >"$T/cap.jsonl"
check_eq "capture: the ring's payloads, in order" "$want" \
	"$(jq -r --argjson r "$ring" 'select(.type == "payload" and .pid == $r) | "\(.dir) \(.data_hex)"' "$T/cap.jsonl")"
check_eq "capture: each follows its io_uring record (same ts and tid)" 10 \
	"$(jq -rs --argjson r "$ring" '[.[] | select(.pid == $r and (.via == "io_uring" or .type == "payload"))] as $a |
		[range(0; $a | length; 2) | select($a[.].via == "io_uring" and $a[. + 1].type == "payload" and
		 $a[.].ts_ns == $a[. + 1].ts_ns and $a[.].tid == $a[. + 1].tid)] | length' "$T/cap.jsonl")"

# eventfd: the values moved, read from the ring side's buffers
rec efd "$WL/uring_pingpong" eventfd "$N" 8
check_eq "eventfd: record exit status" 0 "$REC_RC"
role_pid ring "$T/efd.out" ring
check_eq "eventfd: io_uring writes carry 1..N, reads 1001..1000+N" \
	"$(seq 1 "$N" | paste -sd,) $(seq 1001 $((1000 + N)) | paste -sd,)" \
	"$("$IPCS" export "$T/efd.ipcs" --format jsonl | jq -rs --argjson r "$ring" '[.[] | select(.via == "io_uring" and .pid == $r and .kind == "eventfd")] |
		"\([.[] | select(.sys == "write") | .arg] | map(tostring) | join(",")) \([.[] | select(.sys == "read") | .arg] | map(tostring) | join(","))"')"

# A multishot server: one ring accepts C connections (multishot ACCEPT), receives from
# each (multishot RECV, provided buffers), echoes (SEND) and closes (CLOSE). Per
# connection: M messages of S bytes each way, the workload's own count.
C=3 M=20 S2=500
need_workload uring_server
rec srv "$WL/uring_server" server "$C" "$M" "$S2"
check_eq "server: record exit status (workload's own check)" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/srv.err"
role_pid srv "$T/srv.out" server
report_json srv
check_recording srv
mapfile -t clients < <(sed -n 's/^client=//p' "$T/srv.out")
check_eq "server: clients" "$C" "${#clients[@]}"
for c in "${clients[@]}"; do
	check_jq "server: client $c: one conversation, $M x $S2 bytes each way" "1 $((M * S2)) $M $((M * S2)) $M" "$T/srv.json" \
		'[.conversations[] | select(.kind == "unix-stream" and ((.a.pid == $c and .b.pid == $s) or (.a.pid == $s and .b.pid == $c)))] |
		 "\(length) \(.[0].a_to_b.bytes) \(.[0].a_to_b.msgs) \(.[0].b_to_a.bytes) \(.[0].b_to_a.msgs)"' \
		--argjson c "$c" --argjson s "$srv"
done
check_jq "server: no conversation with an unknown side" 0 "$T/srv.json" \
	'[.conversations[] | select(.kind == "unix-stream" and (.a.pid == 0 or .b.pid == 0))] | length'
"$IPCS" export "$T/srv.ipcs" --format jsonl >"$T/srv.jsonl"
# per call: count, distinct fds (accept: new fds); recv: M messages + the EOF per connection
check_eq "server: io_uring calls (sys count fds)" \
	"accept4 $C $C close $C $C recvfrom $((C * (M + 1))) $C sendto $((C * M)) $C" \
	"$(jq -rs --argjson s "$srv" '[.[] | select(.via == "io_uring" and .pid == $s and .tid == $s)] | group_by(.sys) |
		map("\(.[0].sys) \(length) \(map(if .sys == "accept4" then .fd2 else .fd end) | unique | length)") | join(" ")' "$T/srv.jsonl")"
check_eq "server: recv bytes from the ring's completions" "$((C * M * S2))" \
	"$(jq -rs --argjson s "$srv" '[.[] | select(.via == "io_uring" and .pid == $s and .sys == "recvfrom") | .ret] | add' "$T/srv.jsonl")"

# The client side through the ring: SOCKET, CONNECT, SEND/RECV, CLOSE; the server plain.
rec cli "$WL/uring_server" client 1 "$M" "$S2"
check_eq "client: record exit status (workload's own check)" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/cli.err"
role_pid srv "$T/cli.out" server
role_pid cl "$T/cli.out" client
report_json cli
check_recording cli
check_jq "client: one conversation, $M x $S2 bytes each way" "1 $((M * S2)) $M $((M * S2)) $M" "$T/cli.json" \
	'[.conversations[] | select(.kind == "unix-stream" and .a.pid == $c and .b.pid == $s)] |
	 "\(length) \(.[0].a_to_b.bytes) \(.[0].a_to_b.msgs) \(.[0].b_to_a.bytes) \(.[0].b_to_a.msgs)"' \
	--argjson c "$cl" --argjson s "$srv"
check_eq "client: io_uring calls (sys count, all on the socket the ring made)" \
	"close 1 connect 1 recvfrom $M sendto $M socket 1 fds 1" \
	"$("$IPCS" export "$T/cli.ipcs" --format jsonl | jq -rs --argjson c "$cl" '[.[] | select(.via == "io_uring" and .pid == $c and .ret >= 0)] |
		(group_by(.sys) | map("\(.[0].sys) \(length)") | join(" ")) + " fds \(map(.fd) | unique | length)"')"

# A deadlock through io_uring: the ring side waits in io_uring_enter for an IORING_OP_READ of
# the pipe the plain side should write, the plain side in read() of the pipe the ring side
# should write. deadlock --watch sees the ring thread as a reader of its pipe: one cycle.
dl_start udl "--threshold 0.5 -n 1 --duration 40" "$WL/uring_pingpong" deadlock 1 100
dl_role ring udl ring
dl_role plain udl plain
dl_wait_blocked "$ring" "$ring" 426	# io_uring_enter
dl_wait_blocked "$plain" "$plain" 0	# read
ab=$(readlink "/proc/$ring/fd/4")	# ring -> plain (the ring's write end)
ba=$(readlink "/proc/$ring/fd/5")	# plain -> ring (the ring's read end)
dl_watch_result udl
dl_check_watch_cycle udl "$ring ur_ring pipe $ba -> $plain (pipe write end held by); $plain ur_plain pipe $ab -> $ring (pipe write end held by)" 500000000
check_jq "deadlock: the ring thread is doing io_uring_enter" io_uring_enter "$T/udl.w.json" \
	'.cycles[0].threads[] | select(.tid == $r) | .doing' --argjson r "$ring"
kill -KILL "$ring" 2>/dev/null

# Switched off: the same run records, says what is not seen, and has no io_uring records.
IPCSCOPE_DISABLE=iouring "$IPCS" record -o "$T/off.ipcs" -- "$WL/uring_pingpong" pipe "$N" "$S" \
	</dev/null >"$T/off.out" 2>"$T/off.err"
check_eq "IPCSCOPE_DISABLE=iouring: record exit" 0 "$?"
check_grep "IPCSCOPE_DISABLE=iouring: says what is not seen" "$T/off.err" \
	'without io_uring_submit_req/complete: io_uring operations not seen'
check_eq "IPCSCOPE_DISABLE=iouring: no io_uring records" 0 "$(uring_records off | cut -d' ' -f1)"
role_pid plain "$T/off.out" plain
check_eq "IPCSCOPE_DISABLE=iouring: the plain side still seen" "$((2 * N)) 0" "$(plain_calls off "$plain")"
live_finish
