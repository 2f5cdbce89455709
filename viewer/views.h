/*
 * views.h - the views (view_*.c), each drawing the snapshot as the view
 * state says into rows of the screen; called by viewer_render.
 */
#ifndef IPCS_VIEWS_H
#define IPCS_VIEWS_H

#include "view_common.h"

void view_convs_render(const struct snapshot *snap, const struct viewer_info *info,
		       struct view_state *vs, struct screen *scr, int y0, int rows);
void view_procs_render(const struct snapshot *snap, struct view_state *vs, struct screen *scr,
		       int y0, int rows);
/* Long waits: deadlock cycles first (highlighted), then stalls, then the rest. */
void view_waits_render(const struct snapshot *snap, const struct viewer_info *info,
		       struct view_state *vs, struct screen *scr, int y0, int rows);
void view_detail_render(const struct snapshot *snap, const struct viewer_info *info,
			struct view_state *vs, struct screen *scr, int y0, int rows);
/* What the sequence view of vs needs (nothing: sel->conv NULL and nprocs 0). */
void view_seq_select(const struct view_state *vs, struct seq_select *sel);

#endif
