/*
 * live.c - `ipcscope` / `ipcscope live`: the probes -> pipeline -> model,
 * shown in the viewer as it happens; or, with --plain or a stdout that is not
 * a terminal, one line per event or a table every --interval seconds.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "commands/commands.h"
#include "log.h"
#include "pipeline.h"
#include "sinks/plain.h"
#include "sinks/plain_table.h"
#include "trace/session.h"
#include "viewer.h"
#include "util/clock.h"

struct live_run {
	const struct ipcs_opts *o;
	struct session ss;
	struct pipeline p;
	__u64 start_ns;
	char what[160];		/* what is watched, for the status line */
};

#define LIVE_WAIT_THRESHOLD_NS 1000000000ull	/* the recorder's: one meaning of a long wait */

/* ---- the viewer's feed ---- */

static int feed_pump(void *ctx, int wait_ms)
{
	return session_step(&((struct live_run *)ctx)->ss, wait_ms);
}

static const struct model *feed_model(void *ctx)
{
	return ((struct live_run *)ctx)->p.model;
}

static __u64 feed_now(void *ctx, char *state, size_t n)
{
	struct live_run *s = ctx;

	if (s->ss.child > 0)
		snprintf(state, n, s->ss.child_done ? "command exited %d" : "command running",
			 s->ss.child_status);
	else if (s->ss.npids && target_pids_gone(s->ss.pids, s->ss.npids))
		snprintf(state, n, "every -p process exited");
	return mono_ns();
}

/* ---- plain output ---- */

static int plain_loop(struct live_run *s)
{
	const struct ipcs_opts *o = s->o;
	__u64 every = (__u64)(o->interval_s * 1e9), last_table = mono_ns();
	int err = 0;

	while (!err && !session_done(&s->ss)) {
		err = session_step(&s->ss, 100);
		if (!err && every && mono_ns() - last_table >= every) {
			last_table += every;
			err = plain_table(stdout, s->p.model, s->start_ns, mono_ns(), 0);
		}
		if (!err && !every && fflush(stdout))
			err = -errno;
	}
	/* what the kernel already produced belongs in the output, then the final drops */
	err = session_finish(&s->ss, err);
	if (!err && every) {
		model_flush(s->p.model);
		err = plain_table(stdout, s->p.model, s->start_ns, mono_ns(), 0);
	}
	fflush(stdout);
	return err;
}

static void describe(struct live_run *s)
{
	const struct ipcs_opts *o = s->o;
	size_t n = 0;

	for (size_t i = 0; i < o->npids && n < sizeof(s->what) - 16; i++)
		n += (size_t)snprintf(s->what + n, sizeof(s->what) - n, "%s-p %d", n ? " " : "",
				      (int)o->pids[i]);
	for (size_t i = 0; i < o->ncomms && n < sizeof(s->what) - 16; i++)
		n += (size_t)snprintf(s->what + n, sizeof(s->what) - n, "%s-c %s", n ? " " : "", o->comms[i]);
	for (size_t i = 0; i < o->ncgroups && n < sizeof(s->what) - 16; i++)
		n += (size_t)snprintf(s->what + n, sizeof(s->what) - n, "%s--cgroup %s", n ? " " : "",
				      o->cgroups[i]);
	if (o->argv && n < sizeof(s->what) - 16)
		snprintf(s->what + n, sizeof(s->what) - n, "%s-- %s", n ? " " : "", o->argv[0]);
	if (!s->what[0])
		snprintf(s->what, sizeof(s->what), "whole host");
}

int cmd_live(const struct ipcs_opts *o)
{
	static struct live_run s;
	struct record_target t = { .argv = o->argv };
	struct plain_printer pp = { .out = stdout };
	struct ev_filter f;
	bool view = !o->plain && !o->interval_s && isatty(STDOUT_FILENO);
	struct session_cfg cfg = {
		.o = o, .cmd = o->argv ? &t : NULL, .p = &s.p, .seed = SESSION_SEED_PIPELINE,
		.until_gone = true,
		/* the viewer: long waits into the model, as the recorder writes them (waits view) */
		.waits = view, .wait_threshold_ns = LIVE_WAIT_THRESHOLD_NS,
		.wait_cbs = { .on_wait = session_wait_to_pipeline, .ctx = &s.p },
	};
	int err;

	memset(&s, 0, sizeof(s));
	s.o = o;
	describe(&s);
	if (pipeline_init(&s.p, true))
		return EXIT_FAIL;
	cmd_filter(o, 0, &f, &s.p);	/* --kind: the model holds only those kinds */
	t.null_stdio = view;
	s.start_ns = mono_ns();
	err = session_open(&s.ss, &cfg);
	if (err) {
		pipeline_fini(&s.p);
		return EXIT_FAIL;
	}
	/* No viewer: say what runs and how it ends, not trace in silence (once the probes are
	 * attached: from this line on, what the targets do is seen) */
	if (!view) {
		char until[48];

		if (o->duration_s > 0)
			snprintf(until, sizeof(until), "for %g s", o->duration_s);
		else
			snprintf(until, sizeof(until), "until %s", o->argv ? "the command ends" : "stopped");
		fprintf(stderr, "ipcscope: tracing IPC (%s), %s on stdout %s; "
			"Ctrl-C or kill -INT %d stops (ipcscope --help)\n", s.what,
			o->interval_s ? "a table of conversations" : "one line per event", until,
			(int)getpid());
	}
	session_go(&s.ss);
	if (view) {
		struct viewer_info info = { .source = "live", .file = s.what, .start_ns = s.start_ns };
		struct viewer_feed feed = { .ctx = &s, .live = true, .pump = feed_pump,
					    .model = feed_model, .now = feed_now };

		/* --duration: the viewer refreshes once a second */
		err = viewer_run(&feed, &info, o->frames ? o->frames :
					       o->duration_s > 0 ? (int)(o->duration_s + 0.999) : 0);
		/* the viewer was closed: the command, if still running, goes too */
		err = session_finish(&s.ss, err);
	} else {
		pp.start_ns = s.start_ns;
		pp.model = s.p.model;
		if (!o->interval_s)
			pipeline_add_sink(&s.p, plain_sink(&pp));
		err = plain_loop(&s);
		if (err == -EPIPE)	/* the reader closed the pipe (| head): a way to stop */
			err = 0;
		else if (err)
			log_error("live: %s", strerror(-err));
	}
	pipeline_fini(&s.p);
	if (err)
		return EXIT_FAIL;
	return o->argv && !view ? s.ss.child_status : EXIT_OK;
}
