/*
 * viewer.h - the interactive viewer. Rendering is a pure function of a
 * snapshot of the model and the view state into a screen buffer (view_*.c);
 * term.c alone talks to curses. The model never includes any of this.
 */
#ifndef IPCS_VIEWER_H
#define IPCS_VIEWER_H

#include <stdbool.h>
#include <stddef.h>
#include "keys.h"
#include "model/model.h"
#include "view_common.h"

/* What drives the viewer: the live probes or a replay cursor. */
struct viewer_feed {
	void *ctx;
	bool live;	/* pump waits for the ring buffer; time is the clock's */
	/* Take in events: live waits up to wait_ms, replay plays up to its clock. 0 or -errno. */
	int (*pump)(void *ctx, int wait_ms);
	/* The model to show now (a replay rebuilds it to go back in time). */
	const struct model *(*model)(void *ctx);
	/* The time the views show (live: now; replay: the cursor), and a few words
	 * on the source ("paused", "x4", "command exited 0") into state. */
	__u64 (*now)(void *ctx, char *state, size_t n);
	/* Replay only (NULL live): apply a cursor command; 0 or -errno. */
	int (*control)(void *ctx, enum viewer_ctl c, __u64 arg);
};

/* Draw the whole screen for the current view (and help overlay). Adjusts
 * vs->sel / vs->top to the rows that exist and fills vs->nrows, vs->page. */
void viewer_render(const struct snapshot *snap, const struct viewer_info *info,
		   struct view_state *vs, struct screen *scr);

/* Run the UI on stdout's terminal until q (or frames refreshes, if > 0),
 * pumping the feed between keys. Returns 0 or -errno. */
int viewer_run(const struct viewer_feed *f, const struct viewer_info *info, int frames);

#endif
