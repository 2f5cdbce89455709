/* view_conv.c - the conversations view: one row per (channel, A, B). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "viewer.h"

struct conv_layout {
	int x[CC_COUNT], w[CC_COUNT];
};

static const char *const conv_titles[CC_COUNT] = {
	"KIND", "CHANNEL", "A", "B", "A->B", "B->A", "A>B/s", "B>A/s", "MSGS", "P50", "P99", "IDLE",
};
static const bool conv_right[CC_COUNT] = {	/* numbers right-aligned */
	[CC_AB] = true, [CC_BA] = true, [CC_RATE_AB] = true, [CC_RATE_BA] = true,
	[CC_MSGS] = true, [CC_P50] = true, [CC_P99] = true, [CC_LAST] = true,
};

/*
 * Numbers get fixed widths; channel and the two processes share the rest.
 * Below 150 columns latency, below 100 messages too, make room for the names
 * (width 0: hidden; sorting skips them).
 */
static void conv_layout(int width, struct conv_layout *l, unsigned *hidden)
{
	static const int narrow[CC_COUNT] = { 4, 0, 0, 0, 7, 7, 6, 6, 0, 0, 0, 5 };
	static const int medium[CC_COUNT] = { 4, 0, 0, 0, 9, 9, 8, 8, 7, 0, 0, 6 };
	static const int wide[CC_COUNT] = { 12, 0, 0, 0, 10, 10, 9, 9, 8, 7, 7, 6 };
	const int *fw = width >= 150 ? wide : width >= 100 ? medium : narrow;
	int fixed = 0, ncols = 0, rest, proc;

	*hidden = 0;
	for (int c = 0; c < CC_COUNT; c++) {
		l->w[c] = fw[c];
		if (c == CC_CHANNEL || c == CC_A || c == CC_B || fw[c]) {
			fixed += fw[c];
			ncols++;
		} else {
			*hidden |= 1u << c;
		}
	}
	fixed += ncols;
	rest = width - fixed > 12 ? width - fixed : 12;
	proc = rest / 3 < 24 ? rest / 3 : 24;
	l->w[CC_A] = proc;
	l->w[CC_B] = proc;
	l->w[CC_CHANNEL] = rest - 2 * proc;
	for (int c = 0, x = 1; c < CC_COUNT; c++) {
		l->x[c] = x;
		x += l->w[c] ? l->w[c] + 1 : 0;
	}
}

static int cmp_u64(__u64 a, __u64 b)
{
	return a < b ? -1 : a > b;
}

static int cmp_proc(const struct model_proc_ref *a, const struct model_proc_ref *b)
{
	int r = strncmp(a->comm, b->comm, IPCS_COMM_LEN);

	return r ? r : cmp_u64(a->pid, b->pid);
}

struct sort_ctx {
	const struct model_conv *v;
	int col;
	bool desc;
	__u64 now;
};

static int conv_cmp_col(const struct model_conv *a, const struct model_conv *b, int col, __u64 now)
{
	switch (col) {
	case CC_KIND: return cmp_u64(a->kind, b->kind);
	case CC_CHANNEL: return strcmp(a->channel, b->channel);
	case CC_A: return cmp_proc(&a->a, &b->a);
	case CC_B: return cmp_proc(&a->b, &b->b);
	case CC_AB: return cmp_u64(a->a_to_b.bytes, b->a_to_b.bytes);
	case CC_BA: return cmp_u64(a->b_to_a.bytes, b->b_to_a.bytes);
	case CC_RATE_AB: return cmp_u64(model_rate_recent(&a->rate_ab, now), model_rate_recent(&b->rate_ab, now));
	case CC_RATE_BA: return cmp_u64(model_rate_recent(&a->rate_ba, now), model_rate_recent(&b->rate_ba, now));
	case CC_MSGS: return cmp_u64(a->a_to_b.msgs + a->b_to_a.msgs, b->a_to_b.msgs + b->b_to_a.msgs);
	case CC_P50: return cmp_u64(a->latency.p50, b->latency.p50);
	case CC_P99: return cmp_u64(a->latency.p99, b->latency.p99);
	case CC_LAST: return cmp_u64(b->last_ns, a->last_ns);	/* idle time: the opposite */
	}
	return 0;
}

static int conv_cmp(const void *x, const void *y, void *arg)
{
	const struct sort_ctx *sc = arg;
	const struct model_conv *a = &sc->v[*(const size_t *)x], *b = &sc->v[*(const size_t *)y];
	int r = conv_cmp_col(a, b, sc->col, sc->now);

	if (sc->desc)
		r = -r;
	/* Ties in a fixed order so equal rows never swap between refreshes. */
	if (!r)
		r = cmp_u64(a->first_ns, b->first_ns);
	if (!r)
		r = cmp_u64(a->ino, b->ino);
	if (!r)
		r = cmp_u64(a->a.pid, b->a.pid);
	if (!r)
		r = cmp_u64(a->b.pid, b->b.pid);
	return r;
}

static bool conv_matches(const struct view_state *vs, const struct model_conv *c)
{
	if (vs->kind && c->kind != vs->kind)
		return false;
	return view_match(vs, c->channel, sizeof(c->channel)) ||
	       view_match(vs, c->a.comm, IPCS_COMM_LEN) || view_match(vs, c->b.comm, IPCS_COMM_LEN);
}

static void put_proc(struct screen *scr, int x, int y, int w, enum scr_attr attr,
		     const struct model_proc_ref *p)
{
	char pid[16];
	int end;

	if (!p->pid) {
		screen_put(scr, x, y, attr == SA_SELECTED ? attr : SA_DIM, "(not seen)", w);
		return;
	}
	/* "*": not traced, named from /proc as a traced process's peer */
	snprintf(pid, sizeof(pid), "%s%u/", p->untraced ? "*" : "", p->pid);
	end = screen_put(scr, x, y, attr, pid, w);
	screen_put_esc(scr, end, y, attr, p->comm, IPCS_COMM_LEN, w - (end - x));
}

/* A number column, if shown. */
static void put_num(struct screen *scr, const struct conv_layout *l, int col, int y,
		    enum scr_attr attr, const char *text)
{
	if (l->w[col])
		screen_put_field(scr, l->x[col], y, attr, text, l->w[col], 1);
}

static void conv_row(struct screen *scr, const struct conv_layout *l, int y,
		     const struct model_conv *c, __u64 now, bool selected)
{
	enum scr_attr attr = selected ? SA_SELECTED : SA_NORMAL;
	bool nolat = !c->latency.count;
	char buf[32];

	screen_fill_row(scr, y, attr);
	screen_put(scr, l->x[CC_KIND], y, attr, ipcs_kind_name(c->kind), l->w[CC_KIND]);
	screen_put_esc_tail(scr, l->x[CC_CHANNEL], y, attr, c->channel, sizeof(c->channel),
			    l->w[CC_CHANNEL]);
	put_proc(scr, l->x[CC_A], y, l->w[CC_A], attr, &c->a);
	put_proc(scr, l->x[CC_B], y, l->w[CC_B], attr, &c->b);
	view_fmt_bytes(buf, sizeof(buf), c->a_to_b.bytes, l->w[CC_AB]);
	put_num(scr, l, CC_AB, y, attr, buf);
	view_fmt_bytes(buf, sizeof(buf), c->b_to_a.bytes, l->w[CC_BA]);
	put_num(scr, l, CC_BA, y, attr, buf);
	view_fmt_bytes(buf, sizeof(buf), model_rate_recent(&c->rate_ab, now), l->w[CC_RATE_AB]);
	put_num(scr, l, CC_RATE_AB, y, attr, buf);
	view_fmt_bytes(buf, sizeof(buf), model_rate_recent(&c->rate_ba, now), l->w[CC_RATE_BA]);
	put_num(scr, l, CC_RATE_BA, y, attr, buf);
	view_fmt_bytes(buf, sizeof(buf), c->a_to_b.msgs + c->b_to_a.msgs, l->w[CC_MSGS]);
	put_num(scr, l, CC_MSGS, y, attr, buf);
	view_fmt_dur(buf, sizeof(buf), c->latency.p50, nolat);
	put_num(scr, l, CC_P50, y, attr, buf);
	view_fmt_dur(buf, sizeof(buf), c->latency.p99, nolat);
	put_num(scr, l, CC_P99, y, attr, buf);
	/* Idle for: how long ago it last moved, as of now (live) or the cursor. */
	view_fmt_dur(buf, sizeof(buf), now > c->last_ns ? now - c->last_ns : 0, !c->last_ns);
	put_num(scr, l, CC_LAST, y, attr, buf);
}

/* Column titles; the sorted one carries v (descending) or ^ (ascending). */
void view_header(struct screen *scr, int y, const char *const *titles, const int *x,
		 const int *w, const bool *right, int ncols, int sort_col, bool desc)
{
	char t[64];

	screen_fill_row(scr, y, SA_HEADER);
	for (int c = 0; c < ncols; c++) {
		if (!w[c])
			continue;
		bool room = (int)strlen(titles[c]) + 2 <= w[c];

		snprintf(t, sizeof(t), "%s%s%s", titles[c], c == sort_col && room ? " " : "",
			 c == sort_col ? (desc ? "v" : "^") : "");
		screen_put_field(scr, x[c], y, SA_HEADER, t, w[c], right[c]);
	}
}

void view_convs_render(const struct snapshot *snap, const struct viewer_info *info,
		       struct view_state *vs, struct screen *scr, int y0, int rows)
{
	struct conv_layout l;
	struct sort_ctx sc = { .v = snap->convs, .col = vs->sort_col[VIEW_CONVS],
			       .desc = vs->sort_desc[VIEW_CONVS], .now = snap->now_ns };
	size_t *idx = malloc((snap->nconvs ? snap->nconvs : 1) * sizeof(*idx)), n = 0;

	(void)info;
	conv_layout(scr->w, &l, &vs->hidden_cols);
	vs->cur_conv_valid = false;
	view_header(scr, y0, conv_titles, l.x, l.w, conv_right, CC_COUNT, sc.col, sc.desc);
	rows--;
	if (!idx) {
		screen_put(scr, 1, y0 + 1, SA_WARN, "out of memory", -1);
		vs->nrows = 0;
		return;
	}
	for (size_t i = 0; i < snap->nconvs; i++)
		if (conv_matches(vs, &snap->convs[i]))
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), conv_cmp, &sc);
	view_scroll(vs, n, rows > 0 ? (size_t)rows : 1);
	for (size_t r = 0; r < (size_t)(rows > 0 ? rows : 0) && vs->top[VIEW_CONVS] + r < n; r++) {
		size_t i = vs->top[VIEW_CONVS] + r;

		conv_row(scr, &l, y0 + 1 + (int)r, &snap->convs[idx[i]], snap->now_ns,
			 i == vs->sel[VIEW_CONVS]);
	}
	if (n) {
		vs->cur_conv = snap->convs[idx[vs->sel[VIEW_CONVS]]];
		vs->cur_conv_valid = true;
	}
	if (!n)
		screen_put(scr, 1, y0 + 1, SA_DIM, snap->nconvs ? "(no conversation matches the filter)" :
			   "(no conversations: nothing was written and read over a traced channel)", scr->w - 2);
	free(idx);
}
