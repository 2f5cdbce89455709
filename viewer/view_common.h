/*
 * view_common.h - the view state and what the views (view_*.c), the snapshot
 * and the viewer loop share (view_common.c, below them all): column headers,
 * scrolling, the filter, number formats, identity tests.
 */
#ifndef IPCS_VIEW_COMMON_H
#define IPCS_VIEW_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include "model/model.h"
#include "screen.h"
#include "snapshot.h"

/* What the status line says about the source. */
struct viewer_info {
	const char *source;	/* "replay" or "live" */
	const char *file;	/* recording path, or what live watches (foreign: escaped) */
	__u64 start_ns;		/* times are relative to this */
	const char *warning;	/* e.g. "recording truncated at block 7"; NULL if none */
	__u16 kind;		/* start with only this kind shown (--kind); 0: all */
};

/* Replay cursor commands, sent by keys to the feed (live has none). */
enum viewer_ctl {
	VCTL_NONE, VCTL_PLAY_PAUSE, VCTL_STEP_EVENT, VCTL_BACK_EVENT, VCTL_STEP_SEC,
	VCTL_BACK_SEC, VCTL_FASTER, VCTL_SLOWER, VCTL_JUMP,	/* arg: ns since start */
};

enum view_id { VIEW_CONVS, VIEW_PROCS, VIEW_DETAIL, VIEW_WAITS, VIEW_COUNT };

enum conv_col {
	CC_KIND, CC_CHANNEL, CC_A, CC_B, CC_AB, CC_BA, CC_RATE_AB, CC_RATE_BA, CC_MSGS,
	CC_P50, CC_P99, CC_LAST, CC_COUNT
};
enum proc_col { PC_PID, PC_COMM, PC_CHANS, PC_PEERS, PC_OUT, PC_IN, PC_BLOCKED, PC_STATE, PC_CGROUP,
		PC_COUNT };

#define VIEW_FILTER_MAX 64
#define VIEW_GROUP_MAX 8	/* processes the sequence view can show side by side */

struct view_state {
	enum view_id view;
	int sort_col[VIEW_COUNT];	/* enum conv_col / enum proc_col */
	bool sort_desc[VIEW_COUNT];
	char filter[VIEW_FILTER_MAX];	/* substring of channel or comm; "" = all */
	char filter_saved[VIEW_FILTER_MAX];	/* restored when editing is cancelled */
	bool editing_filter;
	char jump[24];			/* "jump to" seconds being typed */
	bool editing_jump;
	__u16 kind;			/* only conversations of this kind (0: all) */
	bool all_rows;			/* a: SIGCHLD not folded into a row per receiver */
	bool help;
	enum viewer_ctl ctl;		/* with REACT_CTL: the command for the feed */
	__u64 ctl_arg;
	/* Conversation detail: which conversation (kept across refreshes by key). */
	bool detail_valid;
	struct model_conv detail;	/* identity: kind, dev, ino, a, b */
	bool detail_msg;		/* the selected message's pane is open */
	bool detail_group;		/* the sequence shows all traffic among group[] instead */
	struct model_proc_ref group[VIEW_GROUP_MAX];	/* marked in the processes view (m) */
	size_t ngroup;
	size_t sel[VIEW_COUNT];		/* selected row (after filter and sort) */
	size_t top[VIEW_COUNT];		/* first row shown */
	/* Layout feedback, written by render for the key actions: */
	size_t nrows;			/* rows of the current view after the filter */
	size_t page;			/* rows that fit on screen */
	bool waits_tab;			/* the waits tab is shown (Tab visits it) */
	unsigned hidden_cols;		/* bit per column too narrow to show (sort skips them) */
	int row0;			/* screen row of the first list row (-1: no list), for clicks */
	enum view_id back;		/* where Esc goes from the sequence view */
	struct model_conv cur_conv;	/* convs view: the selected row (Enter opens it) */
	bool cur_conv_valid;
	struct model_proc_ref cur_proc;	/* procs view: the selected row (m marks it) */
	bool cur_proc_valid;
};

/* Column titles on row y; the sorted column gets v (descending) or ^. */
void view_header(struct screen *scr, int y, const char *const *titles, const int *x,
		 const int *w, const bool *right, int ncols, int sort_col, bool desc);
/* Keep sel within [0, n) and visible in a page of rows; shared by the views. */
void view_scroll(struct view_state *vs, size_t n, size_t rows);
/* Does filter match this foreign string (raw substring)? */
bool view_match(const struct view_state *vs, const char *s, size_t n);
/* Bytes in units (575 KiB; units.h), the blank dropped when width is short. */
void view_fmt_bytes(char *buf, size_t n, __u64 v, int width);
/* A duration in units (850 us, 1.3 ms, 10.5 s, 2m05s); "-" for none. */
void view_fmt_dur(char *buf, size_t n, __u64 ns, bool none);
/* Same conversation (kind, channel identity, both processes)? */
bool view_same_conv(const struct model_conv *x, const struct model_conv *y);
/* Is p one of the n processes at v? */
bool view_proc_in(const struct model_proc_ref *v, size_t n, const struct model_proc_ref *p);

#endif
