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
#include "collect/cgroup.h"
#include "collect/seed_procfs.h"
#include "collect/source_live.h"
#include "commands/commands.h"
#include "commands/target.h"
#include "deadlock/watcher.h"
#include "log.h"
#include "pipeline.h"
#include "plain.h"
#include "plain_table.h"
#include "viewer.h"

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) { stop_signal = sig; }

struct live_run {
	const struct ipcs_opts *o;
	struct live_source *ls;
	struct pipeline p;
	__u64 start_ns;
	__u64 drops[IPCS_DROP_SLOTS];
	__u64 last_tick;
	pid_t child;
	int child_status;
	bool child_done;
	char what[160];		/* what is watched, for the status line */
	bool watch_waits;	/* the viewer: long waits into the model (waits view) */
	struct dl_watcher waits;	/* threads blocked > 1 s: IPCS_REC_WAIT records, as record does */
};

#define LIVE_WAIT_THRESHOLD_NS 1000000000ull	/* the recorder's: one meaning of a long wait */

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static int feed_cb(const void *rec, size_t len, void *ctx)
{
	return pipeline_feed(ctx, rec, len);
}

/* The probes' records: into the model, and the wait-for graph learns who
 * wakes and acquires each futex from them. */
static int feed_events(const void *rec, size_t len, void *ctx)
{
	struct live_run *s = ctx;
	int err = s->watch_waits ? dl_watcher_see(&s->waits, rec, len) : 0;

	return err ? err : pipeline_feed(&s->p, rec, len);
}

static int feed_wait(const struct ipcs_wait_rec *r, void *ctx)
{
	return pipeline_feed(ctx, r, sizeof(*r));
}

/* Threads blocked in IPC past a second, with their wait-for edges and
 * cycles, into the model as the recorder writes them (docs/deadlock.md):
 * the waits view shows who is blocked now. /proc trouble only costs this
 * tick's records. */
static int feed_waits(struct live_run *s)
{
	struct dl_watch_cbs cbs = { .on_wait = feed_wait, .ctx = &s->p };
	int err = cmd_scan_waits(&s->waits, s->ls, mono_ns(), &cbs);

	if (err && err != -ENOMEM) {
		log_debug("live: long waits: %s", strerror(-err));
		err = 0;
	}
	return err;
}

/* Drop counters into the model as a record whenever they change: shown like events. */
static int feed_drops(struct live_run *s, bool force)
{
	struct ipcs_drops_rec d = { .h = { .type = IPCS_REC_DROPS, .size = sizeof(d) } };

	if (live_get_drops(s->ls, d.drops))
		return 0;
	if (!force && !memcmp(d.drops, s->drops, sizeof(d.drops)))
		return 0;
	memcpy(s->drops, d.drops, sizeof(d.drops));
	d.h.ts_ns = mono_ns();
	return pipeline_feed(&s->p, &d, sizeof(d));
}

static void reap_child(struct live_run *s)
{
	if (s->child > 0 && !s->child_done && !target_reap(s->child, false, &s->child_status))
		s->child_done = true;
}

/* Take in what the probes produced (waiting up to wait_ms); drops once a second. */
static int live_step(struct live_run *s, int wait_ms)
{
	int n = live_poll(s->ls, wait_ms, feed_events, s), err;

	if (n < 0 && n != -EINTR)
		return n;
	reap_child(s);
	if (mono_ns() - s->last_tick >= 1000000000ull) {
		s->last_tick = mono_ns();
		err = feed_drops(s, false);
		if (!err && s->watch_waits)
			err = feed_waits(s);
		return err;
	}
	return 0;
}

/* ---- the viewer's feed ---- */

static int feed_pump(void *ctx, int wait_ms)
{
	return live_step(ctx, wait_ms);
}

static const struct model *feed_model(void *ctx)
{
	return ((struct live_run *)ctx)->p.model;
}

static __u64 feed_now(void *ctx, char *state, size_t n)
{
	struct live_run *s = ctx;

	if (s->child > 0)
		snprintf(state, n, s->child_done ? "command exited %d" : "command running",
			 s->child_status);
	else if (s->o->npids && target_pids_gone(s->o->pids, s->o->npids))
		snprintf(state, n, "every -p process exited");
	return mono_ns();
}

/* ---- plain output ---- */

static bool plain_done(struct live_run *s)
{
	if (stop_signal)
		return true;
	if (s->o->duration_s > 0 && mono_ns() - s->start_ns >= (__u64)(s->o->duration_s * 1e9))
		return true;
	if (s->child > 0)
		return s->child_done;
	return s->o->npids && target_pids_gone(s->o->pids, s->o->npids);
}

static int plain_loop(struct live_run *s)
{
	const struct ipcs_opts *o = s->o;
	__u64 every = (__u64)(o->interval_s * 1e9), last_table = mono_ns();
	int err = 0, n;

	while (!err && !plain_done(s)) {
		err = live_step(s, 100);
		if (!err && every && mono_ns() - last_table >= every) {
			last_table += every;
			err = plain_table(stdout, s->p.model, s->start_ns, mono_ns(), 0);
		}
		if (!err && !every && fflush(stdout))
			err = -errno;
	}
	if (!err) {	/* what the kernel already produced belongs in the output */
		n = live_drain(s->ls, feed_cb, &s->p);
		if (n < 0)
			err = n;
	}
	if (!err)
		err = feed_drops(s, true);
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

	if (o->argv) {
		snprintf(s->what, sizeof(s->what), "-- %s", o->argv[0]);
		return;
	}
	for (size_t i = 0; i < o->npids && n < sizeof(s->what) - 16; i++)
		n += (size_t)snprintf(s->what + n, sizeof(s->what) - n, "%s-p %d", n ? " " : "",
				      (int)o->pids[i]);
	if (o->comm && n < sizeof(s->what))
		n += (size_t)snprintf(s->what + n, sizeof(s->what) - n, "%s-c %s", n ? " " : "", o->comm);
	if (o->cgroup && n < sizeof(s->what))
		snprintf(s->what + n, sizeof(s->what) - n, "%s--cgroup %s", n ? " " : "", o->cgroup);
	if (!s->what[0])
		snprintf(s->what, sizeof(s->what), "whole host");
}

static int open_probes(struct live_run *s, pid_t *pids, size_t npids)
{
	const struct ipcs_opts *o = s->o;
	struct live_config cfg = { .pids = pids, .npids = npids, .comm = o->comm,
				    .follow_children = true,
				    .ringbuf_bytes = (size_t)o->ringbuf_kb * 1024,
				    .self_pid = getpid() };
	static struct cgroup_ref cg;	/* 4 KiB path: not on the stack */
	int err = cmd_cgroup(o, &cg, &cfg);

	if (err)
		return err;
	err = live_open(&cfg, &s->ls);
	if (err)
		return err;
	/* What was open before we looked, then the events. */
	err = seed_procfs_in("/proc", pids, npids, cfg.cgroup ? cg.path : NULL, mono_ns(), feed_cb,
			     &s->p);
	if (err)
		log_error("reading the state of /proc failed: %s", strerror(-err));
	return err;
}

int cmd_live(const struct ipcs_opts *o)
{
	struct live_run s = { .o = o };
	struct record_target t = { .argv = o->argv };
	struct plain_printer pp = { .out = stdout };
	struct ev_filter f;
	bool view = !o->plain && !o->interval_s && isatty(STDOUT_FILENO);
	struct sigaction sa = { 0 };
	pid_t pids[OPTS_MAX_PIDS];
	size_t npids = o->npids;
	int err;

	sa.sa_handler = on_stop;	/* no SA_RESTART: poll returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	describe(&s);
	/* No viewer: say what runs and how it ends, not trace in silence */
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
	if (pipeline_init(&s.p, true))
		return EXIT_FAIL;
	if (view) {
		if (dl_watcher_init(&s.waits, "/proc", LIVE_WAIT_THRESHOLD_NS)) {
			pipeline_fini(&s.p);
			return EXIT_FAIL;
		}
		s.watch_waits = true;
	}
	cmd_filter(o, 0, &f, &s.p);	/* --kind: the model holds only those kinds */
	memcpy(pids, o->pids, npids * sizeof(pid_t));
	t.null_stdio = view;
	if (o->argv) {
		err = target_start(&t, &s.child);
		if (err) {
			log_error("cannot start the command: %s", strerror(-err));
			if (s.watch_waits)
				dl_watcher_fini(&s.waits);
			pipeline_fini(&s.p);
			return EXIT_FAIL;
		}
		pids[0] = s.child;
		npids = 1;
	}
	s.start_ns = mono_ns();
	s.last_tick = s.start_ns;
	err = open_probes(&s, pids, npids);
	if (err)
		goto out;
	if (s.child > 0)
		kill(s.child, SIGCONT);
	if (view) {
		struct viewer_info info = { .source = "live", .file = s.what, .start_ns = s.start_ns };
		struct viewer_feed feed = { .ctx = &s, .live = true, .pump = feed_pump,
					    .model = feed_model, .now = feed_now };

		/* --duration: the viewer refreshes once a second */
		err = viewer_run(&feed, &info, o->frames ? o->frames :
					       o->duration_s > 0 ? (int)(o->duration_s + 0.999) : 0);
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
	for (int i = 0; i < IPCS_DROP_SLOTS; i++)
		if (s.drops[i]) {
				log_warn("events were dropped (ring buffer full: try --ringbuf-kb, or a narrower filter)");
			break;
		}
out:
	if (s.ls)
		live_close(s.ls);
	if (s.child > 0 && !s.child_done) {	/* the viewer was closed first: the command goes too */
		kill(s.child, SIGCONT);
		kill(s.child, SIGTERM);
		target_reap(s.child, true, &s.child_status);
	}
	if (s.watch_waits)
		dl_watcher_fini(&s.waits);
	pipeline_fini(&s.p);
	if (err)
		return EXIT_FAIL;
	return o->argv && !view ? s.child_status : EXIT_OK;
}
