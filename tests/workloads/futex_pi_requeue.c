/*
 * futex_pi_requeue pi N | requeue - PI futex handoffs and a requeue, exact.
 *
 * Both modes put their futex words in one MAP_SHARED|MAP_ANONYMOUS page
 * mapped by the parent before fork: the children inherit the mapping (no
 * syscall of theirs maps it) and share the futex keys.
 *
 * pi: the parent ("fx_pi_owner") owns a PI lock word (its TID in it). The
 * child ("fx_pi_waiter") N times: FUTEX_LOCK_PI blocks for the owner; the
 * parent, once the kernel set FUTEX_WAITERS, calls FUTEX_UNLOCK_PI, which
 * hands the lock to the child (ret 0, the child's TID in the word); the child
 * unlocks with FUTEX_UNLOCK_PI too (the kernel set FUTEX_WAITERS at the
 * handoff) though nobody waits, and the parent takes the lock back in user
 * space, in turn over two pipes. At the end the child's FUTEX_TRYLOCK_PI fails (the
 * parent owns the lock). So N UNLOCK_PI -> N LOCK_PI, owner = the parent.
 *
 * requeue: two children ("fx_rq_1", "fx_rq_2") FUTEX_WAIT on word A. The
 * parent ("fx_rq_parent") calls FUTEX_CMP_REQUEUE(A, wake 1, requeue 1, B)
 * (returns 2), waits for the woken child to exit, then FUTEX_WAKE(B, 1) wakes
 * the requeued one, whose wait on A returns 0. Each child prints which it was.
 *
 * stdout: pi: "owner=PID", "waiter=PID"; requeue: "parent=PID",
 * "woken_a=PID", "woken_b=PID"; both "ino=INODE" (of the shared page).
 * Exit 0 only if every call returned what it must.
 */
#include <linux/futex.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define WL_NAME "futex_pi_requeue"
#include "wl.h"

static long fx(volatile uint32_t *w, int op, uint32_t val, unsigned long val2,
	       volatile uint32_t *w2, uint32_t val3)
{
	return syscall(SYS_futex, w, op, val, (void *)val2, w2, val3);
}

static void fail(const char *what, long got)
{
	fprintf(stderr, WL_NAME ": %s: got %ld (%s)\n", what, got, strerror(errno));
	exit(1);
}

static void pi_waiter(volatile uint32_t *w, unsigned long n, int c2p, int p2c)
{
	uint32_t me = (uint32_t)getpid();
	long r;
	char c;

	set_comm("fx_pi_waiter");
	for (unsigned long i = 0; i < n; i++) {
		r = fx(w, FUTEX_LOCK_PI, 0, 0, NULL, 0);
		if (r != 0 || (*w & FUTEX_TID_MASK) != me)
			fail("LOCK_PI", r);
		/* The handoff set FUTEX_WAITERS: only the kernel may unlock. */
		if (!(*w & FUTEX_WAITERS) || (r = fx(w, FUTEX_UNLOCK_PI, 0, 0, NULL, 0)) != 0 || *w)
			fail("UNLOCK_PI with no waiter", r);
		if (write(c2p, "u", 1) != 1 || read(p2c, &c, 1) != 1)
			die("turn");
	}
	r = fx(w, FUTEX_TRYLOCK_PI, 0, 0, NULL, 0);
	if (r != -1)
		fail("TRYLOCK_PI on the owner's lock", r);
	_exit(0);
}

static int pi(volatile uint32_t *w, unsigned long n)
{
	uint32_t me = (uint32_t)getpid();
	int c2p[2], p2c[2];
	struct timespec ts = { 0, 100000 };
	pid_t pid;
	long r;
	char c;

	set_comm("fx_pi_owner");
	printf("owner=%d\n", (int)getpid());
	if (pipe(c2p) || pipe(p2c))
		die("pipe");
	*w = me;	/* owned, no waiters */
	fflush(stdout);
	pid = wl_fork(NULL);
	if (pid == 0)
		pi_waiter(w, n, c2p[1], p2c[0]);
	printf("waiter=%d\n", (int)pid);
	fflush(stdout);
	for (unsigned long i = 0; i < n; i++) {
		while (!(*w & FUTEX_WAITERS))	/* the kernel queued the waiter */
			nanosleep(&ts, NULL);
		wl_await_futex_sleep(pid, pid);
		r = fx(w, FUTEX_UNLOCK_PI, 0, 0, NULL, 0);
		if (r != 0)
			fail("UNLOCK_PI", r);
		if (read(c2p[0], &c, 1) != 1)
			die("turn");
		if (!__sync_bool_compare_and_swap(w, 0, me))
			fail("relock in user space", (long)*w);
		if (write(p2c[1], "g", 1) != 1)
			die("turn");
	}
	return wl_reap(pid);
}

static void rq_child(volatile uint32_t *a, volatile uint32_t *phase, const char *comm)
{
	long r;

	set_comm(comm);
	r = fx(a, FUTEX_WAIT, 0, 0, NULL, 0);
	if (r != 0)
		fail("WAIT on A", r);
	printf("%s=%d\n", *phase == 1 ? "woken_a" : "woken_b", (int)getpid());
	fflush(stdout);
	_exit(0);
}

static int requeue(volatile uint32_t *page)
{
	volatile uint32_t *a = page + 16, *b = page + 32, *phase = page + 48;
	pid_t c1, c2, first;
	int st, rc = 0;
	long r;

	set_comm("fx_rq_parent");
	printf("parent=%d\n", (int)getpid());
	fflush(stdout);
	c1 = wl_fork(NULL);
	if (c1 == 0)
		rq_child(a, phase, "fx_rq_1");
	c2 = wl_fork(NULL);
	if (c2 == 0)
		rq_child(a, phase, "fx_rq_2");
	wl_await_futex_sleep(c1, c1);
	wl_await_futex_sleep(c2, c2);
	*phase = 1;
	r = fx(a, FUTEX_CMP_REQUEUE, 1, 1, b, 0);
	if (r != 2)
		fail("CMP_REQUEUE(A, 1, 1, B)", r);
	first = waitpid(-1, &st, 0);
	if (first < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		rc = 1;
	*phase = 2;
	r = fx(b, FUTEX_WAKE, 1, 0, NULL, 0);
	if (r != 1)
		fail("WAKE(B)", r);
	if (wl_reap(first == c1 ? c2 : c1))
		rc = 1;
	return rc;
}

int main(int argc, char **argv)
{
	volatile uint32_t *page;
	struct stat sb;
	char path[64];

	if (argc < 2 || (strcmp(argv[1], "pi") && strcmp(argv[1], "requeue")) ||
	    (!strcmp(argv[1], "pi") && argc != 3)) {
		fprintf(stderr, "usage: futex_pi_requeue pi N | requeue\n");
		return 2;
	}
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		die("mmap");
	/* The shared page's shmem inode: the futex key's inode. */
	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", (unsigned long)page,
		 (unsigned long)page + 4096);
	if (stat(path, &sb))
		die(path);
	printf("ino=%lu\n", (unsigned long)sb.st_ino);
	if (!strcmp(argv[1], "pi"))
		return pi(page, parse_num(argv[2], "rounds"));
	return requeue(page);
}
