/*
 * fdpass.c - SCM_RIGHTS and SCM_CREDENTIALS from IPCS_REC_FDPASS records.
 *
 * A send and the receive that took its fds carry the same fd identities
 * (a followed channel's identity, else the inode): a receive pairs with the
 * oldest unpaired send of the same identities, and the other way round when
 * the receive's record came first (another CPU). The receiver holds the fds
 * from its receive on, whatever pairing finds: a pipe end or socket passed
 * enters its fd table, so what it then writes is attributed to it; a passed
 * memfd names its segment. Credentials are counted where they are received
 * (the kernel attaches them; the pid in them names the sender).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"
#include "util/vec.h"
#include "model/model_fdpass.h"

#define FDP_PENDING 64	/* unpaired sends, and receives, kept for pairing */

struct fdp_side {
	struct mproc *proc;	/* referenced */
	struct mchan *via;	/* referenced; NULL when unknown */
	__u64 ts;
	__u16 nfds;
	struct ipcs_fdpass_fd fds[IPCS_FDPASS_MAX];
};

struct fdp_entry {
	struct mproc *from, *to;	/* referenced; &m->unobserved when not seen */
	struct mchan *via, *obj;	/* referenced or NULL */
	struct model_fdpass p;		/* names filled at iteration */
};

struct fdp_queue {
	struct fdp_side v[FDP_PENDING];	/* oldest first */
	size_t n;
};

struct fdpass_tab {
	struct fdp_queue sends, recvs;
	struct fdp_entry *log;
	size_t nlog, caplog;
	struct model_fdpass_totals tot;
};

int fdpass_init(struct model *m)
{
	m->fdpass = calloc(1, sizeof(*m->fdpass));
	return m->fdpass ? 0 : -ENOMEM;
}

static void side_fini(struct model *m, struct fdp_side *s)
{
	proc_unref(s->proc);
	if (s->via)
		chan_unref(m, s->via);
}

void fdpass_fini(struct model *m)
{
	struct fdpass_tab *t = m->fdpass;

	if (!t)
		return;
	for (size_t i = 0; i < t->sends.n; i++)
		side_fini(m, &t->sends.v[i]);
	for (size_t i = 0; i < t->recvs.n; i++)
		side_fini(m, &t->recvs.v[i]);
	for (size_t i = 0; i < t->nlog; i++) {
		struct fdp_entry *e = &t->log[i];

		proc_unref(e->from);
		proc_unref(e->to);
		if (e->via)
			chan_unref(m, e->via);
		if (e->obj)
			chan_unref(m, e->obj);
	}
	free(t->log);
	free(t);
	m->fdpass = NULL;
}

static bool same_fds(const struct fdp_side *a, const struct fdp_side *b)
{
	if (a->nfds != b->nfds)
		return false;
	for (unsigned i = 0; i < a->nfds; i++)
		if (a->fds[i].ino != b->fds[i].ino || a->fds[i].dev != b->fds[i].dev ||
		    a->fds[i].kind != b->fds[i].kind)
			return false;
	return true;
}

static int log_push(struct model *m, struct fdp_entry *e)
{
	struct fdpass_tab *t = m->fdpass;

	if (t->nlog == MODEL_FDPASS_KEEP) {
		t->tot.not_kept++;
		return 0;
	}
	if (vec_grow((void **)&t->log, &t->caplog, t->nlog + 1, sizeof(*t->log), 16))
		return -ENOMEM;
	e->from = proc_ref(e->from);
	e->to = proc_ref(e->to);
	if (e->via)
		chan_ref(e->via);
	if (e->obj)
		chan_ref(e->obj);
	t->log[t->nlog++] = *e;
	return 0;
}

/* The conversation of the socket the fds went over: its fd count grows. */
static int conv_count(struct model *m, struct mchan *via, struct mproc *from, struct mproc *to,
		      __u64 fds, __u64 creds)
{
	struct mconv *v;
	bool rev;
	int err;

	if (!via)
		return 0;
	err = conv_get(m, via, from, to, &v, &rev);
	if (err)
		return err;
	if (rev) {
		v->fds_ba += fds;
		v->creds_ba += creds;
	} else {
		v->fds_ab += fds;
		v->creds_ab += creds;
	}
	return 0;
}

/* A message's fds went from snd to rcv (either may be NULL: not seen). */
static int complete(struct model *m, const struct fdp_side *snd, const struct fdp_side *rcv)
{
	struct fdpass_tab *t = m->fdpass;
	const struct fdp_side *any = rcv ? rcv : snd;
	struct mproc *from = snd ? snd->proc : &m->unobserved;
	struct mproc *to = rcv ? rcv->proc : &m->unobserved;
	struct mchan *via = rcv && rcv->via ? rcv->via : snd ? snd->via : NULL;
	struct fdp_entry e;
	int err = 0;

	t->tot.fds_passed += any->nfds;
	if (snd && rcv)
		t->tot.paired += any->nfds;
	for (unsigned i = 0; i < any->nfds && !err; i++) {
		const struct ipcs_fdpass_fd *f = &any->fds[i];
		struct ipcs_chan id = { .ino = f->ino, .dev = f->dev, .kind = f->kind };

		memset(&e, 0, sizeof(e));
		e.from = from;
		e.to = to;
		e.via = via;
		e.obj = f->what == IPCS_FDW_CHAN ? chan_lookup(m, id.dev, id.ino) : NULL;
		e.p.fd_sent = snd ? snd->fds[i].fd : -1;
		e.p.fd_received = rcv ? rcv->fds[i].fd : -1;
		e.p.kind = f->kind;
		e.p.what = f->what;
		e.p.fmode = f->fmode;
		memcpy(e.p.name, f->name, sizeof(e.p.name));
		e.p.ts_sent = snd ? snd->ts : 0;
		e.p.ts_received = rcv ? rcv->ts : 0;
		err = log_push(m, &e);
	}
	if (!err)
		err = conv_count(m, via, from, to, any->nfds, 0);
	return err;
}

static void queue_remove(struct fdp_queue *q, size_t i)
{
	memmove(&q->v[i], &q->v[i + 1], (q->n - i - 1) * sizeof(q->v[0]));
	q->n--;
}

/* Pair s with the oldest match in other, or queue it in own. */
static int pair_or_queue(struct model *m, struct fdp_side *s, bool is_send)
{
	struct fdpass_tab *t = m->fdpass;
	struct fdp_queue *own = is_send ? &t->sends : &t->recvs;
	struct fdp_queue *other = is_send ? &t->recvs : &t->sends;
	struct fdp_side o;
	int err;

	for (size_t i = 0; i < other->n; i++) {
		if (!same_fds(&other->v[i], s))
			continue;
		o = other->v[i];
		queue_remove(other, i);
		err = is_send ? complete(m, s, &o) : complete(m, &o, s);
		side_fini(m, &o);
		side_fini(m, s);
		return err;
	}
	if (own->n == FDP_PENDING) {	/* the oldest one's other side went unseen */
		o = own->v[0];
		queue_remove(own, 0);
		err = is_send ? complete(m, &o, NULL) : complete(m, NULL, &o);
		side_fini(m, &o);
		if (err) {
			side_fini(m, s);
			return err;
		}
	}
	own->v[own->n++] = *s;
	return 0;
}

/* The receiver holds the fds now: followed channels enter its fd table. */
static int receiver_holds(struct model *m, struct mproc *p, const struct ipcs_fdpass_rec *r)
{
	bool cloexec = r->flags & IPCS_FDPF_CLOEXEC;
	struct mchan *c;
	int err = 0;

	for (unsigned i = 0; i < r->nfds && !err; i++) {
		const struct ipcs_fdpass_fd *f = &r->fds[i];
		struct ipcs_chan id = { .ino = f->ino, .dev = f->dev, .kind = f->kind,
					.fmode = f->fmode };

		if (f->what == IPCS_FDW_MEMFD) {
			err = shm_name(m, f->dev, f->ino, f->name);
			continue;
		}
		if (f->what != IPCS_FDW_CHAN || f->fd < 0)
			continue;
		err = chan_get(m, &id, &c);
		if (err || !c)
			continue;
		err = fd_add(m, p, f->fd, c, f->fmode, cloexec);
		chan_note_unheld(m, c);
	}
	return err;
}

static int creds_received(struct model *m, struct mproc *p, struct mchan *via,
			  const struct ipcs_fdpass_rec *r)
{
	struct mproc *from = r->cred_pid ? proc_lookup(m, r->cred_pid) : NULL;
	struct fdp_entry e;
	int err;

	if (!from)
		from = &m->unobserved;
	m->fdpass->tot.creds++;
	memset(&e, 0, sizeof(e));
	e.from = from;
	e.to = p;
	e.via = via;
	e.p.creds = true;
	e.p.cred_pid = r->cred_pid;
	e.p.cred_uid = r->cred_uid;
	e.p.cred_gid = r->cred_gid;
	e.p.fd_sent = e.p.fd_received = -1;
	e.p.ts_received = r->h.ts_ns;
	err = log_push(m, &e);
	return err ? err : conv_count(m, via, from, p, 0, 1);
}

int fdpass_apply(struct model *m, const struct ipcs_fdpass_rec *r)
{
	bool send = r->sys == IPCS_SYS_SENDMSG;
	struct fdp_side s;
	struct mproc *p;
	struct mchan *via = NULL;
	struct mfd *f;
	int err;

	if (!r->pid || (r->sys != IPCS_SYS_SENDMSG && r->sys != IPCS_SYS_RECVMSG) ||
	    r->nfds > IPCS_FDPASS_MAX) {
		m->ignored++;
		return 0;
	}
	err = proc_get(m, r->pid, r->comm, &p);
	if (err)
		return err;
	/* The socket's channel as its data record left it: a receiver's queue
	 * is the conversation's channel; a sender's, its peer's queue. */
	if (send && r->peer)
		via = chan_lookup(m, r->sock_dev, r->peer);
	if (!via) {
		f = fd_lookup(m, p, r->sock_fd);
		via = f ? f->chan : NULL;
	}
	if (!send) {
		err = receiver_holds(m, p, r);
		if (!err && (r->flags & IPCS_FDPF_CREDS))
			err = creds_received(m, p, via, r);
		if (err)
			return err;
	}
	if (!(r->flags & IPCS_FDPF_RIGHTS) || !r->nfds)
		return 0;
	memset(&s, 0, sizeof(s));
	s.proc = proc_ref(p);
	s.via = via ? chan_ref(via) : NULL;
	s.ts = r->h.ts_ns;
	s.nfds = r->nfds;
	memcpy(s.fds, r->fds, sizeof(s.fds));
	return pair_or_queue(m, &s, send);
}

int fdpass_flush(struct model *m)
{
	struct fdpass_tab *t = m->fdpass;
	int err = 0;

	if (!t)
		return 0;
	for (size_t i = 0; i < t->sends.n; i++) {
		err = err ? err : complete(m, &t->sends.v[i], NULL);
		side_fini(m, &t->sends.v[i]);
	}
	for (size_t i = 0; i < t->recvs.n; i++) {
		err = err ? err : complete(m, NULL, &t->recvs.v[i]);
		side_fini(m, &t->recvs.v[i]);
	}
	t->sends.n = t->recvs.n = 0;
	return err;
}

int model_foreach_fdpass(const struct model *m, model_fdpass_cb cb, void *ctx)
{
	struct model_fdpass p;
	int ret;

	if (!m || !cb)
		return -EINVAL;
	for (size_t i = 0; i < m->fdpass->nlog; i++) {
		const struct fdp_entry *e = &m->fdpass->log[i];

		p = e->p;
		p.from = e->from->ref;
		p.to = e->to->ref;
		if (e->via)
			chan_name(e->via, p.via, sizeof(p.via));
		if (e->obj)
			chan_name(e->obj, p.channel, sizeof(p.channel));
		ret = cb(&p, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

void model_get_fdpass_totals(const struct model *m, struct model_fdpass_totals *out)
{
	memset(out, 0, sizeof(*out));
	if (m && m->fdpass)
		*out = m->fdpass->tot;
}
