/*
 * pid_reuse - two processes with the same pid, one after the other.
 *
 * The parent (comm "pr_parent") makes a pipe and forks A (comm "reuse_a"),
 * which writes 100 bytes and exits; the parent reaps it. Then it sets the
 * host's /proc/sys/kernel/ns_last_pid to A's pid - 1 and forks again, until
 * the new child gets A's pid (other processes may fork in between: up to 200
 * tries). That child B (comm "reuse_b") writes 200 bytes; a child that got
 * another pid (comm "reuse_miss") exits without writing. The parent reads
 * all 300 bytes. Needs root (CAP_SYS_ADMIN) for ns_last_pid.
 *
 * stdout: "parent=PID", "a=PID", "b=PID" (the same), "tries=N".
 * Exit 0 only if B got A's pid and the parent read exactly 300 bytes.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "pid_reuse"
#include "wl.h"

static pid_t child(int p[2], const char *comm, size_t bytes)
{
	char buf[200];
	pid_t c = wl_fork(comm);

	if (c == 0) {
		close(p[0]);
		memset(buf, comm[6], sizeof(buf));
		_exit(!bytes || write(p[1], buf, bytes) == (ssize_t)bytes ? 0 : 1);
	}
	return c;
}

/* The parent holds the write end too: a child's write never waits for it. */
static void reap(pid_t c)
{
	if (wl_reap(c))
		die("child failed");
}

int main(void)
{
	pid_t a, c = 0;
	char buf[512], num[32];
	unsigned long got = 0;
	int p[2], fd, tries;

	set_comm("pr_parent");
	if (pipe(p))
		die("pipe");
	printf("parent=%d\n", (int)getpid());
	a = child(p, "reuse_a", 100);
	reap(a);
	fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die("open /proc/sys/kernel/ns_last_pid (needs root)");
	for (tries = 1; tries <= 200; tries++) {
		int len = snprintf(num, sizeof(num), "%d", (int)a - 1);

		if (pwrite(fd, num, (size_t)len, 0) != len)
			die("write ns_last_pid");
		c = wl_fork(NULL);
		if (c == 0) {
			bool hit = getpid() == a;

			set_comm(hit ? "reuse_b" : "reuse_miss");
			close(p[0]);
			memset(buf, 'b', 200);
			_exit(!hit || write(p[1], buf, 200) == 200 ? 0 : 1);
		}
		reap(c);
		if (c == a)
			break;
	}
	close(fd);
	close(p[1]);
	got = wl_read_count(p[0], buf, sizeof(buf));
	printf("a=%d\nb=%d\ntries=%d\n", (int)a, (int)c, tries);
	if (c != a)
		fprintf(stderr, "pid_reuse: pid %d never came back in 200 forks\n", (int)a);
	return c == a && got == 300 ? 0 : 1;
}
