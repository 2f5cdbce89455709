#!/bin/bash
# shellcheck disable=SC2016,SC2154 # jq programs use $vars; role_pid sets vars
# record --cgroup PATH on the whole host: a workload moved into a fresh
# cgroup v2 is traced, the same workload outside it is not.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload pipe_pair
mnt=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
[[ -n $mnt ]] || die "no cgroup2 filesystem mounted (mount -t cgroup2 none /sys/fs/cgroup)"
name=ipcscope-test-$$
CG=$mnt/$name
mkdir "$CG" || die "cannot create cgroup $CG"
trap 'rmdir "$CG" 2>/dev/null; live_cleanup' EXIT

# as /proc/PID/cgroup names it ("/name"), resolved under the mount
"$IPCS" record -v -o "$T/cg.ipcs" --cgroup "/$name" </dev/null >"$T/cg.out" 2>"$T/cg.err" &
rp=$!
LIVE_BG_PIDS+=("$rp")
wait_line "$T/cg.err" 'recording to' 20 "$rp" || { show "$T/cg.err"; die "record --cgroup did not start"; }
check_grep "--cgroup resolved to the directory" "$T/cg.err" "--cgroup $CG: id $(stat -c %i "$CG"), level"
sh -c "echo \$\$ > '$CG/cgroup.procs' && exec '$WL/pipe_pair' 10 100 4093 ip_writer ip_reader" >"$T/in.out" </dev/null
check_eq "inside: workload exit" 0 "$?"
"$WL/pipe_pair" 7 100 4093 op_writer op_reader >"$T/out.out" </dev/null
check_eq "outside: workload exit" 0 "$?"
kill -INT "$rp"
bg_wait "$rp" 20
check_eq "recorder finished on SIGINT" 0 "$BG_RC"
role_pid w "$T/in.out" writer
role_pid r "$T/in.out" reader
report_json cg
check_recording cg
check_conv cg pipe "$w" ip_writer "$r" ip_reader 1000 10
check_jq "nothing of the processes outside the cgroup" 0 "$T/cg.json" \
	'[.processes[] | select(.comm | startswith("op_"))] | length'
check_jq "no other pipe conversation" 1 "$T/cg.json" '[.conversations[] | select(.kind == "pipe")] | length'

"$IPCS" record -o "$T/x.ipcs" --cgroup /no/such/cgroup -- true 2>"$T/e1"
check_eq "--cgroup of a missing cgroup: fails" 1 "$?"
check_grep "--cgroup: says where to look" "$T/e1" "/proc/PID/cgroup"
[[ -e $T/x.ipcs ]] && bad "--cgroup failure left a file" || ok "--cgroup failure leaves no file"
live_finish
