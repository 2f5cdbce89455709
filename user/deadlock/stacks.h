/*
 * stacks.h - user stacks of blocked threads, unwound and symbolised with
 * elfutils' libdwfl (.eh_frame CFI; Debian's glibc has no frame pointers, so
 * BPF stack walks stop early).
 *
 * By default nobody is stopped: a thread asleep in a syscall shows its user
 * sp and pc in /proc/PID/task/TID/syscall (the registers saved at syscall
 * entry), its stack is read with process_vm_readv, and libdwfl unwinds it
 * through our own Dwfl_Thread_Callbacks. /proc has no other register: when
 * a frame's CFI needs the frame pointer (rbp), it is guessed from the stack
 * and the frames found past that point say so. Only with use_ptrace does it attach
 * with ptrace as `eu-stack` does (stopping the process; a blocked syscall is
 * interrupted and restarted).
 */
#ifndef IPCS_DL_STACKS_H
#define IPCS_DL_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DL_MAX_FRAMES 32

struct dl_frame {
	uint64_t addr;		/* the pc (a return address for outer frames) */
	uint64_t offset;	/* from symbol (or from the module's base without one) */
	char module[64];	/* basename of the mapping, "" unknown */
	char symbol[128];	/* "" when no .symtab/.dynsym entry covers it */
	bool guessed;		/* found through a guessed frame pointer (see stacks.c) */
};

struct dl_unwinder;

/* Report pid's modules; with use_ptrace, unwinding attaches (stops it). 0 or -errno. */
int dl_unwind_open(pid_t pid, bool use_ptrace, struct dl_unwinder **u);
/* "symbol+0xOFF" (or "module+0xOFF") for a code or data address. */
int dl_unwind_symbol(struct dl_unwinder *u, uint64_t addr, char *out, size_t outsz);
/* Frames of one thread, innermost first (malloc'd). Without ptrace, sp and
 * pc are its user registers from /proc (both 0: cannot unwind, -ENODATA). */
int dl_unwind_thread(struct dl_unwinder *u, pid_t tid, uint64_t sp, uint64_t pc,
		     struct dl_frame **frames, size_t *n);
/* Detach (ptrace) and free. */
void dl_unwind_close(struct dl_unwinder *u);

/* "symbol+0xOFF (module)" of one frame. */
void dl_frame_format(const struct dl_frame *f, char *out, size_t outsz);

#endif
