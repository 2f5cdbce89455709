/*
 * stacks.h - user stacks of blocked threads, unwound and symbolised with
 * elfutils' libdwfl as `eu-stack -p PID` does (ptrace attach, .eh_frame):
 * Debian's glibc has no frame pointers, so BPF stack walks stop early.
 */
#ifndef IPCS_DL_STACKS_H
#define IPCS_DL_STACKS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DL_MAX_FRAMES 32

struct dl_unwinder;

/* Report pid's modules (no attach yet). 0 or -errno. */
int dl_unwind_open(pid_t pid, struct dl_unwinder **u);
/* "symbol+0xOFF" (or "module+0xOFF") for a code or data address. */
int dl_unwind_symbol(struct dl_unwinder *u, uint64_t addr, char *out, size_t outsz);
/* Frames of one thread, innermost first, "symbol+0xOFF (module)" each
 * (malloc'd). Attaches with ptrace on first use: a thread blocked in a
 * syscall restarts it when detached. */
int dl_unwind_thread(struct dl_unwinder *u, pid_t tid, char ***frames, size_t *n);
/* Detach and free. */
void dl_unwind_close(struct dl_unwinder *u);

#endif
