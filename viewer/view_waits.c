/* view_waits.c - the waits view: long waits of a recording, deadlock cycles highlighted. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "views.h"

enum { WC_STATE, WC_TID, WC_COMM, WC_ON, WC_HELD, WC_SINCE, WC_FOR, WC_COUNT };

static const char *const wait_titles[WC_COUNT] = {
	"STATE", "PID/TID", "COMM", "WAITS ON", "HELD BY", "SINCE", "FOR",
};
static const bool wait_right[WC_COUNT] = { [WC_SINCE] = true, [WC_FOR] = true };

static void wait_layout(int width, int *x, int *w)
{
	bool wide = width >= 120;

	w[WC_STATE] = wide ? 11 : 10;
	w[WC_TID] = wide ? 15 : 9;
	w[WC_COMM] = wide ? 16 : 9;
	w[WC_ON] = wide ? 40 : 18;
	w[WC_SINCE] = wide ? 9 : 8;
	w[WC_FOR] = wide ? 9 : 8;
	/* HELD BY takes what is left (at least a pid/tid) */
	w[WC_HELD] = width - 1 - WC_COUNT -
		     (w[WC_STATE] + w[WC_TID] + w[WC_COMM] + w[WC_ON] + w[WC_SINCE] + w[WC_FOR]);
	if (w[WC_HELD] < 7)
		w[WC_HELD] = 7;
	for (int c = 0, pos = 1; c < WC_COUNT; c++) {
		x[c] = pos;
		pos += w[c] + 1;
	}
}

/* cycles (by number), then stalls, then other waits; each by when found, then tid */
static int rank(const struct model_wait *a)
{
	return a->flags & IPCS_WAITF_CYCLE ? 0 : a->flags & IPCS_WAITF_STALL ? 1 : 2;
}

static int wait_cmp(const void *x, const void *y, void *arg)
{
	const struct model_wait *v = arg, *a = &v[*(const size_t *)x], *b = &v[*(const size_t *)y];

	if (rank(a) != rank(b))
		return rank(a) - rank(b);
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	if (a->found_ns != b->found_ns)
		return a->found_ns < b->found_ns ? -1 : 1;
	return (a->tid > b->tid) - (a->tid < b->tid);
}

static void wait_row(struct screen *scr, const int *x, const int *w, int y, const struct model_wait *m,
		     const struct viewer_info *info, __u64 end_ns, bool selected)
{
	enum scr_attr attr = selected ? SA_SELECTED : m->flags & IPCS_WAITF_CYCLE ? SA_WARN :
			     m->end_ns ? SA_DIM : SA_NORMAL;
	__u64 end = m->end_ns ? m->end_ns : end_ns;
	char buf[160];
	int cx;

	screen_fill_row(scr, y, attr);
	if (m->flags & IPCS_WAITF_CYCLE)
		snprintf(buf, sizeof(buf), "DEADLOCK %u", m->group);
	else
		snprintf(buf, sizeof(buf), "%s", m->flags & IPCS_WAITF_STALL ? "stall" : "waiting");
	screen_put_field(scr, x[WC_STATE], y, attr, buf, w[WC_STATE], 0);
	snprintf(buf, sizeof(buf), "%u/%u", m->pid, m->tid);
	screen_put_field(scr, x[WC_TID], y, attr, buf, w[WC_TID], 0);
	screen_put_esc(scr, x[WC_COMM], y, attr, m->comm, sizeof(m->comm), w[WC_COMM]);
	cx = screen_put(scr, x[WC_ON], y, attr, m->kind, w[WC_ON]);
	if (cx < x[WC_ON] + w[WC_ON] - 1)
		screen_put_esc(scr, cx + 1, y, attr, m->object, sizeof(m->object), x[WC_ON] + w[WC_ON] - cx - 1);
	if (m->holder_tid) {
		snprintf(buf, sizeof(buf), "%u/%u ", m->holder_pid, m->holder_tid);
		cx = screen_put(scr, x[WC_HELD], y, attr, buf, w[WC_HELD]);
		if (w[WC_HELD] >= 24 && cx < x[WC_HELD] + w[WC_HELD])	/* narrow: the holder only */
			screen_put_esc(scr, cx, y, attr, m->evidence, sizeof(m->evidence), x[WC_HELD] + w[WC_HELD] - cx);
	} else {
		screen_put_field(scr, x[WC_HELD], y, attr, "?", w[WC_HELD], 0);
	}
	snprintf(buf, sizeof(buf), "%.3fs", m->enter_ns > info->start_ns ?
		 (double)(m->enter_ns - info->start_ns) / 1e9 : 0.0);
	screen_put_field(scr, x[WC_SINCE], y, attr, buf, w[WC_SINCE], 1);
	snprintf(buf, sizeof(buf), "%.3fs%s", end > m->enter_ns ? (double)(end - m->enter_ns) / 1e9 : 0.0,
		 m->end_ns ? "" : "+");
	screen_put_field(scr, x[WC_FOR], y, attr, buf, w[WC_FOR], 1);
}

void view_waits_render(const struct snapshot *snap, const struct viewer_info *info,
		       struct view_state *vs, struct screen *scr, int y0, int rows)
{
	int x[WC_COUNT], w[WC_COUNT];
	size_t *idx = malloc((snap->nwaits ? snap->nwaits : 1) * sizeof(*idx)), n = 0;

	wait_layout(scr->w, x, w);
	view_header(scr, y0, wait_titles, x, w, wait_right, WC_COUNT, -1, false);
	rows--;
	if (!idx) {
		screen_put(scr, 1, y0 + 1, SA_WARN, "out of memory", -1);
		vs->nrows = 0;
		return;
	}
	for (size_t i = 0; i < snap->nwaits; i++)
		if (view_match(vs, snap->waits[i].comm, sizeof(snap->waits[i].comm)) ||
		    view_match(vs, snap->waits[i].object, sizeof(snap->waits[i].object)))
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), wait_cmp, snap->waits);
	view_scroll(vs, n, rows > 0 ? (size_t)rows : 1);
	for (size_t r = 0; r < (size_t)(rows > 0 ? rows : 0) && vs->top[VIEW_WAITS] + r < n; r++) {
		size_t i = vs->top[VIEW_WAITS] + r;

		wait_row(scr, x, w, y0 + 1 + (int)r, &snap->waits[idx[i]], info, snap->totals.last_ns,
			 i == vs->sel[VIEW_WAITS]);
	}
	if (!n)
		screen_put(scr, 1, y0 + 1, SA_DIM, snap->nwaits ? "(no wait matches the filter)" :
			   "(no thread was blocked for more than a second)", scr->w - 2);
	free(idx);
}
