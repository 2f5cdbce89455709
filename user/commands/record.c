/* record.c - `ipcscope record`: probes -> pipeline -> recorder, until told to stop.
 * The same loop without a recorder serves `ipcscope stat` (trace_run). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "commands/commands.h"
#include "commands/target.h"
#include "collect/seed_procfs.h"
#include "collect/source_live.h"
#include "deadlock/watcher.h"
#include "export/export.h"
#include "export/output.h"
#include "log.h"
#include "util/units.h"
#include "pipeline.h"
#include "record/recorder.h"
#include "record/rotate.h"

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) { stop_signal = sig; }
static void on_child(int sig) { (void)sig; }

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* CPU seconds this process used so far; peak RSS in KiB. */
static double cpu_seconds(long *maxrss_kb)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	*maxrss_kb = ru.ru_maxrss;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void install_handlers(void)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = on_stop;	/* no SA_RESTART: poll returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Collect seed records into one buffer, for the META block and the pipeline. */
struct seed_buf {
	char *data;
	size_t len, cap;
	__u32 n;
};

static int seed_collect(const void *rec, size_t len, void *ctx)
{
	struct seed_buf *b = ctx;

	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 65536;
		char *d;

		while (cap < b->len + len)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d)
			return -ENOMEM;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, rec, len);
	b->len += len;
	b->n++;
	return 0;
}

/* With no pids (whole host, or only a comm filter) every process is seeded. */
static int feed_cb(const void *rec, size_t len, void *ctx);

/* With no pids (whole host, or only a comm filter) every process is seeded. */
static int seed_state(const pid_t *pids, size_t npids, const char *cgroup_dir, struct recorder *r,
		      struct pipeline *p)
{
	struct seed_buf b = { 0 };
	int err;

	/* Without a file (stat) the seeds go straight to the model. */
	if (!r)
		return seed_procfs_in("/proc", pids, npids, cgroup_dir, mono_ns(), feed_cb, p);

	/* record keeps no model: the seeds only go to the META block, and replay
	 * feeds them to the model before the events. */
	err = seed_procfs_in("/proc", pids, npids, cgroup_dir, mono_ns(), seed_collect, &b);
	if (!err)
		err = recorder_write_meta(r, b.data, b.len, b.n);
	free(b.data);
	return err;
}

static int feed_cb(const void *rec, size_t len, void *ctx)
{
	return pipeline_feed(ctx, rec, len);
}

/* Emit the drop counters as a record when they change: recorded and modelled like events. */
static int feed_drops(struct live_source *ls, struct pipeline *p, __u64 last[IPCS_DROP_SLOTS], bool force)
{
	struct ipcs_drops_rec d = { .h = { .type = IPCS_REC_DROPS, .size = sizeof(d) } };

	if (live_get_drops(ls, d.drops))
		return 0;
	if (!force && !memcmp(d.drops, last, sizeof(d.drops)))
		return 0;
	memcpy(last, d.drops, sizeof(d.drops));
	d.h.ts_ns = mono_ns();
	return pipeline_feed(p, &d, sizeof(d));
}

static __u64 drops_sum(const __u64 d[IPCS_DROP_SLOTS])
{
	__u64 s = 0;

	for (int i = 0; i < IPCS_DROP_SLOTS; i++)
		s += d[i];
	return s;
}

/* Events, drops and where they go (with the file's size), on one line; a tty gets it refreshed. */
static void status_line(const struct ipcs_opts *o, const struct pipeline *p,
			const __u64 drops[IPCS_DROP_SLOTS], const char *file, __u64 bytes, bool final)
{
	char size[32] = "", units[16];

	if (o->quiet || (!final && !isatty(STDERR_FILENO)))
		return;
	if (file)
		snprintf(size, sizeof(size), " (%s)", units_bytes(units, sizeof(units), bytes));
	fprintf(stderr, "%sipcscope: %llu events, %llu dropped -> %s%s%s",
		final ? "" : "\r",
		(unsigned long long)p->records, (unsigned long long)drops_sum(drops),
		file ? file : o->jsonl ? o->jsonl : "counted", size, final ? "\n" : "   ");
}

struct run_state {
	const struct ipcs_opts *o;
	struct live_source *ls;
	struct pipeline *p;	/* record's own, or stat's (with a model) */
	struct pipeline own_p;
	bool recording;		/* a file (-o): stat and record --jsonl alone have none */
	struct recorder rec;
	FILE *jsonl;		/* --jsonl: its stream, and the exporter writing it */
	struct exporter jx;
	struct ev_filter filter;
	struct rotate rot;	/* -C/-G/-W: the current file's name and age */
	struct recfile_write_opts wo;
	__u64 drops[IPCS_DROP_SLOTS];
	pid_t child;
	int child_status;
	bool child_done;
	bool child_running;	/* released from its start-up SIGSTOP */
	struct dl_watcher waits;	/* threads blocked > 1 s: IPCS_REC_WAIT records */
};

#define RECORD_WAIT_THRESHOLD_NS 1000000000ull

static int feed_wait(const struct ipcs_wait_rec *r, void *ctx)
{
	return pipeline_feed(ctx, r, sizeof(*r));
}

/* Threads blocked in IPC past the threshold, with their wait-for edges and
 * cycles, into the recording (docs/deadlock.md). /proc trouble only costs
 * the records of this tick. */
static int record_waits(struct run_state *s)
{
	struct dl_watch_cbs cbs = { .on_wait = feed_wait, .ctx = s->p };
	int err = cmd_scan_waits(&s->waits, s->ls, mono_ns(), &cbs);

	if (err && err != -ENOMEM) {
		log_debug("record: long waits: %s", strerror(-err));
		err = 0;
	}
	return err;
}

/* The probes' records: into the pipeline, and the wait-for graph learns
 * who wakes and acquires each futex from them. */
static int feed_events(const void *rec, size_t len, void *ctx)
{
	struct run_state *s = ctx;
	int err = s->recording ? dl_watcher_see(&s->waits, rec, len) : 0;

	return err ? err : pipeline_feed(s->p, rec, len);
}

static void reap_child(struct run_state *s)
{
	if (s->child > 0 && !s->child_done && !target_reap(s->child, false, &s->child_status))
		s->child_done = true;
}

static __u64 file_bytes(const struct run_state *s)
{
	struct stat st;

	if (s->rec.w)
		return recfile_bytes_written(s->rec.w);
	return s->rot.base && !stat(s->rot.name, &st) ? (__u64)st.st_size : 0;	/* closed: as on disk */
}

/* -C/-G: finish this file (with its drop counters) and go on in the next. */
static int rotate_file(struct run_state *s)
{
	struct recfile_write_opts wo = s->wo;
	bool reuse;
	int err = feed_drops(s->ls, s->p, s->drops, true);

	if (!err)
		err = recorder_close(&s->rec, s->drops);
	if (!err)
		err = rotate_next(&s->rot, mono_ns(), &reuse);
	if (err)
		return err;
	wo.force = wo.force || reuse;	/* -W: the oldest of our own files is replaced */
	err = recorder_open(&s->rec, s->rot.name, &wo);
	if (!err)
		log_info("recording to %s", s->rot.name);
	live_forget_cgroup_names(s->ls);	/* each file names its own cgroups */
	return err;
}

static int trace_loop(struct run_state *s)
{
	const struct ipcs_opts *o = s->o;
	__u64 start = mono_ns(), last_tick = start;
	__u64 records0 = s->p->records;
	long rss_kb = 0;
	double cpu0 = cpu_seconds(&rss_kb), cpu;
	int err = 0, n;

	while (!stop_signal) {
		n = live_poll(s->ls, 100, feed_events, s);
		if (n < 0 && n != -EINTR) {
			err = n;
			break;
		}
		reap_child(s);
		if (s->child > 0 && s->child_done)
			break;
		if (s->child <= 0 && o->npids && target_pids_gone(o->pids, o->npids))
			break;
		if (o->duration_s > 0 && (double)(mono_ns() - start) / 1e9 >= o->duration_s)
			break;
		if (mono_ns() - last_tick >= 1000000000ull) {
			last_tick = mono_ns();
			err = feed_drops(s->ls, s->p, s->drops, false);
			if (!err && s->rec.w)
				err = record_waits(s);
			if (!err && s->rec.w)
				err = recorder_flush(&s->rec);
			if (!err && s->rec.w && rotate_due(&s->rot, file_bytes(s), last_tick))
				err = rotate_file(s);
			if (err)
				break;
			status_line(o, s->p, s->drops, s->recording ? s->rot.name : NULL, file_bytes(s), false);
		}
	}
	if (!err) {	/* everything the kernel already produced belongs in the file */
		n = live_drain(s->ls, feed_cb, s->p);
		if (n < 0)
			err = n;
	}
	/* What tracing itself cost, without start-up (make bench reads this). */
	cpu = cpu_seconds(&rss_kb) - cpu0;
	log_info("collector: %llu records, %.3f s CPU while tracing (%.2f us per record), peak RSS %ld KiB",
		 (unsigned long long)(s->p->records - records0), cpu,
		 s->p->records > records0 ? cpu * 1e6 / (double)(s->p->records - records0) : 0.0, rss_kb);
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
	int err = export_output_open(o->jsonl, o->force, false, &s->jsonl);

	if (err)
		return err;
	setvbuf(s->jsonl, NULL, _IOLBF, 0);	/* a line per event reaches a log shipper at once */
	err = export_jsonl_open(s->jsonl, &info, &s->jx);
	if (!err)
		err = pipeline_add_sink(s->p, s->jx.sink);
	if (err) {
		log_error("--jsonl: %s", strerror(-err));
		jsonl_close(o, s);
	}
	return err;
}

/* Probes -> p (and a recording, --jsonl when asked) until told to stop.
 * ext: stat's pipeline with a model; NULL: record's own, without one. */
static int run(const struct ipcs_opts *o, const struct record_target *t, struct pipeline *ext,
	       int *cmd_status)
{
	struct run_state s = { .o = o, .wo = { .force = o->force, .capture_bytes = o->capture } };
	struct live_config cfg = { 0 };
	static struct cgroup_ref cg;	/* 4 KiB path: not on the stack */
	pid_t pids[OPTS_MAX_PIDS];
	size_t npids = 0;
	int err, cerr;

	install_handlers();
	s.recording = !ext && o->output;
	s.p = ext ? ext : &s.own_p;
	if (!ext && pipeline_init(s.p, false))
		return EXIT_FAIL;
	cmd_filter(o, 0, &s.filter, s.p);	/* --kind: only those events are kept */
	if (s.recording) {
		if (rotate_init(&s.rot, o->output, o->rotate_bytes, (__u64)(o->rotate_secs * 1e9),
				o->rotate_count, mono_ns())) {
			log_error("%s: name too long", o->output);
			goto fail;
		}
		/* Long waits go into recordings only (docs/deadlock.md). */
		if (dl_watcher_init(&s.waits, "/proc", RECORD_WAIT_THRESHOLD_NS))
			goto fail;
		if (recorder_open(&s.rec, s.rot.name, &s.wo)) {
			dl_watcher_fini(&s.waits);
			goto fail;
		}
		pipeline_add_sink(s.p, recorder_sink(&s.rec));
	}
	if (!ext && o->jsonl && jsonl_open(o, &s)) {
		recorder_discard(&s.rec);
		goto fail_waits;
	}

	if (t) {
		err = target_start(t, &s.child);
		if (err) {
			log_error("cannot start the command: %s", strerror(-err));
			goto discard;
		}
		pids[npids++] = s.child;
	} else {
		memcpy(pids, o->pids, o->npids * sizeof(pid_t));
		npids = o->npids;
	}
	cfg.pids = pids;
	cfg.npids = npids;
	cfg.comm = o->comm;
	cfg.follow_children = true;
	cfg.ringbuf_bytes = (size_t)o->ringbuf_kb * 1024;
	cfg.capture_bytes = o->capture;
	err = cmd_cgroup(o, &cg, &cfg);
	if (err)
		goto discard;
	cfg.self_pid = getpid();
	err = live_open(&cfg, &s.ls);
	if (err)
		goto discard;
	/* record --jsonl alone writes events only, no state */
	err = s.recording ? seed_state(pids, npids, cfg.cgroup ? cg.path : NULL, &s.rec, s.p)
			  : ext ? seed_state(pids, npids, cfg.cgroup ? cg.path : NULL, NULL, s.p) : 0;
	if (err) {
		log_error("reading the state of /proc failed: %s", strerror(-err));
		goto out;
	}
	if (!o->quiet && ext)
		fprintf(stderr, "ipcscope: tracing (counting only)%s\n",
			s.child > 0 ? "" : "; Ctrl-C to stop and print the summary");
	else if (!o->quiet)
		fprintf(stderr, "ipcscope: recording to %s%s\n", s.recording ? s.rot.name : o->jsonl,
			s.child > 0 ? "" : "; Ctrl-C to stop");
	if (s.child > 0) {
		kill(s.child, SIGCONT);
		s.child_running = true;
	}

	err = trace_loop(&s);
out:
	/* The final counters go into the stream as a record too: readers take drops from
	 * the model alone, the trailer only repeats them. */
	cerr = feed_drops(s.ls, s.p, s.drops, true);
	if (!err)
		err = cerr;
	live_close(s.ls);
	cerr = s.recording ? recorder_close(&s.rec, s.drops) : 0;
	if (!err)
		err = cerr;
	cerr = jsonl_close(o, &s);
	if (!err)
		err = cerr;
	status_line(o, s.p, s.drops, s.recording ? s.rot.name : NULL, file_bytes(&s), true);
	if (drops_sum(s.drops))
		log_warn("%llu events were dropped (ring buffer full: try --ringbuf-kb, or a narrower filter)",
			 (unsigned long long)drops_sum(s.drops));
	if (s.child > 0) {
		if (!s.child_done) {	/* we were stopped: pass the signal on, then reap */
			/* Still held stopped (an error came first): only SIGKILL acts. */
			if (!s.child_running)
				kill(s.child, SIGKILL);
			else
				kill(s.child, stop_signal ? stop_signal : SIGTERM);
			target_reap(s.child, true, &s.child_status);
		}
		*cmd_status = s.child_status;
	}
	if (s.recording)
		dl_watcher_fini(&s.waits);
	if (!ext)
		pipeline_fini(s.p);
	return err ? EXIT_FAIL : EXIT_OK;

discard:
	if (s.recording)
		recorder_discard(&s.rec);
	jsonl_close(o, &s);
	if (s.child > 0) {
		kill(s.child, SIGKILL);
		waitpid(s.child, NULL, 0);
	}
fail_waits:
	if (s.recording)
		dl_watcher_fini(&s.waits);
fail:
	if (!ext)
		pipeline_fini(s.p);
	return EXIT_FAIL;
}

int record_run(const struct ipcs_opts *o, const struct record_target *t, int *cmd_status)
{
	return run(o, t, NULL, cmd_status);
}

int trace_run(const struct ipcs_opts *o, const struct record_target *t, struct pipeline *p,
	      int *cmd_status)
{
	return run(o, t, p, cmd_status);
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
