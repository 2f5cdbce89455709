/* plain.h - the line surface: one escaped line per event (replay --plain, non-tty). */
#ifndef IPCS_PLAIN_H
#define IPCS_PLAIN_H

#include <stdio.h>
#include "pipeline.h"

struct plain_printer {
	FILE *out;
	__u64 start_ns;			/* times are printed relative to this */
	const struct model *model;	/* optional: names channels (FIFO paths) */
};

/* Format one event into buf (always NUL-terminated, no newline). Pure: for tests. */
size_t plain_format(const struct plain_printer *pp, const struct ipcs_event *ev,
		    char *buf, size_t n);
struct sink plain_sink(struct plain_printer *pp);

#endif
