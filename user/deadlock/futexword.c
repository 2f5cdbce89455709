/* futexword.c - futex waits from syscall lines; owners from lock words. */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include "deadlock/futexword.h"

#ifndef SYS_futex_wait
#define SYS_futex_wait 455
#endif
#ifndef FUTEX_LOCK_PI2
#define FUTEX_LOCK_PI2 13
#endif

int dl_futex_from_syscall(const struct dl_sysline *s, struct dl_futex_wait *w)
{
	if (s->running || s->nr < 0)
		return -EINVAL;
	if (s->nr == SYS_futex) {
		w->uaddr = s->args[0];
		w->cmd = (unsigned)s->args[1] & FUTEX_CMD_MASK;
		w->val = (uint32_t)s->args[2];
		switch (w->cmd) {
		case FUTEX_WAIT: case FUTEX_WAIT_BITSET: case FUTEX_LOCK_PI: case FUTEX_LOCK_PI2:
		case FUTEX_WAIT_REQUEUE_PI:
			return 0;
		}
		return -EINVAL;
	}
	if (s->nr == SYS_futex_wait) {	/* futex_wait(uaddr, val, mask, flags, timeout, clockid) */
		w->uaddr = s->args[0];
		w->cmd = FUTEX_WAIT;
		w->val = (uint32_t)s->args[1];
		return 0;
	}
	return -EINVAL;
}

int dl_futex_read(pid_t pid, uint64_t addr, uint32_t *out, size_t n)
{
	return dl_mem_read(pid, addr, out, n * sizeof(*out));
}

int dl_mem_read(pid_t pid, uint64_t addr, void *out, size_t len)
{
	struct iovec local = { .iov_base = out, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
	char path[64];
	ssize_t got;
	int fd;

	if (process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)local.iov_len)
		return 0;
	/* process_vm_readv may be denied (seccomp, old kernels): try /proc/PID/mem */
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	got = pread(fd, out, local.iov_len, (off_t)addr);
	close(fd);
	return got == (ssize_t)local.iov_len ? 0 : -EFAULT;
}

pid_t dl_futex_owner(const struct dl_futex_wait *w, uint32_t word, uint32_t owner, bool have_owner,
		     const char **evidence, bool *mutex)
{
	*evidence = NULL;
	*mutex = false;
	if (w->cmd == FUTEX_LOCK_PI || w->cmd == FUTEX_LOCK_PI2) {
		*mutex = true;
		*evidence = "PI futex: owner TID in the lock word";
		return (pid_t)(word & DL_FUTEX_TID_MASK);
	}
	if (w->cmd != FUTEX_WAIT && w->cmd != FUTEX_WAIT_BITSET)
		return 0;
	/* glibc lll_lock: a contended lock word is 2 and waiters sleep on 2
	 * (condition variables and semaphores sleep on other values). */
	if (w->val == 2 && word == 2 && have_owner && owner > 0 && owner <= DL_FUTEX_TID_MASK) {
		*mutex = true;
		*evidence = "lock word owner (glibc mutex __owner)";
		return (pid_t)owner;
	}
	/* glibc robust mutexes: the word is the owner's TID | FUTEX_WAITERS,
	 * and __owner repeats it. */
	if ((word & DL_FUTEX_WAITERS) && w->val == word && have_owner &&
	    (word & DL_FUTEX_TID_MASK) == owner && owner > 0) {
		*mutex = true;
		*evidence = "robust mutex: owner TID in the lock word";
		return (pid_t)owner;
	}
	return 0;
}
