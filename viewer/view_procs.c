/* view_procs.c - the processes view: per process, channels, bytes out/in and its cgroup;
 * a wide COMM column shows the process's title (its command line) when known. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/escape.h"
#include "views.h"

static const char *const proc_titles[PC_COUNT] = {
	"PID", "COMM", "CHANS", "PEERS", "OUT", "IN", "BLOCKED", "STATE", "CGROUP",
};
static const bool proc_right[PC_COUNT] = {
	[PC_PID] = true, [PC_CHANS] = true, [PC_PEERS] = true, [PC_OUT] = true, [PC_IN] = true,
	[PC_BLOCKED] = true,
};

/* CGROUP gets what is left at the right, when that is at least MIN_CGROUP
 * cells (else it is hidden and sorting skips it). */
#define MIN_CGROUP 12
/* COMM shows the title instead of comm from this width (wide terminals). */
#define MIN_TITLE 24

/* COMM shows a title at most this wide, so CGROUP keeps room on wide terminals. */
#define MAX_TITLE 64

static void proc_place(int *x, const int *w)
{
	for (int c = 0, pos = 1; c < PC_COUNT; c++) {
		x[c] = pos;
		pos += w[c] + 1;
	}
}

/* Fixed widths, COMM as wide as the longest name shown (escaped, at most a whole escaped comm),
 * widened towards the longest title shown while CGROUP keeps MIN_CGROUP cells; CGROUP the rest
 * of the line. */
static void proc_layout(int width, int comm, int title, int *x, int *w, unsigned *hidden)
{
	int end;

	w[PC_PID] = 7;
	w[PC_COMM] = comm < 4 ? 4 : comm;
	w[PC_CHANS] = 5;
	w[PC_PEERS] = 5;
	w[PC_OUT] = 8;
	w[PC_IN] = 8;
	w[PC_BLOCKED] = 9;
	w[PC_STATE] = 9;
	w[PC_CGROUP] = 0;
	proc_place(x, w);
	end = width - x[PC_CGROUP] - 1;
	if (title > w[PC_COMM] && end - MIN_CGROUP > 0) {
		int room = end - MIN_CGROUP, more = title - w[PC_COMM];

		w[PC_COMM] += more < room ? more : room;
		if (w[PC_COMM] < MIN_TITLE && comm < MIN_TITLE)
			w[PC_COMM] = comm < 4 ? 4 : comm;	/* too narrow for a title: the comm */
		proc_place(x, w);
		end = width - x[PC_CGROUP] - 1;
	}
	if (end >= MIN_CGROUP)
		w[PC_CGROUP] = end;
	else
		*hidden |= 1u << PC_CGROUP;
}

/* The longest escaped comm among the rows on screen; *title the longest escaped title (capped). */
static int comm_need(const struct snapshot *snap, const size_t *idx, size_t n, int *title)
{
	char buf[IPCS_COMM_LEN * 4 + 1], tbuf[MAX_TITLE * 4 + 1];
	int w = 4;

	*title = 0;
	for (size_t i = 0; i < n; i++) {
		const struct model_proc *p = &snap->procs[idx[i]].p;
		int len = (int)esc_term(p->ref.comm, IPCS_COMM_LEN, buf, sizeof(buf));

		w = len > w ? len : w;
		if (p->cmdline[0]) {
			len = (int)esc_term(p->cmdline, sizeof(p->cmdline), tbuf, sizeof(tbuf));
			len = len > MAX_TITLE ? MAX_TITLE : len;
			*title = len > *title ? len : *title;
		}
	}
	return w;
}

/* Its path; an id the recording does not name; "-" unknown. */
static void put_cgroup(struct screen *scr, int x, int y, int w, enum scr_attr attr,
		       const struct model_proc *p)
{
	char buf[32];

	if (!w)
		return;
	if (p->cgroup[0]) {
		screen_put_esc_tail(scr, x, y, attr, p->cgroup, sizeof(p->cgroup), w);
		return;
	}
	if (p->cgroup_id)
		snprintf(buf, sizeof(buf), "id %llu", (unsigned long long)p->cgroup_id);
	else
		snprintf(buf, sizeof(buf), "-");
	screen_put_field(scr, x, y, attr, buf, w, 0);
}

static int cmp_u64(__u64 a, __u64 b)
{
	return a < b ? -1 : a > b;
}

static int proc_cmp_col(const struct snap_proc *a, const struct snap_proc *b, int col)
{
	switch (col) {
	case PC_PID: return cmp_u64(a->p.ref.pid, b->p.ref.pid);
	case PC_COMM: return strncmp(a->p.ref.comm, b->p.ref.comm, IPCS_COMM_LEN);
	case PC_CHANS: return cmp_u64(a->channels, b->channels);
	case PC_PEERS: return cmp_u64(a->peers, b->peers);
	case PC_BLOCKED: return cmp_u64(a->blocked_ns, b->blocked_ns);
	case PC_OUT: return cmp_u64(a->bytes_out, b->bytes_out);
	case PC_IN: return cmp_u64(a->bytes_in, b->bytes_in);
	case PC_STATE: return cmp_u64(a->p.exited, b->p.exited);
	case PC_CGROUP: {
		int r = strcmp(a->p.cgroup, b->p.cgroup);

		return r ? r : cmp_u64(a->p.cgroup_id, b->p.cgroup_id);
	}
	}
	return 0;
}

struct sort_ctx {
	const struct snap_proc *v;
	int col;
	bool desc;
};

static int proc_cmp(const void *x, const void *y, void *arg)
{
	const struct sort_ctx *sc = arg;
	const struct snap_proc *a = &sc->v[*(const size_t *)x], *b = &sc->v[*(const size_t *)y];
	int r = proc_cmp_col(a, b, sc->col);

	if (sc->desc)
		r = -r;
	if (!r)
		r = cmp_u64(a->p.ref.pid, b->p.ref.pid);
	if (!r)
		r = cmp_u64(a->p.ref.start_ns, b->p.ref.start_ns);
	return r;
}

static void proc_row(struct screen *scr, const int *x, const int *w, int y,
		     const struct snap_proc *p, bool selected, bool marked)
{
	enum scr_attr attr = selected ? SA_SELECTED : p->p.exited ? SA_DIM : SA_NORMAL;
	char buf[32];

	screen_fill_row(scr, y, attr);
	if (marked)
		screen_put(scr, 0, y, attr, "*", 1);
	snprintf(buf, sizeof(buf), "%u", p->p.ref.pid);
	screen_put_field(scr, x[PC_PID], y, attr, buf, w[PC_PID], 1);
	/* "postgres: checkpointer" says which postgres: the title where there is room */
	if (p->p.cmdline[0] && w[PC_COMM] >= MIN_TITLE)
		screen_put_esc(scr, x[PC_COMM], y, attr, p->p.cmdline, sizeof(p->p.cmdline),
			       w[PC_COMM]);
	else
		screen_put_esc(scr, x[PC_COMM], y, attr, p->p.ref.comm, IPCS_COMM_LEN, w[PC_COMM]);
	snprintf(buf, sizeof(buf), "%zu", p->channels);
	screen_put_field(scr, x[PC_CHANS], y, attr, buf, w[PC_CHANS], 1);
	snprintf(buf, sizeof(buf), "%zu", p->peers);
	screen_put_field(scr, x[PC_PEERS], y, attr, buf, w[PC_PEERS], 1);
	view_fmt_bytes(buf, sizeof(buf), p->bytes_out, w[PC_OUT]);
	screen_put_field(scr, x[PC_OUT], y, attr, buf, w[PC_OUT], 1);
	view_fmt_bytes(buf, sizeof(buf), p->bytes_in, w[PC_IN]);
	screen_put_field(scr, x[PC_IN], y, attr, buf, w[PC_IN], 1);
	view_fmt_dur(buf, sizeof(buf), p->blocked_ns, false);
	screen_put_field(scr, x[PC_BLOCKED], y, attr, buf, w[PC_BLOCKED], 1);
	if (p->p.exited)
		snprintf(buf, sizeof(buf), "exited %d", p->p.exit_code);
	else
		snprintf(buf, sizeof(buf), "running");
	screen_put_field(scr, x[PC_STATE], y, attr, buf, w[PC_STATE], 0);
	put_cgroup(scr, x[PC_CGROUP], y, w[PC_CGROUP], attr, &p->p);
}

void view_procs_render(const struct snapshot *snap, struct view_state *vs, struct screen *scr,
		       int y0, int rows)
{
	int x[PC_COUNT], w[PC_COUNT];
	struct sort_ctx sc = { .v = snap->procs, .col = vs->sort_col[VIEW_PROCS],
			       .desc = vs->sort_desc[VIEW_PROCS] };
	size_t *idx = malloc((snap->nprocs ? snap->nprocs : 1) * sizeof(*idx)), n = 0;

	size_t top, shown;
	int title, comm;

	if (!idx) {
		screen_put(scr, 1, y0 + 1, SA_WARN, "out of memory", -1);
		vs->nrows = 0;
		return;
	}
	for (size_t i = 0; i < snap->nprocs; i++)
		if (view_match(vs, snap->procs[i].p.ref.comm, IPCS_COMM_LEN) ||
		    (snap->procs[i].p.cmdline[0] &&
		     view_match(vs, snap->procs[i].p.cmdline, sizeof(snap->procs[i].p.cmdline))))
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), proc_cmp, &sc);
	rows--;
	view_scroll(vs, n, rows > 0 ? (size_t)rows : 1);
	top = vs->top[VIEW_PROCS];
	shown = n - top < (size_t)(rows > 0 ? rows : 0) ? n - top : (size_t)(rows > 0 ? rows : 0);
	comm = comm_need(snap, idx + top, shown, &title);

	proc_layout(scr->w, comm, title, x, w, &vs->hidden_cols);
	view_header(scr, y0, proc_titles, x, w, proc_right, PC_COUNT, sc.col, sc.desc);
	for (size_t r = 0; r < (size_t)(rows > 0 ? rows : 0) && vs->top[VIEW_PROCS] + r < n; r++) {
		size_t i = vs->top[VIEW_PROCS] + r;

		proc_row(scr, x, w, y0 + 1 + (int)r, &snap->procs[idx[i]], i == vs->sel[VIEW_PROCS],
			 view_proc_in(vs->group, vs->ngroup, &snap->procs[idx[i]].p.ref));
	}
	vs->cur_proc_valid = n > 0;
	if (n)
		vs->cur_proc = snap->procs[idx[vs->sel[VIEW_PROCS]]].p.ref;
	if (!n)
		screen_put(scr, 1, y0 + 1, SA_DIM, snap->nprocs ? "(no process matches the filter)" :
			   "(no processes seen)", scr->w - 2);
	free(idx);
}
