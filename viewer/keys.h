/*
 * keys.h - the key table (keys.c): key -> action on the view state ->
 * reaction flags for the loop.
 */
#ifndef IPCS_KEYS_H
#define IPCS_KEYS_H

#include <stddef.h>
#include "view_common.h"

void view_state_init(struct view_state *vs);

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

#endif
