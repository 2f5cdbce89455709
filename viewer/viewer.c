/* viewer.c - whole-screen layout (tabs, view, status line, help) and the UI loop. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "log.h"
#include "term.h"
#include "util/escape.h"
#include "util/units.h"
#include "viewer.h"
#include "views.h"
#include "util/clock.h"

static void render_tabs(const struct viewer_info *info, const struct view_state *vs,
			struct screen *scr)
{
	static const char *const names[VIEW_COUNT] = {
		" 1 Conversations ", " 2 Processes ", " 3 Sequence ", " 4 Waits ",
	};
	int x = screen_put(scr, 0, 0, SA_NORMAL, " ipcscope ", -1);
	const char *hint = "? help  q quit ";

	for (int v = 0; v < VIEW_COUNT; v++) {
		/* the waits tab shows when there are any (or it is open) */
		if (v == VIEW_WAITS && !vs->waits_tab)
			continue;
		x = screen_put(scr, x + 1, 0, v == (int)vs->view ? SA_SELECTED : SA_HEADER, names[v], -1);
	}
	/* A damaged recording matters more than the hint: the hint makes room for it. */
	if (info->warning) {
		char esc[512];
		int room = scr->w - x - 3;

		esc_term(info->warning, 512, esc, sizeof(esc));
		if ((int)strlen(esc) + 2 + (int)strlen(hint) <= room)
			screen_put(scr, scr->w - (int)strlen(hint), 0, SA_NORMAL, hint, -1);
		x = screen_put(scr, x + 2, 0, SA_WARN, " ", -1);
		screen_put(scr, x, 0, SA_WARN, esc, room - 1);
		return;
	}
	screen_put(scr, scr->w - (int)strlen(hint), 0, SA_NORMAL, hint, -1);
}

/* events (and events/s), drops (never hidden; WARN when > 0), filter, source
 * and file, the feed's state, time. The time comes early enough to survive 80 columns. */
static void render_status(const struct snapshot *snap, const struct viewer_info *info,
			  const struct view_state *vs, struct screen *scr)
{
	int y = scr->h - 1, x;
	__u64 drops = snap->totals.drops_total, span;
	char buf[128];

	span = snap->now_ns > info->start_ns ? snap->now_ns - info->start_ns : 0;
	screen_fill_row(scr, y, SA_STATUS);
	snprintf(buf, sizeof(buf), " %" PRIu64 " events", (uint64_t)snap->totals.events);
	x = screen_put(scr, 0, y, SA_STATUS, buf, -1);
	if (snap->ev_rate >= 0) {
		snprintf(buf, sizeof(buf), " %.0f/s", snap->ev_rate);
		x = screen_put(scr, x, y, SA_STATUS, buf, -1);
	}
	x = screen_put(scr, x, y, SA_STATUS, "  ", -1);
	snprintf(buf, sizeof(buf), "drops %" PRIu64, (uint64_t)drops);
	x = screen_put(scr, x, y, drops ? SA_WARN : SA_STATUS, buf, -1);
	if (vs->editing_jump) {
		x = screen_put(scr, x, y, SA_STATUS, "  jump to (seconds): ", -1);
		x = screen_put(scr, x, y, SA_STATUS, vs->jump, -1);
		screen_put(scr, x, y, SA_SELECTED, "_", -1);
		return;
	}
	x = screen_put(scr, x, y, SA_STATUS, "  filter: ", -1);
	x = screen_put_esc(scr, x, y, SA_STATUS, vs->filter, sizeof(vs->filter), -1);
	if (vs->editing_filter)
		x = screen_put(scr, x, y, SA_SELECTED, "_", -1);
	else if (!vs->filter[0])
		x = screen_put(scr, x, y, SA_STATUS, "-", -1);
	if (vs->kind) {
		snprintf(buf, sizeof(buf), " kind %s", ipcs_kind_name(vs->kind));
		x = screen_put(scr, x, y, SA_STATUS, buf, -1);
	}
	snprintf(buf, sizeof(buf), "  %s %.3f s", info->source ? info->source : "", (double)span / 1e9);
	x = screen_put(scr, x, y, SA_STATUS, buf, -1);
	if (snap->state[0]) {
		x = screen_put(scr, x, y, SA_STATUS, " ", -1);
		x = screen_put_esc(scr, x, y, SA_STATUS, snap->state, sizeof(snap->state), -1);
	}
	if (info->file) {
		x = screen_put(scr, x, y, SA_STATUS, "  ", -1);
		screen_put_esc(scr, x, y, SA_STATUS, info->file, 4096, -1);
	}
}

/* The key table in a box; two columns when one does not fit the height. */
static void render_help(struct screen *scr)
{
	size_t n = keys_help_count();
	int cols = (int)n + 4 <= scr->h - 2 ? 1 : 2, per = ((int)n + cols - 1) / cols;
	int cw = cols == 1 ? 44 : 38, w = cols * cw + 4, h = per + 4, x0, y0;
	const char *keys, *what;
	char line[160];

	if (w > scr->w)
		w = scr->w;
	if (h > scr->h - 2)
		h = scr->h - 2;
	if (w < 10 || h < 3)
		return;
	x0 = (scr->w - w) / 2;
	y0 = (scr->h - h) / 2;
	for (int y = y0; y < y0 + h; y++) {
		bool edge = y == y0 || y == y0 + h - 1;

		for (int x = x0; x < x0 + w; x++)
			screen_put(scr, x, y, SA_HEADER,
				   edge ? (x == x0 || x == x0 + w - 1 ? "+" : "-") :
				   (x == x0 || x == x0 + w - 1 ? "|" : " "), 1);
	}
	screen_put(scr, x0 + 2, y0, SA_HEADER, " keys ", -1);
	for (size_t i = 0; i < n; i++) {
		int c = (int)i / per, r = (int)i % per, x = x0 + 2 + c * cw;

		if (r >= h - 4)
			continue;
		keys_help_line(i, &keys, &what);
		snprintf(line, sizeof(line), "%-10s %s", keys, what);
		screen_put(scr, x, y0 + 2 + r, SA_HEADER, line, (c + 1 == cols ? x0 + w - 2 : x + cw - 1) - x);
	}
}

void viewer_render(const struct snapshot *snap, const struct viewer_info *info,
		   struct view_state *vs, struct screen *scr)
{
	int rows = scr->h - 2;	/* tabs above, status below */

	screen_clear(scr);
	vs->waits_tab = snap->nwaits || vs->view == VIEW_WAITS;
	vs->hidden_cols = 0;
	vs->row0 = vs->view == VIEW_DETAIL ? -1 : 2;	/* tabs, titles, then the rows */
	render_tabs(info, vs, scr);
	if (rows > 0) {
		if (vs->view == VIEW_PROCS)
			view_procs_render(snap, vs, scr, 1, rows);
		else if (vs->view == VIEW_WAITS)
			view_waits_render(snap, info, vs, scr, 1, rows);
		else if (vs->view == VIEW_DETAIL)
			view_detail_render(snap, info, vs, scr, 1, rows);
		else
			view_convs_render(snap, info, vs, scr, 1, rows);
	}
	if (scr->h > 1)
		render_status(snap, info, vs, scr);
	if (vs->help)
		render_help(scr);
}

/* The loop's state: what is shown and what it was computed from. */
struct vloop {
	const struct viewer_feed *f;
	const struct viewer_info *info;
	struct view_state vs;
	struct snapshot snap;
	struct screen scr;
	__u64 prev_events, prev_now;	/* for events/s */
};

/* A new snapshot; events per second between two of them, by the feed's clock. */
static void take_snapshot(struct vloop *l)
{
	struct snapshot n;
	char state[sizeof(n.state)] = "";
	__u64 now = l->f->now(l->f->ctx, state, sizeof(state));
	struct seq_select sel;

	view_seq_select(&l->vs, &sel);
	if (snapshot_build(l->f->model(l->f->ctx), &sel, &n))
		return;	/* out of memory: keep showing the last one */
	n.now_ns = now;
	memcpy(n.state, state, sizeof(n.state));
	n.ev_rate = -1;
	if (l->prev_now && now > l->prev_now && n.totals.events >= l->prev_events)
		n.ev_rate = (double)(n.totals.events - l->prev_events) * 1e9 / (double)(now - l->prev_now);
	else if (l->prev_now == now && l->snap.ev_rate >= 0)
		n.ev_rate = l->snap.ev_rate;	/* a redraw between ticks */
	if (now != l->prev_now) {
		l->prev_events = n.totals.events;
		l->prev_now = now;
	}
	snapshot_free(&l->snap);
	l->snap = n;
}

/* Render into the buffer and paint it; curses sends the terminal only what changed. */
static int draw(struct vloop *l)
{
	int w, h, err = 0;

	term_size(&w, &h);
	if (w != l->scr.w || h != l->scr.h)
		err = screen_resize(&l->scr, w, h);
	if (err)
		return err;
	viewer_render(&l->snap, l->info, &l->vs, &l->scr);
	term_paint(&l->scr);
	return 0;
}

/* Keys waiting (the first up to wait_ms): each acts on what the screen shows, so each is drawn. */
static int handle_keys(struct vloop *l, int wait_ms, int *react)
{
	int err = 0;

	for (int k = term_key(wait_ms); k >= 0 && !err; k = term_key(0)) {
		int r = keys_handle(&l->vs, k);

		*react |= r;
		if (r & REACT_QUIT)
			break;
		if ((r & REACT_CTL) && l->f->control)
			err = l->f->control(l->f->ctx, l->vs.ctl, l->vs.ctl_arg);
		if (!err && (r & (REACT_CTL | REACT_RESNAP)))
			take_snapshot(l);
		if (!err && (r & (REACT_REDRAW | REACT_CTL | REACT_RESNAP)))
			err = draw(l);
	}
	return err;
}

int viewer_run(const struct viewer_feed *f, const struct viewer_info *info, int frames)
{
	struct vloop l = { .f = f, .info = info, .snap = { .ev_rate = -1 } };
	int err, frame = 0, react = REACT_NONE;
	__u64 last_tick = 0, t;

	view_state_init(&l.vs);
	l.vs.kind = info->kind;
	err = term_init();
	if (err) {
		log_error("cannot start the viewer: stdin and stdout must be a terminal that terminfo "
			  "knows (TERM=%s); --plain prints lines instead", getenv("TERM") ? getenv("TERM") : "");
		return err;
	}
	while (!(react & REACT_QUIT) && !term_stop_requested()) {
		err = f->pump(f->ctx, f->live ? 50 : 0);
		if (err)
			break;
		t = mono_ns();
		/* Once a second: new figures, drawn over the old ones. */
		if (t - last_tick >= 1000000000ull) {
			last_tick = t;
			take_snapshot(&l);
			err = draw(&l);
			if (err || (frames > 0 && ++frame >= frames))
				break;
		}
		/* Live waits in the ring buffer poll, a replay here. */
		err = handle_keys(&l, f->live ? 0 : 50, &react);
		if (err)
			break;
	}
	term_fini();
	screen_free(&l.scr);
	snapshot_free(&l.snap);
	if (err)
		log_error("viewer: %s", strerror(-err));
	return err;
}
