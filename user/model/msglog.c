/* msglog.c - per-conversation ring of recent messages (see msglog.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/msglog.h"

const struct model_msg *msglog_at(const struct msglog *l, size_t i)
{
	return &l->v[(l->head + i) % l->cap];
}

static struct model_msg *at(struct msglog *l, size_t i)
{
	return &l->v[(l->head + i) % l->cap];
}

/* Grow by doubling up to max: a quiet conversation costs a few entries. */
static int grow(struct msglog *l, size_t max)
{
	size_t ncap = l->cap ? l->cap * 2 : 4;
	struct model_msg *nv;

	if (ncap > max)
		ncap = max;
	nv = calloc(ncap, sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	for (size_t i = 0; i < l->len; i++)
		nv[i] = *at(l, i);
	free(l->v);
	l->v = nv;
	l->cap = ncap;
	l->head = 0;
	return 0;
}

int msglog_note(struct msglog *l, size_t max, __u64 seq, bool rev, __u64 n, __u64 ts_w,
		__u64 ts_r, __u16 sys)
{
	struct model_msg *e;

	if (!max)
		return 0;
	for (size_t i = l->len; i-- > 0;) {
		e = at(l, i);
		if (e->rev != rev)
			continue;
		if (e->seq != seq)
			break;
		e->bytes += n;
		if (ts_r > e->ts_r)
			e->ts_r = ts_r;
		return 0;
	}
	if (l->len == l->cap && l->cap < max) {
		int err = grow(l, max);

		if (err)
			return err;
	}
	if (l->len == l->cap) {	/* full at max: the oldest goes */
		e = at(l, 0);
		free(e->payload);
		l->head = (l->head + 1) % l->cap;
		l->len--;
		l->dropped++;
	}
	e = at(l, l->len++);
	*e = (struct model_msg){ .seq = seq, .ts_w = ts_w, .ts_r = ts_r, .bytes = n, .sys = sys,
				 .rev = rev };
	return 0;
}

struct model_msg *msglog_find(struct msglog *l, __u64 seq)
{
	for (size_t i = l->len; i-- > 0;)
		if (at(l, i)->seq == seq)
			return at(l, i);
	return NULL;
}

int msglog_set_payload(struct model_msg *e, const void *p, size_t n)
{
	unsigned char *b = n ? malloc(n) : NULL;

	if (n && !b)
		return -ENOMEM;
	if (n)
		memcpy(b, p, n);
	free(e->payload);
	e->payload = b;
	e->payload_len = (__u32)n;
	return 0;
}

void msglog_fini(struct msglog *l)
{
	for (size_t i = 0; i < l->len; i++)
		free(at(l, i)->payload);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
