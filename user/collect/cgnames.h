/*
 * cgnames.h - cgroup v2 ids (what the probes and seeds carry) -> paths, as
 * IPCS_REC_CGROUP_NAME records put into the stream before the first record
 * that carries each id, so a recording names its cgroups wherever it is
 * replayed.
 */
#ifndef IPCS_CGNAMES_H
#define IPCS_CGNAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

struct cgnames;

/* Where each name record goes (a seed or live record callback). */
typedef int (*cgnames_cb)(const void *rec, size_t len, void *ctx);

/*
 * proc_root: "/proc" (tests: a crafted tree); cg_root: the cgroup2 mount,
 * or NULL to find it in /proc/self/mounts (none mounted: nothing is named,
 * ids stay unnamed). Returns 0 or -ENOMEM.
 */
int cgnames_new(const char *proc_root, const char *cg_root, struct cgnames **out);
void cgnames_free(struct cgnames *cn);

/* The cgroup v2 path in /proc/PID/cgroup text (its "0::PATH" line, any
 * " (deleted)" suffix removed) into path. 0, or -ENOENT when there is none. */
int cgnames_parse_proc(const char *text, char *path, size_t n);

/*
 * The cgroup v2 of a running process: its id (the directory's inode) and
 * path. 0, or -errno (-ENOENT: gone, or no cgroup v2).
 */
int cgnames_of_pid(struct cgnames *cn, pid_t pid, __u64 *id, char *path, size_t n);

/* pid's cgroup v2 directory is dir (as cgroup_resolve gives it: the mount +
 * path) or below it. False when pid is gone or has no cgroup v2. */
bool cgnames_pid_under(struct cgnames *cn, pid_t pid, const char *dir);

/*
 * Seeding pid: its cgroup id into *id (0: unknown); the first time this
 * object meets the id, an IPCS_REC_CGROUP_NAME (stamped ts_ns) goes to cb
 * first. Returns 0 or cb's error.
 */
int cgnames_seed(struct cgnames *cn, pid_t pid, __u64 ts_ns, __u64 *id, cgnames_cb cb, void *ctx);

/*
 * Before a probe record is delivered: when it carries a cgroup id (PROC,
 * CGROUP) not named yet, name it (from the record's pid, else by walking
 * the cgroup2 tree, at most once a second) and send the name record to cb.
 * Ids that cannot be named stay unnamed. Returns 0 or cb's error.
 */
int cgnames_before(struct cgnames *cn, const void *rec, size_t len, cgnames_cb cb, void *ctx);

/* A new recording file begins: name every id again when next met. */
void cgnames_forget(struct cgnames *cn);

#endif
