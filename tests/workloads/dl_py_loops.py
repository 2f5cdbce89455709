#!/usr/bin/env python3
# dl_py_loops.py MODE [EXTRA] - two event loops waiting for each other: the
# parent waits (MODE: poll, epoll or select, no timeout) for data on a pipe
# only the child writes, the child for data on a pipe only the parent
# writes; nobody writes. EXTRA adds to the parent's set:
#   listen   a listening unix socket (any client may connect)
#   timeout  no fd: a 1 h timeout instead of none
#   tcp      the two "pipes" are the two ends of one loopback TCP connection
# Prints proc= and child= once both are about to wait.
import os
import select
import socket
import sys
import tempfile

mode = sys.argv[1]
extra = sys.argv[2] if len(sys.argv) > 2 else ""
if extra == "tcp":
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen()
    cs = socket.create_connection(ls.getsockname())
    ss, _ = ls.accept()
    ls.close()
    # each side reads its end and "writes" the other's: the same two fds
    to_parent_r, to_child_w = os.dup(cs.fileno()), os.dup(cs.fileno())
    to_child_r, to_parent_w = os.dup(ss.fileno()), os.dup(ss.fileno())
    cs.close()
    ss.close()
else:
    to_parent_r, to_parent_w = os.pipe()
    to_child_r, to_child_w = os.pipe()
ready_r, ready_w = os.pipe()


def wait(fds, timeout):
    if mode == "poll":
        p = select.poll()
        for fd in fds:
            p.register(fd, select.POLLIN)
        p.poll(None if timeout is None else timeout * 1000)
    elif mode == "epoll":
        e = select.epoll()
        for fd in fds:
            e.register(fd, select.EPOLLIN)
        e.poll(-1 if timeout is None else timeout)
    else:
        select.select(fds, [], [], timeout)


child = os.fork()
if child == 0:
    os.close(to_parent_r)
    os.close(to_child_w)
    os.close(ready_r)
    os.close(ready_w)
    wait([to_child_r], None)
    os._exit(0)
os.close(to_parent_w)
os.close(to_child_r)
os.close(ready_r)
os.close(ready_w)
fds = [to_parent_r]
timeout = None
if extra == "listen":
    d = tempfile.mkdtemp()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(os.path.join(d, "sock"))
    s.listen()
    fds.append(s.fileno())
elif extra == "timeout":
    timeout = 3600
print(f"proc={os.getpid()}\nchild={child}", flush=True)
wait(fds, timeout)
