/*
 * replay_cursor.h - a recording held in memory and fed to a model up to a
 * cursor: replay's pause, step, play at a speed and jump. Going back in time
 * rebuilds the model from the first record (the model only moves forward).
 */
#ifndef IPCS_REPLAY_CURSOR_H
#define IPCS_REPLAY_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include "pipeline.h"
#include "record/source_replay.h"

struct replay_cursor {
	char *buf;		/* every good record, back to back */
	size_t len, cap;
	size_t *off;		/* record i starts at buf + off[i] */
	__u64 *ts;		/* and was stamped ts[i] */
	size_t n, ncap;
	struct pipeline p;	/* its model holds records [0, next) */
	const struct ev_filter *filter;	/* --kind/--since/--until, or NULL */
	size_t next;
	bool flushed;		/* at the end: model_flush() done */
	__u64 start_ns;		/* recording start; the cursor never goes before it */
	__u64 cursor_ns;	/* the time the views show */
	bool playing;
	double speed;		/* recording seconds per wall second */
	__u64 play_wall, play_from;	/* wall clock and cursor when play (re)started */
};

/* Read the whole recording into memory and the model (cursor at the end,
 * paused). Returns 0, -errno on I/O or memory, as replay_run. */
int rcur_load(struct replay_cursor *rc, struct replay_source *rs, const struct ev_filter *filter);
/* Model state after the first idx records (clamped); the cursor moves to the last one's time. */
int rcur_seek_index(struct replay_cursor *rc, size_t idx);
/* Model state at time t (records stamped <= t, in file order). */
int rcur_seek_time(struct replay_cursor *rc, __u64 t);
/* While playing: move the cursor to where wall_ns says. Stops at the end. */
int rcur_play(struct replay_cursor *rc, __u64 wall_ns);
void rcur_fini(struct replay_cursor *rc);

#endif
