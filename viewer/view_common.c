/*
 * view_common.c - what every view (view_*.c), the snapshot and the viewer
 * loop share, below them all: column headers, scrolling, the filter, number
 * formats, identity tests.
 */
#include <stdio.h>
#include <string.h>
#include "util/units.h"
#include "view_common.h"

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
	units_bytes(buf, n, v);
	if ((int)strlen(buf) > width) {	/* "575KiB": without the blank */
		char *sp = strchr(buf, ' ');

		if (sp)
			memmove(sp, sp + 1, strlen(sp));
	}
}

void view_fmt_dur(char *buf, size_t n, __u64 ns, bool none)
{
	if (none)
		snprintf(buf, n, "-");
	else
		units_dur(buf, n, ns);
}

bool view_proc_in(const struct model_proc_ref *v, size_t n, const struct model_proc_ref *p)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].pid == p->pid && v[i].start_ns == p->start_ns)
			return true;
	return false;
}

bool view_same_conv(const struct model_conv *x, const struct model_conv *y)
{
	return x->kind == y->kind && x->dev == y->dev && x->ino == y->ino &&
	       x->a.pid == y->a.pid && x->a.start_ns == y->a.start_ns &&
	       x->b.pid == y->b.pid && x->b.start_ns == y->b.start_ns;
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
