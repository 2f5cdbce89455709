# lock_abba.py - two threading.Locks taken in both orders: "safe" (never overlapping) or "hang".
# Prints "ready pid=P", waits for SIGUSR1, then t1=TID and t2=TID; after "done" waits for SIGUSR1.
import os, signal, sys, threading
mode = sys.argv[1]
A = threading.Lock(); B = threading.Lock()
bar = threading.Barrier(2)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
print(f"ready pid={os.getpid()}", flush=True)
signal.sigwait({signal.SIGUSR1})
def ab():
    print(f"t1={threading.get_native_id()}", flush=True)
    with A:
        if mode == "hang": bar.wait()
        with B: pass
def ba():
    print(f"t2={threading.get_native_id()}", flush=True)
    with B:
        if mode == "hang": bar.wait()
        with A: pass
t1 = threading.Thread(target=ab); t1.start()
if mode != "hang": t1.join()
t2 = threading.Thread(target=ba); t2.start()
t1.join(); t2.join()
print("done", flush=True)
signal.sigwait({signal.SIGUSR1})
