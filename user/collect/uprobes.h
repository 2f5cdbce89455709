/*
 * uprobes.h - the libc lock uprobes of --locks (bpf/locks.bpf.c), attached
 * per traced process to the libc it maps (from /proc/PID/maps, or the one
 * its dynamic loader will map): one entry and one return probe per lock
 * function, the function as cookie. A static binary or another libc is
 * skipped with a notice naming it. Per process, so processes outside the
 * targets never hit a breakpoint.
 */
#ifndef IPCS_UPROBES_H
#define IPCS_UPROBES_H

#include <stddef.h>
#include <sys/types.h>

struct bpf_program;
struct lock_probes;

/* The function names of enum ipcs_lock_fn, "" for none. */
const char *lock_fn_name(unsigned fn);

int lock_probes_new(struct bpf_program *enter, struct bpf_program *exit, struct lock_probes **out);
/* Attach to pid (again after an exec, if its libc changed). 0; -ENOENT when
 * skipped (static binary, other libc: said once as a notice); -errno. */
int lock_probes_add(struct lock_probes *lp, pid_t pid);
/* The process is gone: its probes go. */
void lock_probes_del(struct lock_probes *lp, pid_t pid);
/* Processes with probes attached now. */
size_t lock_probes_count(const struct lock_probes *lp);
void lock_probes_free(struct lock_probes *lp);

/* The libc a process uses or will use (its maps; else next to its ELF
 * interpreter when that is glibc's ld-linux), as a path under /proc/PID/root.
 * 0; -ENOENT with *why set (static, other libc). Exposed for tests. */
int lock_probes_find_libc(const char *proc, pid_t pid, char *path, size_t len, const char **why,
			  char *what, size_t whatlen);

#endif
