/*
 * dl_futex - deadlock across two processes on raw futex words: two locks
 * of the "mutex 2" kind (0 free, 1 taken, 2 taken with waiters) in shared
 * anonymous memory, with no owner field anywhere (the words 8 bytes further
 * stay 0). First each lock is handed over once through a real futex wake,
 * so the probes see who acquired it: l1 from child to parent, l2 from
 * parent to child. Then each holds one and takes the other: a cycle only
 * the probes' evidence can show. Prints parent=, child=, l1=, l2=; hangs
 * until killed.
 */
#define WL_NAME "dl_futex"
#include <linux/futex.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "wl.h"

struct shared {
	uint32_t l1;
	uint32_t pad1[15];	/* keeps l1 + 8 zero: no glibc __owner look-alike */
	uint32_t l2;
	uint32_t pad2[15];
};

static long futex(uint32_t *w, int op, uint32_t val)
{
	return syscall(SYS_futex, w, op, val, NULL, NULL, 0);	/* shared: no FUTEX_PRIVATE_FLAG */
}

static __attribute__((noinline)) void lock(uint32_t *w)
{
	uint32_t c = 0;

	if (__atomic_compare_exchange_n(w, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	if (c != 2)
		c = __atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		futex(w, FUTEX_WAIT, 2);
		c = __atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE);
	}
}

static void unlock(uint32_t *w)
{
	if (__atomic_fetch_sub(w, 1, __ATOMIC_RELEASE) != 1) {
		__atomic_store_n(w, 0, __ATOMIC_RELEASE);
		futex(w, FUTEX_WAKE, 1);
	}
}

/* Until pid sleeps and the lock word says it waits: its futex wait then
 * really sleeps, and our wake wakes it (returns 1, it returns 0). */
static void wait_sleeper(pid_t pid, uint32_t *w)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (;;) {
		f = fopen(path, "r");
		if (!f)
			die("open /proc/PID/stat");
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (p && p[1] == ' ' && p[2] == 'S' && __atomic_load_n(w, __ATOMIC_ACQUIRE) == 2)
			return;
		usleep(1000);
	}
}

static void put(int fd, pid_t *v) { if (write(fd, v, sizeof(*v)) != sizeof(*v)) die("write"); }
static void get(int fd, pid_t *v) { if (read(fd, v, sizeof(*v)) != sizeof(*v)) die("read"); }

int main(void)
{
	struct shared *s;
	int pc[2], cp[2];
	pid_t parent = getpid(), child, v;

	alarm(120);
	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		die("mmap");
	if (pipe(pc) || pipe(cp))
		die("pipe");
	printf("parent=%d\nl1=%p\nl2=%p\n", parent, (void *)&s->l1, (void *)&s->l2);
	fflush(stdout);
	child = wl_fork_tied("futex_child");
	if (child == 0) {
		v = getpid();
		lock(&s->l1);
		put(cp[1], &v);			/* "I hold l1" */
		wait_sleeper(parent, &s->l1);
		unlock(&s->l1);			/* the parent acquires l1 */
		get(pc[0], &v);			/* "I hold l2" */
		lock(&s->l2);			/* sleeps until the parent hands it over */
		put(cp[1], &v);			/* "I hold l2" */
		lock(&s->l1);			/* held by the parent: deadlock */
		return 1;
	}
	set_comm("futex_parent");
	printf("child=%d\n", child);
	fflush(stdout);
	get(cp[0], &v);
	lock(&s->l1);			/* sleeps until the child hands it over */
	lock(&s->l2);
	put(pc[1], &v);
	wait_sleeper(child, &s->l2);
	unlock(&s->l2);			/* the child acquires l2 */
	get(cp[0], &v);
	lock(&s->l2);			/* held by the child: deadlock */
	return 1;
}
