/*
 * term.c - curses (ncursesw) behind a small interface: the only file that
 * includes it. Attributes map to colour pairs, or to bold/reverse on a
 * terminal without colours.
 */
#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "term.h"
#include "keys.h"

static bool active;
static SCREEN *term_screen;
static volatile sig_atomic_t stop_requested;
static chtype attr_map[SA_COUNT];

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void setup_attrs(void)
{
	static const short fg[SA_COUNT] = { -1, COLOR_BLACK, COLOR_BLACK, COLOR_WHITE, COLOR_WHITE, -1 };
	static const short bg[SA_COUNT] = { -1, COLOR_CYAN, COLOR_GREEN, COLOR_BLUE, COLOR_RED, -1 };

	attr_map[SA_NORMAL] = A_NORMAL;
	if (has_colors() && start_color() == OK && COLOR_PAIRS > SA_WARN) {
		/* Only the 8 basic colours; the terminal's own default where it has one. */
		bool dflt = use_default_colors() == OK;

		for (int a = SA_HEADER; a <= SA_WARN; a++) {
			init_pair((short)a, fg[a] < 0 && !dflt ? COLOR_WHITE : fg[a],
				  bg[a] < 0 && !dflt ? COLOR_BLACK : bg[a]);
			attr_map[a] = COLOR_PAIR(a);
		}
		attr_map[SA_WARN] |= A_BOLD;
		attr_map[SA_DIM] = A_DIM;
		return;
	}
	/* Mono terminal: what every terminal can show. */
	attr_map[SA_HEADER] = A_BOLD;
	attr_map[SA_SELECTED] = A_REVERSE;
	attr_map[SA_STATUS] = A_REVERSE;
	attr_map[SA_WARN] = A_BOLD | A_REVERSE;
	attr_map[SA_DIM] = A_DIM;
}

int term_init(void)
{
	struct sigaction sa;

	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
		return -ENOTTY;
	if (!getenv("ESCDELAY"))
		set_escdelay(25);	/* Esc cancels at once, not after a second */
	/* newterm, not initscr: initscr exits the program when it fails. */
	term_screen = newterm(NULL, stdout, stdin);
	if (!term_screen)
		return -ENOTTY;
	active = true;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	/* clicks select, the wheel scrolls (as htop); presses, not clicks, so
	 * nothing waits for a release */
	mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	setup_attrs();
	/* No SA_RESTART: a signal ends the wait for a key, and the loop stops. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return 0;
}

void term_fini(void)
{
	if (!active)
		return;
	active = false;
	endwin();
	delscreen(term_screen);
	term_screen = NULL;
}

void term_size(int *w, int *h)
{
	getmaxyx(stdscr, *h, *w);
}

void term_paint(const struct screen *s)
{
	int w, h;

	term_size(&w, &h);
	for (int y = 0; y < s->h && y < h; y++) {
		move(y, 0);
		for (int x = 0; x < s->w && x < w; x++) {
			const struct scr_cell *c = &s->cells[y * s->w + x];

			/* The bottom-right cell would scroll some terminals. */
			if (y == h - 1 && x == w - 1)
				break;
			addch((chtype)(unsigned char)c->ch | attr_map[c->attr < SA_COUNT ? c->attr : 0]);
		}
	}
	refresh();
}

static int map_key(int k)
{
	switch (k) {
	case KEY_UP: return VK_UP;
	case KEY_DOWN: return VK_DOWN;
	case KEY_PPAGE: return VK_PGUP;
	case KEY_NPAGE: return VK_PGDN;
	case KEY_HOME: return VK_HOME;
	case KEY_END: return VK_END;
	case KEY_RESIZE: return VK_RESIZE;
	case KEY_BACKSPACE: return VK_BACKSPACE;
	case KEY_ENTER: case '\r': return VK_ENTER;
	case KEY_LEFT: return VK_LEFT;
	case KEY_RIGHT: return VK_RIGHT;
	case KEY_F(1): return VK_F1;
	case KEY_F(10): return VK_F10;
	case KEY_MOUSE: {
		MEVENT ev;

		if (getmouse(&ev) != OK)
			return -1;
		if (ev.bstate & BUTTON4_PRESSED)
			return VK_WHEEL_UP;
		if (ev.bstate & BUTTON5_PRESSED)
			return VK_WHEEL_DOWN;
		if ((ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) && ev.y >= 0 && ev.y < 4096)
			return VK_CLICK + ev.y;
		return -1;
	}
	}
	return k >= 0 && k < 256 ? k : -1;
}

int term_key(int timeout_ms)
{
	int k;

	timeout(timeout_ms);
	k = getch();
	return k == ERR ? -1 : map_key(k);
}

bool term_stop_requested(void)
{
	return stop_requested;
}
