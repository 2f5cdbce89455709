/*
 * reorder.c - merge of the per-CPU rings into one stream ordered by the
 * records' timestamps. Pure: no BPF, no clock; the caller says what time it is.
 *
 * Records are held in a min-heap on (ts, arrival). release(now) delivers
 * those older than now - window. The caller reads every ring completely
 * after taking now, so a record with ts <= now - window is missing only if
 * its program took longer than the window between its timestamp and its
 * commit: then it arrives late, is counted and delivered at once (after, not
 * before, what went out already: the stream's order is never broken silently).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ipcscope_abi.h"
#include "collect/reorder.h"

struct held {
	__u64 ts;
	__u64 seq;		/* arrival order: equal times keep it (a payload after its call) */
	void *rec;
	size_t len;
};

struct reorder {
	struct held *heap;
	size_t n, cap;
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

/* Take out the oldest and deliver it. */
static int pop_deliver(struct reorder *r, reorder_cb cb, void *ctx)
{
	struct held top = r->heap[0];
	int err;

	r->heap[0] = r->heap[--r->n];
	if (r->n)
		sift_down(r->heap, r->n, 0);
	r->bytes -= top.len;
	r->last_ts = top.ts;
	err = cb(top.rec, top.len, ctx);
	free(top.rec);
	return err < 0 ? err : 0;
}

static __u64 rec_ts(const void *rec, size_t len)
{
	const struct ipcs_rec_hdr *h = rec;

	return len >= sizeof(*h) ? h->ts_ns : 0;
}

int reorder_push(struct reorder *r, const void *rec, size_t len, reorder_cb cb, void *ctx)
{
	__u64 ts = rec_ts(rec, len);
	struct held *h;
	int err;

	/* No time to order it by (decode will say why), or late: out at once. */
	if (len < sizeof(struct ipcs_rec_hdr) || ts < r->last_ts) {
		if (len >= sizeof(struct ipcs_rec_hdr))
			r->late++;
		err = cb(rec, len, ctx);
		return err < 0 ? err : 0;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;

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
	h->seq = r->seq++;
	sift_up(r->heap, r->n++);
	r->bytes += len;
	/* Bounded: past max_bytes the oldest go out now. */
	while (r->bytes > r->max_bytes && r->n) {
		err = pop_deliver(r, cb, ctx);
		if (err)
			return err;
	}
	return 0;
}

int reorder_release(struct reorder *r, __u64 now_ns, reorder_cb cb, void *ctx)
{
	int n = 0, err;

	if (now_ns < r->window_ns)
		return 0;
	while (r->n && r->heap[0].ts <= now_ns - r->window_ns) {
		err = pop_deliver(r, cb, ctx);
		if (err)
			return err;
		n++;
	}
	return n;
}

int reorder_flush(struct reorder *r, reorder_cb cb, void *ctx)
{
	int n = 0, err;

	while (r->n) {
		err = pop_deliver(r, cb, ctx);
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
	return r->n;
}

__u64 reorder_window_ns(const struct reorder *r)
{
	return r->window_ns;
}
