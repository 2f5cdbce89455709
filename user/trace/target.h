/* target.h - what a trace follows: a command it starts, or pids until they are gone. */
#ifndef IPCS_TARGET_H
#define IPCS_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* What a session traces besides its -p/-c/--cgroup targets: a command to exec, or a function
 * run in a forked child. */
struct record_target {
	char **argv;			/* execvp(argv[0], argv) */
	int (*fn)(void *arg);		/* or: exit(fn(arg)) in the child */
	void *arg;
	bool null_stdio;		/* stdin, stdout, stderr on /dev/null (a viewer owns the terminal) */
};

/* Fork the target stopped (SIGSTOP), so the probes can be pointed at it
 * before its first instruction; SIGCONT starts it. It leads a process group of
 * its own (pgid = its pid), and dies with the tracer (PR_SET_PDEATHSIG). 0 or -errno. */
/* Can cmd be run (as execvp would find it: a path, or a name in $PATH)?
 * 0, -ENOENT or -EACCES: record says so before it creates any file. */
int target_check(const char *cmd);
int target_start(const struct record_target *t, pid_t *out);
/* Reap the started command: with wait, block until it has ended; without,
 * only if it already has. *status: its exit code, or 128 + the signal that
 * killed it, as a shell reports it. 0, -EAGAIN (still running) or -errno. */
int target_reap(pid_t pid, bool wait, int *status);
/* A guard process that kills the process group pgid with SIGKILL when the
 * tracer dies without releasing it: PR_SET_PDEATHSIG reaches only the first
 * process, the guard the rest of the group (a shell's children). What leaves the
 * group (setsid, setpgid) or is already gone is out of its reach. */
struct target_guard {
	pid_t pid;
	int fd;		/* the pipe's write end: closed by the tracer's death */
};
int target_guard_start(pid_t pgid, struct target_guard *g);
/* The tracer has dealt with the group: the guard leaves it alone and exits. */
void target_guard_release(struct target_guard *g);

/* This pid has exited (or is a zombie). */
bool target_pid_gone(pid_t pid);
/* Every pid has exited (or is a zombie): they will make no more calls. */
bool target_pids_gone(const pid_t *pids, size_t n);

#endif
