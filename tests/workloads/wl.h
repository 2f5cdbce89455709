/*
 * wl.h - helpers every test workload uses. Define WL_NAME (the program's
 * name, for messages) before including.
 */
#ifndef IPCS_WL_H
#define IPCS_WL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

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
