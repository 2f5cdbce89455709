/* term.h - the only door to curses: paint a screen buffer, read keys. */
#ifndef IPCS_TERM_H
#define IPCS_TERM_H

#include <stdbool.h>
#include "screen.h"

/* Take over stdout's terminal; 0 or -errno (-ENOTTY). */
int term_init(void);
/* Give the terminal back (idempotent). */
void term_fini(void);
void term_size(int *w, int *h);
void term_paint(const struct screen *s);
/* Next key as enum vkey / byte; -1 after timeout_ms without one (or a signal). */
int term_key(int timeout_ms);
/* SIGINT or SIGTERM arrived. */
bool term_stop_requested(void);

#endif
