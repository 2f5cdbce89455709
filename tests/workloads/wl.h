/*
 * wl.h - helpers every test workload uses. Define WL_NAME (the program's
 * name, for messages) before including.
 */
#ifndef IPCS_WL_H
#define IPCS_WL_H

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

/* 127.0.0.1:port (fam 4) or [::1]:port (fam 6), for the TCP/UDP workloads. */
static inline socklen_t wl_loopback_addr(int fam, unsigned port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (fam == 6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((unsigned short)port);
		a->sin6_addr = in6addr_loopback;
		return sizeof(*a);
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_port = htons((unsigned short)port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(*a);
}

static void die(const char *what)
{
	fprintf(stderr, WL_NAME ": %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Tests find processes by comm: name each role explicitly. */
static inline void set_comm(const char *name)
{
	if (prctl(PR_SET_NAME, name, 0, 0, 0) != 0)
		die("prctl(PR_SET_NAME)");
}

/* An AF_UNIX address from a path, or "@name" for the abstract namespace (no
 * trailing NUL in its length). Dies if the name does not fit. */
static inline socklen_t wl_unix_addr(const char *s, struct sockaddr_un *a)
{
	size_t n = strlen(s);

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (n >= sizeof(a->sun_path)) {
		errno = ENAMETOOLONG;
		die("address");
	}
	memcpy(a->sun_path, s, n);
	if (s[0] == '@')
		a->sun_path[0] = '\0';
	return offsetof(struct sockaddr_un, sun_path) + n + (s[0] == '@' ? 0 : 1);
}

/* fork(), dying if it fails; the child names itself comm (NULL: keeps the
 * parent's). Returns like fork(). */
static inline pid_t wl_fork(const char *comm)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0 && comm)
		set_comm(comm);
	return pid;
}

/* wl_fork() for the deadlock workloads: the child is killed when the parent
 * goes, so a test that kills a hung parent leaves no hung child behind. */
static inline pid_t wl_fork_tied(const char *comm)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (comm)
			set_comm(comm);
	}
	return pid;
}

/* Wait for child pid: 0 if it exited with status 0, else 1. */
static inline int wl_reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* Read fd to EOF in reads of up to size bytes into buf: the byte count. */
static inline unsigned long wl_read_count(int fd, char *buf, size_t size)
{
	unsigned long got = 0;
	ssize_t r;

	while ((r = read(fd, buf, size)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read");
		got += (unsigned long)r;
	}
	return got;
}

/* Poll until thread tid of process pid sleeps inside futex(2) or
 * futex_waitv(2) (its /proc syscall line starts with that number), so the
 * wake that follows surely has a sleeper to wake. */
static inline void wl_await_futex_sleep(pid_t pid, pid_t tid)
{
	const struct timespec ts = { 0, 200000 };
	char path[64], buf[64];
	long nr;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid, (int)tid);
	for (;;) {
		FILE *f = fopen(path, "re");

		if (!f)
			die(path);
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
		if (sscanf(buf, "%ld ", &nr) == 1 && (nr == SYS_futex || nr == 449))	/* 449: futex_waitv */
			return;
		nanosleep(&ts, NULL);
	}
}

/*
 * Server/client workloads: print server=PID, fork the client (named
 * client_comm) and hold it until the server calls wl_client_go(). Returns 0
 * in the client (after it printed client=PID), the client's pid in the server.
 */
static inline pid_t wl_fork_client(const char *client_comm, int ready[2])
{
	pid_t pid;
	char c;

	if (pipe(ready))
		die("pipe");
	printf("server=%d\n", (int)getpid());
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid > 0) {
		close(ready[0]);
		return pid;
	}
	set_comm(client_comm);
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		die("wait for server");
	printf("client=%d\n", (int)getpid());
	fflush(stdout);
	return 0;
}

/* The server is listening: let the client go on (one byte on the ready pipe). */
static inline void wl_client_go(int ready[2])
{
	if (write(ready[1], "r", 1) != 1)
		die("signal ready");
}

static inline unsigned long parse_num(const char *s, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v == 0) {
		fprintf(stderr, WL_NAME ": bad %s '%s': want a positive integer\n", what, s);
		exit(2);
	}
	return v;
}

/* Byte i of a stream: a pattern that catches lost or reordered bytes. */
static inline unsigned char pattern(unsigned long i)
{
	return (unsigned char)(i % 251);
}

/* Read fd to EOF in chunk-byte reads, checking every byte against pattern().
 * Returns 0 when exactly expect bytes of the pattern came, else 1. */
static inline int read_pattern(int fd, unsigned long expect, size_t chunk)
{
	char *buf = malloc(chunk);
	unsigned long got = 0;
	ssize_t n;
	int rc = 0;

	if (!buf)
		die("malloc");
	while (!rc && (n = read(fd, buf, chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		for (ssize_t i = 0; i < n && !rc; i++)
			if ((unsigned char)buf[i] != pattern(got + i)) {
				fprintf(stderr, WL_NAME ": byte %lu differs\n", got + (unsigned long)i);
				rc = 1;
			}
		got += (unsigned long)n;
	}
	free(buf);
	if (!rc && got != expect) {
		fprintf(stderr, WL_NAME ": reader got %lu bytes, want %lu\n", got, expect);
		rc = 1;
	}
	return rc;
}

#endif
