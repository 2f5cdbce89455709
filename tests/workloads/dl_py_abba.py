#!/usr/bin/env python3
# dl_py_abba.py - the classic Python lock-order deadlock: two threads, two
# threading.Locks (sem_t underneath: no owner in the lock word), opposite order.
# Prints proc=, ta=, tb= (native thread ids) once both hold their first lock.
import os
import threading

a, b = threading.Lock(), threading.Lock()
both = threading.Barrier(3)
tids = {}


def worker(name, first, second):
    tids[name] = threading.get_native_id()
    with first:
        both.wait()
        with second:
            pass


ta = threading.Thread(target=worker, args=("ta", a, b))
tb = threading.Thread(target=worker, args=("tb", b, a))
ta.start()
tb.start()
both.wait()
print(f"proc={os.getpid()}\nta={tids['ta']}\ntb={tids['tb']}", flush=True)
ta.join()
tb.join()
