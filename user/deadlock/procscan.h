/*
 * procscan.h - what /proc says about threads that may be hung: each task's
 * state, current syscall and arguments, wchan, and the host's fds (pipes,
 * sockets, FIFOs, queues) with their holders. Parsers work on text so tests
 * can feed them fixtures; scanners take a proc root ("/proc").
 */
#ifndef IPCS_DL_PROCSCAN_H
#define IPCS_DL_PROCSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* /proc/PID/task/TID/syscall */
struct dl_sysline {
	bool running;		/* "running": on a CPU, no syscall to show */
	long nr;		/* syscall number; -1 = blocked outside a syscall */
	uint64_t args[6];
	uint64_t sp, pc;	/* user registers saved at syscall entry (0 when running) */
};

enum dl_fdtype { DL_FD_OTHER = 0, DL_FD_PIPE, DL_FD_SOCKET, DL_FD_PATH };

struct dl_task {
	pid_t pid, tid;
	char comm[16];
	char state;
	struct dl_sysline sys;
	char wchan[48];
};

struct dl_fd {
	pid_t pid;
	int fd;
	enum dl_fdtype type;
	uint64_t ino;		/* pipe and socket inode; 0 for paths */
	char *link;		/* readlink text (owned) */
};

struct dl_fdindex {
	struct dl_fd *v;
	size_t n, cap;
};

int dl_parse_syscall(const char *text, struct dl_sysline *out);
/* An epoll fd's fdinfo: its "tfd: N events: HEX" lines (fds it watches,
 * with their event masks). Returns how many (at most max). */
size_t dl_parse_epoll_tfds(const char *text, int *fds, unsigned *events, size_t max);
/* "pid (comm) S ...": state and comm (comm may hold spaces and ')'). */
int dl_parse_task_stat(const char *text, char *state, char *comm, size_t commsz);
/* fdinfo's "flags:\t0100002" (octal) */
int dl_parse_fdinfo_flags(const char *text, unsigned *flags);
/* "pipe:[123]", "socket:[456]", "/path", else other */
enum dl_fdtype dl_parse_fdlink(const char *link, uint64_t *ino);
/* status's "Tgid:\t123" */
int dl_parse_status_tgid(const char *text, pid_t *tgid);
/* /proc/PID/maps text: the mapping holding addr as "name+0xOFF" (file
 * offset for file mappings, offset into the region for [heap] and the
 * like, "anon+0x.." for nameless ones). -ENOENT when unmapped. */
int dl_maps_describe(const char *maps, uint64_t addr, char *out, size_t outsz);

/* Every task of pid under root. *v is malloc'd. 0 or -errno (-ESRCH: no such process). */
int dl_scan_tasks(const char *root, pid_t pid, struct dl_task **v, size_t *n);

/* /proc/PID/sched's "se.exec_start : 12345.678901" (ms) in ns. */
int dl_parse_sched_exec_start(const char *text, int64_t *ns);
/* The 39th field of /proc/PID/stat (the CPU it last ran on). */
int dl_parse_stat_cpu(const char *text, int *cpu);
/*
 * How long ago the scheduler last ran a sleeping thread: its se.exec_start
 * against ours read on the same CPU (each runqueue has its own clock), so
 * the caller's thread is moved to that CPU for the read and back (when it
 * may not, its own CPU's clock is used). -errno when /proc/PID/sched is
 * absent (no CONFIG_SCHED_DEBUG).
 */
int dl_task_idle_ns(const char *root, pid_t pid, pid_t tid, int64_t *ns);

/* The children of pid (processes whose parent it is), at most max. Count or -errno. */
long dl_children(const char *root, pid_t pid, pid_t *out, size_t max);

/* The parent of pid, or -errno. */
int dl_ppid(const char *root, pid_t pid, pid_t *ppid);

/* The thread group of a thread id, or -errno. */
int dl_tid_tgid(const char *root, pid_t tid, pid_t *tgid);

/* Every fd of every process under root (the holders of a pipe may be any
 * process). Processes that vanish or deny access are skipped. */
int dl_fdindex_build(const char *root, struct dl_fdindex *ix);
void dl_fdindex_fini(struct dl_fdindex *ix);
const struct dl_fd *dl_fdindex_get(const struct dl_fdindex *ix, pid_t pid, int fd);

/* O_ACCMODE and friends of one fd, from fdinfo. */
int dl_fd_flags(const char *root, pid_t pid, int fd, unsigned *flags);

#endif
