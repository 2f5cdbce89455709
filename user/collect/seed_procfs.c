/*
 * seed_procfs.c - processes and pipe/FIFO fds that existed before tracing,
 * read from /proc and emitted as IPCS_REC_SEED_* records. /proc changes
 * under us (processes exit mid-walk) and its text is partly chosen by
 * processes (comm): every read is bounded and every failure skips just
 * that process or fd.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "ipcscope_abi.h"
#include "log.h"
#include "collect/procfs_parse.h"
#include "collect/seed_procfs.h"
#include "collect/seed_sockets.h"
#include "collect/seed_mq.h"
#include "collect/cgnames.h"
#include "collect/titles.h"
#include "util/vec.h"

struct pinfo {
	pid_t pid;
	pid_t ppid;
	__u64 start_ticks;
	signed char sel;	/* -1 no, 0 unknown, 1 yes, 2 being resolved */
	char comm[64];		/* as stat shows it, for -c */
};

struct walk {
	const char *root;
	__u64 ts_ns;
	seed_rec_cb cb;
	void *ctx;
	const struct seed_socks *socks;	/* sockets by inode (seed_sockets.c); may be NULL */
	struct cgnames *cgn;		/* cgroup ids -> name records; may be NULL */
};

/* The kernel's dev_t encoding (MKDEV), as BPF reads it from i_sb->s_dev. */
static __u32 kernel_dev(dev_t d)
{
	return ((__u32)major(d) << 20) | ((__u32)minor(d) & 0xfffff);
}

/* Every pipe lives on the one pipefs superblock: ask a pipe of our own. */
static __u32 pipefs_dev(void)
{
	static __u32 dev;
	static bool known;
	struct stat st;
	int fds[2];

	if (known)
		return dev;
	if (pipe2(fds, O_CLOEXEC))
		return 0;
	if (!fstat(fds[0], &st)) {
		dev = kernel_dev(st.st_dev);
		known = true;
	}
	close(fds[0]);
	close(fds[1]);
	return dev;
}

static int read_pinfo(const char *root, pid_t pid, struct pinfo *pi, char *comm, size_t commsz)
{
	char path[PATH_MAX], buf[1024];

	if (snprintf(path, sizeof(path), "%s/%d/stat", root, pid) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if (procfs_read_small(path, buf, sizeof(buf)) < 0)
		return -ENOENT;
	pi->pid = pid;
	pi->sel = 0;
	return procfs_parse_stat(buf, &pi->ppid, &pi->start_ticks, comm, commsz);
}

static int list_procs(const char *root, struct pinfo **out, size_t *count)
{
	struct pinfo *v = NULL;
	size_t n = 0, cap = 0;
	char comm[64];
	struct dirent *de;
	DIR *d = opendir(root);
	long pid;

	if (!d) {
		int err = -errno;

		log_error("cannot read %s: %s (is procfs mounted?)", root, strerror(-err));
		return err;
	}
	while ((de = readdir(d))) {
		pid = procfs_parse_num(de->d_name);
		if (pid <= 0)
			continue;
		if (vec_grow((void **)&v, &cap, n + 1, sizeof(*v), 256)) {
			free(v);
			closedir(d);
			return -ENOMEM;
		}
		/* A process that is gone (or unreadable) is simply not seeded. */
		if (!read_pinfo(root, (pid_t)pid, &v[n], comm, sizeof(comm))) {
			memcpy(v[n].comm, comm, sizeof(v[n].comm));
			n++;
		}
	}
	closedir(d);
	*out = v;
	*count = n;
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct pinfo *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static struct pinfo *find_pid(struct pinfo *v, size_t n, pid_t pid)
{
	struct pinfo key = { .pid = pid };

	return bsearch(&key, v, n, sizeof(*v), cmp_pid);
}

/* Selected: a requested pid or a descendant of one (by ppid, cycle-safe). */
static void select_procs(struct pinfo *v, size_t n, const pid_t *pids, size_t npids)
{
	struct pinfo *p, *q;
	size_t i, j;
	signed char res;

	for (i = 0; i < n; i++) {
		v[i].sel = npids ? 0 : 1;
		for (j = 0; j < npids; j++)
			if (v[i].pid == pids[j])
				v[i].sel = 1;
	}
	for (i = 0; i < n; i++) {
		/* Walk up marking "being resolved", then write the answer back. */
		for (p = &v[i]; p && !p->sel; p = find_pid(v, n, p->ppid))
			p->sel = 2;
		res = p && p->sel == 1 ? 1 : -1;	/* root reached or a cycle: no */
		for (q = &v[i]; q && q->sel == 2; q = find_pid(v, n, q->ppid))
			q->sel = res;
	}
}

static void fill_hdr(struct ipcs_rec_hdr *h, __u16 type, __u16 size, __u64 ts)
{
	h->type = type;
	h->size = size;
	h->cpu = 0;
	h->ts_ns = ts;
}

/* fdinfo "flags:" (octal open flags) -> fmode and cloexec. */
static int fd_flags(const struct walk *w, pid_t pid, int fd, __u16 *fmode, bool *cloexec)
{
	char path[PATH_MAX], buf[512];

	if (snprintf(path, sizeof(path), "%s/%d/fdinfo/%d", w->root, pid, fd) >= (int)sizeof(path) ||
	    procfs_read_small(path, buf, sizeof(buf)) < 0)
		return -ENOENT;
	return procfs_parse_fdinfo(buf, fmode, cloexec);
}

/* Without fdinfo: the fd link's own mode says which ends (rwx per f_mode). */
static __u16 fmode_from_link(const char *link)
{
	struct stat st;
	__u16 fm = 0;

	if (lstat(link, &st))
		return 0;
	if (st.st_mode & S_IRUSR)
		fm |= IPCS_FMODE_READ;
	if (st.st_mode & S_IWUSR)
		fm |= IPCS_FMODE_WRITE;
	return fm;
}

/* Fill rec->chan and rec->path for a pipe or FIFO fd; -ENOENT for others. */
static int classify_fd(const char *link, struct ipcs_seed_fd_rec *rec)
{
	char target[PATH_MAX + 1];
	struct stat st;
	__u64 ino;
	ssize_t len = readlink(link, target, sizeof(target) - 1);
	bool have_st;

	if (len < 0)
		return -ENOENT;
	target[len] = '\0';
	have_st = !stat(link, &st);
	ino = procfs_parse_pipe_link(target);
	if (ino) {
		rec->chan.kind = IPCS_KIND_PIPE;
		rec->chan.ino = ino;
		/* A dangling link (crafted tree, or the pipe just closed). */
		rec->chan.dev = have_st && st.st_ino == ino ? kernel_dev(st.st_dev) : pipefs_dev();
		return 0;
	}
	if (!have_st || !S_ISFIFO(st.st_mode))
		return -ENOENT;
	rec->chan.kind = IPCS_KIND_FIFO;
	rec->chan.ino = st.st_ino;
	rec->chan.dev = kernel_dev(st.st_dev);
	/* A path cut short would name another file: leave it to "fifo:[ino]". */
	if ((size_t)len < sizeof(rec->path))
		memcpy(rec->path, target, len + 1);
	return 0;
}

/* A socket fd (seed_sockets.c knows its kind and name by inode) or a message queue. */
static int classify_socket(const struct walk *w, const char *link, struct ipcs_seed_fd_rec *rec)
{
	char target[64];
	struct stat st;
	ssize_t len;

	if (!seed_mq_classify(link, rec))
		return 0;
	if (!w->socks)
		return -ENOENT;
	len = readlink(link, target, sizeof(target) - 1);
	if (len < 0 || stat(link, &st))
		return -ENOENT;
	target[len] = '\0';
	return seed_socks_classify(w->socks, target, kernel_dev(st.st_dev), rec);
}

static int emit_fds(const struct walk *w, pid_t pid)
{
	char dir[PATH_MAX], link[PATH_MAX];
	struct ipcs_seed_fd_rec rec;
	struct dirent *de;
	bool cloexec;
	long fd;
	int ret = 0;
	DIR *d;

	if (snprintf(dir, sizeof(dir), "%s/%d/fd", w->root, pid) >= (int)sizeof(dir))
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;	/* gone, or not ours to read */
	while (!ret && (de = readdir(d))) {
		fd = procfs_parse_num(de->d_name);
		if (fd < 0 || snprintf(link, sizeof(link), "%s/%ld", dir, fd) >= (int)sizeof(link))
			continue;
		memset(&rec, 0, sizeof(rec));
		if (classify_fd(link, &rec) && classify_socket(w, link, &rec))
			continue;
		fill_hdr(&rec.h, IPCS_REC_SEED_FD, sizeof(rec), w->ts_ns);
		rec.pid = (__u32)pid;
		rec.fd = (__s32)fd;
		cloexec = false;
		if (fd_flags(w, pid, (int)fd, &rec.chan.fmode, &cloexec))
			rec.chan.fmode = fmode_from_link(link);
		rec.flags |= cloexec ? IPCS_SYSF_CLOEXEC : 0;
		ret = w->cb(&rec, sizeof(rec), w->ctx);
	}
	closedir(d);
	return ret;
}

static int emit_proc(const struct walk *w, const struct pinfo *pi, const char *stat_comm)
{
	struct ipcs_seed_proc_rec rec;
	struct ipcs_cmdline_rec title;
	char path[PATH_MAX], comm[64];
	long tck = sysconf(_SC_CLK_TCK);
	ssize_t n;
	int ret;

	if (tck <= 0)
		tck = 100;
	memset(&rec, 0, sizeof(rec));
	fill_hdr(&rec.h, IPCS_REC_SEED_PROC, sizeof(rec), w->ts_ns);
	/* Its cgroup's name record goes first (once per cgroup). */
	ret = w->cgn ? cgnames_seed(w->cgn, pi->pid, w->ts_ns, &rec.cgroup_id, w->cb, w->ctx) : 0;
	if (ret)
		return ret;
	rec.pid = (__u32)pi->pid;
	rec.ppid = (__u32)pi->ppid;
	rec.start_ns = pi->start_ticks * (1000000000ULL / (__u64)tck);
	n = -1;
	if (snprintf(path, sizeof(path), "%s/%d/comm", w->root, pi->pid) < (int)sizeof(path))
		n = procfs_read_small(path, comm, sizeof(comm));
	if (n < 0)
		snprintf(comm, sizeof(comm), "%s", stat_comm);
	comm[strcspn(comm, "\n")] = '\0';
	comm[sizeof(rec.comm) - 1] = '\0';	/* the kernel's TASK_COMM_LEN */
	memcpy(rec.comm, comm, strlen(comm) + 1);
	ret = w->cb(&rec, sizeof(rec), w->ctx);
	/* Its title (none for kernel threads) right after it. */
	if (!ret && !titles_read(w->root, pi->pid, rec.start_ns, w->ts_ns, &title))
		ret = w->cb(&title, sizeof(title), w->ctx);
	return ret ? ret : emit_fds(w, pi->pid);
}

int seed_procfs(const char *proc_root, const pid_t *pids, size_t npids,
		__u64 ts_ns, seed_rec_cb cb, void *ctx)
{
	struct seed_targets t = { .pids = pids, .npids = npids };

	return seed_procfs_targets(proc_root, &t, ts_ns, cb, ctx);
}

/* A process the probes trace without a pid: by its name or its cgroup. */
static bool other_target(const struct walk *w, const struct seed_targets *t, const struct pinfo *pi)
{
	for (size_t i = 0; i < t->ncomms; i++)
		if (!strcmp(pi->comm, t->comms[i]))
			return true;
	for (size_t i = 0; w->cgn && i < t->ncgroups; i++)
		if (cgnames_pid_under(w->cgn, pi->pid, t->cgroup_dirs[i]))
			return true;
	return false;
}

int seed_procfs_targets(const char *proc_root, const struct seed_targets *t, __u64 ts_ns,
			seed_rec_cb cb, void *ctx)
{
	const pid_t *pids = t ? t->pids : NULL;
	size_t npids = t ? t->npids : 0;
	bool any = !t || (!t->npids && !t->ncomms && !t->ncgroups);
	struct walk w = { .root = proc_root, .ts_ns = ts_ns, .cb = cb, .ctx = ctx };
	struct seed_socks *socks = NULL;
	struct pinfo *v = NULL, fresh;
	char comm[64];
	size_t n = 0, i;
	int ret;

	if (!proc_root || !cb || (npids && !pids))
		return -EINVAL;
	ret = list_procs(proc_root, &v, &n);
	if (ret)
		return ret;
	qsort(v, n, sizeof(*v), cmp_pid);
	/* with other targets and no pid, no process is selected by pid */
	select_procs(v, n, pids, npids);
	if (!npids && !any)
		for (i = 0; i < n; i++)
			v[i].sel = -1;
	/* Sockets are named from a host-wide snapshot; without it they go unseeded. */
	if (seed_socks_load(proc_root, &socks))
		log_warn("seed: sockets open before tracing are not named (out of memory)");
	w.socks = socks;
	if (cgnames_new(proc_root, NULL, &w.cgn))
		log_warn("seed: cgroups of processes are not named (out of memory)");
	for (i = 0; !ret && i < n; i++) {
		if (v[i].sel != 1 && !other_target(&w, t, &v[i]))
			continue;
		/* Re-read: the pid may have exited, or been reused, since listing. */
		if (read_pinfo(proc_root, v[i].pid, &fresh, comm, sizeof(comm)) ||
		    fresh.start_ticks != v[i].start_ticks)
			continue;
		ret = emit_proc(&w, &v[i], comm);
	}
	cgnames_free(w.cgn);
	seed_socks_free(socks);
	free(v);
	return ret;
}
