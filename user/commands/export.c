/*
 * export.c - `ipcscope export FILE --format F [-o OUT]`: a recording through
 * the same pipeline as report, into one exporter (user/export/).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "commands/commands.h"
#include "export/exporter.h"
#include "export/output.h"
#include "log.h"
#include "pipeline.h"
#include "record/source_replay.h"

static const struct {
	const char *name;
	int (*open)(FILE *f, const struct export_info *info, struct exporter *out);
	bool binary;
} formats[] = {
	{ "jsonl", export_jsonl_open, false },
	{ "dot", export_dot_open, false },
	{ "perfetto", export_perfetto_open, false },
	{ "pcapng", export_pcapng_open, true },
};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

static int find_format(const char *name)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (!strcmp(formats[i].name, name))
			return (int)i;
	return -1;
}

/* Replay into the exporter; the model is built alongside for channel names and graphs. */
static int run_export(const struct ipcs_opts *o, struct replay_source *rs, int fi, FILE *out)
{
	struct export_info info = { .fh = replay_header(rs), .start_ns = replay_header(rs)->start_mono_ns };
	const struct recfile_status *st;
	struct exporter ex = { 0 };
	struct ev_filter f;
	struct pipeline p;
	int err;

	err = pipeline_init(&p, true);
	if (err)
		return err;
	info.model = p.model;
	cmd_filter(o, info.start_ns, &f, &p);
	err = formats[fi].open(out, &info, &ex);
	if (!err)
		err = pipeline_add_sink(&p, ex.sink);
	if (!err)
		err = replay_with_progress(rs, &p, "export");
	st = replay_status(rs);
	if (err)
		log_error("%s: reading stopped: %s", o->input, err < 0 ? strerror(-err) : "error");
	else if (!st->clean_end)
		log_warn("%s: %s", o->input, st->message[0] ? st->message : "the recording did not end cleanly");
	if (!err) {
		model_flush(p.model);
		err = ex.finish(ex.sink.ctx);
	}
	if (ex.destroy)
		ex.destroy(ex.sink.ctx);
	pipeline_fini(&p);
	return err;
}

int cmd_export(const struct ipcs_opts *o)
{
	struct replay_source *rs = NULL;
	FILE *out = NULL;
	int fi = find_format(o->format), err;

	if (fi < 0) {
		log_error("unknown export format '%s': use jsonl, dot, perfetto or pcapng", o->format);
		return EXIT_USAGE;
	}
	if (replay_open(o->input, &rs))
		return EXIT_FAIL;
	err = export_output_open(o->output, cmd_outf_flags(o), formats[fi].binary, &out);
	if (!err) {
		err = run_export(o, rs, fi, out);
		if (export_output_close(out, o->output) && !err)
			err = -EIO;
		if (err && out != stdout)
			unlink(o->output);	/* half an export is no export */
	}
	replay_close(rs);
	return err ? EXIT_FAIL : EXIT_OK;
}
