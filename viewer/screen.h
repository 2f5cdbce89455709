/*
 * screen.h - an off-screen grid of attributed cells. Views draw into it;
 * term.c paints it with curses; tests dump it as text. Nothing here knows
 * about curses.
 */
#ifndef IPCS_SCREEN_H
#define IPCS_SCREEN_H

#include <stddef.h>

enum scr_attr {
	SA_NORMAL,
	SA_HEADER,	/* column titles, tab bar */
	SA_SELECTED,	/* the cursor row */
	SA_STATUS,	/* the bottom line */
	SA_WARN,	/* drops > 0, damaged recording */
	SA_DIM,		/* exited processes, unobserved peers */
	SA_COUNT,
};

struct scr_cell {
	char ch;		/* always printable ASCII (0x20..0x7e) */
	unsigned char attr;	/* enum scr_attr */
};

struct screen {
	int w, h;
	struct scr_cell *cells;	/* h rows of w cells */
};

/* Allocate (or reallocate) a w x h screen filled with blanks; 0 or -ENOMEM/-EINVAL. */
int screen_resize(struct screen *s, int w, int h);
void screen_free(struct screen *s);
void screen_clear(struct screen *s);

/* Blank row y and give it attr. */
void screen_fill_row(struct screen *s, int y, enum scr_attr attr);

/*
 * Put our own text at (x, y), clipped to the screen and to at most max cells
 * (max < 0: no limit). Bytes outside printable ASCII show as '?': callers
 * must escape foreign strings first (screen_put_esc). Returns the x after it.
 */
int screen_put(struct screen *s, int x, int y, enum scr_attr attr, const char *text, int max);

/* Put a string from another program, escaped with esc_term (\xNN), clipped. */
int screen_put_esc(struct screen *s, int x, int y, enum scr_attr attr, const char *foreign,
		   size_t n, int max);

/* Same, but a string longer than max keeps its end: "..." + the last cells
 * (a path's file name says more than its first directories). */
int screen_put_esc_tail(struct screen *s, int x, int y, enum scr_attr attr, const char *foreign,
			size_t n, int max);

/* A field of exactly width cells: text left- or right-aligned, padded, clipped. */
void screen_put_field(struct screen *s, int x, int y, enum scr_attr attr, const char *text,
		      int width, int right);


/* The screen as text: one line per row, trailing blanks cut. Malloc'd; NULL on ENOMEM. */
char *screen_dump(const struct screen *s);

/* The attributes as letters, one per cell (' ' normal, H header, S selected,
 * T status, W warn, D dim), trailing blanks cut: golden tests of highlighting. */
char *screen_dump_attrs(const struct screen *s);

#endif
