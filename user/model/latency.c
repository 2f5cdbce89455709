/*
 * latency.c - request/response latency of a bidirectional conversation
 * (struct mlat): a response's first write ends the open request; samples
 * kept up to MLAT_MAX for percentiles. conv.c notes samples as it credits
 * bytes, query.c summarises them; both sit above this file.
 */
#include <stdlib.h>
#include <string.h>
#include "model/model_int.h"

#define MLAT_MAX 4096		/* latency samples kept per conversation */

bool lat_note(struct mlat *l, bool rev, __u64 ts_w, __u64 *sample)
{
	__u64 d, *v;
	__u32 ncap;

	if (!ts_w)
		return false;	/* a write we never saw */
	if (!rev) {	/* a->b: the request goes on until b answers */
		if (!l->in_req || ts_w > l->req_ts)
			l->req_ts = ts_w;
		l->in_req = true;
		return false;
	}
	if (!l->in_req)
		return false;	/* more of the same response */
	l->in_req = false;
	d = ts_w > l->req_ts ? ts_w - l->req_ts : 0;
	*sample = d;
	l->count++;
	if (d > l->max)
		l->max = d;
	if (l->n == l->cap) {
		if (l->cap >= MLAT_MAX)
			return true;	/* percentiles from the first MLAT_MAX samples */
		ncap = l->cap ? l->cap * 2 : 16;
		v = realloc(l->v, ncap * sizeof(*v));
		if (!v)
			return true;
		l->v = v;
		l->cap = ncap;
	}
	l->v[l->n++] = d;
	return true;
}

static int cmp_u64(const void *x, const void *y)
{
	__u64 a = *(const __u64 *)x, b = *(const __u64 *)y;

	return a < b ? -1 : a > b;
}

/* Nearest rank: the smallest sample with at least pct% at or below it. */
static __u64 rank(const __u64 *v, __u32 n, unsigned pct)
{
	__u64 i = ((__u64)n * pct + 99) / 100;

	return v[i ? i - 1 : 0];
}

void lat_summary(const struct mlat *l, struct model_latency *out)
{
	__u64 *v;

	memset(out, 0, sizeof(*out));
	if (!l->n)
		return;
	v = malloc(l->n * sizeof(*v));
	if (!v)
		return;
	memcpy(v, l->v, l->n * sizeof(*v));
	qsort(v, l->n, sizeof(*v), cmp_u64);
	out->count = l->count;
	out->p50 = rank(v, l->n, 50);
	out->p90 = rank(v, l->n, 90);
	out->p99 = rank(v, l->n, 99);
	out->max = l->max;
	free(v);
}

void lat_fini(struct mlat *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
