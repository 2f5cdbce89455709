#!/usr/bin/env python3
"""strace_bytes.py - bytes per connection of a client, from `strace -f` output.

The independent count of the attach tests: `strace -f -qq -s 0 -e
trace=connect,close,read,write,readv,writev,sendto,recvfrom,sendmsg,recvmsg
-o FILE CLIENT ...`, then `strace_bytes.py FILE DEST` prints one line
"SENT RECV" per connection the client made to DEST (a unix socket path, or
HOST:PORT), in the order they were opened, when it moved any bytes. A connection runs from its
connect() (done, or EINPROGRESS for a non-blocking one) to the close() of its
fd; calls resumed after "<unfinished ...>" are joined by pid.
"""
import re
import sys

CALL = re.compile(r'^(\d+)\s+(?:<\.\.\. (\w+) resumed>(.*)|(\w+)\((.*))$')
RET = re.compile(r'\)\s+=\s+(-?\d+)(?:\s+(\w+))?')
SENDS = {"write", "writev", "sendto", "sendmsg"}
RECVS = {"read", "readv", "recvfrom", "recvmsg"}


def dest_of(args):
    m = re.search(r'sun_path="([^"]*)"', args)
    if m:
        return m.group(1)
    m = re.search(r'sin6?_port=htons\((\d+)\).*?inet(?:_addr\("|_pton\(AF_INET6, ")([^"]+)"', args)
    if m:
        return "%s:%s" % (m.group(2), m.group(1))
    return None


def main():
    path, want = sys.argv[1], sys.argv[2]
    pending = {}   # pid -> (name, first args)
    open_conns = {}  # fd -> index into conns
    conns = []      # [sent, recv]
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = CALL.match(line)
            if not m:
                continue
            pid = m.group(1)
            if m.group(2):
                name, first = pending.pop(pid, (m.group(2), ""))
                rest = first + m.group(3)
            else:
                name, rest = m.group(4), m.group(5)
                if rest.endswith("<unfinished ...>"):
                    pending[pid] = (name, rest[: -len("<unfinished ...>")])
                    continue
            fdm = re.match(r'\s*(\d+)', rest)
            r = RET.search(rest)
            if not fdm or not r:
                continue
            fd, ret, err = int(fdm.group(1)), int(r.group(1)), r.group(2)
            if name == "connect":
                # a non-blocking connect() called again to see it done is the same one
                if dest_of(rest) == want and (ret == 0 or err == "EINPROGRESS") and \
                        fd not in open_conns:
                    open_conns[fd] = len(conns)
                    conns.append([0, 0])
            elif name == "close":
                open_conns.pop(fd, None)
            elif fd in open_conns and ret > 0:
                if name in SENDS:
                    conns[open_conns[fd]][0] += ret
                elif name in RECVS:
                    conns[open_conns[fd]][1] += ret
    for s, r in conns:
        if s or r:  # no bytes, no conversation
            print(s, r)


if __name__ == "__main__":
    main()
