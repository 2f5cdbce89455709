/* replay_cursor.c - a recording in memory, fed to the model up to a cursor (see the header). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "record/replay_cursor.h"
#include "util/vec.h"

static int keep(struct replay_cursor *rc, const void *rec, size_t len, __u64 ts)
{
	if (len > SIZE_MAX - rc->len || vec_grow((void **)&rc->buf, &rc->cap, rc->len + len, 1, 1 << 20))
		return -ENOMEM;
	if (rc->n == rc->ncap) {
		size_t ncap = rc->ncap ? rc->ncap * 2 : 4096;
		size_t *off = realloc(rc->off, ncap * sizeof(*off));
		__u64 *t;

		if (!off)
			return -ENOMEM;
		rc->off = off;
		t = realloc(rc->ts, ncap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		rc->ts = t;
		rc->ncap = ncap;
	}
	memcpy(rc->buf + rc->len, rec, len);
	rc->off[rc->n] = rc->len;
	rc->ts[rc->n++] = ts;
	rc->len += len;
	return 0;
}

/* Records the decoder rejects are counted (and told) once, at load, and not kept. */
static int load_cb(const void *rec, size_t len, __u16 block_type, void *ctx)
{
	struct replay_cursor *rc = ctx;
	struct ipcs_event ev;
	int err;

	(void)block_type;
	err = pipeline_decode(&rc->p, rec, len, &ev);
	if (err <= 0)
		return err;
	err = pipeline_apply(&rc->p, &ev, rec, len);
	return err ? err : keep(rc, rec, len, ev.h.ts_ns);
}

int rcur_load(struct replay_cursor *rc, struct replay_source *rs, const struct ev_filter *filter)
{
	int err;

	memset(rc, 0, sizeof(*rc));
	rc->speed = 1;
	rc->start_ns = replay_header(rs)->start_mono_ns;
	rc->filter = filter;
	err = pipeline_init(&rc->p, true);
	if (err)
		return err;
	rc->p.filter = filter;
	err = replay_run(rs, load_cb, rc);
	if (err)
		return err;
	rc->next = rc->n;
	model_flush(rc->p.model);
	rc->flushed = true;
	rc->cursor_ns = rc->start_ns;
	for (size_t i = 0; i < rc->n; i++)
		if (rc->ts[i] > rc->cursor_ns)
			rc->cursor_ns = rc->ts[i];
	return 0;
}

static size_t rec_len(const struct replay_cursor *rc, size_t i)
{
	return (i + 1 < rc->n ? rc->off[i + 1] : rc->len) - rc->off[i];
}

int rcur_seek_index(struct replay_cursor *rc, size_t idx)
{
	int err;

	if (idx > rc->n)
		idx = rc->n;
	if (idx < rc->next || (rc->flushed && idx < rc->n)) {	/* back: from the start */
		pipeline_fini(&rc->p);
		err = pipeline_init(&rc->p, true);
		if (err)
			return err;
		rc->p.filter = rc->filter;
		rc->next = 0;
		rc->flushed = false;
	}
	for (; rc->next < idx; rc->next++) {
		err = pipeline_feed(&rc->p, rc->buf + rc->off[rc->next], rec_len(rc, rc->next));
		if (err)
			return err;
	}
	/* At the end, what is still unread goes to unobserved peers, as report does. */
	if (rc->next == rc->n && !rc->flushed) {
		model_flush(rc->p.model);
		rc->flushed = true;
	}
	rc->cursor_ns = idx && rc->ts[idx - 1] > rc->start_ns ? rc->ts[idx - 1] : rc->start_ns;
	return 0;
}

int rcur_seek_time(struct replay_cursor *rc, __u64 t)
{
	size_t idx;
	int err;

	if (t < rc->start_ns)
		t = rc->start_ns;
	/* Forward from what the model holds; back from the start. */
	idx = t >= rc->cursor_ns ? rc->next : 0;
	while (idx < rc->n && rc->ts[idx] <= t)
		idx++;
	err = rcur_seek_index(rc, idx);
	if (!err && idx < rc->n)
		rc->cursor_ns = t;	/* between records: the time asked for */
	return err;
}

int rcur_play(struct replay_cursor *rc, __u64 wall_ns)
{
	__u64 t;
	int err;

	if (!rc->playing)
		return 0;
	t = rc->play_from + (__u64)((double)(wall_ns - rc->play_wall) * rc->speed);
	err = rcur_seek_time(rc, t);
	if (rc->next == rc->n)
		rc->playing = false;
	return err;
}

void rcur_fini(struct replay_cursor *rc)
{
	pipeline_fini(&rc->p);
	free(rc->buf);
	free(rc->off);
	free(rc->ts);
	memset(rc, 0, sizeof(*rc));
}
