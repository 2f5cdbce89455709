/*
 * titles.h - process titles: each traced process's /proc/PID/cmdline as
 * IPCS_REC_CMDLINE records in the stream. Programs rewrite their argv area
 * in place (PostgreSQL, nginx, sshd: "postgres: checkpointer") and no
 * syscall says so, so the titles of the processes seen in the stream are
 * read again from /proc at a modest rate, and a record is written only when
 * one changed.
 */
#ifndef IPCS_TITLES_H
#define IPCS_TITLES_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>
#include "ipcscope_abi.h"

struct titles;

/* Where each record goes (the live record callback). */
typedef int (*titles_cb)(const void *rec, size_t len, void *ctx);

/* Reads per titles_poll at most (the rest wait for the next round), and
 * immediate reads per second at most (after an exec, or of a process met
 * first): the cost stays bounded on a busy host. */
#define TITLES_POLL_MAX 512
#define TITLES_NOW_MAX 64

/* proc_root: "/proc" (tests: a crafted tree). 0 or -ENOMEM. */
int titles_new(const char *proc_root, struct titles **out);
void titles_free(struct titles *t);

/*
 * pid's command line into r (header stamped ts_ns): 0, or -errno (-ENOENT:
 * gone, or empty, as for kernel threads and zombies). start_ns: as
 * ipcs_cmdline_rec.start_ns.
 */
int titles_read(const char *proc_root, pid_t pid, __u64 start_ns, __u64 ts_ns,
		struct ipcs_cmdline_rec *r);

/*
 * After a probe record went to cb: its processes are followed from now on,
 * and the title of one met first, or of an exec's new image, read at once
 * (at most TITLES_NOW_MAX a second, else at the next poll); an exit ends the
 * following. 0 or cb's error.
 */
int titles_after(struct titles *t, const void *rec, size_t len, __u64 now_ns, titles_cb cb,
		 void *ctx);

/*
 * Once a second or so (earlier calls return at once): every followed live
 * process's title read again, TITLES_POLL_MAX at most per call, and a
 * record sent to cb for each that changed (or was never sent). 0 or cb's error.
 */
int titles_poll(struct titles *t, __u64 now_ns, titles_cb cb, void *ctx);

/* A new recording file begins: each process's last title is written again
 * right after its next record (which makes it known in the new file; from
 * memory, so an exiting process keeps its title). */
void titles_forget(struct titles *t);

/* Processes followed (tests). */
size_t titles_count(const struct titles *t);

#endif
