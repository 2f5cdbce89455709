#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# shm_pair under `record -- CMD`: one segment mapped by two processes, exact
# mappers (pid, comm, size, maps, unmaps) for SysV shm, POSIX shm and memfd.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload shm_pair

# run_case MODE CHANNEL_SED SEG_SIZE PARENT_SIZE CHILD_SIZE
run_case() {
	local mode=$1 seg=$2 psize=$3 csize=$4 p c id j chan
	rec "$mode" "$WL/shm_pair" "$mode"
	check_eq "$mode: record exit status (workload's own check)" 0 "$REC_RC"
	((REC_RC == 0)) || show "$T/$mode.err"
	role_pid p "$T/$mode.out" parent
	role_pid c "$T/$mode.out" child
	if [[ $mode == sysv ]]; then
		role_pid id "$T/$mode.out" shmid
		chan="sysv-shm:$id"
	else
		role_pid id "$T/$mode.out" ino
		chan="shm:[$id]"
		# memfd_create is traced: the segment has the memfd's name
		[[ $mode == memfd ]] && chan="memfd:ipcs_memfd"
	fi
	report_json "$mode"
	check_recording "$mode"
	j=$T/$mode.json
	local sel='[.channels[] | select(.kind == "shm")]'
	check_jq "$mode: one shm segment" 1 "$j" "$sel | length"
	if [[ $mode == posix ]]; then
		# named from the parent's /proc/PID/maps when it still maps the segment as
		# ipcscope reads the mmap record (shm_unlink'd first: "(deleted)"); this
		# run is over within milliseconds, so either (test_titles.sh names it surely)
		check_jq "$mode: channel name (path, or inode when the mappers were gone)" true "$j" \
			"${sel}[0].channel | . == \$a or . == \$b" --arg a "$chan" \
			--arg b "/dev/shm/ipcs_shm_$p (deleted)"
	else
		check_jq "$mode: channel name" "$chan" "$j" "${sel}[0].channel"
	fi
	check_jq "$mode: segment size" "$seg" "$j" "${sel}[0].size"
	check_jq "$mode: mappers (pid comm size maps unmaps)" \
		"$p shm_parent $psize 1 1,$c shm_child $csize 1 1" "$j" \
		"${sel}[0].mappers | map(\"\(.pid) \(.comm) \(.size) \(.maps) \(.unmaps)\") | join(\",\")"
	check_jq "$mode: times" true "$j" "${sel}[0].mappers | all(.first_ns > 0 and .first_ns <= .last_ns)"
	if [[ $mode == sysv ]]; then
		check_jq "sysv: IPC_PRIVATE key, removed" "true 0 true" "$j" \
			"${sel}[0] | \"\(.sysv) \(.key) \(.removed)\""
	else
		check_jq "$mode: not sysv, inode" "false $id" "$j" "${sel}[0] | \"\(.sysv) \(.ino)\""
	fi
	if [[ $mode == memfd ]]; then
		check_jq "memfd: created by the parent (memfd_create)" "$p shm_parent" "$j" \
			"${sel}[0].creator | \"\(.pid) \(.comm)\""
	fi
}

run_case sysv 12288 12288 12288
run_case posix 20480 8192 20480
run_case memfd 16384 16384 16384
live_finish
