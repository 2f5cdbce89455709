#!/bin/bash
# shellcheck disable=SC2016 # jq programs use $vars
# attach_nginx: nginx (master and worker) started before ipcscope, traced on
# its side only (`record -p MASTER`: the worker it forked is followed); curl,
# not traced, fetches a file 3 times over loopback TCP and over a unix socket. nginx
# sends the body with sendfile(): every connection's bytes each way equal
# strace's count of curl, and curl is named and marked not traced.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/attach_lib.sh"
live_init "$@"
command -v nginx >/dev/null && command -v curl >/dev/null ||
	die "nginx or curl missing: tests/setup/install-deps.sh installs nginx curl"
command -v strace >/dev/null || die "strace missing"

chmod 755 "$T"
mkdir -p "$T/ngx/logs" "$T/ngx/html"
head -c 60000 /dev/urandom | base64 >"$T/ngx/html/big.txt"	# 80 KB
port=$((48000 + $$ % 2000))
cat >"$T/ngx/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 1;
pid $T/ngx/nginx.pid;
error_log $T/ngx/logs/error.log;
events { worker_connections 64; }
http {
	access_log off;
	sendfile on;
	server {
		listen 127.0.0.1:$port;
		listen unix:$T/ngx/ngx.sock;
		root $T/ngx/html;
	}
}
CONF
nginx -p "$T/ngx" -c "$T/ngx/nginx.conf" >"$T/nginx.out" 2>&1 &
LIVE_BG_PIDS+=($!)
for ((i = 0; i < 100; i++)); do
	[[ -s $T/ngx/nginx.pid && -S $T/ngx/ngx.sock ]] && break
	sleep 0.1
done
[[ -s $T/ngx/nginx.pid ]] || { show "$T/nginx.out"; die "nginx did not start"; }
master=$(cat "$T/ngx/nginx.pid")
LIVE_BG_PIDS+=("$master")

"$IPCS" record -o "$T/n.ipcs" -p "$master" </dev/null >"$T/rec.out" 2>"$T/rec.err" &
recpid=$!
LIVE_BG_PIDS+=("$recpid")
wait_line "$T/rec.err" 'recording to' 20 "$recpid" || { show "$T/rec.err"; die "record -p did not start"; }

# Three requests on one connection, 100 ms apart: curl lives long enough to be
# found in /proc (a client gone before the walk stays "(not seen)").
u=http://127.0.0.1:$port/big.txt
strace_client tcp curl -sS --rate 10/s -o "$T/tcp.body" -o /dev/null -o /dev/null "$u" "$u" "$u"
check_eq "curl over TCP: exit status" 0 "$CLIENT_RC"
tcp_pid=$CLIENT_PID
u=http://localhost/big.txt
strace_client unix curl -sS --rate 10/s -o "$T/unix.body" -o /dev/null -o /dev/null \
	--unix-socket "$T/ngx/ngx.sock" "$u" "$u" "$u"
check_eq "curl over the unix socket: exit status" 0 "$CLIENT_RC"
unix_pid=$CLIENT_PID
cmp -s "$T/tcp.body" "$T/ngx/html/big.txt" && cmp -s "$T/unix.body" "$T/ngx/html/big.txt"
check_eq "both bodies arrived whole" 0 $?

kill -INT "$recpid"
bg_wait "$recpid" 30
check_eq "record exit status" 0 "$BG_RC"
report_json n
check_recording n
j=$T/n.json
CLIENT_PID=$tcp_pid
check_attach tcp "$j" tcp "(^|<->)127\\.0\\.0\\.1:$port(<->|$)" "127.0.0.1:$port" curl nginx 1 1
CLIENT_PID=$unix_pid
check_attach unix "$j" unix-stream "^$T/ngx/ngx\\.sock\$" "$T/ngx/ngx.sock" curl nginx 1 1
check_no_server_pairs "$j" nginx
kill -QUIT "$master" 2>/dev/null
live_finish
