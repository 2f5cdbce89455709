/*
 * mq.c - POSIX message queues. A queue hands out whole messages by
 * priority, then age, so a pipe's byte-stream attribution does not fit:
 * a receive is paired with the oldest unreceived send of the same length
 * and priority. Records from two CPUs may arrive out of order, so a
 * receive with no matching send yet waits for it. Both lists are bounded;
 * what overflows or is left at the end goes to an unobserved peer (pid 0).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/model_int.h"
#include "util/vec.h"

#define MQ_PENDING_MAX 4096	/* per list, per queue (a queue holds at most 65536 msgs) */

struct mq_msg {
	struct mproc *proc;	/* referenced */
	__u64 len;
	__s32 prio;		/* -1: unknown, matches any */
	__u64 ts_ns;
	__u64 blocked_ns;
};

struct mq_list {
	struct mq_msg *v;
	size_t n, cap;
};

struct mq_state {
	struct mq_list sends;	/* sent, no receive seen yet, oldest first */
	struct mq_list recvs;	/* received, no send seen yet */
};

static void list_fini(struct mq_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		proc_unref(l->v[i].proc);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void mq_state_free(struct mq_state *q)
{
	if (!q)
		return;
	list_fini(&q->sends);
	list_fini(&q->recvs);
	free(q);
}

static void list_del(struct mq_list *l, size_t i)
{
	proc_unref(l->v[i].proc);
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(l->v[0]));
	l->n--;
}

static int list_push(struct mq_list *l, const struct mq_msg *msg)
{
	if (vec_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v), 16))
		return -ENOMEM;
	l->v[l->n++] = *msg;
	proc_ref(msg->proc);
	return 0;
}

/* Oldest entry of l that msg pairs with, or -1. */
static long list_match(const struct mq_list *l, const struct mq_msg *msg)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct mq_msg *e = &l->v[i];

		if (e->len == msg->len && (e->prio < 0 || msg->prio < 0 || e->prio == msg->prio))
			return (long)i;
	}
	return -1;
}

static int pair(struct model *m, struct mchan *c, const struct mq_msg *snd,
		const struct mq_msg *rcv)
{
	return conv_transfer(m, c, snd->proc, rcv->proc, snd->len, snd->ts_ns, rcv->ts_ns,
			     snd->blocked_ns, rcv->blocked_ns);
}

/* Oldest entry of a full list goes to an unobserved peer. */
static int evict(struct model *m, struct mchan *c, struct mq_list *l, bool is_send)
{
	struct mq_msg ghost = { .proc = &m->unobserved, .len = l->v[0].len };
	int err = is_send ? pair(m, c, &l->v[0], &ghost) : pair(m, c, &ghost, &l->v[0]);

	if (!err)
		list_del(l, 0);
	return err;
}

int mq_flush(struct model *m, struct mchan *c)
{
	struct mq_state *q = c->mq;
	int err = 0;

	while (!err && q && q->sends.n)
		err = evict(m, c, &q->sends, true);
	while (!err && q && q->recvs.n)
		err = evict(m, c, &q->recvs, false);
	return err;
}

static int mq_message(struct model *m, struct mchan *c, const struct mq_msg *msg, bool is_send)
{
	struct mq_list *mine, *theirs;
	long i;

	if (!c->mq) {
		c->mq = calloc(1, sizeof(*c->mq));
		if (!c->mq)
			return -ENOMEM;
	}
	mine = is_send ? &c->mq->sends : &c->mq->recvs;
	theirs = is_send ? &c->mq->recvs : &c->mq->sends;
	i = list_match(theirs, msg);
	if (i >= 0) {
		int err = is_send ? pair(m, c, msg, &theirs->v[i]) : pair(m, c, &theirs->v[i], msg);

		if (!err)
			list_del(theirs, (size_t)i);
		return err;
	}
	if (mine->n >= MQ_PENDING_MAX) {
		int err = evict(m, c, mine, is_send);

		if (err)
			return err;
	}
	return list_push(mine, msg);
}

static int mq_fd(struct model *m, struct mproc *p, __s32 fd, struct mchan *c, __u16 fmode)
{
	struct mfd *f = fd_lookup(m, p, fd);

	if (f && f->chan == c)
		return 0;
	return fd_add(m, p, fd, c, fmode ? fmode : IPCS_FMODE_READ | IPCS_FMODE_WRITE, false);
}

/* mq_open: glibc passes the name without its leading '/': name it as the program wrote it. */
static int mq_open(struct model *m, struct mproc *p, const struct ipcs_sys_rec *s,
		   const char *path)
{
	__u16 fmode = s->chan.fmode & (IPCS_FMODE_READ | IPCS_FMODE_WRITE);
	char name[IPCS_PATH_MAX + 1];
	struct mchan *c;
	int err;

	if (s->ret < 0 || s->ret > 0x7fffffff)
		return 0;
	err = chan_get(m, &s->chan, &c);
	if (err || !c)
		return err;
	if (path && *path) {
		name[0] = '/';
		strncpy(name + 1, path[0] == '/' ? path + 1 : path, sizeof(name) - 2);
		name[sizeof(name) - 1] = '\0';
		chan_set_path(c, name);
	}
	err = fd_add(m, p, (__s32)s->ret, c, fmode ? fmode : IPCS_FMODE_READ | IPCS_FMODE_WRITE,
		     s->flags & IPCS_SYSF_CLOEXEC);
	chan_note_unheld(m, c);
	return err;
}

int mq_apply(struct model *m, struct mproc *p, const struct ipcs_sys_rec *s, const char *path)
{
	struct mq_msg msg = { .proc = p, .prio = s->fd2, .ts_ns = s->h.ts_ns,
			      .blocked_ns = s->blocked_ns };
	bool is_send = s->sys == IPCS_SYS_MQ_TIMEDSEND;
	struct mchan *c;
	int err;

	if (s->sys == IPCS_SYS_MQ_OPEN)
		return mq_open(m, p, s, path);
	if (s->sys == IPCS_SYS_MQ_UNLINK || s->ret == -EBADF)
		return 0;
	err = chan_get(m, &s->chan, &c);
	if (err || !c)
		return err;
	err = mq_fd(m, p, s->fd, c, s->chan.fmode & (IPCS_FMODE_READ | IPCS_FMODE_WRITE));
	if (!err && is_send && s->ret == 0) {
		msg.len = s->arg;
		c->bytes_written += msg.len;
		err = mq_message(m, c, &msg, true);
	} else if (!err && s->sys == IPCS_SYS_MQ_TIMEDRECEIVE && s->ret >= 0) {
		msg.len = (__u64)s->ret;
		c->bytes_read += msg.len;
		err = mq_message(m, c, &msg, false);
	}
	chan_note_unheld(m, c);
	return err;
}
