/* names.c - kernel numbers as strace names them (see names.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <linux/futex.h>
#include "util/names.h"

char *names_signal(int sig, char *buf, size_t n)
{
	const char *abbrev = sig > 0 && sig < SIGRTMIN ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		snprintf(buf, n, "SIG%s", abbrev);
	else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, n, sig == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+%d", sig - SIGRTMIN);
	else if (sig >= 32 && sig <= 64)	/* glibc's own real-time signals */
		snprintf(buf, n, "SIGRT_%d", sig - 32);
	else
		snprintf(buf, n, "SIG%d", sig);
	return buf;
}

char *names_futex_op(unsigned op, char *buf, size_t n)
{
	static const char *const cmds[] = {
		[FUTEX_WAIT] = "FUTEX_WAIT", [FUTEX_WAKE] = "FUTEX_WAKE", [FUTEX_FD] = "FUTEX_FD",
		[FUTEX_REQUEUE] = "FUTEX_REQUEUE", [FUTEX_CMP_REQUEUE] = "FUTEX_CMP_REQUEUE",
		[FUTEX_WAKE_OP] = "FUTEX_WAKE_OP", [FUTEX_LOCK_PI] = "FUTEX_LOCK_PI",
		[FUTEX_UNLOCK_PI] = "FUTEX_UNLOCK_PI", [FUTEX_TRYLOCK_PI] = "FUTEX_TRYLOCK_PI",
		[FUTEX_WAIT_BITSET] = "FUTEX_WAIT_BITSET", [FUTEX_WAKE_BITSET] = "FUTEX_WAKE_BITSET",
		[FUTEX_WAIT_REQUEUE_PI] = "FUTEX_WAIT_REQUEUE_PI",
		[FUTEX_CMP_REQUEUE_PI] = "FUTEX_CMP_REQUEUE_PI", [13] = "FUTEX_LOCK_PI2",
	};
	unsigned cmd = op & 0x7f, rest = op & ~(0x7fu | FUTEX_PRIVATE_FLAG |
							  FUTEX_CLOCK_REALTIME);
	size_t off;

	if (cmd < sizeof(cmds) / sizeof(cmds[0]) && cmds[cmd])
		off = (size_t)snprintf(buf, n, "%s%s", cmds[cmd], op & FUTEX_PRIVATE_FLAG ? "_PRIVATE" : "");
	else
		off = (size_t)snprintf(buf, n, "%#x /* FUTEX_??? */", cmd | (op & FUTEX_PRIVATE_FLAG));
	if (off < n && (op & FUTEX_CLOCK_REALTIME))
		off += (size_t)snprintf(buf + off, n - off, "|FUTEX_CLOCK_REALTIME");
	if (off < n && rest)
		snprintf(buf + off, n - off, "|%#x", rest);
	return buf;
}

const char *names_errno(int err)
{
	return err > 0 && err < 4096 ? strerrorname_np(err) : NULL;
}

const char *names_errno_text(int err)
{
	return err > 0 && err < 4096 && strerrorname_np(err) ? strerrordesc_np(err) : NULL;
}

const char *names_sig_result(int result)
{
	static const char *const r[] = { "delivered", "ignored", "already pending", "overflow",
					 "info lost" };

	return result >= 0 && result < 5 ? r[result] : "?";
}

const char *names_sig_disp(unsigned disp)
{
	static const char *const d[] = { "default", "ignored", "handler" };

	return disp < 3 ? d[disp] : "?";
}
