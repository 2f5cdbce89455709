/*
 * preopened_sock PORT K - a socketpair and a loopback TCP connection that
 * exist before tracing starts.
 *
 * The parent ("ps_server") makes a socketpair and a TCP connection over
 * 127.0.0.1:PORT (listen, connect, accept; the listener is closed), then
 * forks the child ("ps_client"), which keeps the socketpair's second end and
 * the connecting TCP socket; each closes the others. Both sleep in
 * sigsuspend() until SIGUSR1 (blocked before fork, so an early signal
 * stays pending). It also opens the message queue /ipcs_ps_PID (PID: the
 * parent's) before fork. Then the child sends K bytes of pattern() on each
 * socket in one write and closes them, and 3 messages of 100 bytes on the
 * queue; the parent reads each socket to EOF and receives the 3 messages.
 *
 * stdout: "server=PID", "client=PID", "pair_ino=N" (the smaller inode of the
 * socketpair), "pair_fd=N" (the server's end), "cpair_fd=N" (the client's),
 * "tcp_fd=N" (accepted), "ctcp_fd=N", "cport=N" (the client's TCP port),
 * "mq=/ipcs_ps_PID", "mq_fd=N" (the same fd number in both).
 * Exit 0 only if both streams arrived whole.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define WL_NAME "preopened_sock"
#include "wl.h"
#include "wl_sig.h"

static unsigned long ino_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		die("fstat");
	return (unsigned long)st.st_ino;
}

static void send_all(int fd, unsigned long k)
{
	char *buf = malloc(k);

	if (!buf)
		die("malloc");
	for (unsigned long i = 0; i < k; i++)
		buf[i] = (char)pattern(i);
	if (write(fd, buf, k) != (ssize_t)k)
		die("write");
	free(buf);
	close(fd);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	sigset_t block, unblocked;
	int sv[2], lfd, cfd, afd, one = 1, rc;
	unsigned long port, k, i1, i2;
	char mqname[64], msg[100] = { 0 };
	mqd_t q;
	pid_t child;

	if (argc != 3) {
		fprintf(stderr, "usage: preopened_sock PORT K\n");
		return 2;
	}
	port = parse_num(argv[1], "port");
	k = parse_num(argv[2], "K");
	set_comm("ps_server");
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &block, &unblocked) || sigaction(SIGUSR1, &sa, NULL))
		die("signals");
	sigdelset(&unblocked, SIGUSR1);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || cfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 1) ||
	    connect(cfd, (struct sockaddr *)&a, sizeof(a)))
		die("tcp setup");
	afd = accept(lfd, NULL, NULL);
	if (afd < 0)
		die("accept");
	close(lfd);
	if (getsockname(cfd, (struct sockaddr *)&a, &alen))
		die("getsockname");
	snprintf(mqname, sizeof(mqname), "/ipcs_ps_%d", (int)getpid());
	q = mq_open(mqname, O_CREAT | O_EXCL | O_RDWR, 0600, NULL);
	if (q == (mqd_t)-1)
		die("mq_open");
	dprintf(1, "mq=%s\nmq_fd=%d\n", mqname, (int)q);
	i1 = ino_of(sv[0]);
	i2 = ino_of(sv[1]);
	dprintf(1, "pair_ino=%lu\npair_fd=%d\ncpair_fd=%d\ntcp_fd=%d\nctcp_fd=%d\ncport=%u\n",
		i1 < i2 ? i1 : i2, sv[0], sv[1], afd, cfd, ntohs(a.sin_port));
	child = wl_fork("ps_client");
	if (child == 0) {
		close(sv[0]);
		close(afd);
		dprintf(1, "client=%d\n", getpid());
		wait_usr1(&unblocked);
		send_all(sv[1], k);
		send_all(cfd, k);
		for (int i = 0; i < 3; i++)
			if (mq_send(q, msg, sizeof(msg), 0))
				die("mq_send");
		_exit(0);
	}
	close(sv[1]);
	close(cfd);
	dprintf(1, "server=%d\n", getpid());
	wait_usr1(&unblocked);
	rc = read_pattern(sv[0], k, 4096) | read_pattern(afd, k, 4096);
	for (int i = 0; i < 3; i++) {
		char in[8192];

		if (mq_receive(q, in, sizeof(in), NULL) != (ssize_t)sizeof(msg))
			rc = 1;
	}
	mq_unlink(mqname);
	if (wl_reap(child))
		rc = 1;
	return rc;
}
