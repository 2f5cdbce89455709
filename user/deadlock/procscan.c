/*
 * procscan.c - tasks and fds from /proc. /proc changes under us (threads
 * exit mid-walk) and parts of it are chosen by the processes (comm, paths):
 * every read is bounded, every failure skips that task or fd.
 */
#include <dirent.h>
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "collect/procfs_parse.h"
#include "deadlock/procscan.h"
#include "util/vec.h"

int dl_parse_syscall(const char *text, struct dl_sysline *out)
{
	char *end;
	const char *p = text;

	memset(out, 0, sizeof(*out));
	if (!strncmp(text, "running", 7)) {
		out->running = true;
		out->nr = -1;
		return 0;
	}
	errno = 0;
	out->nr = strtol(p, &end, 10);
	if (errno || end == p || (*end != ' ' && *end != '\n' && *end))
		return -EINVAL;
	if (out->nr < 0)
		return out->nr == -1 ? 0 : -EINVAL;	/* "-1 sp pc": not in a syscall */
	for (int i = 0; i < 6; i++) {
		p = end;
		while (*p == ' ')
			p++;
		if (strncmp(p, "0x", 2))
			return -EINVAL;
		errno = 0;
		out->args[i] = strtoull(p, &end, 16);
		if (errno || end == p + 2)
			return -EINVAL;
	}
	/* then the user sp and pc (absent in old fixtures: left 0) */
	for (int i = 0; i < 2; i++) {
		uint64_t v;

		p = end;
		while (*p == ' ')
			p++;
		if (strncmp(p, "0x", 2))
			break;
		v = strtoull(p, &end, 16);
		if (end == p + 2)
			break;
		if (i)
			out->pc = v;
		else
			out->sp = v;
	}
	return 0;
}

int dl_parse_sched_exec_start(const char *text, int64_t *ns)
{
	const char *p = strstr(text, "se.exec_start");
	unsigned long long ms, frac = 0;
	int digits = 0;

	if (!p || !(p = strchr(p, ':')))
		return -EINVAL;
	p++;
	while (*p == ' ')
		p++;
	if (sscanf(p, "%llu", &ms) != 1)
		return -EINVAL;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
			frac = frac * 10 + (unsigned)(*p - '0');
	for (; digits < 6; digits++)
		frac *= 10;
	*ns = (int64_t)(ms * 1000000ull + frac);
	return 0;
}

int dl_parse_stat_cpu(const char *text, int *cpu)
{
	const char *p = strrchr(text, ')');
	int field = 2;

	if (!p)
		return -EINVAL;
	p++;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (++field == 39)
			return sscanf(p, "%d", cpu) == 1 ? 0 : -EINVAL;
		while (*p && *p != ' ')
			p++;
	}
	return -EINVAL;
}

size_t dl_parse_epoll_tfds(const char *text, int *fds, unsigned *events, size_t max)
{
	size_t n = 0;

	for (const char *p = text; n < max && (p = strstr(p, "tfd:")); p += 4) {
		int fd;
		unsigned ev;

		if (p != text && p[-1] != '\n')
			continue;
		if (sscanf(p, "tfd: %d events: %x", &fd, &ev) != 2 || fd < 0)
			continue;
		fds[n] = fd;
		events[n] = ev;
		n++;
	}
	return n;
}

int dl_parse_task_stat(const char *text, char *state, char *comm, size_t commsz)
{
	const char *open = strchr(text, '('), *close = strrchr(text, ')');

	if (!open || !close || close < open || close[1] != ' ' || !close[2])
		return -EINVAL;
	snprintf(comm, commsz, "%.*s", (int)(close - open - 1), open + 1);
	*state = close[2];
	return 0;
}

int dl_parse_fdinfo_flags(const char *text, unsigned *flags)
{
	const char *p = strstr(text, "flags:");
	char *end;
	unsigned long v;

	if (!p || (p != text && p[-1] != '\n'))
		return -EINVAL;
	p += 6;
	while (*p == '\t' || *p == ' ')
		p++;
	errno = 0;
	v = strtoul(p, &end, 8);
	if (errno || end == p || (*end && *end != '\n') || v > UINT_MAX)
		return -EINVAL;
	*flags = (unsigned)v;
	return 0;
}

static int parse_bracket_ino(const char *s, uint64_t *ino)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*ino = strtoull(s, &end, 10);
	return errno || strcmp(end, "]") ? -EINVAL : 0;
}

enum dl_fdtype dl_parse_fdlink(const char *link, uint64_t *ino)
{
	*ino = 0;
	if (!strncmp(link, "pipe:[", 6))
		return parse_bracket_ino(link + 6, ino) ? DL_FD_OTHER : DL_FD_PIPE;
	if (!strncmp(link, "socket:[", 8))
		return parse_bracket_ino(link + 8, ino) ? DL_FD_OTHER : DL_FD_SOCKET;
	if (link[0] == '/')
		return DL_FD_PATH;
	return DL_FD_OTHER;
}

int dl_parse_status_tgid(const char *text, pid_t *tgid)
{
	const char *p = strstr(text, "\nTgid:");
	char *end;
	long v;

	if (!p)
		return -EINVAL;
	p += 6;
	while (*p == '\t' || *p == ' ')
		p++;
	errno = 0;
	v = strtol(p, &end, 10);
	if (errno || end == p || v <= 0 || v > INT_MAX || (*end && *end != '\n'))
		return -EINVAL;
	*tgid = (pid_t)v;
	return 0;
}

int dl_maps_describe(const char *maps, uint64_t addr, char *out, size_t outsz)
{
	const char *line = maps;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		char buf[512], name[400] = "";
		unsigned long long start, end, off;
		int len = nl ? (int)(nl - line) : (int)strlen(line);

		snprintf(buf, sizeof(buf), "%.*s", len, line);
		line = nl ? nl + 1 : NULL;
		/* start-end perms offset dev inode [name] */
		if (sscanf(buf, "%llx-%llx %*s %llx %*s %*u %399[^\n]", &start, &end, &off, name) < 3)
			continue;
		if (addr < start || addr >= end)
			continue;
		char *n = name;
		while (*n == ' ')
			n++;
		if (*n == '/')
			snprintf(out, outsz, "%s+0x%llx", n, (unsigned long long)(addr - start + off));
		else
			snprintf(out, outsz, "%s+0x%llx", *n ? n : "anon", (unsigned long long)(addr - start));
		return 0;
	}
	return -ENOENT;
}

static int task_read(const char *root, pid_t pid, pid_t tid, struct dl_task *t)
{
	char path[PATH_MAX], buf[1024];
	ssize_t n;

	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tid = tid;
	snprintf(path, sizeof(path), "%s/%d/task/%d/stat", root, pid, tid);
	if (procfs_read_small(path, buf, sizeof(buf)) < 0 || dl_parse_task_stat(buf, &t->state, t->comm, sizeof(t->comm)))
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%d/task/%d/syscall", root, pid, tid);
	n = procfs_read_small(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;	/* -EACCES: needs ptrace access (root) */
	if (dl_parse_syscall(buf, &t->sys))
		t->sys.nr = -1;
	snprintf(path, sizeof(path), "%s/%d/task/%d/wchan", root, pid, tid);
	if (procfs_read_small(path, buf, sizeof(t->wchan)) > 0 && strcmp(buf, "0"))
		memcpy(t->wchan, buf, sizeof(t->wchan));
	return 0;
}

int dl_scan_tasks(const char *root, pid_t pid, struct dl_task **v, size_t *n)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct dl_task *out = NULL;
	size_t cnt = 0, cap = 0;
	int rc = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%d/task", root, pid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((de = readdir(d))) {
		long tid = procfs_parse_num(de->d_name);

		if (tid <= 0)
			continue;
		if (vec_grow((void **)&out, &cap, cnt + 1, sizeof(*out), 8)) {
			rc = -ENOMEM;
			break;
		}
		rc = task_read(root, pid, (pid_t)tid, &out[cnt]);
		if (rc == -EACCES || rc == -EPERM)
			break;
		if (!rc)
			cnt++;
		rc = 0;	/* a thread that exited mid-walk is skipped */
	}
	closedir(d);
	if (rc) {
		free(out);
		return rc;
	}
	*v = out;
	*n = cnt;
	return 0;
}

int dl_task_idle_ns(const char *root, pid_t pid, pid_t tid, int64_t *ns)
{
	char path[PATH_MAX], buf[4096];
	int64_t theirs, ours;
	cpu_set_t old, one;
	bool pinned;
	int cpu, rc;

	snprintf(path, sizeof(path), "%s/%d/task/%d/stat", root, pid, tid);
	if (procfs_read_small(path, buf, sizeof(buf)) < 0 || dl_parse_stat_cpu(buf, &cpu) || cpu < 0 ||
	    cpu >= CPU_SETSIZE)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%d/task/%d/sched", root, pid, tid);
	if (procfs_read_small(path, buf, sizeof(buf)) < 0 || dl_parse_sched_exec_start(buf, &theirs))
		return -ENOENT;
	if (sched_getaffinity(0, sizeof(old), &old))
		return -errno;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	/* we run on that CPU now: our exec_start is its runqueue's clock. If we
	 * may not (a cpuset), another CPU's clock is close enough to tell
	 * seconds, though it may drift by its interrupt and steal time. */
	pinned = !sched_setaffinity(0, sizeof(one), &one);
	rc = procfs_read_small("/proc/thread-self/sched", buf, sizeof(buf)) < 0 ||
	     dl_parse_sched_exec_start(buf, &ours) ? -ENOENT : 0;
	if (pinned)
		sched_setaffinity(0, sizeof(old), &old);
	if (rc)
		return rc;
	*ns = ours > theirs ? ours - theirs : 0;
	return 0;
}

int dl_ppid(const char *root, pid_t pid, pid_t *ppid)
{
	char path[PATH_MAX], buf[1024];
	const char *p;

	snprintf(path, sizeof(path), "%s/%d/stat", root, pid);
	if (procfs_read_small(path, buf, sizeof(buf)) < 0 || !(p = strrchr(buf, ')')))
		return -ESRCH;
	return sscanf(p + 1, " %*c %d", ppid) == 1 ? 0 : -EINVAL;
}

long dl_children(const char *root, pid_t pid, pid_t *out, size_t max)
{
	struct dirent *de;
	DIR *d = opendir(root);
	size_t n = 0;

	if (!d)
		return -errno;
	while (n < max && (de = readdir(d))) {
		long child = procfs_parse_num(de->d_name);
		pid_t ppid;

		if (child > 0 && !dl_ppid(root, (pid_t)child, &ppid) && ppid == pid)
			out[n++] = (pid_t)child;
	}
	closedir(d);
	return (long)n;
}

int dl_tid_tgid(const char *root, pid_t tid, pid_t *tgid)
{
	char path[PATH_MAX], buf[2048];

	snprintf(path, sizeof(path), "%s/%d/status", root, tid);
	if (procfs_read_small(path, buf, sizeof(buf)) < 0)
		return -ESRCH;
	return dl_parse_status_tgid(buf, tgid);
}

static int index_pid(const char *root, pid_t pid, struct dl_fdindex *ix)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%d/fd", root, pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		long fd = procfs_parse_num(de->d_name);
		struct dl_fd *f;
		ssize_t n;

		if (fd < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%d/fd/%ld", root, pid, fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (vec_grow((void **)&ix->v, &ix->cap, ix->n + 1, sizeof(*ix->v), 256)) {
			closedir(d);
			return -ENOMEM;
		}
		f = &ix->v[ix->n];
		f->pid = pid;
		f->fd = (int)fd;
		f->type = dl_parse_fdlink(link, &f->ino);
		if (f->type == DL_FD_OTHER)
			continue;	/* files that are no IPC channel: not kept */
		f->link = strdup(link);
		if (!f->link) {
			closedir(d);
			return -ENOMEM;
		}
		ix->n++;
	}
	closedir(d);
	return 0;
}

int dl_fdindex_build(const char *root, struct dl_fdindex *ix)
{
	struct dirent *de;
	DIR *d = opendir(root);
	int rc = 0;

	memset(ix, 0, sizeof(*ix));
	if (!d)
		return -errno;
	while (!rc && (de = readdir(d))) {
		long pid = procfs_parse_num(de->d_name);

		if (pid > 0)
			rc = index_pid(root, (pid_t)pid, ix);
	}
	closedir(d);
	if (rc)
		dl_fdindex_fini(ix);
	return rc;
}

void dl_fdindex_fini(struct dl_fdindex *ix)
{
	for (size_t i = 0; i < ix->n; i++)
		free(ix->v[i].link);
	free(ix->v);
	memset(ix, 0, sizeof(*ix));
}

const struct dl_fd *dl_fdindex_get(const struct dl_fdindex *ix, pid_t pid, int fd)
{
	for (size_t i = 0; i < ix->n; i++)
		if (ix->v[i].pid == pid && ix->v[i].fd == fd)
			return &ix->v[i];
	return NULL;
}

int dl_fd_flags(const char *root, pid_t pid, int fd, unsigned *flags)
{
	char path[PATH_MAX], buf[1024];

	snprintf(path, sizeof(path), "%s/%d/fdinfo/%d", root, pid, fd);
	if (procfs_read_small(path, buf, sizeof(buf)) < 0)
		return -ENOENT;
	return dl_parse_fdinfo_flags(buf, flags);
}
