/*
 * futexword.h - who holds the lock a thread waits on, from the futex word
 * itself: glibc's pthread_mutex_t keeps the lock word (__lock) at offset 0
 * and the owner's TID (__owner) at offset 8; PI and robust futexes keep the
 * owner's TID in the word (FUTEX_TID_MASK).
 */
#ifndef IPCS_DL_FUTEXWORD_H
#define IPCS_DL_FUTEXWORD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "deadlock/procscan.h"

#define DL_FUTEX_WAITERS 0x80000000u
#define DL_FUTEX_TID_MASK 0x3fffffffu

struct dl_futex_wait {
	uint64_t uaddr;
	unsigned cmd;		/* FUTEX_* command, private/clock bits removed */
	uint32_t val;		/* the value the waiter expected */
};

/* A futex wait in a /proc syscall line (futex(2) wait/lock commands,
 * futex_wait(2)); -EINVAL for anything else (wakes, other syscalls). */
int dl_futex_from_syscall(const struct dl_sysline *s, struct dl_futex_wait *w);

/* Read len bytes at addr of pid, without stopping it. 0 or -errno. */
int dl_mem_read(pid_t pid, uint64_t addr, void *out, size_t len);

/* Read n 32-bit words at addr of pid (process_vm_readv, else /proc/PID/mem). */
int dl_futex_read(pid_t pid, uint64_t addr, uint32_t *out, size_t n);

/*
 * The owner TID the words name, or 0 when they name none (a condition
 * variable, a semaphore, an unlocked word). word is the futex word, owner
 * the 32 bits 8 bytes after it (have_owner false if unreadable). *evidence
 * says why; *mutex whether this is a lock (a mutex kind) at all.
 */
pid_t dl_futex_owner(const struct dl_futex_wait *w, uint32_t word, uint32_t owner, bool have_owner,
		     const char **evidence, bool *mutex);

#endif
