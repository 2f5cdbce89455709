/*
 * conv.c - conversations and stream-offset attribution for pipes and FIFOs.
 *
 * A pipe is one byte stream: every successful write appends a segment
 * {writer, bytes} to the channel's queue, every successful read consumes
 * bytes from its front, so the bytes a reader gets are attributed to the
 * writers that wrote them, whichever fd, dup or fork-inherited end was used
 * (events carry the inode). Records from different CPUs may arrive a little
 * out of order: a read that finds the queue short leaves a pending read that
 * the next writes pay first. Queues are bounded; what overflows, and what is
 * left at the end, goes to a conversation with an unobserved peer, so every
 * byte is counted exactly once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/model_int.h"

/* Whole words, one store each (see chan_key in channels.c). */
struct conv_key {
	__u64 ino;
	__u64 dev;
	__u64 a_id;
	__u64 b_id;
};

int convtab_init(struct model *m)
{
	return hashmap_init(&m->convs, sizeof(struct conv_key));
}

static void conv_free(struct model *m, struct mconv *v)
{
	lat_fini(&v->lat);
	msglog_fini(&v->log);
	chan_unref(m, v->chan);
	proc_unref(v->a);
	proc_unref(v->b);
	free(v);
}

void convtab_fini(struct model *m)
{
	struct mconv *v, *next;

	for (v = m->lru_head; v; v = next) {
		next = v->lnext;
		conv_free(m, v);
	}
	m->lru_head = m->lru_tail = NULL;
	hashmap_fini(&m->convs);
}

/* ---- conversations ---- */

static void lru_unlink(struct model *m, struct mconv *v)
{
	if (v->lprev)
		v->lprev->lnext = v->lnext;
	else
		m->lru_head = v->lnext;
	if (v->lnext)
		v->lnext->lprev = v->lprev;
	else
		m->lru_tail = v->lprev;
	v->lnext = v->lprev = NULL;
}

static void lru_append(struct model *m, struct mconv *v)
{
	v->lprev = m->lru_tail;
	v->lnext = NULL;
	if (m->lru_tail)
		m->lru_tail->lnext = v;
	else
		m->lru_head = v;
	m->lru_tail = v;
}

static struct conv_key conv_key(const struct mchan *c, const struct mproc *a,
				const struct mproc *b)
{
	/* a socket's two ends: one conversation */
	return (struct conv_key){ .ino = c->conn ? c->conn : c->ino, .dev = c->dev,
				  .a_id = a->id, .b_id = b->id };
}

/* *rev: the conversation exists as (b, a), so these bytes go b->a. */
int conv_get(struct model *m, struct mchan *c, struct mproc *a,
		    struct mproc *b, struct mconv **out, bool *rev)
{
	struct conv_key k = conv_key(c, a, b), kr;
	struct mconv *v = hashmap_get(&m->convs, &k);
	int err;

	*rev = false;
	if (!v && c->conn) {
		kr = conv_key(c, b, a);
		v = hashmap_get(&m->convs, &kr);
		*rev = v != NULL;
	}
	if (v) {
		if (v->chan != c && !c->conn) {	/* the inode came back as a new channel */
			chan_unref(m, v->chan);
			v->chan = chan_ref(c);
		}
		*out = v;
		return 0;
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->ino = k.ino;
	v->dev = c->dev;
	err = hashmap_put(&m->convs, &k, v, NULL);
	if (err) {
		free(v);
		return err;
	}
	v->chan = chan_ref(c);
	v->a = proc_ref(a);
	v->b = proc_ref(b);
	lru_append(m, v);
	m->kinds[c->kind].convs++;
	*out = v;
	return 0;
}

/* n bytes delivered at ts into r's one-second windows. */
static void rate_note(struct model_rate *r, __u64 n, __u64 ts)
{
	__u64 s = ts / 1000000000ull;

	if (!ts)
		return;
	if (s == r->sec) {
		r->cur += n;
	} else if (s > r->sec) {
		r->prev = s == r->sec + 1 ? r->cur : 0;
		r->cur = n;
		r->sec = s;
	} else if (s + 1 == r->sec) {	/* a little out of order (per-CPU buffers) */
		r->prev += n;
	}
}

/* What the model's flow observer (model_set_flow_cb) is told: bytes, a message, a latency
 * sample, blocked time, in the direction they went (rev: b -> a). */
static void flow_note(struct model *m, const struct mconv *v, bool rev, __u64 n, bool msg,
		      bool lat, __u64 lat_ns, __u64 w_ns, __u64 r_ns)
{
	const struct mproc *src = rev ? v->b : v->a, *dst = rev ? v->a : v->b;
	struct model_flow f = {
		.kind = v->chan->kind, .src = &src->ref, .dst = &dst->ref,
		.src_cgroup = src->cgroup_id, .dst_cgroup = dst->cgroup_id,
		.bytes = n, .msg = msg, .has_latency = lat, .latency_ns = lat_ns,
		.src_blocked_ns = w_ns, .dst_blocked_ns = r_ns,
	};

	if (m->flow_cb)
		m->flow_cb(&f, m->flow_ctx);
}

void model_set_flow_cb(struct model *m, model_flow_cb cb, void *ctx)
{
	m->flow_cb = cb;
	m->flow_ctx = ctx;
}

/* n bytes of write seq went from a to b; ts_w/ts_r: the two calls' times. */
static void conv_credit(struct model *m, struct mconv *v, bool rev, __u64 n,
			__u64 seq, __u64 ts_w, __u64 ts_r, __u16 sys)
{
	struct model_kind_totals *kt = &m->kinds[v->chan->kind];
	struct model_dir_stats *d = rev ? &v->b_to_a : &v->a_to_b;
	__u64 *last_seq = rev ? &v->last_seq_ba : &v->last_seq;
	bool *seq_valid = rev ? &v->seq_valid_ba : &v->seq_valid;
	__u64 ts[2] = { ts_w, ts_r }, lat_ns = 0;
	bool new_msg = false, lat = false;
	int i;

	d->bytes += n;
	kt->bytes += n;
	rate_note(rev ? &v->rate_ba : &v->rate_ab, n, ts_r ? ts_r : ts_w);
	/* The log only serves the viewer: without memory for it, counts stay exact. */
	(void)msglog_note(&v->log, m->lim.msglog_max, seq, rev, n, ts_w, ts_r, sys);
	if (v->a == &m->unobserved || v->b == &m->unobserved)
		kt->unobserved_bytes += n;
	if (!*seq_valid || *last_seq != seq) {
		new_msg = true;
		d->msgs++;
		kt->msgs++;
		*last_seq = seq;
		*seq_valid = true;
	}
	if (v->chan->conn)
		lat = lat_note(&v->lat, rev, ts_w, &lat_ns);
	flow_note(m, v, rev, n, new_msg, lat, lat_ns, 0, 0);
	for (i = 0; i < 2; i++) {
		if (!ts[i])
			continue;
		if (!v->first_ns || ts[i] < v->first_ns)
			v->first_ns = ts[i];
		if (ts[i] > v->last_ns)
			v->last_ns = ts[i];
	}
	if (m->lru_tail != v) {
		lru_unlink(m, v);
		lru_append(m, v);
	}
}

/* Write seq of tid was first credited to v: its later records go there. */
static void lastw_conv(struct model *m, __u32 tid, __u64 seq, const struct mconv *v)
{
	struct mlastw *lw = &m->lastw[tid % LASTW_SLOTS];

	if (!tid || lw->tid != tid || lw->seq != seq || lw->in_conv)
		return;
	lw->in_conv = true;
	lw->conv_dev = v->dev;
	lw->conv_ino = v->ino;
	lw->conv_a = v->a->id;
	lw->conv_b = v->b->id;
}

/* What arrived after segment s's write (payload, passed fds) goes to its message in v. */
static void seg_to_log(struct model *m, struct mconv *v, const struct mseg *s)
{
	struct model_msg *e;

	/* A reader on another CPU may take the write before its records come. */
	lastw_conv(m, s->tid, s->seq, v);
	if (!s->payload && !s->nfds)
		return;
	e = msglog_find(&v->log, s->seq);
	if (!e)
		return;
	if (s->nfds)
		e->nfds = s->nfds;
	/* The log only serves the viewer: without memory, no bytes shown. */
	if (s->payload && !e->payload)
		(void)msglog_set_payload(e, s->payload, s->payload_len);
}

/* Blocked time of the writer and the reader, to whichever side each is. */
static void conv_block(struct model *m, struct mconv *v, bool rev, __u64 w_ns, __u64 r_ns)
{
	v->a_blocked_ns += rev ? r_ns : w_ns;
	v->b_blocked_ns += rev ? w_ns : r_ns;
	if (w_ns || r_ns)
		flow_note(m, v, rev, 0, false, false, 0, w_ns, r_ns);
}

/* ---- attribution ---- */

/* Front write segment of c goes whole to a reader we never saw. */
static int evict_write(struct model *m, struct mchan *c)
{
	struct mseg *s = segq_front(&c->writes);
	struct mconv *v;
	bool rev;
	int err = conv_get(m, c, s->proc, &m->unobserved, &v, &rev);

	if (err)
		return err;
	conv_credit(m, v, rev, s->rem, s->seq, s->ts_ns, 0, s->sys);
	seg_to_log(m, v, s);
	conv_block(m, v, rev, s->blocked_ns, 0);
	segq_pop(&c->writes);
	return 0;
}

/* Front pending read of c was paid by a writer we never saw. */
static int evict_read(struct model *m, struct mchan *c)
{
	struct mseg *s = segq_front(&c->reads);
	struct mconv *v;
	bool rev;
	int err = conv_get(m, c, &m->unobserved, s->proc, &v, &rev);

	if (err)
		return err;
	conv_credit(m, v, rev, s->rem, ++m->next_seq, 0, s->ts_ns, 0);
	conv_block(m, v, rev, 0, s->blocked_ns);
	segq_pop(&c->reads);
	return 0;
}

int conv_write(struct model *m, struct mchan *c, struct mproc *w, __u64 n,
	       __u64 ts, __u64 blocked)
{
	__u64 seq = ++m->next_seq;
	struct mlastw *lw = m->cur_tid ? &m->lastw[m->cur_tid % LASTW_SLOTS] : NULL;
	struct mseg seg, *p;
	struct mconv *v;
	bool rev;
	__u64 take;
	int err;

	if (lw)
		*lw = (struct mlastw){ .tid = m->cur_tid, .chan_dev = c->dev, .chan_ino = c->ino,
				       .seq = seq };
	c->bytes_written += n;
	while (n && (p = segq_front(&c->reads))) {
		take = n < p->rem ? n : p->rem;
		err = conv_get(m, c, w, p->proc, &v, &rev);
		if (err)
			return err;
		lastw_conv(m, m->cur_tid, seq, v);	/* the reader that got the first bytes */
		conv_credit(m, v, rev, take, seq, ts, p->ts_ns, m->cur_sys);
		conv_block(m, v, rev, blocked, p->blocked_ns);
		blocked = 0;
		p->blocked_ns = 0;
		p->rem -= take;
		c->reads.bytes -= take;
		n -= take;
		if (!p->rem)
			segq_pop(&c->reads);
	}
	if (!n)
		return 0;
	seg = (struct mseg){ .proc = w, .rem = n, .seq = seq, .ts_ns = ts,
			     .blocked_ns = blocked, .sys = m->cur_sys, .tid = m->cur_tid };
	err = segq_push(&c->writes, &seg);
	if (err)
		return err;
	proc_ref(w);
	/* One segment, however big, costs constant memory: only older ones go. */
	while (c->writes.len > 1 && (c->writes.bytes > m->lim.queue_bytes_max ||
				     c->writes.len > m->lim.queue_segs_max)) {
		err = evict_write(m, c);
		if (err)
			return err;
	}
	return 0;
}

static int add_pending_read(struct model *m, struct mchan *c, struct mproc *r,
			    __u64 n, __u64 ts, __u64 blocked)
{
	struct mseg seg, *back = segq_back(&c->reads);
	int err;

	/* Consecutive early reads of one reader merge: messages count writes. */
	if (back && back->proc == r) {
		back->rem += n;
		back->blocked_ns += blocked;
		c->reads.bytes += n;
	} else {
		seg = (struct mseg){ .proc = r, .rem = n, .ts_ns = ts,
				     .blocked_ns = blocked };
		err = segq_push(&c->reads, &seg);
		if (err)
			return err;
		proc_ref(r);
	}
	/* One entry, however big, costs constant memory: only older ones go. */
	while (c->reads.len > 1 && (c->reads.bytes > m->lim.pending_bytes_max ||
				    c->reads.len > m->lim.queue_segs_max)) {
		err = evict_read(m, c);
		if (err)
			return err;
	}
	return 0;
}

int conv_read(struct model *m, struct mchan *c, struct mproc *r, __u64 n,
	      __u64 ts, __u64 blocked)
{
	struct mseg *s;
	struct mconv *v;
	__u64 take;
	bool rev;
	int err;

	c->bytes_read += n;
	while (n && (s = segq_front(&c->writes))) {
		take = n < s->rem ? n : s->rem;
		err = conv_get(m, c, s->proc, r, &v, &rev);
		if (err)
			return err;
		conv_credit(m, v, rev, take, s->seq, s->ts_ns, ts, s->sys);
		seg_to_log(m, v, s);
		/* Writer's wait goes to its first reader, reader's to its first writer. */
		conv_block(m, v, rev, s->blocked_ns, blocked);
		s->blocked_ns = 0;
		blocked = 0;
		s->rem -= take;
		c->writes.bytes -= take;
		n -= take;
		if (!s->rem)
			segq_pop(&c->writes);
	}
	return n ? add_pending_read(m, c, r, n, ts, blocked) : 0;
}

void conv_forget_write(struct model *m, __u32 tid)
{
	struct mlastw *w = &m->lastw[tid % LASTW_SLOTS];

	if (w->tid == tid)
		w->tid = 0;
}

int conv_attach(struct model *m, __u32 tid, const void *payload, size_t n, __u32 nfds)
{
	struct mlastw *w = &m->lastw[tid % LASTW_SLOTS];
	struct model_msg *e = NULL;
	struct mchan *c;
	struct mconv *v;
	struct mseg *s;

	if (!tid || w->tid != tid || (payload && !n))
		return 0;
	if (w->in_conv) {	/* part of the write already went to a waiting reader */
		struct conv_key k = { .ino = w->conv_ino, .dev = w->conv_dev,
				      .a_id = w->conv_a, .b_id = w->conv_b };

		v = hashmap_get(&m->convs, &k);
		e = v ? msglog_find(&v->log, w->seq) : NULL;
	}
	if (e && !payload)
		e->nfds = nfds;
	else if (e && msglog_set_payload(e, payload, n))
		return -ENOMEM;
	c = chan_lookup(m, w->chan_dev, w->chan_ino);
	/* The rest waits in c's queue for its reader; seqs grow towards the back. */
	for (size_t i = c ? c->writes.len : 0; i-- > 0;) {
		s = &c->writes.v[(c->writes.head + i) % c->writes.cap];
		if (s->seq < w->seq)
			break;
		if (s->seq != w->seq)
			continue;
		if (!payload) {
			s->nfds = nfds;
		} else {
			unsigned char *b = malloc(n);

			if (!b)
				return -ENOMEM;
			memcpy(b, payload, n);
			free(s->payload);
			s->payload = b;
			s->payload_len = (__u32)n;
		}
		break;
	}
	return 0;
}

int conv_flush_chan(struct model *m, struct mchan *c)
{
	int err = mq_flush(m, c);

	if (err)
		return err;
	while (c->writes.len) {
		err = evict_write(m, c);
		if (err)
			return err;
	}
	while (c->reads.len) {
		err = evict_read(m, c);
		if (err)
			return err;
	}
	return 0;
}

static void conv_drop(struct model *m, struct mconv *v)
{
	struct conv_key k = conv_key(v->chan, v->a, v->b);

	k.ino = v->ino;	/* the key it was stored under */
	k.dev = v->dev;
	hashmap_del(&m->convs, &k);
	lru_unlink(m, v);
	conv_free(m, v);
	m->tot.convs_aged_out++;
}

/*
 * Over the cap: fold the least recently active conversations of closed
 * channels into the totals (already counted there). Down to 15/16 of the
 * cap so the scan does not run on every event; when nothing can go, wait
 * until some channel closes.
 */
void conv_age(struct model *m)
{
	size_t cap = m->lim.max_convs, target = cap - cap / 16;
	struct mconv *v, *next;

	if (hashmap_len(&m->convs) <= cap || m->conv_scan_gen == m->closed_gen)
		return;
	for (v = m->lru_head; v && hashmap_len(&m->convs) > target; v = next) {
		next = v->lnext;
		if (chan_is_closed(v->chan))
			conv_drop(m, v);
	}
	if (hashmap_len(&m->convs) > cap)
		m->conv_scan_gen = m->closed_gen;
}

/* ---- ends held by processes that are not traced (IPCS_REC_PEER) ---- */

int conv_write_unseen(struct model *m, struct mchan *c, struct mproc *u, __u64 n, __u64 ts)
{
	__u16 sys = m->cur_sys;
	__u32 tid = m->cur_tid;
	int err;

	m->cur_sys = 0;	/* neither the call nor the thread is the reader's */
	m->cur_tid = 0;
	err = conv_write(m, c, u, n, ts, 0);
	m->cur_sys = sys;
	m->cur_tid = tid;
	return err;
}

void conv_set_untraced(struct mproc **slot, struct mproc *p)
{
	/* Several untraced holders (a shell and the children it forks): the
	 * oldest live one is the one that reads or writes. */
	if (*slot == p || (*slot && !(*slot)->exited && (*slot)->ref.start_ns &&
			   (*slot)->ref.start_ns <= p->ref.start_ns))
		return;
	if (*slot)
		proc_unref(*slot);
	*slot = proc_ref(p);
}

int conv_peer_pipe(struct model *m, const struct ipcs_peer_rec *r)
{
	__u16 fmode = r->chan.fmode & (IPCS_FMODE_READ | IPCS_FMODE_WRITE);
	struct mproc *p;
	struct mchan *c;
	int err;

	if (!r->pid || !fmode) {
		m->ignored++;
		return 0;
	}
	err = chan_get(m, &r->chan, &c);
	if (err || !c)
		return err;
	err = proc_peer(m, r, &p);
	if (err)
		return err;
	err = fd_add(m, p, r->fd, c, fmode, false);
	if (fmode & IPCS_FMODE_READ)
		conv_set_untraced(&c->untraced_r, p);
	if (fmode & IPCS_FMODE_WRITE)
		conv_set_untraced(&c->untraced_w, p);
	/* Named late: what waited in the queue goes now. */
	if (!err && c->untraced_r && c->writes.bytes)
		err = conv_read(m, c, c->untraced_r, c->writes.bytes, r->h.ts_ns, 0);
	if (!err && c->untraced_w && c->reads.bytes)
		err = conv_write_unseen(m, c, c->untraced_w, c->reads.bytes, r->h.ts_ns);
	chan_note_unheld(m, c);
	return err;
}

int conv_pipe_write(struct model *m, struct mchan *c, struct mproc *w, __u64 n, __u64 ts,
		    __u64 blocked)
{
	int err = conv_write(m, c, w, n, ts, blocked);

	/* An untraced reader's reads are not seen: it takes the bytes now. */
	if (!err && c->untraced_r && c->writes.bytes)
		err = conv_read(m, c, c->untraced_r, c->writes.bytes, ts, 0);
	return err;
}

int conv_pipe_read(struct model *m, struct mchan *c, struct mproc *r, __u64 n, __u64 ts,
		   __u64 blocked)
{
	int err = 0;

	/* What no traced writer's segment covers came from the untraced writer. */
	if (c->untraced_w && n > c->writes.bytes)
		err = conv_write_unseen(m, c, c->untraced_w, n - c->writes.bytes, ts);
	return err ? err : conv_read(m, c, r, n, ts, blocked);
}

/* ---- discrete messages (signals) ---- */

int conv_message(struct model *m, struct mchan *c, struct mproc *a, struct mproc *b,
		 __u64 ts, struct mconv **out)
{
	bool rev;
	int err = conv_get(m, c, a, b, out, &rev);

	if (!err)
		conv_credit(m, *out, rev, 0, ++m->next_seq, ts, ts, m->cur_sys);
	return err;
}

struct mconv *conv_find(struct model *m, const struct mchan *c, const struct mproc *a,
			const struct mproc *b)
{
	struct conv_key k = conv_key(c, a, b);

	return hashmap_get(&m->convs, &k);
}

int conv_transfer(struct model *m, struct mchan *c, struct mproc *a, struct mproc *b,
		  __u64 n, __u64 ts_a, __u64 ts_b, __u64 blocked_a, __u64 blocked_b)
{
	struct mconv *v;
	bool rev;
	int err = conv_get(m, c, a, b, &v, &rev);

	if (err)
		return err;
	conv_credit(m, v, rev, n, ++m->next_seq, ts_a, ts_b, m->cur_sys);
	conv_block(m, v, rev, blocked_a, blocked_b);
	return 0;
}
