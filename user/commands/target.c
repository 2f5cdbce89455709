/* target.c - the processes a trace follows: a command started stopped, or pids until they are gone. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "collect/procfs_parse.h"
#include "commands/target.h"

/* Fork the target stopped, so the probes can be pointed at it before its first instruction. */
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

int target_start(const struct record_target *t, pid_t *out)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
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
static bool pid_gone(pid_t pid)
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
		if (!pid_gone(pids[i]))
			return false;
	return true;
}

