/* target.h - what record and live follow: a command they start, or pids until they are gone. */
#ifndef IPCS_TARGET_H
#define IPCS_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "commands/commands.h"

/* Can cmd be run (as execvp would find it: a path, or a name in $PATH)?
 * 0, -ENOENT or -EACCES: record says so before it creates any file. */
int target_check(const char *cmd);
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
