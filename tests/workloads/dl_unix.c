/*
 * dl_unix - deadlock over a unix stream socket: the client sends half of a
 * length-prefixed request and waits for the response; the server waits for
 * the rest of the request. Prints server=, client=, server_ino= (the
 * accepted socket), client_ino=; hangs until killed.
 */
#define WL_NAME "dl_unix"
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "wl.h"

static unsigned long ino_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		die("fstat");
	return (unsigned long)st.st_ino;
}

static __attribute__((noinline)) void read_all(int fd, void *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, (char *)buf + got, n - got);
		if (r <= 0)
			die("read");
		got += (size_t)r;
	}
}

int main(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	uint32_t reqlen;
	int ls, cs, as;
	pid_t client;

	alarm(120);
	/* abstract name: nothing to clean up */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			  snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "ipcscope-dl-%d", getpid()));
	ls = socket(AF_UNIX, SOCK_STREAM, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, len) || listen(ls, 1))
		die("listen");
	printf("server=%d\n", getpid());
	fflush(stdout);
	client = wl_fork_tied("unix_client");
	if (client == 0) {
		char resp[8];

		close(ls);
		cs = socket(AF_UNIX, SOCK_STREAM, 0);
		if (cs < 0 || connect(cs, (struct sockaddr *)&sa, len))
			die("connect");
		printf("client_ino=%lu\n", ino_of(cs));
		fflush(stdout);
		reqlen = 8;
		if (write(cs, &reqlen, 2) != 2)	/* the bug: half a length prefix */
			die("write");
		read_all(cs, resp, sizeof(resp));
		return 1;
	}
	set_comm("unix_server");
	printf("client=%d\n", client);
	as = accept(ls, NULL, NULL);
	if (as < 0)
		die("accept");
	printf("server_ino=%lu\n", ino_of(as));
	fflush(stdout);
	read_all(as, &reqlen, sizeof(reqlen));
	return 1;
}
