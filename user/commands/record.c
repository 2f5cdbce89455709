/* record.c - `ipcscope record`: probes -> pipeline -> recorder, until told to stop. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "commands/commands.h"
#include "commands/target.h"
#include "collect/seed_procfs.h"
#include "collect/source_live.h"
#include "log.h"
#include "pipeline.h"
#include "record/recorder.h"

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) { stop_signal = sig; }
static void on_child(int sig) { (void)sig; }

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
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
static int seed_state(const pid_t *pids, size_t npids, struct recorder *r)
{
	struct seed_buf b = { 0 };
	int err;

	/* record keeps no model: the seeds only go to the META block, and replay
	 * feeds them to the model before the events. */
	err = seed_procfs("/proc", pids, npids, mono_ns(), seed_collect, &b);
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

static void status_line(const struct ipcs_opts *o, const struct pipeline *p,
			const __u64 drops[IPCS_DROP_SLOTS], bool final)
{
	if (o->quiet || (!final && !isatty(STDERR_FILENO)))
		return;
	fprintf(stderr, "%sipcscope: %llu events, %llu dropped -> %s%s",
		final ? "" : "\r",
		(unsigned long long)p->records, (unsigned long long)drops_sum(drops), o->output,
		final ? "\n" : "   ");
}

struct run_state {
	const struct ipcs_opts *o;
	struct live_source *ls;
	struct pipeline p;
	struct recorder rec;
	__u64 drops[IPCS_DROP_SLOTS];
	pid_t child;
	int child_status;
	bool child_done;
	bool child_running;	/* released from its start-up SIGSTOP */
};

static void reap_child(struct run_state *s)
{
	int st;

	if (s->child <= 0 || s->child_done)
		return;
	if (waitpid(s->child, &st, WNOHANG) == s->child && (WIFEXITED(st) || WIFSIGNALED(st))) {
		s->child_done = true;
		s->child_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
}

static int trace_loop(struct run_state *s)
{
	const struct ipcs_opts *o = s->o;
	__u64 start = mono_ns(), last_tick = start;
	int err = 0, n;

	while (!stop_signal) {
		n = live_poll(s->ls, 100, feed_cb, &s->p);
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
			err = feed_drops(s->ls, &s->p, s->drops, false);
			if (!err)
				err = recorder_flush(&s->rec);
			if (err)
				break;
			status_line(o, &s->p, s->drops, false);
		}
	}
	if (!err) {	/* everything the kernel already produced belongs in the file */
		n = live_drain(s->ls, feed_cb, &s->p);
		if (n < 0)
			err = n;
	}
	return err;
}

int record_run(const struct ipcs_opts *o, const struct record_target *t, int *cmd_status)
{
	struct recfile_write_opts wo = { .force = o->force };
	struct run_state s = { .o = o };
	struct live_config cfg = { 0 };
	pid_t pids[OPTS_MAX_PIDS];
	size_t npids = 0;
	int err, cerr;

	install_handlers();
	err = pipeline_init(&s.p, false);
	if (err)
		return EXIT_FAIL;
	if (recorder_open(&s.rec, o->output, &wo))
		return EXIT_FAIL;
	pipeline_add_sink(&s.p, recorder_sink(&s.rec));

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
	cfg.self_pid = getpid();
	err = live_open(&cfg, &s.ls);
	if (err)
		goto discard;
	err = seed_state(pids, npids, &s.rec);
	if (err) {
		log_error("reading the state of /proc failed: %s", strerror(-err));
		goto out;
	}
	if (!o->quiet)
		fprintf(stderr, "ipcscope: recording to %s%s\n", o->output,
			s.child > 0 ? "" : "; Ctrl-C to stop");
	if (s.child > 0) {
		kill(s.child, SIGCONT);
		s.child_running = true;
	}

	err = trace_loop(&s);
out:
	/* The final counters go into the stream as a record too: readers take drops from
	 * the model alone, the trailer only repeats them. */
	cerr = feed_drops(s.ls, &s.p, s.drops, true);
	if (!err)
		err = cerr;
	live_close(s.ls);
	cerr = recorder_close(&s.rec, s.drops);
	if (!err)
		err = cerr;
	status_line(o, &s.p, s.drops, true);
	if (drops_sum(s.drops))
		log_warn("%llu events were dropped (ring buffer full: try --ringbuf-kb, or a narrower filter)",
			 (unsigned long long)drops_sum(s.drops));
	if (s.child > 0) {
		if (!s.child_done) {	/* we were stopped: pass the signal on, then reap */
			int st;

			/* Still held stopped (an error came first): only SIGKILL acts. */
			if (!s.child_running)
				kill(s.child, SIGKILL);
			else
				kill(s.child, stop_signal ? stop_signal : SIGTERM);
			while (waitpid(s.child, &st, 0) < 0 && errno == EINTR)
				;
			s.child_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		*cmd_status = s.child_status;
	}
	pipeline_fini(&s.p);
	return err ? EXIT_FAIL : EXIT_OK;

discard:
	recorder_discard(&s.rec);
	if (s.child > 0) {
		kill(s.child, SIGKILL);
		waitpid(s.child, NULL, 0);
	}
	pipeline_fini(&s.p);
	return EXIT_FAIL;
}

int cmd_record(const struct ipcs_opts *o)
{
	struct record_target t = { .argv = o->argv };
	int status = 0, rc;

	rc = record_run(o, o->argv ? &t : NULL, &status);
	if (rc != EXIT_OK)
		return rc;
	return o->argv ? status : EXIT_OK;
}
