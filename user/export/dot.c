/*
 * dot.c - the conversation graph for Graphviz: a node per process, an edge
 * per (writer, reader, channel kind) weighted by the bytes that went that
 * way (label, penwidth, and `bytes`/`msgs` attributes for gvpr scripts).
 * Written at the end, from the model's conversations.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "export/export.h"
#include "util/escape.h"
#include "util/hashmap.h"

struct dot {
	FILE *f;
	const struct export_info *info;
	struct hashmap nodes;	/* struct node_key -> struct model_proc_ref */
	struct hashmap edges;	/* struct edge_key -> struct edge */
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
	struct model_proc_ref *v;
	int err;

	if (hashmap_get(&d->nodes, &k))
		return 0;
	v = malloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	*v = *p;
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
		const struct model_proc_ref *p = v;

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
		if (e->bytes)
			fprintf(d->f, ", label=\"%s\\n%s, %" PRIu64 " msgs\"];\n",
				ipcs_kind_name((__u16)k->kind), size, (uint64_t)e->msgs);
		else
			fprintf(d->f, ", style=dashed, label=\"%s\\n%" PRIu64 "\"];\n",
				ipcs_kind_name((__u16)k->kind), (uint64_t)e->msgs);
	}
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
	int err;

	if (!d->info->model)
		return -EINVAL;
	err = model_foreach_conv(d->info->model, on_conv, d);
	if (err)
		return err;
	fputs("digraph ipcscope {\n  graph [rankdir=LR, label=", d->f);
	if (d->info->fh)
		dot_str(d->f, d->info->fh->host, sizeof(d->info->fh->host));
	else
		fputs("\"\"", d->f);
	fputs("];\n  node [shape=box, style=rounded];\n", d->f);
	write_nodes(d);
	write_edges(d);
	fputs("}\n", d->f);
	return fflush(d->f) || ferror(d->f) ? -EIO : 0;
}

static void dot_destroy(void *ctx)
{
	struct dot *d = ctx;

	hashmap_fini_free(&d->nodes);
	hashmap_fini_free(&d->edges);
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
