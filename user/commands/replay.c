/*
 * replay.c - `ipcscope replay FILE`: a recording through the same pipeline,
 * into the viewer on a terminal, or one line per event (--plain, or stdout
 * not a terminal).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "commands/commands.h"
#include "log.h"
#include "pipeline.h"
#include "plain.h"
#include "record/source_replay.h"
#include "viewer.h"

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

/* The whole file into the model first (as report does), then the viewer on it. */
static int replay_view(const struct ipcs_opts *o, struct replay_source *rs, struct pipeline *p)
{
	const struct recfile_status *st;
	struct viewer_info info = {
		.source = "replay",
		.file = o->input,
		.start_ns = replay_header(rs)->start_mono_ns,
	};
	int err = replay_run(rs, replay_cb, p);

	st = replay_status(rs);
	if (err) {
		log_error("%s: reading stopped: %s", o->input, err < 0 ? strerror(-err) : "error");
		return err;
	}
	model_flush(p->model);
	if (!st->clean_end)
		info.warning = st->message[0] ? st->message : "the recording did not end cleanly";
	err = viewer_run(p->model, &info, o->frames);
	report_status(o->input, st);	/* again, after the screen is given back */
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
		err = replay_view(o, rs, &p);
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
