/* texttable.c - text tables laid out to the output's width (see texttable.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "util/texttable.h"
#include "util/vec.h"

int tt_out_width(int fd)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;

	if (env && *env) {
		char *end;
		long v = strtol(env, &end, 10);

		if (!*end && v >= 20 && v <= 4096)
			return (int)v;
	}
	if (isatty(fd) && !ioctl(fd, TIOCGWINSZ, &ws) && ws.ws_col >= 20)
		return ws.ws_col;
	return TT_DEFAULT_WIDTH;
}

void tt_init(struct texttable *t, const struct tt_col *cols, int ncols)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols;
}

static struct tt_row *new_row(struct texttable *t)
{
	if (t->err)
		return NULL;
	t->err = vec_grow((void **)&t->rows, &t->cap, t->nrows + 1, sizeof(*t->rows), 32);
	if (t->err)
		return NULL;
	memset(&t->rows[t->nrows], 0, sizeof(t->rows[0]));
	return &t->rows[t->nrows++];
}

static void drop_last(struct texttable *t)
{
	struct tt_row *r = &t->rows[--t->nrows];

	if (r->cells)
		for (int c = 0; c < t->ncols; c++)
			free(r->cells[c]);
	free(r->cells);
	free(r->note);
	t->err = -ENOMEM;
}

void tt_add(struct texttable *t, const char *const *cells)
{
	struct tt_row *r = new_row(t);

	if (!r)
		return;
	r->cells = calloc((size_t)t->ncols, sizeof(*r->cells));
	if (!r->cells) {
		drop_last(t);
		return;
	}
	for (int c = 0; c < t->ncols; c++) {
		r->cells[c] = strdup(cells[c] ? cells[c] : "");
		if (!r->cells[c]) {
			drop_last(t);
			return;
		}
	}
}

void tt_note(struct texttable *t, int col, const char *text)
{
	struct tt_row *r = new_row(t);

	if (!r)
		return;
	r->note_col = col < t->ncols ? col : 0;
	r->note = strdup(text);
	if (!r->note)
		drop_last(t);
}

void tt_free(struct texttable *t)
{
	while (t->nrows)
		drop_last(t);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

/* The first n cells of s, then "...", then the last m (n + m + 3 <= width). */
static void head_tail(const char *s, size_t len, int width, bool keep_end, char *out, size_t outsz)
{
	size_t tail, head;

	if (!keep_end && width >= 2) {	/* the start, "~" for the rest */
		snprintf(out, outsz, "%.*s~", width - 1, s);
		return;
	}
	if (width < 4) {	/* no room for "...": a plain cut */
		snprintf(out, outsz, "%.*s", width, s);
		return;
	}
	tail = keep_end ? ((size_t)width - 3 + 1) / 2 : 0;
	if (keep_end && strchr(s, '/'))	/* a path: its file name says most */
		tail = (size_t)width - 3 - ((size_t)width - 3) / 3;
	head = (size_t)width - 3 - tail;
	snprintf(out, outsz, "%.*s...%s", (int)head, s, s + len - tail);
}

void tt_fit(const char *text, enum tt_fit fit, int width, char *out, size_t outsz)
{
	size_t len = strlen(text);
	const char *arrow = fit == TT_MID ? strstr(text, "<->") : NULL;

	if (width < 0)
		width = 0;
	if (fit == TT_FIXED || len <= (size_t)width) {
		snprintf(out, outsz, "%s", text);
		return;
	}
	if (arrow && width >= 9) {
		/* Two endpoints: each side keeps its end (the port), "~" for the
		 * rest of its address. */
		size_t l = (size_t)(arrow - text), r = len - l - 3;
		int lw = (width - 3) / 2, rw = width - 3 - lw;
		char a[256], b[256], ls[256];

		if (l < sizeof(ls)) {
			memcpy(ls, text, l);
			ls[l] = '\0';
			if (l <= (size_t)lw) {
				rw += lw - (int)l;
				lw = (int)l;
			} else if (r <= (size_t)rw) {
				lw += rw - (int)r;
				rw = (int)r;
			}
			if (l <= (size_t)lw)
				snprintf(a, sizeof(a), "%s", ls);
			else
				snprintf(a, sizeof(a), "~%s", ls + l - (size_t)(lw - 1));
			if (r <= (size_t)rw)
				snprintf(b, sizeof(b), "%s", arrow + 3);
			else
				snprintf(b, sizeof(b), "~%s", arrow + 3 + r - (size_t)(rw - 1));
			snprintf(out, outsz, "%s<->%s", a, b);
			return;
		}
	}
	head_tail(text, len, width, fit == TT_MID, out, outsz);
}

/* Widths: every cell whole if that fits, else the flexible columns give way. */
static int layout(const struct texttable *t, int width, int *w)
{
	int total, gap = 2;

	for (int c = 0; c < t->ncols; c++)
		w[c] = (int)strlen(t->cols[c].title);
	for (size_t i = 0; i < t->nrows; i++) {
		if (!t->rows[i].cells)
			continue;
		for (int c = 0; c < t->ncols; c++) {
			int len = (int)strlen(t->rows[i].cells[c]);

			if (len > w[c])
				w[c] = len;
		}
	}
	/* No flexible column takes more than half the line: one long path
	 * should not push every other column off to the right. */
	for (int c = 0; c < t->ncols; c++) {
		int min = t->cols[c].min > (int)strlen(t->cols[c].title) ?
			  t->cols[c].min : (int)strlen(t->cols[c].title);

		if (t->cols[c].fit != TT_FIXED && w[c] > width / 2)
			w[c] = width / 2 > min ? width / 2 : min;
	}
	for (;;) {
		total = -gap;
		for (int c = 0; c < t->ncols; c++)
			total += w[c] ? w[c] + gap : 0;	/* a spare column gone takes no gap */
		if (total <= width)
			return gap;
		if (gap == 2) {
			gap = 1;
			continue;
		}
		int widest = -1;

		/* Spare columns first, then the widest of the others. */
		for (int pass = 0; pass < 2 && widest < 0; pass++) {
			for (int c = 0; c < t->ncols; c++) {
				int min = t->cols[c].min > (int)strlen(t->cols[c].title) ?
					  t->cols[c].min : (int)strlen(t->cols[c].title);

				if (t->cols[c].spare)
					min = 0;	/* may go entirely */

				if (t->cols[c].fit != TT_FIXED && t->cols[c].spare == !pass && w[c] > min &&
				    (widest < 0 || w[c] > w[widest]))
					widest = c;
			}
		}
		if (widest < 0)
			return gap;	/* as narrow as it gets: rows wrap */
		w[widest]--;
	}
}

static void print_cells(const struct texttable *t, FILE *f, const int *w, int gap,
			const char *const *cells)
{
	char buf[4096];
	int last = t->ncols - 1;

	/* Trailing blanks cut: the last non-empty cell ends the line. */
	while (last > 0 && (!cells[last][0] || !w[last]))
		last--;
	for (int c = 0; c <= last; c++) {
		const struct tt_col *col = &t->cols[c];

		if (!w[c])
			continue;	/* a spare column with no room */

		tt_fit(cells[c], col->fit, w[c], buf, sizeof(buf));
		if (c)
			fprintf(f, "%*s", gap, "");
		if (col->right)
			fprintf(f, "%*s", w[c], buf);
		else if (c == last)
			fputs(buf, f);
		else
			fprintf(f, "%-*s", w[c], buf);
	}
	fputc('\n', f);
}

void tt_print(const struct texttable *t, FILE *f, int width, int *wout)
{
	int wbuf[32], *w = wbuf, gap;
	const char *titles[32];

	if (t->ncols > 32)
		return;
	gap = layout(t, width, w);
	for (int c = 0; c < t->ncols; c++)
		titles[c] = t->cols[c].title;
	print_cells(t, f, w, gap, titles);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct tt_row *r = &t->rows[i];

		if (r->cells) {
			print_cells(t, f, w, gap, (const char *const *)r->cells);
			continue;
		}
		int x = 0;

		for (int c = 0; c < r->note_col; c++)
			x += w[c] + gap;
		/* Too long under its column: from the margin instead. */
		if (x + (int)strlen(r->note) > width)
			x = width - (int)strlen(r->note) > 2 ? 2 : 0;
		fprintf(f, "%*s%s\n", x, "", r->note);
	}
	if (t->err)
		fprintf(f, "(table cut short: out of memory)\n");
	if (wout)
		memcpy(wout, w, (size_t)t->ncols * sizeof(*w));
}
