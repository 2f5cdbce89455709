/*
 * live_probes.c - the real probes on the real kernel, through the collector's
 * own API (cmocka): children run known workloads and the records must match
 * them exactly. Run by tests/live/test_live_probes.sh in the live suite, which
 * skips where BPF is unavailable; a cmocka skip there is a failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "live_harness.h"
#include "collect/cgnames.h"

/*
 * The processes' records carry our own cgroup v2 (the children never moved),
 * and the live source named it once, before its first use, with the path
 * /proc/self/cgroup gives (no cgroup2 mounted: nothing can be named).
 */
static void check_cgroup_named(const struct collector *c, pid_t child, pid_t grandchild)
{
	struct cgnames *cn;
	char path[IPCS_PATH_MAX];
	__u64 id = 0;
	size_t n;

	assert_int_equal(cgnames_new("/proc", NULL, &cn), 0);
	if (cgnames_of_pid(cn, getpid(), &id, path, sizeof(path))) {
		cgnames_free(cn);
		assert_int_equal(c->names, 0);
		return;
	}
	cgnames_free(cn);
	assert_int_equal(find_proc(c, grandchild, IPCS_PROC_FORK, &n)->proc.cgroup_id, id);
	assert_int_equal(find_proc(c, child, IPCS_PROC_EXIT, &n)->proc.cgroup_id, id);
	assert_int_equal(find_proc(c, grandchild, IPCS_PROC_EXIT, &n)->proc.cgroup_id, id);
	assert_int_equal(c->names, 1);
	assert_int_equal(c->name_id, id);
	assert_string_equal(c->name_path, path);
}

/* ---- workload 1: pipe2, fork, 100 writes, writev, dup*, close ---- */

#define NWRITES 100
#define WSIZE 1000

static void pipe_reader(struct shared *sh)
{
	char buf[4096];
	ssize_t n;

	close(sh->wr);
	while ((n = read(sh->rd, buf, sizeof(buf))) > 0)
		;
	_exit(n == 0 ? 0 : 1);
}

static void pipe_work(struct shared *sh)
{
	static char buf[WSIZE];
	struct iovec iov[2] = { { buf, WSIZE / 2 }, { buf, WSIZE / 2 } };
	int fds[2], nul, d, st;
	struct stat s;
	pid_t g;

	if (pipe2(fds, O_CLOEXEC) || fstat(fds[0], &s))
		_exit(10);
	sh->rd = fds[0];
	sh->wr = fds[1];
	sh->ino = s.st_ino;
	sh->dev = s.st_dev;
	g = fork();
	if (g < 0)
		_exit(11);
	if (g == 0)
		pipe_reader(sh);
	sh->grandchild = g;
	close(fds[0]);
	/* Not channels: must produce no record at all. */
	nul = open("/dev/null", O_WRONLY);
	for (int i = 0; i < 5; i++)
		if (write(nul, buf, 10) != 10)
			_exit(12);
	close(nul);
	for (int i = 0; i < NWRITES; i++)
		if (write(fds[1], buf, WSIZE) != WSIZE)
			_exit(13);
	if (writev(fds[1], iov, 2) != WSIZE)
		_exit(14);
	d = dup(fds[1]);
	if (d < 0 || dup2(fds[1], 100) != 100 || dup3(fds[1], 101, O_CLOEXEC) != 101)
		_exit(15);
	close(d);
	close(100);
	close(101);
	close(fds[1]);
	if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st))
		_exit(16);
	_exit(0);
}

static void check_pipe_writer(const struct collector *c, pid_t pid, const struct shared *sh)
{
	const struct ipcs_event *e;
	__u64 bytes = 0;
	size_t n = 0;

	e = find_sys(c, pid, IPCS_SYS_PIPE2, -1);
	assert_non_null(e);
	assert_int_equal(e->sys.ret, 0);
	assert_int_equal(e->sys.fd, sh->rd);
	assert_int_equal(e->sys.fd2, sh->wr);
	assert_int_equal(e->sys.flags, IPCS_SYSF_CLOEXEC);
	assert_int_equal(e->sys.arg, O_CLOEXEC);
	assert_chan(e, IPCS_KIND_PIPE, sh, IPCS_FMODE_READ);
	assert_int_equal(e->h.size, sizeof(struct ipcs_sys_rec));

	for (size_t i = 0; i < c->n; i++) {
		e = &c->ev[i];
		if (!is_sys(e) || e->sys.pid != (__u32)pid || e->sys.sys != IPCS_SYS_WRITE)
			continue;
		assert_int_equal(e->sys.ret, WSIZE);
		assert_int_equal(e->sys.arg, WSIZE);
		assert_int_equal(e->sys.fd, sh->wr);
		assert_chan(e, IPCS_KIND_PIPE, sh, IPCS_FMODE_WRITE);
		bytes += e->sys.ret;
		n++;
	}
	assert_int_equal(n, NWRITES);
	assert_int_equal(bytes, NWRITES * WSIZE);

	e = find_sys(c, pid, IPCS_SYS_WRITEV, sh->wr);
	assert_non_null(e);
	assert_int_equal(e->sys.ret, WSIZE);
	assert_int_equal(e->sys.arg, 2);

	e = find_sys(c, pid, IPCS_SYS_DUP, sh->wr);
	assert_non_null(e);
	assert_int_equal(e->sys.fd2, e->sys.ret);
	assert_chan(e, IPCS_KIND_PIPE, sh, IPCS_FMODE_WRITE);
	e = find_sys(c, pid, IPCS_SYS_DUP2, sh->wr);
	assert_non_null(e);
	assert_int_equal(e->sys.fd2, 100);
	assert_int_equal(e->sys.ret, 100);
	e = find_sys(c, pid, IPCS_SYS_DUP3, sh->wr);
	assert_non_null(e);
	assert_int_equal(e->sys.fd2, 101);
	assert_int_equal(e->sys.flags, IPCS_SYSF_CLOEXEC);

	e = find_sys(c, pid, IPCS_SYS_CLOSE, sh->rd);
	assert_non_null(e);
	assert_chan(e, IPCS_KIND_PIPE, sh, IPCS_FMODE_READ);
	assert_non_null(find_sys(c, pid, IPCS_SYS_CLOSE, 100));
	assert_non_null(find_sys(c, pid, IPCS_SYS_CLOSE, 101));
	assert_non_null(find_sys(c, pid, IPCS_SYS_CLOSE, sh->wr));
	assert_int_equal(count_sys(c, pid, IPCS_SYS_CLOSE), 5);
	/* pipe2 + writes + writev + 3 dups + 5 closes; /dev/null made none */
	assert_int_equal(count_sys(c, pid, 0), 1 + NWRITES + 1 + 3 + 5);
}

static void check_pipe_reader(const struct collector *c, pid_t pid, const struct shared *sh)
{
	const struct ipcs_event *e, *last = NULL;
	__u64 bytes = 0;
	size_t reads = 0;

	e = find_sys(c, pid, IPCS_SYS_CLOSE, sh->wr);
	assert_non_null(e);
	assert_chan(e, IPCS_KIND_PIPE, sh, IPCS_FMODE_WRITE);
	for (size_t i = 0; i < c->n; i++) {
		e = &c->ev[i];
		if (!is_sys(e) || e->sys.pid != (__u32)pid || e->sys.sys != IPCS_SYS_READ)
			continue;
		assert_true(e->sys.ret >= 0);
		assert_int_equal(e->sys.arg, 4096);
		assert_chan(e, IPCS_KIND_PIPE, sh, IPCS_FMODE_READ);
		bytes += e->sys.ret;
		reads++;
		last = e;
	}
	assert_int_equal(bytes, (NWRITES + 1) * WSIZE);
	assert_non_null(last);
	assert_int_equal(last->sys.ret, 0);	/* EOF once every writer closed */
	assert_int_equal(count_sys(c, pid, 0), 1 + reads);
}

static void test_pipe_fork_dup_close(void **state)
{
	struct collector c = { 0 };
	struct shared *sh = shared_new();
	struct live_source *ls;
	const struct ipcs_event *e;
	pid_t pid;
	size_t n;

	(void)state;
	ls = open_pid_filtered(0);
	pid = spawn_stopped(pipe_work, sh);
	trace_and_run(ls, pid);
	assert_int_equal(wait_exit(pid), 0);
	drain(ls, collect_cb, &c);

	assert_int_equal(c.bad, 0);
	check_pipe_writer(&c, pid, sh);
	check_pipe_reader(&c, sh->grandchild, sh);
	e = find_proc(&c, sh->grandchild, IPCS_PROC_FORK, &n);
	assert_int_equal(n, 1);
	assert_int_equal(e->proc.ppid, pid);
	assert_true(e->proc.start_ns > 0);
	check_exit(&c, pid, 0);
	check_exit(&c, sh->grandchild, 0);
	/* The one signal: SIGCHLD from the grandchild's exit (to us: not traced, ipcscope). */
	assert_int_equal(count_signals(&c, sh->grandchild, pid, SIGCHLD), 1);
	assert_int_equal(count_signals(&c, 0, 0, 0), 1);
	assert_int_equal(c.n, count_sys(&c, pid, 0) + count_sys(&c, sh->grandchild, 0) + 3 + 1);
	check_cgroup_named(&c, pid, sh->grandchild);
	assert_no_drops(ls);
	live_close(ls);
	free(c.ev);
	munmap(sh, sizeof(*sh));
}

/* ---- workload 2: a FIFO made with mknodat, opened by two processes ---- */

#define FIFO_WRITES 10
#define FIFO_WSIZE 100

static void fifo_reader(struct shared *sh)
{
	char buf[512];
	ssize_t n, total = 0;
	int fd = open(sh->path, O_RDONLY);

	if (fd < 0)
		_exit(20);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	close(fd);
	_exit(n == 0 && total == FIFO_WRITES * FIFO_WSIZE ? 0 : 21);
}

static void fifo_work(struct shared *sh)
{
	char buf[FIFO_WSIZE] = { 0 }, reg[80];
	struct stat s;
	int fd, st;
	pid_t g;

	snprintf(reg, sizeof(reg), "%s.reg", sh->path);
	/* A regular node and a regular open: no records. */
	if (syscall(SYS_mknodat, AT_FDCWD, reg, S_IFREG | 0600, 0) || unlink(reg))
		_exit(30);
	fd = open("/proc/self/stat", O_RDONLY);
	close(fd);
	if (syscall(SYS_mknodat, AT_FDCWD, sh->path, S_IFIFO | 0600, 0) || stat(sh->path, &s))
		_exit(31);
	sh->ino = s.st_ino;
	sh->dev = s.st_dev;
	g = fork();
	if (g < 0)
		_exit(32);
	if (g == 0)
		fifo_reader(sh);
	sh->grandchild = g;
	fd = open(sh->path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		_exit(33);
	sh->wr = fd;
	for (int i = 0; i < FIFO_WRITES; i++)
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			_exit(34);
	close(fd);
	unlink(sh->path);
	if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st))
		_exit(35);
	_exit(0);
}

static void check_fifo_open(const struct ipcs_event *e, const struct shared *sh, __u16 fmode)
{
	assert_non_null(e);
	assert_int_equal(e->type, IPCS_REC_SYS_PATH);
	assert_int_equal(e->h.size, sizeof(struct ipcs_sys_path_rec));
	assert_true(e->sys.ret >= 0);
	assert_int_equal(e->sys.fd, e->sys.ret);
	assert_string_equal(e->path, sh->path);
	assert_chan(e, IPCS_KIND_FIFO, sh, fmode);
}

static void test_fifo(void **state)
{
	struct collector c = { 0 };
	struct shared *sh = shared_new();
	const struct ipcs_event *e;
	struct live_source *ls;
	__u64 bytes = 0;
	pid_t pid, g;

	(void)state;
	ls = open_pid_filtered(0);
	pid = spawn_stopped(fifo_work, sh);
	snprintf(sh->path, sizeof(sh->path), "/tmp/ipcscope-test-fifo-%d", pid);
	trace_and_run(ls, pid);
	assert_int_equal(wait_exit(pid), 0);
	drain(ls, collect_cb, &c);
	g = sh->grandchild;

	assert_int_equal(c.bad, 0);
	e = find_sys(&c, pid, IPCS_SYS_MKNODAT, -1);
	assert_non_null(e);
	assert_int_equal(e->type, IPCS_REC_SYS_PATH);
	assert_int_equal(e->sys.ret, 0);
	assert_int_equal(e->sys.arg, S_IFIFO | 0600);
	assert_int_equal(e->sys.chan.kind, IPCS_KIND_FIFO);
	assert_string_equal(e->path, sh->path);
	assert_int_equal(count_sys(&c, pid, IPCS_SYS_MKNODAT), 1);

	e = find_sys(&c, pid, IPCS_SYS_OPENAT, -1);
	check_fifo_open(e, sh, IPCS_FMODE_WRITE);
	assert_int_equal(e->sys.flags, IPCS_SYSF_CLOEXEC);
	assert_int_equal(e->sys.arg & O_ACCMODE, O_WRONLY);
	check_fifo_open(find_sys(&c, g, IPCS_SYS_OPENAT, -1), sh, IPCS_FMODE_READ);

	for (size_t i = 0; i < c.n; i++) {
		e = &c.ev[i];
		if (is_sys(e) && e->sys.pid == (__u32)pid && e->sys.sys == IPCS_SYS_WRITE) {
			assert_int_equal(e->sys.ret, FIFO_WSIZE);
			assert_chan(e, IPCS_KIND_FIFO, sh, IPCS_FMODE_WRITE);
		}
		if (is_sys(e) && e->sys.pid == (__u32)g && e->sys.sys == IPCS_SYS_READ) {
			assert_chan(e, IPCS_KIND_FIFO, sh, IPCS_FMODE_READ);
			bytes += e->sys.ret;
		}
	}
	assert_int_equal(count_sys(&c, pid, IPCS_SYS_WRITE), FIFO_WRITES);
	assert_int_equal(bytes, FIFO_WRITES * FIFO_WSIZE);
	assert_non_null(find_sys(&c, pid, IPCS_SYS_CLOSE, sh->wr));
	/* mknodat + openat + writes + close; the regular node and file: none */
	assert_int_equal(count_sys(&c, pid, 0), 1 + 1 + FIFO_WRITES + 1);
	assert_int_equal(count_sys(&c, g, IPCS_SYS_CLOSE), 1);
	check_exit(&c, pid, 0);
	check_exit(&c, g, 0);
	assert_no_drops(ls);
	live_close(ls);
	free(c.ev);
	munmap(sh, sizeof(*sh));
}

/* ---- workload 3: fork + exec + exit codes ---- */

static void exec_work(struct shared *sh)
{
	int st;
	pid_t g = fork();

	if (g == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	sh->grandchild = g;
	if (g < 0 || waitpid(g, &st, 0) != g)
		_exit(1);
	_exit(3);
}

static void test_fork_exec_exit(void **state)
{
	struct collector c = { 0 };
	struct shared *sh = shared_new();
	const struct ipcs_event *fork_ev, *exec_ev, *exit_ev;
	struct live_source *ls;
	pid_t pid;
	size_t n;

	(void)state;
	ls = open_pid_filtered(0);
	pid = spawn_stopped(exec_work, sh);
	trace_and_run(ls, pid);
	assert_int_equal(wait_exit(pid), 3 << 8);
	drain(ls, collect_cb, &c);

	fork_ev = find_proc(&c, sh->grandchild, IPCS_PROC_FORK, &n);
	assert_int_equal(n, 1);
	assert_int_equal(fork_ev->proc.ppid, pid);
	exec_ev = find_proc(&c, sh->grandchild, IPCS_PROC_EXEC, &n);
	assert_int_equal(n, 1);
	assert_string_equal(exec_ev->proc.comm, "true");
	assert_int_equal(exec_ev->proc.ppid, pid);
	exit_ev = find_proc(&c, sh->grandchild, IPCS_PROC_EXIT, &n);
	assert_int_equal(n, 1);
	assert_string_equal(exit_ev->proc.comm, "true");
	/* (pid, start_ns) names one process across fork, exec and exit. */
	assert_true(fork_ev->proc.start_ns > 0);
	assert_int_equal(exec_ev->proc.start_ns, fork_ev->proc.start_ns);
	assert_int_equal(exit_ev->proc.start_ns, fork_ev->proc.start_ns);
	check_exit(&c, sh->grandchild, 0);
	check_exit(&c, pid, 3 << 8);
	assert_no_drops(ls);
	live_close(ls);
	free(c.ev);
	munmap(sh, sizeof(*sh));
}

/* ---- workload 4: threads share a process; only the last one's exit counts ---- */

static void *thread_write(void *arg)
{
	int fd = *(int *)arg;

	*(int *)arg = (int)syscall(SYS_gettid);
	return (void *)(long)(write(fd, "t", 1) == 1);
}

static void thread_work(struct shared *sh)
{
	int fds[2], arg;
	pthread_t t;
	void *ok = NULL;

	if (pipe(fds))
		_exit(60);
	arg = fds[1];
	if (pthread_create(&t, NULL, thread_write, &arg) || pthread_join(t, &ok) || !ok)
		_exit(61);
	sh->grandchild = arg;	/* the thread's tid */
	_exit(0);
}

static void test_threads(void **state)
{
	struct collector c = { 0 };
	struct shared *sh = shared_new();
	const struct ipcs_event *e;
	struct live_source *ls;
	size_t n;
	pid_t pid;

	(void)state;
	ls = open_pid_filtered(0);
	pid = spawn_stopped(thread_work, sh);
	trace_and_run(ls, pid);
	assert_int_equal(wait_exit(pid), 0);
	drain(ls, collect_cb, &c);

	e = find_sys(&c, pid, IPCS_SYS_WRITE, -1);
	assert_non_null(e);
	assert_int_equal(e->sys.tid, sh->grandchild);
	assert_true(e->sys.tid != (__u32)pid);
	assert_int_equal(count_sys(&c, pid, 0), 2);	/* pipe2 + the thread's write */
	check_exit(&c, pid, 0);
	assert_null(find_proc(&c, sh->grandchild, IPCS_PROC_EXIT, &n));
	n = 0;
	for (size_t i = 0; i < c.n; i++) {	/* a thread is no new process */
		assert_true(c.ev[i].type != IPCS_REC_PROC || c.ev[i].proc.op != IPCS_PROC_FORK);
		n += c.ev[i].type != IPCS_REC_FUTEX;	/* pthread_join may wait on a futex */
	}
	assert_int_equal(n, 3);
	assert_no_drops(ls);
	live_close(ls);
	free(c.ev);
	munmap(sh, sizeof(*sh));
}

/* ---- filters: by command name; and no filter but never ipcscope itself ---- */

#define COMM_WRITES 7

static void pipe_burst(int nwrites)
{
	int fds[2];

	/* glibc's pipe() is pipe2(fds, 0): ask for pipe itself. */
	if (syscall(SYS_pipe, fds))
		_exit(40);
	for (int i = 0; i < nwrites; i++)
		if (write(fds[1], "abc", 3) != 3)
			_exit(41);
	close(fds[0]);
	close(fds[1]);
}

/*
 * A process whose calls were already seen untraced (each task then keeps
 * "not traced" in its task-storage mark, bpf/filter.bpf.h) is traced from
 * the moment live_add_pid adds it: the pid filter's generation makes every
 * mark ask again. Exactly the calls after the add are recorded.
 */
#define BEFORE_WRITES 7
#define AFTER_WRITES 11

static void test_pid_added_after_its_calls(void **state)
{
	struct collector c = { 0 };
	struct live_source *ls;
	int st = 0;
	pid_t pid;

	(void)state;
	ls = open_pid_filtered(0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pipe_burst(BEFORE_WRITES);	/* seen by the probes, not traced */
		raise(SIGSTOP);
		pipe_burst(AFTER_WRITES);
		_exit(0);
	}
	remember_kid(pid);
	assert_int_equal(waitpid(pid, &st, WUNTRACED), pid);
	assert_true(WIFSTOPPED(st));
	assert_int_equal(live_add_pid(ls, pid), 0);
	assert_int_equal(kill(pid, SIGCONT), 0);
	assert_int_equal(wait_exit(pid), 0);
	drain(ls, collect_cb, &c);

	assert_int_equal(count_sys(&c, pid, IPCS_SYS_PIPE), 1);
	assert_int_equal(count_sys(&c, pid, IPCS_SYS_WRITE), AFTER_WRITES);
	assert_int_equal(count_sys(&c, pid, IPCS_SYS_CLOSE), 2);
	check_exit(&c, pid, 0);
	live_close(ls);
	free(c.ev);
}

static void test_comm_filter(void **state)
{
	char name[16];
	const char *comms[1] = { name };
	struct collector c = { 0 };
	struct live_config cfg = { .follow_children = true, .self_pid = getpid(), .comms = comms,
				   .ncomms = 1 };
	const struct ipcs_event *e;
	struct live_source *ls;
	pid_t pid;

	(void)state;
	snprintf(name, sizeof(name), "ipcs-cm%d", getpid() % 100000);
	ls = open_source(&cfg);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fds[2];

		/* Under the test's own name first: not traced. */
		if (pipe(fds))
			_exit(1);
		close(fds[0]);
		close(fds[1]);
		prctl(PR_SET_NAME, name);
		pipe_burst(COMM_WRITES);
		_exit(0);
	}
	remember_kid(pid);
	assert_int_equal(wait_exit(pid), 0);
	drain(ls, collect_cb, &c);

	e = find_sys(&c, pid, IPCS_SYS_PIPE, -1);
	assert_non_null(e);
	assert_int_equal(e->sys.ret, 0);
	assert_int_equal(e->sys.flags, 0);
	assert_true(e->sys.fd >= 0 && e->sys.fd2 >= 0 && e->sys.fd != e->sys.fd2);
	assert_int_equal(e->sys.chan.kind, IPCS_KIND_PIPE);
	assert_int_equal(e->sys.chan.fmode, IPCS_FMODE_READ);
	assert_int_equal(count_sys(&c, pid, IPCS_SYS_PIPE), 1);
	assert_int_equal(count_sys(&c, pid, IPCS_SYS_WRITE), COMM_WRITES);
	assert_int_equal(count_sys(&c, pid, IPCS_SYS_CLOSE), 2);
	assert_int_equal(count_sys(&c, pid, 0), 1 + COMM_WRITES + 2);
	for (size_t i = 0; i < c.n; i++)
		assert_string_equal(c.ev[i].type == IPCS_REC_PROC ? c.ev[i].proc.comm
								  : c.ev[i].sys.comm, name);
	check_exit(&c, pid, 0);
	live_close(ls);
	free(c.ev);
}

#define SELF_WRITES 5

static void test_trace_all_but_self(void **state)
{
	struct collector c = { 0 };
	struct live_config cfg = { .follow_children = true, .self_pid = getpid() };
	struct live_source *ls;
	int st = 0;
	pid_t pid;

	(void)state;
	ls = open_source(&cfg);
	pipe_burst(SELF_WRITES);	/* ipcscope's own calls: never traced */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pipe_burst(SELF_WRITES);
		_exit(0);
	}
	remember_kid(pid);
	/* The whole host is traced: keep the ring buffer moving. */
	while (waitpid(pid, &st, WNOHANG) == 0)
		assert_true(live_poll(ls, 10, collect_cb, &c) >= 0);
	forget_kid(pid);
	drain(ls, collect_cb, &c);

	assert_int_equal(count_sys(&c, getpid(), 0), 0);
	assert_int_equal(count_sys(&c, pid, IPCS_SYS_PIPE), 1);
	assert_int_equal(count_sys(&c, pid, IPCS_SYS_WRITE), SELF_WRITES);
	assert_int_equal(count_sys(&c, pid, 0), 1 + SELF_WRITES + 2);
	check_exit(&c, pid, 0);
	live_close(ls);
	free(c.ev);
}

/* ---- drops: a one-page ring buffer nobody reads while it fills ---- */

#define FLOOD_WRITES 20000

static void flood_work(struct shared *sh)
{
	int fds[2];

	(void)sh;
	if (pipe(fds))
		_exit(50);
	/* 1-byte writes merge into pipe pages: 20000 fit without a reader. */
	for (int i = 0; i < FLOOD_WRITES; i++)
		if (write(fds[1], "x", 1) != 1)
			_exit(51);
	close(fds[0]);
	close(fds[1]);
	_exit(0);
}

static void test_ringbuf_drops_counted(void **state)
{
	struct live_source *ls;
	__u64 d[IPCS_DROP_SLOTS];
	size_t got = 0;
	pid_t pid;

	(void)state;
	ls = open_pid_filtered(4096);
	pid = spawn_stopped(flood_work, NULL);
	trace_and_run(ls, pid);
	assert_int_equal(wait_exit(pid), 0);
	drain(ls, count_cb, &got);
	assert_int_equal(live_get_drops(ls, d), 0);

	/* pipe + writes + 2 closes + exit: each either delivered or counted */
	assert_int_equal(got + d[IPCS_DROP_RINGBUF], 1 + FLOOD_WRITES + 2 + 1);
	assert_true(d[IPCS_DROP_RINGBUF] > 0);
	assert_true(got > 0);
	assert_int_equal(d[IPCS_DROP_INFLIGHT], 0);
	assert_int_equal(d[IPCS_DROP_READ], 0);
	live_close(ls);
}

/* ---- configuration errors ---- */

static void test_bad_ringbuf_size(void **state)
{
	struct live_config cfg = { .filter_pids = true, .ringbuf_bytes = 12345 };
	struct live_source *ls = NULL;

	(void)state;
	skip_unless_bpf();
	assert_int_equal(live_open(&cfg, &ls), -EINVAL);
	assert_null(ls);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_pipe_fork_dup_close, teardown_kids),
		cmocka_unit_test_teardown(test_fifo, teardown_kids),
		cmocka_unit_test_teardown(test_fork_exec_exit, teardown_kids),
		cmocka_unit_test_teardown(test_threads, teardown_kids),
		cmocka_unit_test_teardown(test_comm_filter, teardown_kids),
		cmocka_unit_test_teardown(test_pid_added_after_its_calls, teardown_kids),
		cmocka_unit_test_teardown(test_trace_all_but_self, teardown_kids),
		cmocka_unit_test_teardown(test_ringbuf_drops_counted, teardown_kids),
		cmocka_unit_test(test_bad_ringbuf_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
