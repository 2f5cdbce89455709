/*
 * signal_pair U1 U2 - signals between two processes, none coalesced.
 *
 * The parent (comm "sig_recv") installs handlers for SIGUSR1 and SIGUSR2
 * and forks a child (comm "sig_send") that sends U1 SIGUSR1 then U2 SIGUSR2
 * to the parent, waiting after each for the parent's one-byte ack on a pipe
 * (so every signal is delivered before the next is sent), then exits: the
 * parent gets one SIGCHLD.
 *
 * stdout: "sender=PID", "receiver=PID". Exit 0 only if the handlers ran
 * exactly U1 and U2 times.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "signal_pair"
#include "wl.h"

static volatile sig_atomic_t got1, got2;

static void on_sig(int sig)
{
	if (sig == SIGUSR1)
		got1++;
	else
		got2++;
}

static void sender(pid_t to, int ack, int u1, int u2)
{
	char b;

	set_comm("sig_send");
	for (int i = 0; i < u1 + u2; i++) {
		if (kill(to, i < u1 ? SIGUSR1 : SIGUSR2) != 0)
			die("kill");
		if (read(ack, &b, 1) != 1)
			die("read ack");
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_sig };
	int u1, u2, acks[2], seen = 0;
	sigset_t block, old;
	pid_t pid;

	if (argc != 3)
		return 2;
	u1 = atoi(argv[1]);
	u2 = atoi(argv[2]);
	set_comm("sig_recv");
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) || sigaction(SIGUSR2, &sa, NULL))
		die("sigaction");
	/* Blocked except inside sigsuspend: no signal slips between checks. */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, &old);
	if (pipe(acks))
		die("pipe");
	printf("receiver=%d\n", (int)getpid());
	fflush(stdout);
	pid = wl_fork(NULL);
	if (pid == 0)
		sender(getppid(), acks[0], u1, u2);
	printf("sender=%d\n", (int)pid);
	fflush(stdout);
	while (seen < u1 + u2) {
		while (got1 + got2 == seen)
			sigsuspend(&old);
		seen++;
		if (write(acks[1], "k", 1) != 1)
			die("write ack");
	}
	if (wl_reap(pid))
		die("child");
	return got1 == u1 && got2 == u2 ? 0 : 1;
}
