/*
 * viewer.h - the interactive viewer. Rendering is a pure function of a
 * snapshot of the model and the view state into a screen buffer (view_*.c);
 * term.c alone talks to curses. The model never includes any of this.
 */
#ifndef IPCS_VIEWER_H
#define IPCS_VIEWER_H

#include <stdbool.h>
#include <stddef.h>
#include "model/model.h"
#include "model/model_waits.h"
#include "screen.h"

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

void view_state_init(struct view_state *vs);

/* Per-process figures derived from the conversations. */
struct snap_proc {
	struct model_proc p;
	size_t channels;		/* distinct channels it talked over */
	size_t peers;			/* distinct processes it talked to (seen ones) */
	__u64 bytes_out, bytes_in;
	__u64 blocked_ns;		/* time blocked in its conversations' calls */
};

/* A copy of what the views show, taken once per refresh. */
struct snapshot {
	struct model_conv *convs;
	size_t nconvs;
	struct snap_proc *procs;
	size_t nprocs;
	struct model_wait *waits;	/* long waits (recorded IPCS_REC_WAIT) */
	size_t nwaits;
	struct model_totals totals;
	__u64 now_ns;		/* rates and ages are as of this time */
	double ev_rate;		/* events/s since the last refresh; < 0: not known yet */
	char state[64];		/* the feed's word on the source ("paused", ...) */
	struct snap_msg *msgs;	/* sequence view: its messages, oldest first */
	size_t nmsgs;
	__u64 msgs_dropped;	/* older messages the logs no longer hold */
};

/* A message of the sequence view and its conversation (an index into convs). */
struct snap_msg {
	struct model_msg m;	/* payload: the snapshot's copy */
	size_t conv;
};

/* Whose messages the snapshot copies: one conversation, or every conversation
 * with both ends among procs (nprocs >= 2). */
struct seq_select {
	const struct model_conv *conv;
	const struct model_proc_ref *procs;
	size_t nprocs;
};

/* Copy the model; sel (NULL: no messages): the messages to copy. */
int snapshot_build(const struct model *m, const struct seq_select *sel, struct snapshot *s);
/* What the sequence view of vs needs (nothing: sel->conv NULL and nprocs 0). */
void view_seq_select(const struct view_state *vs, struct seq_select *sel);
/* Is p one of the n processes at v? */
bool view_proc_in(const struct model_proc_ref *v, size_t n, const struct model_proc_ref *p);
void snapshot_free(struct snapshot *s);

/* Draw the whole screen for the current view (and help overlay). Adjusts
 * vs->sel / vs->top to the rows that exist and fills vs->nrows, vs->page. */
void viewer_render(const struct snapshot *snap, const struct viewer_info *info,
		   struct view_state *vs, struct screen *scr);

/* Run the UI on stdout's terminal until q (or frames refreshes, if > 0),
 * pumping the feed between keys. Returns 0 or -errno. */
int viewer_run(const struct viewer_feed *f, const struct viewer_info *info, int frames);

/* ---- keys (keys.c) ---- */

/* Keys beyond plain bytes, independent of curses (term.c maps them). */
enum vkey {
	VK_ENTER = '\n', VK_ESC = 27, VK_TAB = '\t', VK_BACKSPACE = 127,
	VK_UP = 0x100, VK_DOWN, VK_PGUP, VK_PGDN, VK_HOME, VK_END, VK_RESIZE,
	VK_LEFT, VK_RIGHT, VK_F1, VK_F10, VK_WHEEL_UP, VK_WHEEL_DOWN,
	VK_CLICK = 0x1000,	/* + the screen row of a left click (0..4095) */
};

enum reaction {
	REACT_NONE = 0, REACT_REDRAW = 1, REACT_QUIT = 2,
	REACT_CTL = 4,		/* vs->ctl / ctl_arg for the feed */
	REACT_RESNAP = 8,	/* the snapshot must be retaken (another conversation's messages) */
};

/* Apply one key to the view state; returns enum reaction flags. */
int keys_handle(struct view_state *vs, int key);

/* The key table, for the help overlay: one line per binding. */
size_t keys_help_count(void);
void keys_help_line(size_t i, const char **keys, const char **what);

/* ---- views (view_*.c), called by viewer_render ---- */
void view_convs_render(const struct snapshot *snap, const struct viewer_info *info,
		       struct view_state *vs, struct screen *scr, int y0, int rows);
void view_procs_render(const struct snapshot *snap, struct view_state *vs, struct screen *scr,
		       int y0, int rows);
/* Long waits: deadlock cycles first (highlighted), then stalls, then the rest. */
void view_waits_render(const struct snapshot *snap, const struct viewer_info *info,
		       struct view_state *vs, struct screen *scr, int y0, int rows);
void view_detail_render(const struct snapshot *snap, const struct viewer_info *info,
			struct view_state *vs, struct screen *scr, int y0, int rows);
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

#endif
