/* target.c - the processes a trace follows: a command started stopped in its own process group
 * (with a guard that ends the group if the tracer is killed), or pids until they are gone. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "collect/procfs_parse.h"
#include "trace/target.h"

/* A regular file we may execute. */
static int runnable(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	return access(path, X_OK) ? -errno : 0;
}

int target_check(const char *cmd)
{
	const char *path = getenv("PATH"), *p, *end;
	char buf[4096];
	int err = -ENOENT;

	if (!cmd || !*cmd)
		return -ENOENT;
	if (strchr(cmd, '/'))
		return runnable(cmd);
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		/* an empty entry is the current directory, as execvp has it */
		if (snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(end - p), p, end > p ? "/" : "", cmd) <
		    (int)sizeof(buf)) {
			int r = runnable(buf);

			if (!r)
				return 0;
			if (r == -EACCES)
				err = r;	/* found, not executable: keep looking, as execvp */
		}
		if (!*end)
			return err;
	}
}

/* Fork the target stopped, so the probes can be pointed at it before its first instruction. */
int target_start(const struct record_target *t, pid_t *out)
{
	int st;
	pid_t parent = getpid(), pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* Its own process group: the tracer's signals reach the whole command tree
		 * (kill(-pgid)), not only the first process. */
		setpgid(0, 0);
		/* A killed tracer takes the command with it (the guard ends the rest of
		 * the group); kept across exec. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);	/* the tracer died before prctl */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (t->null_stdio) {
			int fd = open("/dev/null", O_RDWR);

			for (int i = 0; fd >= 0 && i < 3; i++)
				dup2(fd, i);
			if (fd > 2)
				close(fd);
		}
		raise(SIGSTOP);
		if (t->fn)
			_exit(t->fn(t->arg));
		execvp(t->argv[0], t->argv);
		fprintf(stderr, "ipcscope: cannot run %s: %s\n", t->argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	setpgid(pid, pid);	/* as the child does: whichever runs first */
	while (waitpid(pid, &st, WUNTRACED) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFSTOPPED(st))
		return -ECHILD;
	*out = pid;
	return 0;
}

int target_reap(pid_t pid, bool wait, int *status)
{
	int st;
	pid_t r;

	while ((r = waitpid(pid, &st, wait ? 0 : WNOHANG)) < 0)
		if (errno != EINTR)
			return -errno;
	if (r != pid || !(WIFEXITED(st) || WIFSIGNALED(st)))
		return -EAGAIN;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}

/* Gone, or a zombie nobody has reaped yet: it will make no more calls. */
bool target_pid_gone(pid_t pid)
{
	char path[64], buf[512], *rp;
	ssize_t n;

	if (kill(pid, 0) && errno == ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = procfs_read_small(path, buf, sizeof(buf));
	if (n < 0)
		return n == -ENOENT;
	rp = strrchr(buf, ')');	/* comm may hold anything, even ')' */
	return rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X');
}

bool target_pids_gone(const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!target_pid_gone(pids[i]))
			return false;
	return true;
}


/* The guard: a small process of ours, outside the command's group, that reads a pipe whose only
 * writer is the tracer. The tracer writes 'q' when it has dealt with the command itself; end of
 * file without it means the tracer died (SIGKILL, a crash): the guard then kills the group. */
static void guard_main(int rfd, pid_t pgid)
{
	char c = 0;
	ssize_t n;

	signal(SIGINT, SIG_IGN);	/* the terminal's Ctrl-C is for the tracer */
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_NAME, "ipcscope-guard");
	/* nothing of the tracer's (the recording, the terminal) stays open here */
	for (int fd = 0; fd < 3; fd++)
		if (fd != rfd)
			close(fd);
	if (rfd > 3)
		close_range(3, (unsigned)rfd - 1, 0);
	close_range((unsigned)rfd + 1, ~0u, 0);
	while ((n = read(rfd, &c, 1)) < 0 && errno == EINTR)
		;
	if (n != 1 || c != 'q')
		kill(-pgid, SIGKILL);
	_exit(0);
}

int target_guard_start(pid_t pgid, struct target_guard *g)
{
	int p[2];
	pid_t pid;

	g->pid = 0;
	g->fd = -1;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(p[0]);
		close(p[1]);
		return err;
	}
	if (pid == 0) {
		close(p[1]);
		guard_main(p[0], pgid);
	}
	close(p[0]);
	g->pid = pid;
	g->fd = p[1];
	return 0;
}

void target_guard_release(struct target_guard *g)
{
	if (g->fd >= 0) {
		if (write(g->fd, "q", 1) != 1)
			kill(g->pid, SIGKILL);
		close(g->fd);
	}
	if (g->pid > 0)
		while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
			;
	g->fd = -1;
	g->pid = 0;
}
