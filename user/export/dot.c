/*
 * dot.c - the conversation graph for Graphviz: a node per process, an edge
 * per (writer, reader, channel kind) weighted by the bytes that went that
 * way (label, penwidth, and `bytes`/`msgs` attributes for gvpr scripts).
 * Written at the end, from the model's conversations. When the recording
 * holds long waits (IPCS_REC_WAIT), a second graph "waits" follows: the
 * wait-for graph, a node per thread, an edge from a blocked thread to the
 * one holding what it waits on; cycle edges red and wide, stall edges orange.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "export/exporter.h"
#include "model/model_futex.h"
#include "model/model_waits.h"
#include "util/escape.h"
#include "util/hashmap.h"
#include "util/vec.h"

struct dot {
	FILE *f;
	const struct export_info *info;
	struct hashmap nodes;	/* struct node_key -> struct node */
	struct hashmap edges;	/* struct edge_key -> struct edge */
	/* the wait-for graph, in the order waits were found (stable output) */
	struct wthread *wt;
	size_t nwt, capwt;
	struct hashmap wt_idx;	/* __u32 tid -> index + 1 in wt */
	struct wedge *we;
	size_t nwe, capwe;
	struct hashmap we_idx;	/* struct wedge_key -> index + 1 in we */
};

struct wthread {
	__u32 pid, tid;		/* tid 0: the holder is unknown */
	char comm[IPCS_COMM_LEN];	/* "" until a wait of its own or its process names it */
};

struct wedge_key {
	__u32 from, to;		/* tids; to 0: holder unknown */
	char kind[8];
	char object[48];
};

struct wedge {
	struct wedge_key k;
	char evidence[48];
	__u64 waits;		/* waits folded into this edge */
	__u32 cycle;		/* first cycle number seen, 0 none */
	__u16 flags;		/* IPCS_WAITF_* of every wait, or-ed */
};

struct node_key {
	__u64 pid;
	__u64 start_ns;
};

struct edge_key {
	struct node_key from, to;
	__u64 kind;
};

struct edge {
	__u64 bytes, msgs, convs;
	__u64 waits;		/* futex: the other side's waits these wakes ended */
};

struct node {
	struct model_proc_ref ref;
	char cgroup[IPCS_PATH_MAX];	/* its cgroup v2 path, "" unknown */
	char title[IPCS_CMDLINE_MAX + 1];	/* its command line, "" unknown */
};

/* The inside of a DOT double-quoted string: terminal-safe bytes, then \ and " escaped. */
static void dot_chars(FILE *f, const char *s, size_t n)
{
	char buf[MODEL_NAME_MAX * 4 + 1];

	esc_term(s, n, buf, sizeof(buf));
	for (const char *c = buf; *c; c++) {
		if (*c == '"' || *c == '\\')
			fputc('\\', f);
		fputc(*c, f);
	}
}

static void dot_str(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	dot_chars(f, s, n);
	fputc('"', f);
}

static void node_id(FILE *f, const struct node_key *k)
{
	if (!k->pid)
		fputs("\"unobserved\"", f);
	else
		fprintf(f, "\"p%" PRIu64 ".%" PRIu64 "\"", (uint64_t)k->pid, (uint64_t)k->start_ns);
}

static struct node_key node_of(const struct model_proc_ref *p)
{
	struct node_key k = { .pid = p->pid, .start_ns = p->pid ? p->start_ns : 0 };

	return k;
}

static int add_node(struct dot *d, const struct model_proc_ref *p)
{
	struct node_key k = node_of(p);
	struct node *v;
	int err;

	if (hashmap_get(&d->nodes, &k))
		return 0;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->ref = *p;
	err = hashmap_put(&d->nodes, &k, v, NULL);
	if (err)
		free(v);
	return err;
}

static int add_edge(struct dot *d, const struct model_proc_ref *a, const struct model_proc_ref *b,
		    __u16 kind, const struct model_dir_stats *s)
{
	struct edge_key k;
	struct edge *e;
	int err;

	if (!s->bytes && !s->msgs)
		return 0;
	memset(&k, 0, sizeof(k));
	k.from = node_of(a);
	k.to = node_of(b);
	k.kind = kind;
	e = hashmap_get(&d->edges, &k);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		err = hashmap_put(&d->edges, &k, e, NULL);
		if (err) {
			free(e);
			return err;
		}
	}
	e->bytes += s->bytes;
	e->msgs += s->msgs;
	e->convs++;
	return 0;
}

/* Futexes: an edge from waker to waiter, its wakes as msgs (no bytes change hands). */
static int add_futex_edge(struct dot *d, const struct model_proc_ref *a,
			  const struct model_proc_ref *b, const struct model_futex_dir *fd)
{
	struct model_dir_stats s = { .msgs = fd->wakes };
	struct edge_key k;
	struct edge *e;
	int err;

	if (!fd->wakes && !fd->waits)
		return 0;
	s.msgs += !fd->wakes;	/* an unseen waker's waits still make the edge */
	err = add_edge(d, a, b, IPCS_KIND_FUTEX, &s);
	if (err)
		return err;
	memset(&k, 0, sizeof(k));
	k.from = node_of(a);
	k.to = node_of(b);
	k.kind = IPCS_KIND_FUTEX;
	e = hashmap_get(&d->edges, &k);
	e->msgs -= !fd->wakes;
	e->waits += fd->waits;
	return 0;
}

static int on_futex(const struct model_futex_conv *c, void *ctx)
{
	struct dot *d = ctx;
	int err = add_node(d, &c->a);

	if (!err)
		err = add_node(d, &c->b);
	if (!err)
		err = add_futex_edge(d, &c->a, &c->b, &c->a_to_b);
	if (!err)
		err = add_futex_edge(d, &c->b, &c->a, &c->b_to_a);
	return err;
}

static int on_conv(const struct model_conv *c, void *ctx)
{
	struct dot *d = ctx;
	int err = add_node(d, &c->a);

	if (!err)
		err = add_node(d, &c->b);
	if (!err)
		err = add_edge(d, &c->a, &c->b, c->kind, &c->a_to_b);
	if (!err)
		err = add_edge(d, &c->b, &c->a, c->kind, &c->b_to_a);
	return err;
}

/* The cgroup of each process that is a node. */
static int node_cgroup(const struct model_proc *p, void *ctx)
{
	struct dot *d = ctx;
	struct node_key k = node_of(&p->ref);
	struct node *n = hashmap_get(&d->nodes, &k);

	if (n)
		memcpy(n->cgroup, p->cgroup, sizeof(n->cgroup));
	if (n)
		memcpy(n->title, p->cmdline, sizeof(n->title));
	return 0;
}

static void human_bytes(__u64 n, char *buf, size_t len)
{
	if (n >= 10ull << 20)
		snprintf(buf, len, "%.1f MiB", (double)n / (1 << 20));
	else if (n >= 10ull << 10)
		snprintf(buf, len, "%.1f KiB", (double)n / (1 << 10));
	else
		snprintf(buf, len, "%" PRIu64 " B", (uint64_t)n);
}

static void write_nodes(struct dot *d)
{
	size_t it = 0;
	const void *k;
	void *v;

	while (hashmap_next(&d->nodes, &it, &k, &v)) {
		const struct node *n = v;
		const struct model_proc_ref *p = &n->ref;

		fputs("  ", d->f);
		node_id(d->f, k);
		if (!p->pid) {
			fputs(" [label=\"(not seen)\", style=dashed];\n", d->f);
			continue;
		}
		fputs(" [label=\"", d->f);
		dot_chars(d->f, p->comm, IPCS_COMM_LEN);
		fprintf(d->f, "\\n%u\", pid=%u, comm=", p->pid, p->pid);
		dot_str(d->f, p->comm, IPCS_COMM_LEN);
		if (n->cgroup[0]) {	/* an attribute for scripts */
			fputs(", cgroup=", d->f);
			dot_str(d->f, n->cgroup, sizeof(n->cgroup));
		}
		if (n->title[0]) {
			fputs(", cmdline=", d->f);
			dot_str(d->f, n->title, sizeof(n->title));
		}
		/* a tooltip in SVG: the title says which one it is, else the cgroup */
		if (n->title[0] || n->cgroup[0]) {
			fputs(", tooltip=", d->f);
			if (n->title[0])
				dot_str(d->f, n->title, sizeof(n->title));
			else
				dot_str(d->f, n->cgroup, sizeof(n->cgroup));
		}
		fputs("];\n", d->f);
	}
}

static void write_edges(struct dot *d)
{
	size_t it = 0;
	const void *kv;
	void *v;
	char size[32];

	while (hashmap_next(&d->edges, &it, &kv, &v)) {
		const struct edge_key *k = kv;
		const struct edge *e = v;
		/* width grows with the bytes' order of magnitude */
		double pen = 1 + (e->bytes ? 64 - __builtin_clzll(e->bytes) : 0) / 4.0;

		human_bytes(e->bytes, size, sizeof(size));
		fputs("  ", d->f);
		node_id(d->f, &k->from);
		fputs(" -> ", d->f);
		node_id(d->f, &k->to);
		fprintf(d->f, " [kind=\"%s\", bytes=%" PRIu64 ", msgs=%" PRIu64 ", penwidth=%.2f",
			ipcs_kind_name((__u16)k->kind), (uint64_t)e->bytes, (uint64_t)e->msgs, pen);
		if (k->kind == IPCS_KIND_FUTEX)
			fprintf(d->f, ", waits=%" PRIu64 ", style=dotted, label=\"futex\\n%" PRIu64
				" wakes, %" PRIu64 " waits\"];\n", (uint64_t)e->waits, (uint64_t)e->msgs,
				(uint64_t)e->waits);
		else if (e->bytes)
			fprintf(d->f, ", label=\"%s\\n%s, %" PRIu64 " msgs\"];\n",
				ipcs_kind_name((__u16)k->kind), size, (uint64_t)e->msgs);
		else
			fprintf(d->f, ", style=dashed, label=\"%s\\n%" PRIu64 "\"];\n",
				ipcs_kind_name((__u16)k->kind), (uint64_t)e->msgs);
	}
}

static int add_wthread(struct dot *d, __u32 pid, __u32 tid, const char *comm)
{
	uintptr_t i = (uintptr_t)hashmap_get(&d->wt_idx, &tid);
	struct wthread *t;
	int err;

	if (i) {
		t = &d->wt[i - 1];
		if (!t->comm[0] && comm)
			memcpy(t->comm, comm, sizeof(t->comm));
		return 0;
	}
	err = vec_grow((void **)&d->wt, &d->capwt, d->nwt + 1, sizeof(*d->wt), 16);
	if (err)
		return err;
	t = &d->wt[d->nwt];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tid = tid;
	if (comm)
		memcpy(t->comm, comm, sizeof(t->comm));
	d->nwt++;
	return hashmap_put(&d->wt_idx, &tid, (void *)(uintptr_t)d->nwt, NULL);
}

static int on_wait(const struct model_wait *w, void *ctx)
{
	struct dot *d = ctx;
	struct wedge_key k;
	struct wedge *e;
	uintptr_t i;
	int err;

	err = add_wthread(d, w->pid, w->tid, w->comm);
	if (!err)
		err = add_wthread(d, w->holder_tid ? w->holder_pid : 0, w->holder_tid, NULL);
	if (err)
		return err;
	memset(&k, 0, sizeof(k));
	k.from = w->tid;
	k.to = w->holder_tid;
	memcpy(k.kind, w->kind, sizeof(k.kind));
	memcpy(k.object, w->object, sizeof(k.object));
	i = (uintptr_t)hashmap_get(&d->we_idx, &k);
	if (!i) {
		err = vec_grow((void **)&d->we, &d->capwe, d->nwe + 1, sizeof(*d->we), 16);
		if (err)
			return err;
		e = &d->we[d->nwe];
		memset(e, 0, sizeof(*e));
		e->k = k;
		d->nwe++;
		err = hashmap_put(&d->we_idx, &k, (void *)(uintptr_t)d->nwe, NULL);
		if (err)
			return err;
	} else {
		e = &d->we[i - 1];
	}
	e->waits++;
	e->flags |= w->flags;
	if (!e->cycle && (w->flags & IPCS_WAITF_CYCLE))
		e->cycle = w->group;
	if (!e->evidence[0])
		memcpy(e->evidence, w->evidence, sizeof(e->evidence));
	return 0;
}

/* A holder that never waited itself is named after its process. */
static int name_holders(const struct model_proc *p, void *ctx)
{
	struct dot *d = ctx;

	for (size_t i = 0; i < d->nwt; i++)
		if (d->wt[i].tid && !d->wt[i].comm[0] && d->wt[i].pid == p->ref.pid)
			memcpy(d->wt[i].comm, p->ref.comm, sizeof(d->wt[i].comm));
	return 0;
}

static void wthread_id(FILE *f, __u32 tid)
{
	if (tid)
		fprintf(f, "\"t%u\"", tid);
	else
		fputs("\"unknown\"", f);
}

static void write_waits(struct dot *d)
{
	fputs("digraph waits {\n  graph [rankdir=LR, label=\"wait-for graph", d->f);
	if (d->info->fh) {
		fputs(": ", d->f);
		dot_chars(d->f, d->info->fh->host, sizeof(d->info->fh->host));
	}
	fputs("\"];\n  node [shape=box, style=rounded];\n", d->f);
	for (size_t i = 0; i < d->nwt; i++) {
		const struct wthread *t = &d->wt[i];

		fputs("  ", d->f);
		wthread_id(d->f, t->tid);
		if (!t->tid) {
			fputs(" [label=\"(holder unknown)\", style=dashed];\n", d->f);
			continue;
		}
		fputs(" [label=\"", d->f);
		if (t->comm[0]) {
			dot_chars(d->f, t->comm, sizeof(t->comm));
			fputs("\\n", d->f);
		}
		fprintf(d->f, "%u/%u\", pid=%u, tid=%u, comm=", t->pid, t->tid, t->pid, t->tid);
		dot_str(d->f, t->comm, sizeof(t->comm));
		fputs("];\n", d->f);
	}
	for (size_t i = 0; i < d->nwe; i++) {
		const struct wedge *e = &d->we[i];

		fputs("  ", d->f);
		wthread_id(d->f, e->k.from);
		fputs(" -> ", d->f);
		wthread_id(d->f, e->k.to);
		fputs(" [kind=", d->f);
		dot_str(d->f, e->k.kind, sizeof(e->k.kind));
		fputs(", object=", d->f);
		dot_str(d->f, e->k.object, sizeof(e->k.object));
		fputs(", evidence=", d->f);
		dot_str(d->f, e->evidence, sizeof(e->evidence));
		fprintf(d->f, ", waits=%" PRIu64 ", cycle=%u, label=\"", (uint64_t)e->waits, e->cycle);
		dot_chars(d->f, e->k.kind, sizeof(e->k.kind));
		fputc(' ', d->f);
		dot_chars(d->f, e->k.object, sizeof(e->k.object));
		if (e->evidence[0]) {
			fputs("\\n", d->f);
			dot_chars(d->f, e->evidence, sizeof(e->evidence));
		}
		if (e->cycle)
			fprintf(d->f, "\\ncycle %u\", color=red, fontcolor=red, penwidth=3];\n", e->cycle);
		else if (e->flags & IPCS_WAITF_STALL)
			fputs("\\nstall\", color=orange, penwidth=2];\n", d->f);
		else if (!e->k.to)
			fputs("\", style=dashed];\n", d->f);
		else
			fputs("\"];\n", d->f);
	}
	fputs("}\n", d->f);
}

static int dot_on_event(void *ctx, const struct ipcs_event *ev, const void *raw, size_t len)
{
	(void)ctx;
	(void)ev;
	(void)raw;
	(void)len;
	return 0;	/* the graph comes from the model at the end */
}

static int dot_finish(void *ctx)
{
	struct dot *d = ctx;
	struct model_totals t;
	int err;

	if (!d->info->model)
		return -EINVAL;
	err = model_foreach_conv(d->info->model, on_conv, d);
	if (!err)
		err = model_foreach_futex_conv(d->info->model, on_futex, d);
	if (!err)
		err = model_foreach_proc(d->info->model, node_cgroup, d);
	if (err)
		return err;
	fputs("digraph ipcscope {\n  graph [rankdir=LR, label=", d->f);
	if (d->info->fh)
		dot_str(d->f, d->info->fh->host, sizeof(d->info->fh->host));
	else
		fputs("\"\"", d->f);
	fputs("];\n  node [shape=box, style=rounded];\n", d->f);
	model_get_totals(d->info->model, &t);
	if (t.convs_aged_out)	/* what the graph leaves out is said (issue 23 #9) */
		fprintf(d->f, "  // truncated: %" PRIu64 " conversations on channels closed before the "
			"end are not drawn (folded into totals to bound memory)\n",
			(uint64_t)t.convs_aged_out);
	write_nodes(d);
	write_edges(d);
	fputs("}\n", d->f);
	err = model_foreach_wait(d->info->model, on_wait, d);
	if (!err)
		err = model_foreach_proc(d->info->model, name_holders, d);
	if (err)
		return err;
	if (d->nwt)
		write_waits(d);
	if (model_waits_lost(d->info->model))
		fprintf(d->f, "// truncated: %" PRIu64 " more long waits are not drawn (past the %u "
			"kept)\n", (uint64_t)model_waits_lost(d->info->model), MODEL_WAITS_MAX);
	return fflush(d->f) || ferror(d->f) ? -EIO : 0;
}

static void dot_destroy(void *ctx)
{
	struct dot *d = ctx;

	hashmap_fini_free(&d->nodes);
	hashmap_fini_free(&d->edges);
	hashmap_fini(&d->wt_idx);
	hashmap_fini(&d->we_idx);
	free(d->wt);
	free(d->we);
	free(d);
}

int export_dot_open(FILE *f, const struct export_info *info, struct exporter *out)
{
	struct dot *d = calloc(1, sizeof(*d));
	int err;

	if (!d)
		return -ENOMEM;
	d->f = f;
	d->info = info;
	err = hashmap_init(&d->nodes, sizeof(struct node_key));
	if (!err)
		err = hashmap_init(&d->edges, sizeof(struct edge_key));
	if (!err)
		err = hashmap_init(&d->wt_idx, sizeof(__u32));
	if (!err)
		err = hashmap_init(&d->we_idx, sizeof(struct wedge_key));
	if (err) {
		dot_destroy(d);
		return err;
	}
	*out = (struct exporter){
		.sink = { .on_event = dot_on_event, .ctx = d },
		.finish = dot_finish,
		.destroy = dot_destroy,
	};
	return 0;
}
