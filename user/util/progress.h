/*
 * progress.h - a progress bar on stderr for long reads (report, export of
 * big recordings): only when stderr is a terminal, at most a few redraws a
 * second, erased when done so it never mixes with the output.
 */
#ifndef IPCS_PROGRESS_H
#define IPCS_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	bool on;		/* stderr is a tty and the total is known and big */
	const char *label;
	uint64_t total;
	uint64_t last_ns;	/* last redraw */
	bool drawn;
};

/* min_total: smaller jobs show nothing. */
void progress_init(struct progress *p, const char *label, int64_t total, uint64_t min_total);
void progress_update(struct progress *p, uint64_t done);
/* Erase the bar. */
void progress_done(struct progress *p);
/* The line progress_update draws, into buf (for tests). */
void progress_format(const struct progress *p, uint64_t done, char *buf, size_t n);

#endif
