/* wl_sig.h - sleep until SIGUSR1 (after wl.h): block it before fork, so a signal sent early stays pending. */
#ifndef IPCS_WL_SIG_H
#define IPCS_WL_SIG_H

#include <signal.h>

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static void wait_usr1(const sigset_t *unblocked)
{
	while (!got_usr1)
		sigsuspend(unblocked);
}

#endif
