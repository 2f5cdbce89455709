/* query.c - read-only views of the model: iteration, totals, limits. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/model_int.h"

static void fill_conv(const struct mconv *v, struct model_conv *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = v->chan->kind;
	out->ino = v->ino;
	out->dev = v->dev;
	chan_name(v->chan, out->channel, sizeof(out->channel));
	out->a = v->a->ref;
	out->b = v->b->ref;
	out->a_to_b = v->a_to_b;
	out->b_to_a = v->b_to_a;
	out->rate_ab = v->rate_ab;
	out->rate_ba = v->rate_ba;
	out->first_ns = v->first_ns;
	out->last_ns = v->last_ns;
	out->a_blocked_ns = v->a_blocked_ns;
	out->b_blocked_ns = v->b_blocked_ns;
	lat_summary(&v->lat, &out->latency);
	out->sig = v->sig;
	out->fds_a_to_b = v->fds_ab;
	out->fds_b_to_a = v->fds_ba;
	out->creds_a_to_b = v->creds_ab;
	out->creds_b_to_a = v->creds_ba;
}

/* Least recently active first. */
int model_foreach_conv(const struct model *m, model_conv_cb cb, void *ctx)
{
	struct model_conv c;
	const struct mconv *v;
	int ret;

	if (!m || !cb)
		return -EINVAL;
	for (v = m->lru_head; v; v = v->lnext) {
		fill_conv(v, &c);
		ret = cb(&c, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

static int holder_cmp(const void *x, const void *y)
{
	const struct model_holder *a = x, *b = y;

	if (a->proc.pid != b->proc.pid)
		return a->proc.pid < b->proc.pid ? -1 : 1;
	if (a->proc.start_ns != b->proc.start_ns)
		return a->proc.start_ns < b->proc.start_ns ? -1 : 1;
	return a->fd < b->fd ? -1 : a->fd > b->fd;
}

/* Holders sorted by (pid, start, fd) so output does not depend on history. */
int model_foreach_chan(const struct model *m, model_chan_cb cb, void *ctx)
{
	struct model_holder *hs = NULL, *tmp;
	size_t hcap = 0, it = 0, n;
	const struct mfd *f;
	struct model_chan c;
	struct mchan *mc;
	int ret = 0;

	if (!m || !cb)
		return -EINVAL;
	while (!ret && hashmap_next(&m->chans, &it, NULL, (void **)&mc)) {
		if (mc->nholders > hcap) {
			tmp = realloc(hs, mc->nholders * sizeof(*hs));
			if (!tmp) {
				ret = -ENOMEM;
				break;
			}
			hs = tmp;
			hcap = mc->nholders;
		}
		n = 0;
		for (f = mc->holders; f && n < hcap; f = f->cnext, n++) {
			hs[n].proc = f->proc->ref;
			hs[n].fd = f->fd;
			hs[n].fmode = f->fmode;
		}
		if (n > 1)
			qsort(hs, n, sizeof(*hs), holder_cmp);
		memset(&c, 0, sizeof(c));
		c.kind = mc->kind;
		c.ino = mc->ino;
		c.dev = mc->dev;
		chan_name(mc, c.channel, sizeof(c.channel));
		c.bytes_written = mc->bytes_written;
		c.bytes_read = mc->bytes_read;
		c.nholders = n;
		c.holders = hs;
		ret = cb(&c, ctx);
	}
	free(hs);
	return ret;
}

int model_foreach_proc(const struct model *m, model_proc_cb cb, void *ctx)
{
	struct model_proc p;
	struct mproc *mp;
	size_t it = 0;
	int ret;

	if (!m || !cb)
		return -EINVAL;
	while (hashmap_next(&m->procs, &it, NULL, (void **)&mp)) {
		memset(&p, 0, sizeof(p));
		p.ref = mp->ref;
		p.ppid = mp->ppid;
		p.exited = mp->exited;
		p.exit_code = mp->exit_code;
		p.cgroup_id = mp->cgroup_id;
		if (model_cgroup_path(m, mp->cgroup_id))
			strncpy(p.cgroup, model_cgroup_path(m, mp->cgroup_id), sizeof(p.cgroup) - 1);
		if (mp->cmdline)
			strncpy(p.cmdline, mp->cmdline, sizeof(p.cmdline) - 1);
		p.cmdline_cut = mp->cmdline_cut;
		ret = cb(&p, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

size_t model_conv_count(const struct model *m)
{
	return m ? hashmap_len(&m->convs) : 0;
}

int model_chan_name(const struct model *m, __u32 dev, __u64 ino, char *buf, size_t n)
{
	const struct mchan *c;

	if (!m || !buf || !n)
		return -EINVAL;
	c = chan_lookup(m, dev, ino);
	if (!c)
		return -ENOENT;
	chan_name(c, buf, n);
	return 0;
}

void model_get_totals(const struct model *m, struct model_totals *out)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (m)
		*out = m->tot;
}

void model_get_limits(const struct model *m, struct model_limits *out)
{
	if (m && out)
		*out = m->lim;
}

void model_set_limits(struct model *m, const struct model_limits *lim)
{
	if (!m || !lim)
		return;
#define SET_IF(f) do { if (lim->f) m->lim.f = lim->f; } while (0)
	SET_IF(max_convs);
	SET_IF(max_exited_procs);
	SET_IF(max_orphan_chans);
	SET_IF(age_events);
	SET_IF(queue_bytes_max);
	SET_IF(queue_segs_max);
	SET_IF(pending_bytes_max);
	SET_IF(msglog_max);
#undef SET_IF
	m->conv_scan_gen = m->closed_gen - 1;	/* re-check the new cap */
}

int model_get_kind_totals(const struct model *m, __u16 kind, struct model_kind_totals *out)
{
	if (!m || !out || kind >= IPCS_KIND_MAX)
		return -EINVAL;
	*out = m->kinds[kind];
	return 0;
}

__u64 model_ignored(const struct model *m)
{
	return m ? m->ignored : 0;
}

__u64 model_rate_at(const struct model_rate *r, __u64 now_ns)
{
	__u64 s = now_ns / 1000000000ull;

	if (r->sec == s)
		return r->prev;
	return r->sec + 1 == s ? r->cur : 0;
}

__u64 model_rate_recent(const struct model_rate *r, __u64 now_ns)
{
	__u64 s = now_ns / 1000000000ull, left = 1000000000ull - now_ns % 1000000000ull;

	/* All of the current window so far, and the part of the previous one
	 * still inside the last second. */
	if (r->sec == s)
		return r->cur + (__u64)((double)r->prev * (double)left / 1e9);
	if (r->sec + 1 == s)
		return (__u64)((double)r->cur * (double)left / 1e9);
	return 0;
}

/* The conversation the caller saw in model_foreach_conv: same channel, same process instances. */
static bool conv_is(const struct mconv *v, const struct model_conv *c)
{
	return v->ino == c->ino && v->dev == c->dev && v->chan->kind == c->kind &&
	       v->a->ref.pid == c->a.pid && v->a->ref.start_ns == c->a.start_ns &&
	       v->b->ref.pid == c->b.pid && v->b->ref.start_ns == c->b.start_ns;
}

int model_foreach_msg(const struct model *m, const struct model_conv *c, model_msg_cb cb,
		      void *ctx, __u64 *dropped)
{
	const struct mconv *v;
	int ret;

	if (!m || !c || !cb)
		return -EINVAL;
	for (v = m->lru_tail; v && !conv_is(v, c); v = v->lprev)
		;
	if (!v)
		return -ENOENT;
	if (dropped)
		*dropped = v->log.dropped;
	for (size_t i = 0; i < v->log.len; i++) {
		ret = cb(msglog_at(&v->log, i), ctx);
		if (ret)
			return ret;
	}
	return 0;
}
