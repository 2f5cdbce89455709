/*
 * keys.c - the key table: key -> action -> reaction flags (htop-style).
 * The help overlay is printed from this same table, so it cannot drift.
 */
#include <stdlib.h>
#include <string.h>
#include "keys.h"

enum action {
	ACT_QUIT, ACT_NEXT_VIEW, ACT_VIEW_CONVS, ACT_VIEW_PROCS, ACT_VIEW_DETAIL, ACT_VIEW_WAITS, ACT_OPEN,
	ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN, ACT_HOME, ACT_END, ACT_SORT_NEXT, ACT_SORT_REVERSE,
	ACT_FILTER, ACT_HELP, ACT_PLAY, ACT_STEP, ACT_BACK, ACT_STEP_SEC,
	ACT_BACK_SEC, ACT_FASTER, ACT_SLOWER, ACT_JUMP, ACT_MARK, ACT_GO_BACK, ACT_WHEEL_UP,
	ACT_WHEEL_DOWN, ACT_ALL_ROWS,
};

struct binding {
	int keys[3];		/* 0-terminated */
	const char *names;	/* as the help shows them */
	enum action act;
	const char *what;
};

static const struct binding bindings[] = {
	{ { VK_UP, 'k' }, "Up k", ACT_UP, "move up" },
	{ { VK_DOWN, 'j' }, "Down j", ACT_DOWN, "move down" },
	{ { VK_WHEEL_UP }, "mouse", ACT_WHEEL_UP, "wheel scrolls, click picks" },
	{ { VK_WHEEL_DOWN }, NULL, ACT_WHEEL_DOWN, NULL },
	{ { VK_PGUP }, "PgUp", ACT_PGUP, "page up" },
	{ { VK_PGDN, ' ' }, "PgDn Space", ACT_PGDN, "page down" },
	{ { VK_HOME, 'g' }, "Home g", ACT_HOME, "first row" },
	{ { VK_END, 'G' }, "End G", ACT_END, "last row" },
	{ { VK_TAB }, "Tab", ACT_NEXT_VIEW, "next view" },
	{ { '1' }, "1", ACT_VIEW_CONVS, "conversations view" },
	{ { '2' }, "2", ACT_VIEW_PROCS, "processes view" },
	{ { '3' }, "3", ACT_VIEW_DETAIL, "sequence of the selected" },
	{ { '4', 'w' }, "4 w", ACT_VIEW_WAITS, "waits: deadlocks, stalls" },
	{ { VK_ENTER }, "Enter", ACT_OPEN, "open: sequence / message" },
	{ { 'm' }, "m", ACT_MARK, "mark for a group sequence" },
	{ { 'a' }, "a", ACT_ALL_ROWS, "every SIGCHLD row / folded" },
	{ { 's' }, "s", ACT_SORT_NEXT, "sort by the next column" },
	{ { 'S' }, "S", ACT_SORT_REVERSE, "reverse the sort order" },
	{ { '/' }, "/", ACT_FILTER, "filter as you type" },
	{ { VK_ESC, VK_BACKSPACE, VK_LEFT }, "Esc BS <-", ACT_GO_BACK, "back: pane, view, filter" },
	{ { 'p' }, "p", ACT_PLAY, "replay: play / pause" },
	{ { '.' }, ".", ACT_STEP, "replay: one event on" },
	{ { ',' }, ",", ACT_BACK, "replay: one event back" },
	{ { ']' }, "]", ACT_STEP_SEC, "replay: one second on" },
	{ { '[' }, "[", ACT_BACK_SEC, "replay: one second back" },
	{ { '+' }, "+", ACT_FASTER, "replay: faster" },
	{ { '-' }, "-", ACT_SLOWER, "replay: slower" },
	{ { 't' }, "t", ACT_JUMP, "replay: jump to a time" },
	{ { '?', 'h', VK_F1 }, "? h F1", ACT_HELP, "this help (any key closes)" },
	{ { 'q', 'Q', VK_F10 }, "q F10", ACT_QUIT, "quit" },
};

#define NBINDINGS (sizeof(bindings) / sizeof(bindings[0]))

static const int view_ncols[VIEW_COUNT] = { CC_COUNT, PC_COUNT, 1, 1 };	/* sequence, waits: fixed order */

/* Numbers sort biggest first, names and pids A to Z. */
static bool default_desc(enum view_id v, int col)
{
	if (v == VIEW_CONVS)	/* IDLE: the most recently active first */
		return col >= CC_AB && col != CC_LAST;
	if (v == VIEW_DETAIL || v == VIEW_WAITS)
		return false;
	return col != PC_PID && col != PC_COMM && col != PC_STATE && col != PC_CGROUP;
}

void view_state_init(struct view_state *vs)
{
	memset(vs, 0, sizeof(*vs));
	vs->view = VIEW_CONVS;
	vs->sort_col[VIEW_CONVS] = CC_AB;
	vs->sort_desc[VIEW_CONVS] = true;
	vs->sort_col[VIEW_PROCS] = PC_OUT;
	vs->sort_desc[VIEW_PROCS] = true;
	vs->page = 1;
}

static void move_sel(struct view_state *vs, long delta)
{
	size_t *sel = &vs->sel[vs->view];
	long v = (long)*sel + delta;

	if (v >= (long)vs->nrows)
		v = (long)vs->nrows - 1;
	*sel = v < 0 ? 0 : (size_t)v;
}

static int ctl(struct view_state *vs, enum viewer_ctl c, __u64 arg)
{
	vs->ctl = c;
	vs->ctl_arg = arg;
	return REACT_CTL | REACT_REDRAW;
}

/* The selected conversation becomes the sequence view's. */
static int open_detail(struct view_state *vs)
{
	if (vs->cur_conv_valid && (!vs->detail_valid || !view_same_conv(&vs->detail, &vs->cur_conv))) {
		vs->detail = vs->cur_conv;
		vs->detail_valid = true;
		vs->sel[VIEW_DETAIL] = (size_t)-1;	/* the newest message */
		vs->top[VIEW_DETAIL] = 0;
		vs->detail_msg = false;
	}
	vs->detail_group = false;
	if (vs->view != VIEW_DETAIL)
		vs->back = vs->view;
	vs->view = VIEW_DETAIL;
	return REACT_REDRAW | REACT_RESNAP;
}

/* Marked processes side by side: all traffic among them. */
static int open_group(struct view_state *vs)
{
	if (!vs->detail_group) {
		vs->sel[VIEW_DETAIL] = (size_t)-1;
		vs->top[VIEW_DETAIL] = 0;
		vs->detail_msg = false;
	}
	vs->detail_group = true;
	if (vs->view != VIEW_DETAIL)
		vs->back = vs->view;
	vs->view = VIEW_DETAIL;
	return REACT_REDRAW | REACT_RESNAP;
}

/* m in the processes view: the selected process in or out of the group. */
static int toggle_mark(struct view_state *vs)
{
	const struct model_proc_ref *p = &vs->cur_proc;

	if (vs->view != VIEW_PROCS || !vs->cur_proc_valid)
		return REACT_NONE;
	for (size_t i = 0; i < vs->ngroup; i++)
		if (vs->group[i].pid == p->pid && vs->group[i].start_ns == p->start_ns) {
			memmove(&vs->group[i], &vs->group[i + 1], (vs->ngroup - i - 1) * sizeof(*p));
			vs->ngroup--;
			return REACT_REDRAW | REACT_RESNAP;
		}
	if (vs->ngroup == VIEW_GROUP_MAX)
		return REACT_NONE;
	vs->group[vs->ngroup++] = *p;
	return REACT_REDRAW | REACT_RESNAP;
}

/* Seconds typed after t: digits and one point; Enter jumps. */
static int edit_jump(struct view_state *vs, int key)
{
	size_t len = strlen(vs->jump);
	double sec;

	if (key == VK_ENTER || key == '\r') {
		vs->editing_jump = false;
		sec = atof(vs->jump);
		if (!len)
			return REACT_REDRAW;
		return ctl(vs, VCTL_JUMP, sec > 0 ? (__u64)(sec * 1e9) : 0);
	}
	if (key == VK_ESC) {
		vs->editing_jump = false;
	} else if (key == VK_BACKSPACE || key == 8) {
		if (len)
			vs->jump[len - 1] = '\0';
	} else if ((key >= '0' && key <= '9') || (key == '.' && !strchr(vs->jump, '.'))) {
		if (len + 1 >= sizeof(vs->jump))
			return REACT_NONE;
		vs->jump[len] = (char)key;
		vs->jump[len + 1] = '\0';
	} else {
		return key == VK_RESIZE ? REACT_REDRAW : REACT_NONE;
	}
	return REACT_REDRAW;
}

static int do_action(struct view_state *vs, enum action act)
{
	long page = vs->page ? (long)vs->page : 1;
	int *col = &vs->sort_col[vs->view];

	switch (act) {
	case ACT_QUIT: return REACT_QUIT;
	case ACT_NEXT_VIEW:
		if (vs->view + 1 == VIEW_DETAIL)
			return open_detail(vs);
		vs->view = (vs->view + 1) % VIEW_COUNT;
		if (vs->view == VIEW_WAITS && !vs->waits_tab)
			vs->view = VIEW_CONVS;
		break;
	case ACT_VIEW_CONVS: vs->view = VIEW_CONVS; break;
	case ACT_VIEW_PROCS: vs->view = VIEW_PROCS; break;
	case ACT_VIEW_WAITS: vs->view = VIEW_WAITS; break;
	case ACT_VIEW_DETAIL: return open_detail(vs);
	case ACT_MARK: return toggle_mark(vs);
	case ACT_OPEN:
		if (vs->view == VIEW_CONVS)
			return open_detail(vs);
		if (vs->view == VIEW_PROCS)
			return open_group(vs);
		if (vs->view != VIEW_DETAIL)
			return REACT_NONE;
		vs->detail_msg = !vs->detail_msg;
		break;
	case ACT_PLAY: return ctl(vs, VCTL_PLAY_PAUSE, 0);
	case ACT_STEP: return ctl(vs, VCTL_STEP_EVENT, 0);
	case ACT_BACK: return ctl(vs, VCTL_BACK_EVENT, 0);
	case ACT_STEP_SEC: return ctl(vs, VCTL_STEP_SEC, 0);
	case ACT_BACK_SEC: return ctl(vs, VCTL_BACK_SEC, 0);
	case ACT_FASTER: return ctl(vs, VCTL_FASTER, 0);
	case ACT_SLOWER: return ctl(vs, VCTL_SLOWER, 0);
	case ACT_JUMP:
		vs->jump[0] = '\0';
		vs->editing_jump = true;
		break;
	case ACT_UP: move_sel(vs, -1); break;
	case ACT_DOWN: move_sel(vs, 1); break;
	case ACT_PGUP: move_sel(vs, -page); break;
	case ACT_PGDN: move_sel(vs, page); break;
	case ACT_HOME: vs->sel[vs->view] = 0; break;
	case ACT_END: move_sel(vs, (long)vs->nrows); break;
	case ACT_SORT_NEXT:
		/* Columns too narrow to show are skipped: the header always shows the sort. */
		do
			*col = (*col + 1) % view_ncols[vs->view];
		while (vs->hidden_cols & (1u << *col));
		vs->sort_desc[vs->view] = default_desc(vs->view, *col);
		break;
	case ACT_SORT_REVERSE: vs->sort_desc[vs->view] = !vs->sort_desc[vs->view]; break;
	case ACT_FILTER:
		memcpy(vs->filter_saved, vs->filter, sizeof(vs->filter));
		vs->editing_filter = true;
		break;
	case ACT_GO_BACK:
		/* one step out, as a browser or htop: the message pane, then the
		 * sequence (to where it was opened from), then the filter */
		if (vs->view == VIEW_DETAIL && vs->detail_msg) {
			vs->detail_msg = false;
		} else if (vs->view == VIEW_DETAIL) {
			vs->view = vs->back == VIEW_PROCS ? VIEW_PROCS : VIEW_CONVS;
		} else if (vs->filter[0]) {
			vs->filter[0] = '\0';
			vs->sel[vs->view] = 0;
			vs->top[vs->view] = 0;
		} else {
			return REACT_NONE;
		}
		break;
	case ACT_ALL_ROWS: vs->all_rows = !vs->all_rows; break;
	case ACT_WHEEL_UP: move_sel(vs, -3); break;
	case ACT_WHEEL_DOWN: move_sel(vs, 3); break;
	case ACT_HELP: vs->help = true; break;
	}
	return REACT_REDRAW;
}

/* While the filter is typed: it applies at once (incremental), Esc restores the old one. */
static int edit_filter(struct view_state *vs, int key)
{
	size_t len = strlen(vs->filter);

	if (key == VK_ENTER || key == '\r') {
		vs->editing_filter = false;
	} else if (key == VK_ESC) {
		memcpy(vs->filter, vs->filter_saved, sizeof(vs->filter));
		vs->editing_filter = false;
	} else if (key == VK_BACKSPACE || key == 8) {
		if (len)
			vs->filter[len - 1] = '\0';
	} else if (key >= 0x20 && key < 0x7f) {
		if (len + 1 >= sizeof(vs->filter))
			return REACT_NONE;
		vs->filter[len] = (char)key;
		vs->filter[len + 1] = '\0';
	} else {
		return key == VK_RESIZE ? REACT_REDRAW : REACT_NONE;
	}
	vs->sel[vs->view] = 0;
	vs->top[vs->view] = 0;
	return REACT_REDRAW;
}

int keys_handle(struct view_state *vs, int key)
{
	if (key == VK_RESIZE)
		return REACT_REDRAW;
	if (vs->editing_filter)
		return edit_filter(vs, key);
	if (vs->editing_jump)
		return edit_jump(vs, key);
	if (vs->help) {
		vs->help = false;
		return REACT_REDRAW;
	}
	if (key >= VK_CLICK && key < VK_CLICK + 4096) {
		/* a left click on a row of a list selects it */
		long y = key - VK_CLICK, r = y - vs->row0;

		if (vs->row0 < 0 || r < 0 || (size_t)r >= vs->page || vs->top[vs->view] + (size_t)r >= vs->nrows)
			return REACT_NONE;
		vs->sel[vs->view] = vs->top[vs->view] + (size_t)r;
		return REACT_REDRAW;
	}
	for (size_t i = 0; i < NBINDINGS; i++)
		for (size_t k = 0; k < 3 && bindings[i].keys[k]; k++)
			if (bindings[i].keys[k] == key)
				return do_action(vs, bindings[i].act);
	return REACT_NONE;
}

/* The help lists the bindings that have a name (one line may stand for two). */
size_t keys_help_count(void)
{
	size_t n = 0;

	for (size_t i = 0; i < NBINDINGS; i++)
		n += bindings[i].names != NULL;
	return n;
}

void keys_help_line(size_t i, const char **keys, const char **what)
{
	*keys = "";
	*what = "";
	for (size_t b = 0; b < NBINDINGS; b++) {
		if (!bindings[b].names)
			continue;
		if (!i--) {
			*keys = bindings[b].names;
			*what = bindings[b].what;
			return;
		}
	}
}
