#!/usr/bin/env python3
# dl_py_subpipe.py - the subprocess pipe deadlock: the parent writes a big
# input to the child's stdin before reading its stdout; the child echoes what
# it reads, so it blocks writing a full stdout pipe while the parent blocks
# writing a full stdin pipe. With the argument "wait": the other classic,
# p.wait() on a child that writes more than a pipe holds to stdout=PIPE (the
# parent waits for its exit, the child for the parent to read). Prints
# proc= and child=.
import os
import subprocess
import sys

ECHO = ("import sys\n"
        "while True:\n"
        "    d = sys.stdin.buffer.read1(65536)\n"
        "    if not d:\n"
        "        break\n"
        "    sys.stdout.buffer.write(d)\n"
        "    sys.stdout.buffer.flush()\n")
if sys.argv[1:] == ["wait"]:
    p = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdout.write('x' * (1 << 20))"],
                         stdout=subprocess.PIPE)
    print(f"proc={os.getpid()}\nchild={p.pid}", flush=True)
    p.wait()
    sys.exit(0)
p = subprocess.Popen([sys.executable, "-c", ECHO], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
print(f"proc={os.getpid()}\nchild={p.pid}", flush=True)
p.stdin.write(b"x" * (8 << 20))
p.stdin.close()
print(len(p.stdout.read()), flush=True)
