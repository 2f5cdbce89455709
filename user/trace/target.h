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
 * before its first instruction; SIGCONT starts it. 0 or -errno. */
int target_start(const struct record_target *t, pid_t *out);
/* Reap the started command: with wait, block until it has ended; without,
 * only if it already has. *status: its exit code, or 128 + the signal that
 * killed it, as a shell reports it. 0, -EAGAIN (still running) or -errno. */
int target_reap(pid_t pid, bool wait, int *status);
/* Every pid has exited (or is a zombie): they will make no more calls. */
bool target_pids_gone(const pid_t *pids, size_t n);

#endif
