/* view_conv.c - the conversations view: one row per (channel, A, B). */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/escape.h"
#include "util/texttable.h"
#include "util/units.h"
#include "views.h"

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

/* Cells of numbers (units.h): "1023 KiB", "99999", "12.5 ms". */
static const int num_w[CC_COUNT] = {
	[CC_AB] = 8, [CC_BA] = 8, [CC_RATE_AB] = 8, [CC_RATE_BA] = 8, [CC_MSGS] = 6,
	[CC_P50] = 7, [CC_P99] = 7, [CC_LAST] = 7,
};
/* Optional columns, the first to go when the names need the room. */
static const int drop_order[] = { CC_P99, CC_P50, CC_RATE_BA, CC_RATE_AB, CC_MSGS, CC_LAST };

#define MIN_CHANNEL 12
#define MIN_PROC 10

/* What the rows shown need: the longest kind, channel and pid/comm. */
struct conv_need {
	int kind, channel, proc;
};

static int proc_len(const struct model_proc_ref *p)
{
	char comm[IPCS_COMM_LEN * 4 + 1], pid[16];

	if (!p->pid)
		return (int)strlen("(not seen)");
	return snprintf(pid, sizeof(pid), "%s%u/", p->untraced ? "*" : "", p->pid) +
	       (int)esc_term(p->comm, IPCS_COMM_LEN, comm, sizeof(comm));
}

struct fold {
	size_t n;	/* conversations in the row */
	__u64 msgs;
};

static void conv_need(const struct snapshot *snap, const size_t *idx, const struct fold *fold,
		      size_t n, struct conv_need *nd)
{
	char buf[MODEL_NAME_MAX * 4 + 1];

	nd->kind = 4;
	nd->channel = 7;
	nd->proc = 1;
	for (size_t i = 0; i < n; i++) {
		const struct model_conv *c = &snap->convs[idx[i]];
		int k = (int)strlen(ipcs_kind_name(c->kind));
		int ch = (int)esc_term(c->channel, sizeof(c->channel), buf, sizeof(buf));
		int a = fold && fold[i].n > 1 ? snprintf(buf, sizeof(buf), "(%zu processes)", fold[i].n) :
			proc_len(&c->a), b = proc_len(&c->b);

		nd->kind = k > nd->kind ? k : nd->kind;
		nd->channel = ch > nd->channel ? ch : nd->channel;
		nd->proc = a > nd->proc ? a : nd->proc;
		nd->proc = b > nd->proc ? b : nd->proc;
	}
}

/*
 * KIND as wide as the longest kind shown (never cut), numbers fixed. Channel
 * and the two processes get what their longest cells need (a channel at
 * most a third of the line) before the optional numbers are shown; what is
 * left over widens the channel. Hidden columns (width 0) are skipped by sort.
 */
static void conv_layout(int width, const struct conv_need *nd, struct conv_layout *l,
			unsigned *hidden)
{
	int chan = nd->channel, proc = nd->proc, fixed, cols, rest;
	bool shown[CC_COUNT];
	size_t d = 0;

	if (chan > width / 3)
		chan = width / 3 > MIN_CHANNEL ? width / 3 : MIN_CHANNEL;
	for (int c = 0; c < CC_COUNT; c++)
		shown[c] = true;
	for (;;) {
		fixed = nd->kind;
		cols = 4;	/* kind, channel, a, b */
		for (int c = CC_AB; c < CC_COUNT; c++)
			if (shown[c]) {
				fixed += num_w[c];
				cols++;
			}
		fixed += cols + 1;	/* a blank before each column, one at the end */
		if (fixed + chan + 2 * proc <= width || d == sizeof(drop_order) / sizeof(drop_order[0]))
			break;
		shown[drop_order[d++]] = false;
	}
	rest = width - fixed;
	if (rest < chan + 2 * proc) {	/* still too narrow: the names give way, widest first */
		while (rest < chan + 2 * proc && (chan > MIN_CHANNEL || proc > MIN_PROC)) {
			if (chan > MIN_CHANNEL && (chan >= 2 * proc || proc <= MIN_PROC))
				chan--;
			else
				proc--;
		}
		if (rest < chan + 2 * proc)	/* tiny screens: whatever is left */
			chan = proc = rest > 3 ? rest / 3 : 1;
	}
	chan = rest - 2 * proc > chan ? rest - 2 * proc : chan;	/* spare room: the channel */
	*hidden = 0;
	for (int c = 0; c < CC_COUNT; c++) {
		l->w[c] = c == CC_KIND ? nd->kind : c == CC_CHANNEL ? chan : c <= CC_B ? proc :
			  shown[c] ? num_w[c] : 0;
		if (!l->w[c])
			*hidden |= 1u << c;
	}
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
	char comm[IPCS_COMM_LEN * 4 + 1], text[IPCS_COMM_LEN * 4 + 16], cut[sizeof(text)];

	if (!p->pid) {
		screen_put(scr, x, y, attr == SA_SELECTED ? attr : SA_DIM, "(not seen)", w);
		return;
	}
	/* "*": not traced, named from /proc as a traced process's peer */
	esc_term(p->comm, IPCS_COMM_LEN, comm, sizeof(comm));
	snprintf(text, sizeof(text), "%s%u/%s", p->untraced ? "*" : "", p->pid, comm);
	tt_fit(text, TT_END, w, cut, sizeof(cut));
	screen_put(scr, x, y, attr, cut, w);
}

/* A number column, if shown. */
static void put_num(struct screen *scr, const struct conv_layout *l, int col, int y,
		    enum scr_attr attr, const char *text)
{
	if (l->w[col])
		screen_put_field(scr, l->x[col], y, attr, text, l->w[col], 1);
}

static void conv_row(struct screen *scr, const struct conv_layout *l, int y,
		     const struct model_conv *c, __u64 now, bool selected, size_t folded)
{
	enum scr_attr attr = selected ? SA_SELECTED : SA_NORMAL;
	bool nolat = !c->latency.count;
	char buf[32];

	screen_fill_row(scr, y, attr);
	char chan[MODEL_NAME_MAX * 4 + 1], cut[sizeof(chan)];

	screen_put(scr, l->x[CC_KIND], y, attr, ipcs_kind_name(c->kind), l->w[CC_KIND]);
	/* both ends of a long name: a path's file, a TCP name's two ports */
	esc_term(c->channel, sizeof(c->channel), chan, sizeof(chan));
	tt_fit(chan, TT_MID, l->w[CC_CHANNEL], cut, sizeof(cut));
	screen_put(scr, l->x[CC_CHANNEL], y, attr, cut, l->w[CC_CHANNEL]);
	if (folded > 1) {	/* one row for the SIGCHLD of many children */
		char many[40];

		snprintf(many, sizeof(many), "(%zu processes)", folded);
		screen_put(scr, l->x[CC_A], y, attr, many, l->w[CC_A]);
	} else {
		put_proc(scr, l->x[CC_A], y, l->w[CC_A], attr, &c->a);
	}
	put_proc(scr, l->x[CC_B], y, l->w[CC_B], attr, &c->b);
	view_fmt_bytes(buf, sizeof(buf), c->a_to_b.bytes, l->w[CC_AB]);
	put_num(scr, l, CC_AB, y, attr, buf);
	view_fmt_bytes(buf, sizeof(buf), c->b_to_a.bytes, l->w[CC_BA]);
	put_num(scr, l, CC_BA, y, attr, buf);
	view_fmt_bytes(buf, sizeof(buf), model_rate_recent(&c->rate_ab, now), l->w[CC_RATE_AB]);
	put_num(scr, l, CC_RATE_AB, y, attr, buf);
	view_fmt_bytes(buf, sizeof(buf), model_rate_recent(&c->rate_ba, now), l->w[CC_RATE_BA]);
	put_num(scr, l, CC_RATE_BA, y, attr, buf);
	units_count(buf, sizeof(buf), c->a_to_b.msgs + c->b_to_a.msgs);
	put_num(scr, l, CC_MSGS, y, attr, buf);
	view_fmt_dur(buf, sizeof(buf), c->latency.p50, nolat);
	put_num(scr, l, CC_P50, y, attr, buf);
	view_fmt_dur(buf, sizeof(buf), c->latency.p99, nolat);
	put_num(scr, l, CC_P99, y, attr, buf);
	/* Idle for: how long ago it last moved, as of now (live) or the cursor. */
	view_fmt_dur(buf, sizeof(buf), now > c->last_ns ? now - c->last_ns : 0, !c->last_ns);
	put_num(scr, l, CC_LAST, y, attr, buf);
}

/* SIGCHLD, one per exiting child: folded into one row per receiver (as in
 * report), unless "a" shows every row. */
static bool exit_noise(const struct model_conv *c)
{
	return c->kind == IPCS_KIND_SIGNAL && c->ino == SIGCHLD;
}

/* Keep the first row of each receiver's exit noise (in sort order), drop the
 * others into it; fold[i] says what row i holds. Returns the rows left (all of
 * them, unfolded, when out of memory). */
static size_t fold_noise(const struct snapshot *snap, size_t *idx, size_t n, struct fold **out)
{
	struct fold *f = calloc(n ? n : 1, sizeof(*f));
	size_t kept = 0;

	*out = f;
	if (!f)
		return n;
	for (size_t i = 0; i < n; i++) {
		const struct model_conv *c = &snap->convs[idx[i]];
		size_t j = kept;

		if (exit_noise(c))
			for (j = 0; j < kept; j++) {
				const struct model_conv *k = &snap->convs[idx[j]];

				if (exit_noise(k) && k->b.pid == c->b.pid && k->b.start_ns == c->b.start_ns)
					break;
			}
		if (j < kept) {
			f[j].n++;
			f[j].msgs += c->a_to_b.msgs;
			continue;
		}
		idx[kept] = idx[i];
		f[kept].n = 1;
		f[kept].msgs = c->a_to_b.msgs;
		kept++;
	}
	return kept;
}

void view_convs_render(const struct snapshot *snap, const struct viewer_info *info,
		       struct view_state *vs, struct screen *scr, int y0, int rows)
{
	struct conv_layout l;
	struct sort_ctx sc = { .v = snap->convs, .col = vs->sort_col[VIEW_CONVS],
			       .desc = vs->sort_desc[VIEW_CONVS], .now = snap->now_ns };
	size_t *idx = malloc((snap->nconvs ? snap->nconvs : 1) * sizeof(*idx)), n = 0;

	struct conv_need nd;
	struct fold *fold = NULL;

	(void)info;
	vs->cur_conv_valid = false;
	if (!idx) {
		screen_put(scr, 1, y0 + 1, SA_WARN, "out of memory", -1);
		vs->nrows = 0;
		return;
	}
	for (size_t i = 0; i < snap->nconvs; i++)
		if (conv_matches(vs, &snap->convs[i]))
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), conv_cmp, &sc);
	if (!vs->all_rows)
		n = fold_noise(snap, idx, n, &fold);
	rows--;
	view_scroll(vs, n, rows > 0 ? (size_t)rows : 1);
	/* laid out for the rows on screen: their names get the room */
	conv_need(snap, idx + vs->top[VIEW_CONVS], fold ? fold + vs->top[VIEW_CONVS] : NULL,
		  n - vs->top[VIEW_CONVS] < (size_t)(rows > 0 ? rows : 0) ? n - vs->top[VIEW_CONVS] :
		  (size_t)(rows > 0 ? rows : 0), &nd);
	conv_layout(scr->w, &nd, &l, &vs->hidden_cols);
	view_header(scr, y0, conv_titles, l.x, l.w, conv_right, CC_COUNT, sc.col, sc.desc);
	for (size_t r = 0; r < (size_t)(rows > 0 ? rows : 0) && vs->top[VIEW_CONVS] + r < n; r++) {
		size_t i = vs->top[VIEW_CONVS] + r;
		struct model_conv c = snap->convs[idx[i]];

		if (fold && fold[i].n > 1) {
			c.a_to_b.msgs = fold[i].msgs;
			c.a_blocked_ns = c.b_blocked_ns = 0;
		}
		conv_row(scr, &l, y0 + 1 + (int)r, &c, snap->now_ns, i == vs->sel[VIEW_CONVS],
			 fold ? fold[i].n : 1);
	}
	if (n) {
		vs->cur_conv = snap->convs[idx[vs->sel[VIEW_CONVS]]];
		vs->cur_conv_valid = true;
	}
	if (!n)
		screen_put(scr, 1, y0 + 1, SA_DIM, snap->nconvs ? "(no conversation matches the filter)" :
			   "(no conversations: nothing was written and read over a traced channel)", scr->w - 2);
	free(fold);
	free(idx);
}
