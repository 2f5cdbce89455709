/* replay.c - `ipcscope replay FILE --plain`: a recording through the same pipeline. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "commands/commands.h"
#include "log.h"
#include "pipeline.h"
#include "plain.h"
#include "record/source_replay.h"

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

int cmd_replay(const struct ipcs_opts *o)
{
	struct replay_source *rs = NULL;
	struct plain_printer pp = { .out = stdout };
	struct pipeline p;
	int err;

	if (!o->plain)
		log_info("the interactive viewer is not built yet: printing lines (--plain)");
	err = replay_open(o->input, &rs);
	if (err)
		return EXIT_FAIL;
	err = pipeline_init(&p, true);
	if (err) {
		replay_close(rs);
		return EXIT_FAIL;
	}
	pp.start_ns = replay_header(rs)->start_mono_ns;
	pp.model = p.model;
	pipeline_add_sink(&p, plain_sink(&pp));
	err = replay_run(rs, replay_cb, &p);
	fflush(stdout);
	if (err)
		log_error("%s: reading stopped: %s", o->input, err < 0 ? strerror(-err) : "error");
	report_status(o->input, replay_status(rs));
	pipeline_fini(&p);
	replay_close(rs);
	return err ? EXIT_FAIL : EXIT_OK;
}
