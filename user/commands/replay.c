/*
 * replay.c - `ipcscope replay FILE`: a recording through the same pipeline,
 * into the viewer on a terminal (with a cursor: pause, step, play, jump), or
 * one line per event (--plain, or stdout not a terminal).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "commands/commands.h"
#include "log.h"
#include "pipeline.h"
#include "sinks/plain.h"
#include "record/replay_cursor.h"
#include "record/source_replay.h"
#include "viewer.h"
#include "util/clock.h"

static int replay_cb(const void *rec, size_t len, __u16 block_type, void *ctx)
{
	(void)block_type;
	return pipeline_feed(ctx, rec, len);
}

/* Tell the person how the file ended, when it did not end cleanly. */
static void report_status(const char *path, const struct recfile_status *st)
{
	if (st->clean_end)
		return;
	log_warn("%s: %s", path, st->message[0] ? st->message : "the recording did not end cleanly");
}

/* ---- the cursor as the viewer's feed ---- */

static int feed_pump(void *ctx, int wait_ms)
{
	(void)wait_ms;
	return rcur_play(ctx, mono_ns());
}

static const struct model *feed_model(void *ctx)
{
	return ((struct replay_cursor *)ctx)->p.model;
}

static __u64 feed_now(void *ctx, char *state, size_t n)
{
	struct replay_cursor *rc = ctx;

	if (rc->playing)
		snprintf(state, n, "playing x%g", rc->speed);
	else
		snprintf(state, n, "%s, event %zu/%zu", rc->next == rc->n ? "end" : "paused",
			 rc->next, rc->n);
	return rc->cursor_ns;
}

static int feed_control(void *ctx, enum viewer_ctl c, __u64 arg)
{
	struct replay_cursor *rc = ctx;
	const __u64 sec = 1000000000ull;

	if (c != VCTL_PLAY_PAUSE && c != VCTL_FASTER && c != VCTL_SLOWER)
		rc->playing = false;	/* stepping or jumping pauses */
	switch (c) {
	case VCTL_PLAY_PAUSE:
		rc->playing = !rc->playing;
		if (rc->playing && rc->next == rc->n) {	/* at the end: from the start */
			int err = rcur_seek_index(rc, 0);

			if (err)
				return err;
		}
		break;
	case VCTL_FASTER:
		if (rc->speed < 1024)
			rc->speed *= 2;
		break;
	case VCTL_SLOWER:
		if (rc->speed > 1.0 / 64)
			rc->speed /= 2;
		break;
	case VCTL_STEP_EVENT: return rcur_seek_index(rc, rc->next + 1);
	case VCTL_BACK_EVENT: return rcur_seek_index(rc, rc->next ? rc->next - 1 : 0);
	case VCTL_STEP_SEC: return rcur_seek_time(rc, rc->cursor_ns + sec);
	case VCTL_BACK_SEC:
		return rcur_seek_time(rc, rc->cursor_ns > rc->start_ns + sec ? rc->cursor_ns - sec : 0);
	case VCTL_JUMP: return rcur_seek_time(rc, rc->start_ns + arg);
	case VCTL_NONE: break;
	}
	rc->play_wall = mono_ns();
	rc->play_from = rc->cursor_ns;
	return 0;
}

/* The whole file into memory and the model (cursor at the end), then the viewer. */
static int replay_view(const struct ipcs_opts *o, struct replay_source *rs, const struct ev_filter *f)
{
	struct replay_cursor rc;
	const struct recfile_status *st;
	struct viewer_info info = { .source = "replay", .file = o->input,
				    .start_ns = replay_header(rs)->start_mono_ns };
	struct viewer_feed feed = { .pump = feed_pump, .model = feed_model, .now = feed_now,
				    .control = feed_control };
	int err = rcur_load(&rc, rs, f);

	st = replay_status(rs);
	if (err) {
		log_error("%s: reading stopped: %s", o->input, err < 0 ? strerror(-err) : "error");
		rcur_fini(&rc);
		return err;
	}
	if (!st->clean_end)
		info.warning = st->message[0] ? st->message : "the recording did not end cleanly";
	feed.ctx = &rc;
	err = viewer_run(&feed, &info, o->frames);
	report_status(o->input, st);	/* again, after the screen is given back */
	rcur_fini(&rc);
	return err;
}

int cmd_replay(const struct ipcs_opts *o)
{
	struct replay_source *rs = NULL;
	struct plain_printer pp = { .out = stdout };
	struct ev_filter f;
	bool view = !o->plain && isatty(STDOUT_FILENO);
	struct pipeline p;
	int err;

	err = replay_open(o->input, &rs);
	if (err)
		return EXIT_FAIL;
	err = pipeline_init(&p, true);
	if (err) {
		replay_close(rs);
		return EXIT_FAIL;
	}
	cmd_filter(o, replay_header(rs)->start_mono_ns, &f, &p);
	if (view) {
		err = replay_view(o, rs, p.filter);
		goto out;
	}
	pp.start_ns = replay_header(rs)->start_mono_ns;
	pp.model = p.model;
	pipeline_add_sink(&p, plain_sink(&pp));
	err = replay_run(rs, replay_cb, &p);
	fflush(stdout);
	if (err)
		log_error("%s: reading stopped: %s", o->input, err < 0 ? strerror(-err) : "error");
	report_status(o->input, replay_status(rs));
out:
	pipeline_fini(&p);
	replay_close(rs);
	return err ? EXIT_FAIL : EXIT_OK;
}
