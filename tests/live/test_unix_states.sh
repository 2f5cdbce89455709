#!/bin/bash
# A unix stream socket through the changes the probes' per-socket cache must
# see (bpf/sock.bpf.h unix_fill_cached): exact peer inode and addresses of each
# read/write record of the unix_states workload, found by its byte count, as
# the peer closes, gets its socket at accept(), and an address is bound after
# connect(); each step after one the cache could have answered.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload unix_states

name=states
rec "$name" "$WL/unix_states" "ipcs-live-$$"
check_eq "$name: record exit status" 0 "$REC_RC"
((REC_RC == 0)) || show "$T/$name.err"
report_json "$name"
check_recording "$name"
"$IPCS" export --format jsonl -o "$T/$name.jsonl" "$T/$name.ipcs" 2>"$T/$name.xerr" ||
	show "$T/$name.xerr"
# the uxs_main read/write records, one line each: SYS RET SOCK_INO PEER_INO ADDR PEER_ADDR
jq -r 'select(.type == "sock" and .comm == "uxs_main" and (.sys == "read" or .sys == "write"))
	| "\(.sys) \(.ret) \(.sock_ino) \(.peer_ino) \(.addr // "-") \(.peer_addr // "-")"' \
	"$T/$name.jsonl" >"$T/$name.rw"
check_eq "$name: read/write records" 12 "$(wc -l <"$T/$name.rw")"
# field F (3 sock_ino, 4 peer_ino, 5 addr, 6 peer_addr) of the record SYS RET
f() { awk -v s="$1" -v r="$2" -v f="$3" '$1 == s && $2 == r { print $f }' "$T/$name.rw"; }

pa=$(f write 1 3) pb=$(f read 1 3)
check_eq "pair: the ends have inodes" true "$([[ $pa -gt 0 && $pb -gt 0 && $pa != "$pb" ]] && echo true)"
check_eq "pair: write 1: peer" "$pb" "$(f write 1 4)"
check_eq "pair: read 2 (cached): peer" "$pb" "$(f read 2 4)"
check_eq "pair: write 3: peer" "$pa" "$(f write 3 4)"
check_eq "pair: read 3 after the peer closed: peer_ino" 0 "$(f read 3 4)"
check_eq "pair: no addresses" "- - - -" "$(f read 3 5) $(f read 3 6) $(f read 2 5) $(f read 2 6)"

srv="@ipcs-live-$$-srv" late="@ipcs-live-$$-late"
c=$(f write 4 3) s=$(f read 22 3)
check_eq "client: one socket throughout" "$c $c $c $c" "$(f write 5 3) $(f write 6 3) $(f write 7 3) $(f read 0 3)"
check_eq "client: write 4 before accept: peer_ino, addr, peer_addr" "0 - $srv" \
	"$(f write 4 4) $(f write 4 5) $(f write 4 6)"
check_eq "client: write 5 before accept (cached)" "0 - $srv" "$(f write 5 4) $(f write 5 5) $(f write 5 6)"
check_eq "client: write 6 after accept: peer_ino = the accepted socket" "$s - $srv" \
	"$(f write 6 4) $(f write 6 5) $(f write 6 6)"
check_eq "client: write 7 after bind: its own name" "$s $late -" "$(f write 7 4) $(f write 7 5) $(f write 7 6)"
check_eq "server: read 22: peer, addr" "$c $srv -" "$(f read 22 4) $(f read 22 5) $(f read 22 6)"
check_eq "client: read 0 after the server closed: peer_ino 0, own name" "0 $late -" \
	"$(f read 0 4) $(f read 0 5) $(f read 0 6)"
live_finish
