/*
 * eventfd.c - eventfd counters as conversations. A write adds its value to
 * the counter, a read takes the whole counter (or 1 with EFD_SEMAPHORE):
 * attributing counter units in order, as pipes attribute bytes, pairs every
 * reader with the writers whose values it consumed, whichever mode. So for
 * eventfd a conversation's msgs = write calls, bytes = counter units moved.
 */
#include <errno.h>
#include "model/model_int.h"

static int eventfd_fd(struct model *m, struct mproc *p, __s32 fd, struct mchan *c)
{
	struct mfd *f = fd_lookup(m, p, fd);

	if (f && f->chan == c)
		return 0;
	return fd_add(m, p, fd, c, IPCS_FMODE_READ | IPCS_FMODE_WRITE, false);
}

int eventfd_create(struct model *m, struct mproc *p, const struct ipcs_sys_rec *s)
{
	struct mchan *c;
	int err;

	if (s->ret < 0 || s->ret > 0x7fffffff || s->chan.kind != IPCS_KIND_EVENTFD)
		return 0;
	/* The eventfd_ctx address of a freed eventfd may come back. */
	err = chan_renew(m, &s->chan, &c);
	if (err || !c)
		return err;
	err = fd_add(m, p, (__s32)s->ret, c, IPCS_FMODE_READ | IPCS_FMODE_WRITE,
		     s->flags & IPCS_SYSF_CLOEXEC);
	/* The initial value is the creator's write. */
	if (!err && s->arg)
		err = conv_write(m, c, p, s->arg, s->h.ts_ns, 0);
	chan_note_unheld(m, c);
	return err;
}

int eventfd_rw(struct model *m, struct mproc *p, const struct ipcs_sys_rec *s,
	       bool is_write)
{
	bool plain = s->sys == IPCS_SYS_READ || s->sys == IPCS_SYS_WRITE;
	struct mchan *c;
	int err;

	if (s->ret == -EBADF)
		return 0;
	err = chan_get(m, &s->chan, &c);
	if (err || !c)
		return err;
	err = eventfd_fd(m, p, s->fd, c);
	/* Only an 8-byte read/write moves a value (arg); readv/writev carry none. */
	if (!err && plain && s->ret == 8 && s->arg) {
		if (is_write)
			err = conv_write(m, c, p, s->arg, s->h.ts_ns, s->blocked_ns);
		else
			err = conv_read(m, c, p, s->arg, s->h.ts_ns, s->blocked_ns);
	}
	chan_note_unheld(m, c);
	return err;
}
