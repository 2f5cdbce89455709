/*
 * reorder.c - merge of the per-CPU rings into one stream ordered by the
 * records' timestamps. Pure: no BPF, no clock; the caller says what time it is.
 *
 * Each CPU's ring is in time order but for rare nesting (a program that
 * interrupts another between its reserve and its timestamp), so records wait
 * in one FIFO per CPU (the header's cpu), their bytes in that FIFO's buffer
 * (no allocation per record), and the oldest is the oldest of the FIFOs'
 * heads; a record older than the last one of its FIFO goes to a small heap
 * instead. release(now) delivers those older than now - window. The caller
 * reads every ring completely after taking now, so a record with ts <= now -
 * window is missing only if its program took longer than the window between
 * its timestamp and its commit: then it arrives late, is counted and
 * delivered at once (after, not before, what went out already: the stream's
 * order is never broken silently).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ipcscope_abi.h"
#include "collect/reorder.h"

#define REORDER_FIFOS 256	/* CPUs with a FIFO of their own; others share them (cpu % 256) */

struct held {
	__u64 ts;
	__u64 seq;		/* arrival order: equal times keep it (a payload after its call) */
	void *rec;		/* heap entries: allocated */
	size_t off;		/* FIFO entries: offset in the FIFO's buffer */
	size_t len;
};

struct fifo {
	struct held *v;		/* entries, a ring: head, n, cap */
	size_t head, n, cap;
	char *buf;		/* record bytes: [bhead, btail) in use */
	size_t bhead, btail, bcap;
	__u64 last_ts;		/* of the last record pushed */
	int seen;		/* in reorder.used */
};

struct reorder {
	struct fifo *fifos;	/* REORDER_FIFOS */
	struct fifo *used[REORDER_FIFOS];	/* those that ever held a record: the ones scanned */
	size_t nused;
	struct held *heap;	/* out-of-order records of a FIFO: a min-heap */
	size_t n, cap;		/* of the heap */
	size_t held;		/* records in FIFOs and heap */
	size_t bytes, max_bytes;
	__u64 window_ns;
	__u64 seq;
	__u64 last_ts;		/* of the last record delivered */
	__u64 late;
};

int reorder_new(__u64 window_ns, size_t max_bytes, struct reorder **out)
{
	struct reorder *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->fifos = calloc(REORDER_FIFOS, sizeof(*r->fifos));
	if (!r->fifos) {
		free(r);
		return -ENOMEM;
	}
	r->window_ns = window_ns;
	r->max_bytes = max_bytes;
	*out = r;
	return 0;
}

void reorder_free(struct reorder *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->heap[i].rec);
	for (size_t i = 0; i < REORDER_FIFOS; i++) {
		free(r->fifos[i].v);
		free(r->fifos[i].buf);
	}
	free(r->fifos);
	free(r->heap);
	free(r);
}

static int before(const struct held *a, const struct held *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->seq < b->seq);
}

static void sift_up(struct held *h, size_t i)
{
	struct held x = h[i];

	while (i) {
		size_t p = (i - 1) / 2;

		if (!before(&x, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = x;
}

static void sift_down(struct held *h, size_t n, size_t i)
{
	struct held x = h[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && before(&h[c + 1], &h[c]))
			c++;
		if (!before(&h[c], &x))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = x;
}

/* The FIFO whose head is the oldest, or NULL. */
static struct fifo *oldest_fifo(struct reorder *r)
{
	struct fifo *best = NULL;

	for (size_t i = 0; i < r->nused; i++) {
		struct fifo *f = r->used[i];

		if (f->n && (!best || before(&f->v[f->head], &best->v[best->head])))
			best = f;
	}
	return best;
}

/* The oldest held record's time; 0 with nothing held. */
static int oldest(struct reorder *r, __u64 *ts, struct fifo **from)
{
	struct fifo *f = r->held > r->n ? oldest_fifo(r) : NULL;

	*from = f;
	if (r->n && (!f || before(&r->heap[0], &f->v[f->head]))) {
		*from = NULL;
		*ts = r->heap[0].ts;
		return 1;
	}
	if (!f)
		return 0;
	*ts = f->v[f->head].ts;
	return 1;
}

/* Take out the oldest (from FIFO f, or the heap when f is NULL) and deliver it. */
static int pop_deliver(struct reorder *r, struct fifo *f, reorder_cb cb, void *ctx)
{
	int err;

	r->held--;
	if (!f) {
		struct held top = r->heap[0];

		r->heap[0] = r->heap[--r->n];
		if (r->n)
			sift_down(r->heap, r->n, 0);
		r->bytes -= top.len;
		r->last_ts = top.ts;
		err = cb(top.rec, top.len, ctx);
		free(top.rec);
		return err < 0 ? err : 0;
	}
	{
		struct held e = f->v[f->head];

		f->head = (f->head + 1) % f->cap;
		f->n--;
		r->bytes -= e.len;
		r->last_ts = e.ts;
		/* The bytes stay until the callback is done with them. */
		err = cb(f->buf + e.off, e.len, ctx);
		f->bhead = e.off + e.len;
		if (!f->n)
			f->bhead = f->btail = 0;
	}
	return err < 0 ? err : 0;
}

static int pop_oldest(struct reorder *r, reorder_cb cb, void *ctx)
{
	struct fifo *f;
	__u64 ts;

	if (!oldest(r, &ts, &f))
		return 0;
	return pop_deliver(r, f, cb, ctx);
}

/* Room for len more bytes at the FIFO buffer's tail: compact, else grow. */
static int fifo_room(struct fifo *f, size_t len)
{
	char *nb;
	size_t cap;

	if (f->btail + len <= f->bcap)
		return 0;
	if (f->bhead && f->btail - f->bhead + len <= f->bcap / 2) {
		size_t used = f->btail - f->bhead;

		memmove(f->buf, f->buf + f->bhead, used);
		for (size_t i = 0; i < f->n; i++)
			f->v[(f->head + i) % f->cap].off -= f->bhead;
		f->bhead = 0;
		f->btail = used;
		return 0;
	}
	cap = f->bcap ? f->bcap * 2 : 64 * 1024;
	while (cap < f->btail + len)
		cap *= 2;
	nb = realloc(f->buf, cap);
	if (!nb)
		return -ENOMEM;
	f->buf = nb;
	f->bcap = cap;
	return 0;
}

static int fifo_push(struct fifo *f, const void *rec, size_t len, __u64 ts, __u64 seq)
{
	struct held *e;

	if (f->n == f->cap) {	/* grow the ring, unwrapped (the first time: seen) */
		size_t cap = f->cap ? f->cap * 2 : 1024;
		struct held *v = malloc(cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		for (size_t i = 0; i < f->n; i++)
			v[i] = f->v[(f->head + i) % f->cap];
		free(f->v);
		f->v = v;
		f->head = 0;
		f->cap = cap;
	}
	if (fifo_room(f, len))
		return -ENOMEM;
	e = &f->v[(f->head + f->n) % f->cap];
	memcpy(f->buf + f->btail, rec, len);
	e->off = f->btail;
	e->rec = NULL;
	e->len = len;
	e->ts = ts;
	e->seq = seq;
	f->btail += len;
	f->n++;
	f->last_ts = ts;
	return 0;
}

static int heap_push(struct reorder *r, const void *rec, size_t len, __u64 ts, __u64 seq)
{
	struct held *h;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;

		h = realloc(r->heap, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		r->heap = h;
		r->cap = cap;
	}
	h = &r->heap[r->n];
	h->rec = malloc(len);
	if (!h->rec)
		return -ENOMEM;
	memcpy(h->rec, rec, len);
	h->len = len;
	h->ts = ts;
	h->seq = seq;
	h->off = 0;
	sift_up(r->heap, r->n++);
	return 0;
}

static __u64 rec_ts(const void *rec, size_t len)
{
	const struct ipcs_rec_hdr *h = rec;

	return len >= sizeof(*h) ? h->ts_ns : 0;
}

int reorder_push(struct reorder *r, const void *rec, size_t len, reorder_cb cb, void *ctx)
{
	__u64 ts = rec_ts(rec, len);
	struct fifo *f;
	int err;

	/* No time to order it by (decode will say why), or late: out at once. */
	if (len < sizeof(struct ipcs_rec_hdr) || ts < r->last_ts) {
		if (len >= sizeof(struct ipcs_rec_hdr))
			r->late++;
		err = cb(rec, len, ctx);
		return err < 0 ? err : 0;
	}
	f = &r->fifos[((const struct ipcs_rec_hdr *)rec)->cpu % REORDER_FIFOS];
	if (!f->seen) {		/* first record of this CPU */
		f->seen = 1;
		r->used[r->nused++] = f;
	}
	/* In its FIFO unless older than the FIFO's last (a nested program's). */
	err = f->n && ts < f->last_ts ? heap_push(r, rec, len, ts, r->seq) : fifo_push(f, rec, len, ts, r->seq);
	if (err)
		return err;
	r->seq++;
	r->held++;
	r->bytes += len;
	/* Bounded: past max_bytes the oldest go out now. */
	while (r->bytes > r->max_bytes && r->held) {
		err = pop_oldest(r, cb, ctx);
		if (err)
			return err;
	}
	return 0;
}

int reorder_release(struct reorder *r, __u64 now_ns, reorder_cb cb, void *ctx)
{
	struct fifo *f;
	int n = 0, err;
	__u64 ts;

	if (now_ns < r->window_ns)
		return 0;
	while (oldest(r, &ts, &f) && ts <= now_ns - r->window_ns) {
		err = pop_deliver(r, f, cb, ctx);
		if (err)
			return err;
		n++;
	}
	return n;
}

int reorder_flush(struct reorder *r, reorder_cb cb, void *ctx)
{
	int n = 0, err;

	while (r->held) {
		err = pop_oldest(r, cb, ctx);
		if (err)
			return err;
		n++;
	}
	return n;
}

__u64 reorder_late(const struct reorder *r)
{
	return r->late;
}

size_t reorder_held(const struct reorder *r)
{
	return r->held;
}

__u64 reorder_window_ns(const struct reorder *r)
{
	return r->window_ns;
}
