/* record.c - `ipcscope record`: a tracing session (trace/session.c) into a recording (-o, rotated
 * with -C/-G/-W) and/or JSON lines (--jsonl), until told to stop. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "commands/commands.h"
#include "collect/source_live.h"
#include "export/exporter.h"
#include "export/output.h"
#include "log.h"
#include "util/units.h"
#include "pipeline.h"
#include "record/recorder.h"
#include "record/rotate.h"
#include "trace/session.h"
#include "util/clock.h"
#include "util/vec.h"

/* Collect seed records into one buffer, for the META block and the pipeline. */
struct seed_buf {
	char *data;
	size_t len, cap;
	__u32 n;
};

static int seed_collect(const void *rec, size_t len, void *ctx)
{
	struct seed_buf *b = ctx;

	if (len > SIZE_MAX - b->len || vec_grow((void **)&b->data, &b->cap, b->len + len, 1, 65536))
		return -ENOMEM;
	memcpy(b->data + b->len, rec, len);
	b->len += len;
	b->n++;
	return 0;
}

struct run_state {
	const struct ipcs_opts *o;
	struct session ss;
	struct pipeline p;
	bool recording;		/* a file (-o): record --jsonl alone has none */
	struct recorder rec;	/* rec.w NULL once a rotation failed: nothing more is written */
	FILE *jsonl;		/* --jsonl: its stream, and the exporter writing it */
	struct exporter jx;
	struct ev_filter filter;
	struct rotate rot;	/* -C/-G/-W: the current file's name and age */
	struct recfile_write_opts wo;
	struct seed_buf seed;
	char prev[PATH_MAX];	/* the last file finished: the one shown when the next failed */
	bool rot_failed;
	bool rotating;		/* inside rotate_file */
	__u64 to_file_n;	/* events handed to the current file */
	__u64 handed, written;	/* over every file: handed to the files, known on disk */
};

#define RECORD_WAIT_THRESHOLD_NS 1000000000ull

static int rotate_file(struct run_state *s);

/* The recording sink, while a file is open. */
static int to_file(void *ctx, const struct ipcs_event *ev, const void *raw, size_t len)
{
	struct run_state *s = ctx;
	struct sink k = recorder_sink(&s->rec);
	int err;

	if (!s->rec.w)
		return 0;
	s->to_file_n++;
	s->handed++;
	err = k.on_event(k.ctx, ev, raw, len);
	/* -C: the next file begins with the record after the one that filled this one (the
	 * writer flushes at the size), not at the next tick. rotate_file feeds the drop
	 * counters through this sink: no rotation from inside one. */
	if (!err && !s->rotating && s->rec.w && s->rot.size_bytes &&
	    recfile_bytes_written(s->rec.w) >= s->rot.size_bytes) {
		s->rotating = true;
		err = rotate_file(s);
		s->rotating = false;
	}
	return err;
}

/* Finish the current file; what it holds counted as written (all, or what reached disk). */
static int close_file(struct run_state *s)
{
	__u64 before = recfile_events_written(s->rec.w);
	int err = recorder_close(&s->rec, s->ss.drops);

	s->written += err ? before : s->to_file_n;
	s->to_file_n = 0;
	return err;
}

static const char *dest(const struct run_state *s)
{
	return !s->recording ? s->o->jsonl : s->rot_failed ? s->prev : s->rot.name;
}

static long long file_bytes(const struct run_state *s)
{
	struct stat st;

	if (!s->recording)
		return -1;
	if (s->rec.w)
		return (long long)recfile_bytes_written(s->rec.w);
	return !stat(dest(s), &st) ? (long long)st.st_size : 0;	/* closed: as on disk */
}

/* -C/-G: finish this file (with its drop counters) and go on in the next. */
static int rotate_file(struct run_state *s)
{
	struct recfile_write_opts wo = s->wo;
	bool reuse;
	int err = session_feed_drops(&s->ss, true);

	if (!err)
		err = close_file(s);
	snprintf(s->prev, sizeof(s->prev), "%s", s->rot.name);
	s->rot_failed = true;
	if (!err)
		err = rotate_next(&s->rot, mono_ns(), &reuse);
	if (!err) {
		wo.force = wo.force || reuse;	/* -W: the oldest of our own files is replaced */
		err = recorder_open(&s->rec, s->rot.name, &wo);
	}
	s->rot_failed = err != 0;
	if (err) {
		/* No file to go on in: tracing stops rather than go on unrecorded. */
		log_error("recording stopped: cannot go on in %s; %s", s->rot.name,
			  s->ss.child > 0 ? "the traced command is ended too (SIGTERM to its process group)"
					  : "the traced processes run on, untraced");
		return err;
	}
	log_info("recording to %s", s->rot.name);
	live_forget_cgroup_names(s->ss.ls);	/* each file names its own cgroups */
	return 0;
}

/* Once a second: the file flushed (a killed recorder loses at most that), rotated when due. */
static int record_tick(struct session *ss, void *ctx)
{
	struct run_state *s = ctx;
	int err = 0;

	if (s->rec.w)
		err = recorder_flush(&s->rec);
	if (!err && s->rec.w && rotate_due(&s->rot, (__u64)file_bytes(s), ss->last_tick)) {
		err = rotate_file(s);
	}
	if (!err)
		session_status(ss, dest(s), file_bytes(s), 0, false);
	return err;
}

static int jsonl_close(const struct ipcs_opts *o, struct run_state *s)
{
	int err = 0;

	if (!s->jsonl)
		return 0;
	if (s->jx.destroy) {
		err = s->jx.finish(s->jx.sink.ctx);
		s->jx.destroy(s->jx.sink.ctx);
		s->jx.destroy = NULL;
	}
	if (export_output_close(s->jsonl, o->jsonl) && !err)
		err = -EIO;
	s->jsonl = NULL;
	return err;
}

/* --jsonl: every event as a JSON line as it comes (no seed records: those are state, not events). */
static int jsonl_open(const struct ipcs_opts *o, struct run_state *s)
{
	struct export_info info = { .start_ns = mono_ns() };
	int err = export_output_open(o->jsonl, cmd_outf_flags(o), false, &s->jsonl);

	if (err)
		return err;
	setvbuf(s->jsonl, NULL, _IOLBF, 0);	/* a line per event reaches a log shipper at once */
	err = export_jsonl_open(s->jsonl, &info, &s->jx);
	if (!err)
		err = pipeline_add_sink(&s->p, s->jx.sink);
	if (err) {
		log_error("--jsonl: %s", strerror(-err));
		jsonl_close(o, s);
	}
	return err;
}

/* The outputs, before tracing starts: an unwritable path fails first. */
static int open_outputs(struct run_state *s)
{
	const struct ipcs_opts *o = s->o;

	if (s->recording) {
		if (rotate_init(&s->rot, o->output, o->rotate_bytes, (__u64)(o->rotate_secs * 1e9),
				o->rotate_count, mono_ns())) {
			log_error("%s: name too long", o->output);
			return -ENAMETOOLONG;
		}
		if (recorder_open(&s->rec, s->rot.name, &s->wo))
			return -EIO;
		pipeline_add_sink(&s->p, (struct sink){ .on_event = to_file, .ctx = s });
	}
	if (o->jsonl && jsonl_open(o, s)) {
		recorder_discard(&s->rec);
		return -EIO;
	}
	return 0;
}

static int trace(struct run_state *s, const struct record_target *t)
{
	const struct ipcs_opts *o = s->o;
	struct session_cfg cfg = {
		.o = o, .cmd = t, .p = &s->p, .until_gone = true,
		/* record --jsonl alone writes events only, no state; a recording keeps the seed
		 * in its META block, and replay feeds it to the model before the events */
		.seed = s->recording ? SESSION_SEED_CB : SESSION_SEED_NONE,
		.seed_cb = seed_collect, .seed_ctx = &s->seed,
		/* Long waits go into recordings only (docs/deadlock.md). */
		.waits = s->recording, .wait_threshold_ns = RECORD_WAIT_THRESHOLD_NS,
		.wait_cbs = { .on_wait = session_wait_to_pipeline, .ctx = &s->p },
		.on_tick = record_tick, .tick_ctx = s,
	};
	int err = session_open(&s->ss, &cfg), cerr;

	if (err) {
		recorder_discard(&s->rec);
		jsonl_close(o, s);
		return err;
	}
	if (s->recording) {
		err = recorder_write_meta(&s->rec, s->seed.data, s->seed.len, s->seed.n);
		free(s->seed.data);
		s->seed.data = NULL;
	}
	if (!err && !o->quiet)
		fprintf(stderr, "ipcscope: recording to %s%s\n", dest(s), s->ss.child > 0 ? "" : "; Ctrl-C to stop");
	if (!err)
		session_go(&s->ss);
	while (!err && !session_done(&s->ss))
		err = session_step(&s->ss, 100);
	err = session_finish(&s->ss, err);
	cerr = s->recording && s->rec.w ? close_file(s) : 0;
	if (!err)
		err = cerr;
	cerr = jsonl_close(o, s);
	if (!err)
		err = cerr;
	session_status(&s->ss, dest(s), file_bytes(s), s->handed - s->written, true);
	return err;
}

/* Probes -> a recording and/or --jsonl until told to stop. */
int record_run(const struct ipcs_opts *o, const struct record_target *t, int *cmd_status)
{
	static struct run_state s;	/* rotate's names: not on the stack */
	int err;

	memset(&s, 0, sizeof(s));
	s.o = o;
	s.wo = (struct recfile_write_opts){ .force = o->force, .foreign = o->replace_foreign,
					   .capture_bytes = o->capture, .size_limit = o->rotate_bytes };
	s.recording = o->output != NULL;
	if (pipeline_init(&s.p, false))
		return EXIT_FAIL;
	cmd_filter(o, 0, &s.filter, &s.p);	/* --kind: only those events are kept */
	err = open_outputs(&s);
	if (!err)
		err = trace(&s, t);
	if (t && s.ss.child > 0)
		*cmd_status = s.ss.child_status;
	pipeline_fini(&s.p);
	return err ? EXIT_FAIL : EXIT_OK;
}

int cmd_record(const struct ipcs_opts *o)
{
	struct record_target t = { .argv = o->argv };
	int status = 0, rc;

	/* A command that cannot run leaves no recording behind: check first,
	 * with the shell's codes (127 not found, 126 not executable). */
	if (o->argv && (rc = target_check(o->argv[0]))) {
		log_error("cannot run %s: %s", o->argv[0], strerror(-rc));
		return rc == -ENOENT ? 127 : 126;
	}
	rc = record_run(o, o->argv ? &t : NULL, &status);
	if (rc != EXIT_OK)
		return rc;
	return o->argv ? status : EXIT_OK;
}
