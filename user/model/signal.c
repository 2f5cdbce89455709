/*
 * signal.c - signals as conversations: one per (sender, receiver, signal
 * number) on a channel named after the signal ("SIGUSR1"). signal_generate
 * records count the messages and their outcomes; signal_deliver records
 * add how the receiver took them (handler or default action).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "model/model_int.h"

/*
 * Signal channels are keyed (dev, signal number) like inodes; this dev is
 * major 4095, which no device uses, so they never meet another kind's keys.
 */
#define SIGNAL_CHAN_DEV 0xfff00000u

static const char *const sig_names[32] = {
	[1] = "SIGHUP",	   [2] = "SIGINT",    [3] = "SIGQUIT",	 [4] = "SIGILL",
	[5] = "SIGTRAP",   [6] = "SIGABRT",   [7] = "SIGBUS",	 [8] = "SIGFPE",
	[9] = "SIGKILL",   [10] = "SIGUSR1",  [11] = "SIGSEGV",	 [12] = "SIGUSR2",
	[13] = "SIGPIPE",  [14] = "SIGALRM",  [15] = "SIGTERM",	 [16] = "SIGSTKFLT",
	[17] = "SIGCHLD",  [18] = "SIGCONT",  [19] = "SIGSTOP",	 [20] = "SIGTSTP",
	[21] = "SIGTTIN",  [22] = "SIGTTOU",  [23] = "SIGURG",	 [24] = "SIGXCPU",
	[25] = "SIGXFSZ",  [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH",
	[29] = "SIGIO",	   [30] = "SIGPWR",   [31] = "SIGSYS",
};

/* x86_64 numbering; real-time signals (32..64) as "SIG<n>". */
static void signal_name(int sig, char *buf, size_t n)
{
	if (sig > 0 && sig < 32 && sig_names[sig])
		snprintf(buf, n, "%s", sig_names[sig]);
	else
		snprintf(buf, n, "SIG%d", sig);
}

static int signal_chan(struct model *m, int sig, struct mchan **out)
{
	struct ipcs_chan id = { .ino = (__u64)sig, .dev = SIGNAL_CHAN_DEV,
				.kind = IPCS_KIND_SIGNAL };
	char name[16];
	int err = chan_get(m, &id, out);

	if (err || !*out)
		return err ? err : -EINVAL;
	if (!(*out)->path) {
		signal_name(sig, name, sizeof(name));
		chan_set_path(*out, name);
	}
	return 0;
}

static int signal_generate(struct model *m, const struct ipcs_signal_rec *r)
{
	struct mproc *from, *to;
	struct mchan *c;
	struct mconv *v;
	int err;

	err = proc_get(m, r->pid, r->comm, &from);
	if (!err)
		err = proc_get(m, r->rpid, r->rcomm, &to);
	if (!err)
		err = signal_chan(m, r->sig, &c);
	if (!err)
		err = conv_message(m, c, from, to, r->h.ts_ns, &v);
	if (err)
		return err;
	if (r->result >= 0 && r->result < IPCS_SIGR_MAX)
		v->sig.result[r->result]++;
	chan_note_unheld(m, c);
	return 0;
}

/* Only signals whose generation was seen are matched (by si_pid). */
static int signal_deliver(struct model *m, const struct ipcs_signal_rec *r)
{
	struct mproc *from = r->pid ? proc_lookup(m, r->pid) : NULL;
	struct mproc *to = proc_lookup(m, r->rpid);
	struct ipcs_chan id = { .ino = (__u64)r->sig, .dev = SIGNAL_CHAN_DEV };
	struct mchan *c = chan_lookup(m, id.dev, id.ino);
	struct mconv *v;

	if (!from || !to || !c)
		return 0;
	v = conv_find(m, c, from, to);
	if (!v)
		return 0;
	if (r->disp == IPCS_SIGD_HANDLER)
		v->sig.handled++;
	else if (r->disp == IPCS_SIGD_DEFAULT)
		v->sig.defaulted++;
	return 0;
}

int signal_apply(struct model *m, const struct ipcs_signal_rec *r)
{
	if (!r->pid && r->op == IPCS_SIG_GENERATE) {
		m->ignored++;
		return 0;
	}
	if (!r->rpid) {
		m->ignored++;
		return 0;
	}
	if (r->op == IPCS_SIG_GENERATE)
		return signal_generate(m, r);
	return signal_deliver(m, r);
}
