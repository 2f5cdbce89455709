/*
 * test_seed.c - seeding from /proc: a crafted tree (hostile names, missing
 * and malformed files, descendants, cycles) and the real /proc of a child
 * holding a real pipe and FIFO.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "collect/decode.h"
#include "collect/procfs_parse.h"
#include "collect/seed_procfs.h"
#include "collect/cgnames.h"

#define MAXR 64
#define TS 777

struct recs {
	size_t nproc, nfd, nnames;
	struct ipcs_cgroup_name_rec names[MAXR];
	struct ipcs_seed_proc_rec procs[MAXR];
	struct ipcs_seed_fd_rec fds[MAXR];
	struct ipcs_cmdline_rec titles[MAXR];
	size_t ntitles;
	int stop_after;		/* > 0: return -EINTR after that many records */
	int seen;
};

static int collect(const void *rec, size_t len, void *ctx)
{
	struct recs *r = ctx;
	struct ipcs_event ev;
	struct ipcs_rec_hdr h;

	memcpy(&h, rec, sizeof(h));
	assert_int_equal(h.size, len);
	assert_int_equal(h.ts_ns, TS);
	assert_int_equal(h.cpu, 0);
	/* Every record must pass the decoder that replay uses. */
	assert_int_equal(ipcs_decode(rec, len, &ev), 0);
	if (h.type == IPCS_REC_SEED_PROC && r->nproc < MAXR)
		memcpy(&r->procs[r->nproc++], rec, sizeof(r->procs[0]));
	else if (h.type == IPCS_REC_SEED_FD && r->nfd < MAXR)
		memcpy(&r->fds[r->nfd++], rec, sizeof(r->fds[0]));
	else if (h.type == IPCS_REC_CGROUP_NAME && r->nnames < MAXR)
		memcpy(&r->names[r->nnames++], rec, sizeof(r->names[0]));
	else if (h.type == IPCS_REC_CMDLINE && r->ntitles < MAXR)
		memcpy(&r->titles[r->ntitles++], rec, sizeof(r->titles[0]));
	else
		fail_msg("unexpected record type %u", h.type);
	if (r->stop_after && ++r->seen >= r->stop_after)
		return -EINTR;
	return 0;
}

static const struct ipcs_seed_fd_rec *fd_rec(const struct recs *r, __u32 pid, __s32 fd)
{
	size_t i;

	for (i = 0; i < r->nfd; i++)
		if (r->fds[i].pid == pid && r->fds[i].fd == fd)
			return &r->fds[i];
	return NULL;
}

static __u32 kdev(dev_t d)
{
	return (major(d) << 20) | minor(d);
}

static __u64 tick_ns(void)
{
	return 1000000000ull / (__u64)sysconf(_SC_CLK_TCK);
}

/* ---- the crafted tree ---- */

static char root[64];

static void put_file(const char *rel, const char *content)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void put_dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void put_link(const char *rel, const char *target)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(symlink(target, path), 0);
}

static void put_proc(int pid, const char *stat_comm, int ppid, unsigned long long start)
{
	char rel[64], buf[512];

	snprintf(rel, sizeof(rel), "%d", pid);
	put_dir(rel);
	snprintf(buf, sizeof(buf),
		 "%d (%s) S %d 1 1 0 -1 4194560 10 0 0 0 1 2 0 0 20 0 1 0 %llu 1000 10 "
		 "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
		 pid, stat_comm, ppid, start);
	snprintf(rel, sizeof(rel), "%d/stat", pid);
	put_file(rel, buf);
}

static int tree_setup(void **state)
{
	char big[10000], target[300];

	(void)state;
	snprintf(root, sizeof(root), "/tmp/ipcs-seed-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	/* 100: comm with ')' and spaces, pipe ends, a FIFO, non-IPC fds. */
	put_proc(100, "evil) name", 1, 12345);
	put_file("100/comm", "evil) name\n");
	put_dir("100/fd");
	put_dir("100/fdinfo");
	put_link("100/fd/3", "pipe:[123]");
	put_file("100/fdinfo/3", "pos:\t0\nflags:\t02000000\nmnt_id:\t15\nino:\t123\n");
	put_link("100/fd/4", "pipe:[123]");
	put_file("100/fdinfo/4", "pos:\t0\nflags:\t01\n");
	snprintf(target, sizeof(target), "%s/thefifo", root);
	assert_int_equal(mkfifo(target, 0600), 0);
	put_link("100/fd/5", target);
	put_file("100/fdinfo/5", "pos:\t0\nflags:\t0100002\n");
	put_file("plainfile", "x");
	snprintf(target, sizeof(target), "%s/plainfile", root);
	put_link("100/fd/6", target);
	put_link("100/fd/7", "socket:[999]");
	put_link("100/fd/8", "pipe:[12x]");
	put_link("100/fd/9", "pipe:[124]");	/* no fdinfo: mode from the link */
	put_link("100/fd/10", "pipe:[-5]");
	put_link("100/fd/11", "pipe:[99999999999999999999999]");
	put_file("100/fd/abc", "");
	/* 200: child of 100, no comm file. */
	put_proc(200, "kid", 100, 200);
	/* 300: stat without ')'. */
	put_dir("300");
	put_file("300/stat", "300 (broken S 1 1 1\n");
	/* 400: its own parent. 450 -> 460 -> 450: a cycle. */
	put_proc(400, "loop", 400, 400);
	put_proc(450, "c1", 460, 450);
	put_proc(460, "c2", 450, 460);
	/* 500: vanished (no stat). 600: grandchild of 100, huge comm. */
	put_dir("500");
	put_proc(600, "grand", 200, 600);
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put_file("600/comm", big);
	/* 700: truncated stat (no field 22). */
	put_dir("700");
	put_file("700/stat", "700 (short) S 1 1 1\n");
	put_dir("self");
	put_dir("0123");
	put_file("0123/stat", "123 (zero) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0\n");
	return 0;
}

static int tree_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_tree_all(void **state)
{
	struct recs *r = calloc(1, sizeof(*r));
	const struct ipcs_seed_fd_rec *f;
	char fifo[300];
	struct stat st;
	int p[2];

	(void)state;
	assert_int_equal(seed_procfs(root, NULL, 0, TS, collect, r), 0);
	assert_int_equal(r->nproc, 6);
	assert_int_equal(r->procs[0].pid, 100);
	assert_int_equal(r->procs[0].ppid, 1);
	assert_string_equal(r->procs[0].comm, "evil) name");
	assert_int_equal(r->procs[0].start_ns, 12345 * tick_ns());
	assert_int_equal(r->procs[0].h.type, IPCS_REC_SEED_PROC);
	assert_int_equal(r->procs[0].h.size, sizeof(r->procs[0]));
	assert_int_equal(r->procs[1].pid, 200);
	assert_string_equal(r->procs[1].comm, "kid");	/* from stat */
	assert_int_equal(r->procs[1].ppid, 100);
	assert_int_equal(r->procs[2].pid, 400);
	assert_int_equal(r->procs[3].pid, 450);
	assert_int_equal(r->procs[4].pid, 460);
	assert_int_equal(r->procs[5].pid, 600);
	assert_string_equal(r->procs[5].comm, "AAAAAAAAAAAAAAA");

	assert_int_equal(r->nfd, 4);
	/* Pipe dev: the one pipefs superblock, as the kernel encodes it. */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(fstat(p[0], &st), 0);
	close(p[0]);
	close(p[1]);
	f = fd_rec(r, 100, 3);
	assert_non_null(f);
	assert_int_equal(f->h.type, IPCS_REC_SEED_FD);
	assert_int_equal(f->chan.kind, IPCS_KIND_PIPE);
	assert_int_equal(f->chan.ino, 123);
	assert_int_equal(f->chan.dev, kdev(st.st_dev));
	assert_int_equal(f->chan.fmode, IPCS_FMODE_READ);
	assert_int_equal(f->flags, IPCS_SYSF_CLOEXEC);
	assert_string_equal(f->path, "");
	f = fd_rec(r, 100, 4);
	assert_non_null(f);
	assert_int_equal(f->chan.fmode, IPCS_FMODE_WRITE);
	assert_int_equal(f->flags, 0);
	f = fd_rec(r, 100, 5);
	assert_non_null(f);
	snprintf(fifo, sizeof(fifo), "%s/thefifo", root);
	assert_int_equal(stat(fifo, &st), 0);
	assert_int_equal(f->chan.kind, IPCS_KIND_FIFO);
	assert_int_equal(f->chan.ino, st.st_ino);
	assert_int_equal(f->chan.dev, kdev(st.st_dev));
	assert_int_equal(f->chan.fmode, IPCS_FMODE_READ | IPCS_FMODE_WRITE);
	assert_int_equal(f->flags, 0);
	assert_string_equal(f->path, fifo);
	f = fd_rec(r, 100, 9);
	assert_non_null(f);
	assert_int_equal(f->chan.ino, 124);
	assert_int_equal(f->chan.fmode, IPCS_FMODE_READ | IPCS_FMODE_WRITE);
	free(r);
}

static void test_tree_select(void **state)
{
	struct recs *r = calloc(1, sizeof(*r));
	pid_t one = 100, two[] = { 200, 400 }, none = 999, cyc = 450;

	(void)state;
	assert_int_equal(seed_procfs(root, &one, 1, TS, collect, r), 0);
	assert_int_equal(r->nproc, 3);
	assert_int_equal(r->procs[0].pid, 100);
	assert_int_equal(r->procs[1].pid, 200);
	assert_int_equal(r->procs[2].pid, 600);
	assert_int_equal(r->nfd, 4);
	memset(r, 0, sizeof(*r));
	assert_int_equal(seed_procfs(root, two, 2, TS, collect, r), 0);
	assert_int_equal(r->nproc, 3);
	assert_int_equal(r->procs[0].pid, 200);
	assert_int_equal(r->procs[1].pid, 400);
	assert_int_equal(r->procs[2].pid, 600);
	assert_int_equal(r->nfd, 0);
	memset(r, 0, sizeof(*r));
	assert_int_equal(seed_procfs(root, &none, 1, TS, collect, r), 0);
	assert_int_equal(r->nproc, 0);
	/* A parent cycle: both members descend from each other, nothing loops. */
	memset(r, 0, sizeof(*r));
	assert_int_equal(seed_procfs(root, &cyc, 1, TS, collect, r), 0);
	assert_int_equal(r->nproc, 2);
	assert_int_equal(r->procs[0].pid, 450);
	assert_int_equal(r->procs[1].pid, 460);
	free(r);
}

/* Targets without pids (-c): only the processes of those names, no descendants (as the
 * probes trace them); with a pid too: the union. */
static void test_tree_targets(void **state)
{
	struct recs *r = calloc(1, sizeof(*r));
	const char *comms[] = { "loop", "c2" };
	pid_t one = 200;
	struct seed_targets t = { .comms = comms, .ncomms = 2 };

	(void)state;
	assert_int_equal(seed_procfs_targets(root, &t, TS, collect, r), 0);
	assert_int_equal(r->nproc, 2);
	assert_int_equal(r->procs[0].pid, 400);
	assert_int_equal(r->procs[1].pid, 460);
	memset(r, 0, sizeof(*r));
	t.pids = &one;
	t.npids = 1;
	t.ncomms = 1;
	assert_int_equal(seed_procfs_targets(root, &t, TS, collect, r), 0);
	assert_int_equal(r->nproc, 3);
	assert_int_equal(r->procs[0].pid, 200);
	assert_int_equal(r->procs[1].pid, 400);
	assert_int_equal(r->procs[2].pid, 600);	/* 200's child */
	memset(r, 0, sizeof(*r));
	comms[0] = "nobody-has-it";
	t.npids = 0;
	assert_int_equal(seed_procfs_targets(root, &t, TS, collect, r), 0);
	assert_int_equal(r->nproc, 0);	/* a target nobody matches: nothing, not the host */
	free(r);
}

static void test_tree_errors(void **state)
{
	struct recs *r = calloc(1, sizeof(*r));
	pid_t one = 100;

	(void)state;
	r->stop_after = 2;
	assert_int_equal(seed_procfs(root, &one, 1, TS, collect, r), -EINTR);
	assert_int_equal(r->seen, 2);
	assert_int_equal(seed_procfs("/nonexistent/proc", NULL, 0, TS, collect, r), -ENOENT);
	assert_int_equal(seed_procfs(NULL, NULL, 0, TS, collect, r), -EINVAL);
	assert_int_equal(seed_procfs(root, NULL, 3, TS, collect, r), -EINVAL);
	free(r);
}

/* ---- the real /proc ---- */

/* The seed's cgroup id is the child's, which is ours (/proc/PID/cgroup +
 * stat; the child is gone by now), named once. */
static void check_cgroup(const struct recs *r, pid_t pid)
{
	struct cgnames *cn;
	char path[IPCS_PATH_MAX];
	__u64 id = 0;

	assert_int_equal(cgnames_new("/proc", NULL, &cn), 0);
	if (cgnames_of_pid(cn, pid, &id, path, sizeof(path)))
		id = 0;		/* no cgroup2 mounted: unknown, unnamed */
	cgnames_free(cn);
	assert_int_equal(r->procs[0].cgroup_id, id);
	assert_int_equal(r->nnames, id ? 1 : 0);
	if (id) {
		assert_int_equal(r->names[0].cgroup_id, id);
		assert_string_equal(r->names[0].path, path);
	}
}

static void test_live_child(void **state)
{
	struct recs *r = calloc(1, sizeof(*r));
	const struct ipcs_seed_fd_rec *f;
	int data[2], ready[2], stop[2], ffd = -1, status, ret;
	char fifo[128], c;
	struct stat pst, fst;
	pid_t child;

	(void)state;
	/* In the crafted tree's directory: the group teardown removes it. */
	snprintf(fifo, sizeof(fifo), "%s/live-ff", root);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(pipe(data), 0);
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(stop), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(stop[1]);	/* so the parent's close means EOF */
		ffd = open(fifo, O_RDWR | O_CLOEXEC);
		if (ffd < 0 || write(ready[1], &ffd, sizeof(ffd)) != sizeof(ffd))
			_exit(1);
		(void)!read(stop[0], &c, 1);
		_exit(0);
	}
	ret = read(ready[0], &ffd, sizeof(ffd)) == sizeof(ffd) ? 0 : -EIO;
	if (!ret)
		ret = seed_procfs("/proc", &child, 1, TS, collect, r);
	/* Let the child go before any assertion can leave it blocked. */
	close(stop[1]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(ret, 0);
	assert_int_equal(status, 0);

	assert_int_equal(r->nproc, 1);
	assert_int_equal(r->procs[0].pid, child);
	assert_int_equal(r->procs[0].ppid, getpid());
	assert_true(r->procs[0].start_ns > 0);
	assert_string_equal(r->procs[0].comm, "test_seed");
	/* its title, as /proc/PID/cmdline has it: this program's argv, NULs kept */
	{
		char want[IPCS_CMDLINE_MAX];
		ssize_t n;
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/cmdline", getpid());
		n = procfs_read_small(path, want, sizeof(want));
		assert_true(n > 0);
		while (n > 0 && !want[n - 1])
			n--;
		assert_int_equal(r->ntitles, 1);
		assert_int_equal(r->titles[0].pid, child);
		assert_int_equal(r->titles[0].start_ns, r->procs[0].start_ns);
		assert_int_equal(r->titles[0].len, n);
		assert_memory_equal(r->titles[0].cmdline, want, (size_t)n);
	}
	check_cgroup(r, getpid());
	assert_int_equal(fstat(data[0], &pst), 0);
	f = fd_rec(r, child, data[0]);
	assert_non_null(f);
	assert_int_equal(f->chan.kind, IPCS_KIND_PIPE);
	assert_int_equal(f->chan.ino, pst.st_ino);
	assert_int_equal(f->chan.dev, kdev(pst.st_dev));
	assert_int_equal(f->chan.fmode, IPCS_FMODE_READ);
	assert_int_equal(f->flags, 0);
	f = fd_rec(r, child, data[1]);
	assert_non_null(f);
	assert_int_equal(f->chan.ino, pst.st_ino);
	assert_int_equal(f->chan.fmode, IPCS_FMODE_WRITE);
	f = fd_rec(r, child, ffd);
	assert_non_null(f);
	assert_int_equal(stat(fifo, &fst), 0);
	assert_int_equal(f->chan.kind, IPCS_KIND_FIFO);
	assert_int_equal(f->chan.ino, fst.st_ino);
	assert_int_equal(f->chan.dev, kdev(fst.st_dev));
	assert_int_equal(f->chan.fmode, IPCS_FMODE_READ | IPCS_FMODE_WRITE);
	assert_int_equal(f->flags, IPCS_SYSF_CLOEXEC);
	assert_string_equal(f->path, fifo);
	/* Only pipes and FIFOs: every other seeded fd is one we inherited too. */
	for (size_t i = 0; i < r->nfd; i++) {
		struct stat st;
		int fd = r->fds[i].fd;

		if (fd == data[0] || fd == data[1] || fd == ready[0] || fd == ready[1] ||
		    fd == stop[0] || fd == stop[1] || fd == ffd)
			continue;
		assert_int_equal(fstat(fd, &st), 0);
		assert_true(S_ISFIFO(st.st_mode));
		assert_int_equal(r->fds[i].chan.ino, st.st_ino);
	}
	assert_non_null(fd_rec(r, child, stop[0]));
	close(data[0]);
	close(data[1]);
	close(ready[0]);
	close(ready[1]);
	close(stop[0]);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_all),
		cmocka_unit_test(test_tree_select),
		cmocka_unit_test(test_tree_targets),
		cmocka_unit_test(test_tree_errors),
		cmocka_unit_test(test_live_child),
	};

	return cmocka_run_group_tests(tests, tree_setup, tree_teardown);
}
