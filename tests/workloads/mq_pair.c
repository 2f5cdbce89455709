/*
 * mq_pair N1 N2 - two senders, one receiver on a POSIX message queue.
 *
 * The parent (comm "mq_recv") creates /ipcs_mq_PID and forks two children
 * that open it by name: "mq_send1" sends N1 messages of 100 bytes,
 * "mq_send2" N2 messages of 200 bytes, concurrently (the queue holds 4, so
 * they block and interleave). The parent receives N1 + N2 messages, checks
 * their lengths and contents, and unlinks the queue.
 *
 * stdout: "receiver=PID", "sender1=PID", "sender2=PID", "queue=/NAME".
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "mq_pair"
#include "wl.h"

static void sender(const char *name, const char *comm, int n, size_t len, char fill)
{
	char buf[512];
	mqd_t q;

	set_comm(comm);
	q = mq_open(name, O_WRONLY);
	if (q == (mqd_t)-1)
		die("mq_open sender");
	memset(buf, fill, len);
	for (int i = 0; i < n; i++)
		if (mq_send(q, buf, len, 1) != 0)
			die("mq_send");
	_exit(0);
}

int main(int argc, char **argv)
{
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 512 };
	int n1, n2, got1 = 0, got2 = 0, status, bad = 0;
	unsigned prio;
	char name[64], buf[512];
	pid_t p1, p2;
	ssize_t r;
	mqd_t q;

	if (argc != 3)
		return 2;
	n1 = atoi(argv[1]);
	n2 = atoi(argv[2]);
	set_comm("mq_recv");
	snprintf(name, sizeof(name), "/ipcs_mq_%d", (int)getpid());
	q = mq_open(name, O_CREAT | O_EXCL | O_RDONLY, 0600, &attr);
	if (q == (mqd_t)-1)
		die("mq_open");
	printf("receiver=%d\nqueue=%s\n", (int)getpid(), name);
	fflush(stdout);
	p1 = wl_fork(NULL);
	if (p1 == 0)
		sender(name, "mq_send1", n1, 100, 'a');
	p2 = wl_fork(NULL);
	if (p2 == 0)
		sender(name, "mq_send2", n2, 200, 'b');
	printf("sender1=%d\nsender2=%d\n", (int)p1, (int)p2);
	fflush(stdout);
	for (int i = 0; i < n1 + n2; i++) {
		r = mq_receive(q, buf, sizeof(buf), &prio);
		if (r == 100 && buf[0] == 'a' && buf[99] == 'a')
			got1++;
		else if (r == 200 && buf[0] == 'b' && buf[199] == 'b')
			got2++;
		else
			bad++;
	}
	mq_unlink(name);
	if (waitpid(p1, &status, 0) != p1 || status || waitpid(p2, &status, 0) != p2 || status)
		die("children");
	return got1 == n1 && got2 == n2 && !bad ? 0 : 1;
}
