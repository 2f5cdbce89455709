/* viewer.c - whole-screen layout (tabs, view, status line, help) and the UI loop. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "term.h"
#include "viewer.h"

void view_scroll(struct view_state *vs, size_t n, size_t rows)
{
	size_t *sel = &vs->sel[vs->view], *top = &vs->top[vs->view];

	vs->nrows = n;
	vs->page = rows;
	if (*sel >= n)
		*sel = n ? n - 1 : 0;
	if (*sel < *top)
		*top = *sel;
	if (*sel >= *top + rows)
		*top = *sel - rows + 1;
	if (*top + rows > n)	/* no blank rows below the end when there is more above */
		*top = n > rows ? n - rows : 0;
}

bool view_match(const struct view_state *vs, const char *s, size_t n)
{
	return !vs->filter[0] || memmem(s, strnlen(s, n), vs->filter, strlen(vs->filter));
}

void view_fmt_bytes(char *buf, size_t n, __u64 v, int width)
{
	static const char units[] = "KMGTPE";
	double d = (double)v;
	int u = -1;

	snprintf(buf, n, "%" PRIu64, (uint64_t)v);
	if ((int)strlen(buf) <= width)
		return;
	do {
		d /= 1024;
		u++;
		snprintf(buf, n, "%.1f%c", d, units[u]);
	} while ((int)strlen(buf) > width && u < 5);
}

static void render_tabs(const struct viewer_info *info, const struct view_state *vs,
			struct screen *scr)
{
	static const char *const names[VIEW_COUNT] = { " 1 Conversations ", " 2 Processes ", " 3 Waits " };
	int x = screen_put(scr, 0, 0, SA_NORMAL, " ipcscope ", -1);
	const char *hint = "? help  q quit ";

	for (int v = 0; v < VIEW_COUNT; v++) {
		/* the waits tab shows when there are any (or it is open) */
		if (v == VIEW_WAITS && !vs->waits_tab)
			continue;
		x = screen_put(scr, x + 1, 0, v == (int)vs->view ? SA_SELECTED : SA_HEADER, names[v], -1);
	}
	if (info->warning) {
		x = screen_put(scr, x + 2, 0, SA_WARN, " ", -1);
		screen_put_esc(scr, x, 0, SA_WARN, info->warning, 512, scr->w - x - (int)strlen(hint) - 1);
	}
	screen_put(scr, scr->w - (int)strlen(hint), 0, SA_NORMAL, hint, -1);
}

/* events, drops (never hidden; WARN when > 0), filter, source + file, time. */
static void render_status(const struct snapshot *snap, const struct viewer_info *info,
			  const struct view_state *vs, struct screen *scr)
{
	int y = scr->h - 1, x;
	__u64 drops = snap->totals.drops_total, span;
	char buf[128];
	span = snap->totals.last_ns > info->start_ns ? snap->totals.last_ns - info->start_ns : 0;
	screen_fill_row(scr, y, SA_STATUS);
	snprintf(buf, sizeof(buf), " %" PRIu64 " events  ", (uint64_t)snap->totals.events);
	x = screen_put(scr, 0, y, SA_STATUS, buf, -1);
	snprintf(buf, sizeof(buf), "drops %" PRIu64, (uint64_t)drops);
	x = screen_put(scr, x, y, drops ? SA_WARN : SA_STATUS, buf, -1);
	x = screen_put(scr, x, y, SA_STATUS, "  filter: ", -1);
	x = screen_put_esc(scr, x, y, SA_STATUS, vs->filter, sizeof(vs->filter), -1);
	if (vs->editing_filter)
		x = screen_put(scr, x, y, SA_SELECTED, "_", -1);
	else if (!vs->filter[0])
		x = screen_put(scr, x, y, SA_STATUS, "-", -1);
	snprintf(buf, sizeof(buf), "  %s ", info->source ? info->source : "");
	x = screen_put(scr, x, y, SA_STATUS, buf, -1);
	if (info->file)
		x = screen_put_esc(scr, x, y, SA_STATUS, info->file, 4096, -1);
	snprintf(buf, sizeof(buf), "  %.3f s", (double)span / 1e9);
	screen_put(scr, x, y, SA_STATUS, buf, -1);
}

static void render_help(struct screen *scr)
{
	size_t n = keys_help_count();
	int w = scr->w - 4 < 64 ? scr->w - 4 : 64, h = (int)n + 4, x0, y0;
	const char *keys, *what;
	char line[160];

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
	for (size_t i = 0; i < n && (int)i < h - 4; i++) {
		keys_help_line(i, &keys, &what);
		snprintf(line, sizeof(line), "%-11s %s", keys, what);
		screen_put(scr, x0 + 2, y0 + 2 + (int)i, SA_HEADER, line, w - 4);
	}
}

void viewer_render(const struct snapshot *snap, const struct viewer_info *info,
		   struct view_state *vs, struct screen *scr)
{
	int rows = scr->h - 2;	/* tabs above, status below */

	screen_clear(scr);
	vs->waits_tab = snap->nwaits || vs->view == VIEW_WAITS;
	render_tabs(info, vs, scr);
	if (rows > 0) {
		if (vs->view == VIEW_PROCS)
			view_procs_render(snap, vs, scr, 1, rows);
		else if (vs->view == VIEW_WAITS)
			view_waits_render(snap, info, vs, scr, 1, rows);
		else
			view_convs_render(snap, info, vs, scr, 1, rows);
	}
	if (scr->h > 1)
		render_status(snap, info, vs, scr);
	if (vs->help)
		render_help(scr);
}

int viewer_run(const struct model *m, const struct viewer_info *info, int frames)
{
	struct snapshot snap;
	struct view_state vs;
	struct screen scr = { 0 };
	int err, w, h, frame = 0, react = REACT_REDRAW;

	view_state_init(&vs);
	err = snapshot_build(m, &snap);
	if (err)
		return err;
	err = term_init();
	if (err) {
		log_error("cannot start the viewer: stdin and stdout must be a terminal that terminfo "
			  "knows (TERM=%s); --plain prints lines instead", getenv("TERM") ? getenv("TERM") : "");
		snapshot_free(&snap);
		return err;
	}
	while (!(react & REACT_QUIT) && !term_stop_requested()) {
		if (react & REACT_REDRAW) {
			term_size(&w, &h);
			if (w != scr.w || h != scr.h)
				err = screen_resize(&scr, w, h);
			if (err)
				break;
			viewer_render(&snap, info, &vs, &scr);
			term_paint(&scr);
			if (frames > 0 && ++frame >= frames)
				break;
		}
		/* A recording does not change: a refresh tick only matters for --frames. */
		int k = term_key(frames > 0 ? 200 : 1000);

		react = k < 0 ? (frames > 0 ? REACT_REDRAW : REACT_NONE) : keys_handle(&vs, k);
	}
	term_fini();
	screen_free(&scr);
	snapshot_free(&snap);
	if (err)
		log_error("viewer: %s", strerror(-err));
	return err;
}
