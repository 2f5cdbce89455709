/*
 * texttable.h - text tables laid out to the output's width (report, stat):
 * columns get what their cells need; when the row is wider than the
 * output, the flexible columns (channel, names) give way, widest first, and
 * their cells are shortened with "..." or "~" (kinds and numbers never are).
 * Cells are our text or already escaped (esc_term): printable ASCII.
 */
#ifndef IPCS_TEXTTABLE_H
#define IPCS_TEXTTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Width of text output when it is not set: not a terminal and no COLUMNS. */
#define TT_DEFAULT_WIDTH 120

/* How a cell too long for its column is shortened. */
enum tt_fit {
	TT_FIXED,	/* never: the column keeps its widest cell */
	TT_END,		/* keep the start: "12187/demo-rp~" */
	TT_MID,		/* keep both ends: "/var/lib/...end.fifo"; a name "L<->R" keeps
			   each side's end (the ports): "~0.1:44437<->~0.1:46200" */
};

struct tt_col {
	const char *title;
	bool right;		/* right-aligned (numbers) */
	enum tt_fit fit;
	int min;		/* TT_END/TT_MID: never narrower than this */
	bool spare;		/* gives way before the others (a notes column) */
};

struct tt_row {
	char **cells;		/* ncols strings; NULL for a note row */
	char *note;		/* a note row: text from the column note_col on */
	int note_col;
};

struct texttable {
	const struct tt_col *cols;
	int ncols;
	struct tt_row *rows;
	size_t nrows, cap;
	int err;		/* -ENOMEM once an add failed (print says so) */
};

/* The width text output is laid out to: COLUMNS when set (a number from 20
 * to 4096), else the terminal's width when fd is one, else TT_DEFAULT_WIDTH. */
int tt_out_width(int fd);

void tt_init(struct texttable *t, const struct tt_col *cols, int ncols);
/* A row of ncols cells (NULL: empty); copied. */
void tt_add(struct texttable *t, const char *const *cells);
/* A line of our text starting under column col (spans the rest). */
void tt_note(struct texttable *t, int col, const char *text);
/* Lay out to width, print titles and rows to f. Column widths into w
 * (ncols ints) when w is not NULL. */
void tt_print(const struct texttable *t, FILE *f, int width, int *w);
void tt_free(struct texttable *t);

/* text shortened to at most width cells as fit says, into out (outsz > width). */
void tt_fit(const char *text, enum tt_fit fit, int width, char *out, size_t outsz);

#endif
