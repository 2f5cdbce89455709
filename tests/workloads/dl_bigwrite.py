#!/usr/bin/env python3
# dl_bigwrite.py - one write(2) of 1 MiB to stdout (a pipe nobody reads yet),
# then "wrote=N": what that one call returned. A diagnosis that interrupts the
# blocked call (ptrace) makes it return early with a partial count.
import os
import sys

print(f"proc={os.getpid()}", file=sys.stderr, flush=True)
n = os.write(1, b"x" * (1 << 20))
print(f"wrote={n}", file=sys.stderr, flush=True)
