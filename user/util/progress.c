/* progress.c - a redraw-in-place progress bar on stderr (see progress.h). */
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include "util/progress.h"
#include "util/units.h"
#include "util/clock.h"

#define BAR_WIDTH 30

void progress_init(struct progress *p, const char *label, int64_t total, uint64_t min_total)
{
	*p = (struct progress){ .label = label };
	p->on = total > 0 && (uint64_t)total >= min_total && isatty(STDERR_FILENO);
	p->total = total > 0 ? (uint64_t)total : 0;
}

void progress_format(const struct progress *p, uint64_t done, char *buf, size_t n)
{
	unsigned pct = p->total ? (unsigned)(done >= p->total ? 100 : done * 100 / p->total) : 0;
	char bar[BAR_WIDTH + 1], size[16];
	int fill = (int)(pct * BAR_WIDTH / 100);

	for (int i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	snprintf(buf, n, "%s [%s] %3u%% of %s", p->label, bar, pct,
		 units_bytes(size, sizeof(size), p->total));
}

void progress_update(struct progress *p, uint64_t done)
{
	char line[128];
	uint64_t t;

	if (!p->on)
		return;
	t = mono_ns();
	if (p->drawn && t - p->last_ns < 200000000ull)
		return;
	p->last_ns = t;
	p->drawn = true;
	progress_format(p, done, line, sizeof(line));
	fprintf(stderr, "\r%s", line);
}

void progress_done(struct progress *p)
{
	if (p->on && p->drawn)
		fputs("\r\033[K", stderr);	/* erase the line: the output follows clean */
	p->drawn = false;
}
