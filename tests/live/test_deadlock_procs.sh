#!/bin/bash
# shellcheck disable=SC2154 # dl_role sets the variables
# deadlocks across two processes: process-shared mutexes in POSIX shm taken
# in opposite order; two pipes (FIFOs, message queues) each read by the
# process that should write the other; a mutex + pipe cycle; a unix socket request/response pair where
# both sides wait to read.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dl_lib.sh"
live_init "$@"
DLW="--threshold 0.5 -n 1 --duration 40"
need_workload dl_shm_mutex dl_pipes dl_mixed dl_unix
EV="lock word owner (glibc mutex __owner)"

dl_start shm "$DLW" "$WL/dl_shm_mutex"
dl_role pa shm parent
dl_role ch shm child
dl_addr m1 shm m1
dl_addr m2 shm m2
dl_wait_blocked "$pa" "$pa" 202
dl_wait_blocked "$ch" "$ch" 202
dl_watch_result shm
dl_snapshot shm "$pa"	# the child is found through the lock word
dl_check_cycle shm "$pa shm_parent mutex $m2 -> $ch ($EV); $ch shm_child mutex $m1 -> $pa ($EV)"
dl_check_watch_cycle shm "$pa shm_parent mutex $m2 -> $ch ($EV); $ch shm_child mutex $m1 -> $pa ($EV)" 500000000
check_jq "shm: the lock lives in the shm object" true "$T/shm.json" \
	'.cycles[0].threads | all(.waits_for.where | test("^/dev/shm/ipcscope-dl-shm-"))'

dl_start pipes "$DLW" "$WL/dl_pipes"
dl_role a pipes a
dl_role b pipes b
dl_role ab pipes ab_ino
dl_role ba pipes ba_ino
dl_wait_blocked "$a" "$a" 0
dl_wait_blocked "$b" "$b" 0
dl_watch_result pipes
dl_snapshot pipes "$a" "$b"
dl_check_cycle pipes "$a pipes_a pipe pipe:[$ba] -> $b (pipe write end held by); $b pipes_b pipe pipe:[$ab] -> $a (pipe write end held by)"
dl_check_watch_cycle pipes "$a pipes_a pipe pipe:[$ba] -> $b (pipe write end held by); $b pipes_b pipe pipe:[$ab] -> $a (pipe write end held by)" 500000000

# the same with two FIFOs and with two POSIX message queues
mkdir "$T/fifos" || die "mkdir"
dl_start fifos "$DLW" "$WL/dl_pipes" fifo "$T/fifos"
dl_role a fifos a
dl_role b fifos b
dl_wait_blocked "$a" "$a" 0
dl_wait_blocked "$b" "$b" 0
dl_watch_result fifos
dl_snapshot fifos "$a"
want="$a pipes_a fifo fifo:$T/fifos/ba -> $b (fifo write end held by); $b pipes_b fifo fifo:$T/fifos/ab -> $a (fifo write end held by)"
dl_check_cycle fifos "$want"
dl_check_watch_cycle fifos "$want" 500000000

dl_start mq "$DLW" "$WL/dl_pipes" mq
dl_role a mq a
dl_role b mq b
dl_wait_blocked "$a" "$a" 243
dl_wait_blocked "$b" "$b" 243
dl_watch_result mq
dl_snapshot mq "$b"
want="$a pipes_a mq mq:/ipcscope-dl-$a-ba (deleted) -> $b (message queue sender held by); $b pipes_b mq mq:/ipcscope-dl-$a-ab (deleted) -> $a (message queue sender held by)"
dl_check_cycle mq "$want"
dl_check_watch_cycle mq "$want" 500000000

dl_start mixed "$DLW" "$WL/dl_mixed"
dl_role a mixed a
dl_role b mixed b
dl_addr mu mixed mutex
dl_role pino mixed pipe_ino
dl_wait_blocked "$a" "$a" 0
dl_wait_blocked "$b" "$b" 202
dl_watch_result mixed
dl_snapshot mixed "$b"
dl_check_cycle mixed "$a mixed_a pipe pipe:[$pino] -> $b (pipe write end held by); $b mixed_b mutex $mu -> $a ($EV)"
dl_check_watch_cycle mixed "$a mixed_a pipe pipe:[$pino] -> $b (pipe write end held by); $b mixed_b mutex $mu -> $a ($EV)" 500000000

dl_start unix "$DLW" "$WL/dl_unix"
dl_role s unix server
dl_role c unix client
dl_role si unix server_ino
dl_role ci unix client_ino
dl_wait_blocked "$s" "$s" 0
dl_wait_blocked "$c" "$c" 0
dl_watch_result unix
dl_snapshot unix "$s"
dl_check_cycle unix "$s unix_server socket socket:[$si] -> $c (peer socket:[$ci] held by); $c unix_client socket socket:[$ci] -> $s (peer socket:[$si] held by)"
dl_check_watch_cycle unix "$s unix_server socket socket:[$si] -> $c (peer socket:[$ci] held by); $c unix_client socket socket:[$ci] -> $s (peer socket:[$si] held by)" 500000000
live_finish
