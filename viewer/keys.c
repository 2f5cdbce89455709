/*
 * keys.c - the key table: key -> action -> reaction flags (htop-style).
 * The help overlay is printed from this same table, so it cannot drift.
 */
#include <string.h>
#include "viewer.h"

enum action {
	ACT_QUIT, ACT_NEXT_VIEW, ACT_VIEW_CONVS, ACT_VIEW_PROCS, ACT_VIEW_WAITS, ACT_UP, ACT_DOWN, ACT_PGUP,
	ACT_PGDN, ACT_HOME, ACT_END, ACT_SORT_NEXT, ACT_SORT_REVERSE, ACT_FILTER,
	ACT_CLEAR_FILTER, ACT_HELP,
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
	{ { VK_PGUP }, "PgUp", ACT_PGUP, "page up" },
	{ { VK_PGDN, ' ' }, "PgDn Space", ACT_PGDN, "page down" },
	{ { VK_HOME, 'g' }, "Home g", ACT_HOME, "first row" },
	{ { VK_END, 'G' }, "End G", ACT_END, "last row" },
	{ { VK_TAB }, "Tab", ACT_NEXT_VIEW, "next view" },
	{ { '1' }, "1", ACT_VIEW_CONVS, "conversations view" },
	{ { '2' }, "2", ACT_VIEW_PROCS, "processes view" },
	{ { '3', 'w' }, "3 w", ACT_VIEW_WAITS, "waits view: deadlocks and stalls" },
	{ { 's' }, "s", ACT_SORT_NEXT, "sort by the next column" },
	{ { 'S' }, "S", ACT_SORT_REVERSE, "reverse the sort order" },
	{ { '/' }, "/", ACT_FILTER, "filter: type text, Enter keeps it, Esc cancels" },
	{ { VK_ESC }, "Esc", ACT_CLEAR_FILTER, "clear the filter" },
	{ { '?', 'h' }, "? h", ACT_HELP, "this help (any key closes it)" },
	{ { 'q', 'Q' }, "q", ACT_QUIT, "quit" },
};

#define NBINDINGS (sizeof(bindings) / sizeof(bindings[0]))

static const int view_ncols[VIEW_COUNT] = { CC_COUNT, PC_COUNT, 1 };	/* waits: one fixed order */

/* Numbers sort biggest first, names and pids A to Z. */
static bool default_desc(enum view_id v, int col)
{
	if (v == VIEW_CONVS)
		return col >= CC_AB;
	return col != PC_PID && col != PC_COMM && col != PC_STATE;
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

static int do_action(struct view_state *vs, enum action act)
{
	long page = vs->page ? (long)vs->page : 1;
	int *col = &vs->sort_col[vs->view];

	switch (act) {
	case ACT_QUIT: return REACT_QUIT;
	case ACT_NEXT_VIEW:
		vs->view = (vs->view + 1) % VIEW_COUNT;
		if (vs->view == VIEW_WAITS && !vs->waits_tab)
			vs->view = VIEW_CONVS;
		break;
	case ACT_VIEW_CONVS: vs->view = VIEW_CONVS; break;
	case ACT_VIEW_PROCS: vs->view = VIEW_PROCS; break;
	case ACT_VIEW_WAITS: vs->view = VIEW_WAITS; break;
	case ACT_UP: move_sel(vs, -1); break;
	case ACT_DOWN: move_sel(vs, 1); break;
	case ACT_PGUP: move_sel(vs, -page); break;
	case ACT_PGDN: move_sel(vs, page); break;
	case ACT_HOME: vs->sel[vs->view] = 0; break;
	case ACT_END: move_sel(vs, (long)vs->nrows); break;
	case ACT_SORT_NEXT:
		*col = (*col + 1) % view_ncols[vs->view];
		vs->sort_desc[vs->view] = default_desc(vs->view, *col);
		break;
	case ACT_SORT_REVERSE: vs->sort_desc[vs->view] = !vs->sort_desc[vs->view]; break;
	case ACT_FILTER:
		memcpy(vs->filter_saved, vs->filter, sizeof(vs->filter));
		vs->editing_filter = true;
		break;
	case ACT_CLEAR_FILTER:
		if (!vs->filter[0])
			return REACT_NONE;
		vs->filter[0] = '\0';
		vs->sel[vs->view] = 0;
		vs->top[vs->view] = 0;
		break;
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
	if (vs->help) {
		vs->help = false;
		return REACT_REDRAW;
	}
	for (size_t i = 0; i < NBINDINGS; i++)
		for (size_t k = 0; k < 3 && bindings[i].keys[k]; k++)
			if (bindings[i].keys[k] == key)
				return do_action(vs, bindings[i].act);
	return REACT_NONE;
}

size_t keys_help_count(void)
{
	return NBINDINGS;
}

void keys_help_line(size_t i, const char **keys, const char **what)
{
	*keys = i < NBINDINGS ? bindings[i].names : "";
	*what = i < NBINDINGS ? bindings[i].what : "";
}
