/* snapshot.c - copy what the views need out of the model, once per refresh. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "viewer.h"

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *nv;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	nv = realloc(*v, ncap * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}

struct collect {
	struct snapshot *s;
	size_t cap;
};

static int collect_conv(const struct model_conv *c, void *ctx)
{
	struct collect *cl = ctx;

	if (grow((void **)&cl->s->convs, &cl->cap, cl->s->nconvs, sizeof(*c)))
		return -ENOMEM;
	cl->s->convs[cl->s->nconvs++] = *c;
	return 0;
}

static int collect_proc(const struct model_proc *p, void *ctx)
{
	struct collect *cl = ctx;

	if (grow((void **)&cl->s->procs, &cl->cap, cl->s->nprocs, sizeof(struct snap_proc)))
		return -ENOMEM;
	memset(&cl->s->procs[cl->s->nprocs], 0, sizeof(struct snap_proc));
	cl->s->procs[cl->s->nprocs++].p = *p;
	return 0;
}

static int cmp_u64(__u64 a, __u64 b)
{
	return a < b ? -1 : a > b;
}

/* Processes are keyed by instance: pid and start time. */
static int proc_key_cmp(const void *x, const void *y)
{
	const struct snap_proc *a = x, *b = y;
	int r = cmp_u64(a->p.ref.pid, b->p.ref.pid);

	return r ? r : cmp_u64(a->p.ref.start_ns, b->p.ref.start_ns);
}

static struct snap_proc *find_proc(struct snapshot *s, const struct model_proc_ref *r)
{
	struct snap_proc key = { .p.ref = *r };

	if (!r->pid || !s->nprocs)
		return NULL;
	return bsearch(&key, s->procs, s->nprocs, sizeof(*s->procs), proc_key_cmp);
}

/* (process, channel) pairs, to count each process's distinct channels. */
struct proc_chan {
	size_t proc;
	__u32 dev;
	__u64 ino;
};

static int proc_chan_cmp(const void *x, const void *y)
{
	const struct proc_chan *a = x, *b = y;
	int r = cmp_u64(a->proc, b->proc);

	if (!r)
		r = cmp_u64(a->dev, b->dev);
	return r ? r : cmp_u64(a->ino, b->ino);
}

static int derive_proc_figures(struct snapshot *s)
{
	struct proc_chan *pc = malloc((2 * s->nconvs + 1) * sizeof(*pc));
	size_t n = 0;

	if (!pc)
		return -ENOMEM;
	if (s->nprocs)
		qsort(s->procs, s->nprocs, sizeof(*s->procs), proc_key_cmp);
	for (size_t i = 0; i < s->nconvs; i++) {
		const struct model_conv *c = &s->convs[i];
		struct snap_proc *a = find_proc(s, &c->a), *b = find_proc(s, &c->b);

		if (a) {
			a->bytes_out += c->a_to_b.bytes;
			a->bytes_in += c->b_to_a.bytes;
			pc[n++] = (struct proc_chan){ (size_t)(a - s->procs), c->dev, c->ino };
		}
		if (b) {
			b->bytes_out += c->b_to_a.bytes;
			b->bytes_in += c->a_to_b.bytes;
			pc[n++] = (struct proc_chan){ (size_t)(b - s->procs), c->dev, c->ino };
		}
	}
	qsort(pc, n, sizeof(*pc), proc_chan_cmp);
	for (size_t i = 0; i < n; i++)
		if (!i || proc_chan_cmp(&pc[i], &pc[i - 1]))
			s->procs[pc[i].proc].channels++;
	free(pc);
	return 0;
}

int snapshot_build(const struct model *m, struct snapshot *s)
{
	struct collect cl = { .s = s };
	int err;

	memset(s, 0, sizeof(*s));
	model_get_totals(m, &s->totals);
	err = model_foreach_conv(m, collect_conv, &cl);
	cl.cap = 0;
	if (!err)
		err = model_foreach_proc(m, collect_proc, &cl);
	if (!err)
		err = derive_proc_figures(s);
	if (err)
		snapshot_free(s);
	return err;
}

void snapshot_free(struct snapshot *s)
{
	free(s->convs);
	free(s->procs);
	memset(s, 0, sizeof(*s));
}
