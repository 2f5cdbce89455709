/* record.c - `ipcscope record`: probes -> pipeline -> recorder, until told to stop.
 * The same loop without a recorder serves `ipcscope stat` (trace_run). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "commands/commands.h"
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

/* Fork the target stopped, so the probes can be pointed at it before its first instruction. */
static int start_target(const struct record_target *t, pid_t *out)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		raise(SIGSTOP);
		if (t->fn)
			_exit(t->fn(t->arg));
		execvp(t->argv[0], t->argv);
		fprintf(stderr, "ipcscope: cannot run %s: %s\n", t->argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	while (waitpid(pid, &st, WUNTRACED) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFSTOPPED(st))
		return -ECHILD;
	*out = pid;
	return 0;
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

static int feed_cb(const void *rec, size_t len, void *ctx)
{
	return pipeline_feed(ctx, rec, len);
}

/* With no pids (whole host, or only a comm filter) every process is seeded. */
static int seed_state(const pid_t *pids, size_t npids, struct recorder *r, struct pipeline *p)
{
	struct seed_buf b = { 0 };
	int err;

	/* Without a file (stat) the seeds go straight to the model. */
	if (!r)
		return seed_procfs("/proc", pids, npids, mono_ns(), feed_cb, p);
	/* record keeps no model: the seeds only go to the META block, and replay
	 * feeds them to the model before the events. */
	err = seed_procfs("/proc", pids, npids, mono_ns(), seed_collect, &b);
	if (!err)
		err = recorder_write_meta(r, b.data, b.len, b.n);
	free(b.data);
	return err;
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

/* Gone, or a zombie nobody has reaped yet: it will make no more calls. */
static bool pid_gone(pid_t pid)
{
	char path[64], buf[512], *rp;
	FILE *f;
	size_t n;

	if (kill(pid, 0) && errno == ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	rp = strrchr(buf, ')');	/* comm may hold anything, even ')' */
	return rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X');
}

static bool pids_gone(const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!pid_gone(pids[i]))
			return false;
	return true;
}

static __u64 drops_sum(const __u64 d[IPCS_DROP_SLOTS])
{
	__u64 s = 0;

	for (int i = 0; i < IPCS_DROP_SLOTS; i++)
		s += d[i];
	return s;
}

/* dest: the recording, or NULL when nothing is written (stat). */
static void status_line(const struct ipcs_opts *o, const char *dest, const struct pipeline *p,
			const __u64 drops[IPCS_DROP_SLOTS], bool final)
{
	if (o->quiet || (!final && !isatty(STDERR_FILENO)))
		return;
	fprintf(stderr, "%sipcscope: %llu events, %llu dropped -> %s%s",
		final ? "" : "\r",
		(unsigned long long)p->records, (unsigned long long)drops_sum(drops),
		dest ? dest : "counted",
		final ? "\n" : "   ");
}

struct run_state {
	const struct ipcs_opts *o;
	struct live_source *ls;
	struct pipeline *p;
	struct recorder *rec;	/* NULL: nothing is written (stat) */
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
	__u64 records0 = s->p->records;
	long rss_kb = 0;
	double cpu0 = cpu_seconds(&rss_kb), cpu;
	int err = 0, n;

	while (!stop_signal) {
		n = live_poll(s->ls, 100, feed_cb, s->p);
		if (n < 0 && n != -EINTR) {
			err = n;
			break;
		}
		reap_child(s);
		if (s->child > 0 && s->child_done)
			break;
		if (s->child <= 0 && o->npids && pids_gone(o->pids, o->npids))
			break;
		if (o->duration_s > 0 && (double)(mono_ns() - start) / 1e9 >= o->duration_s)
			break;
		if (mono_ns() - last_tick >= 1000000000ull) {
			last_tick = mono_ns();
			err = feed_drops(s->ls, s->p, s->drops, false);
			if (!err && s->rec)
				err = recorder_flush(s->rec);
			if (err)
				break;
			status_line(o, s->rec ? o->output : NULL, s->p, s->drops, false);
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

/* Probes -> p (and rec when recording) until told to stop; see trace_run. */
static int run(const struct ipcs_opts *o, const struct record_target *t, struct pipeline *p,
	       struct recorder *rec, int *cmd_status)
{
	struct run_state s = { .o = o, .p = p, .rec = rec };
	struct live_config cfg = { 0 };
	pid_t pids[OPTS_MAX_PIDS];
	size_t npids = 0;
	int err, cerr;

	install_handlers();
	if (t) {
		err = start_target(t, &s.child);
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
	err = seed_state(pids, npids, rec, p);
	if (err) {
		log_error("reading the state of /proc failed: %s", strerror(-err));
		goto out;
	}
	if (!o->quiet && rec)
		fprintf(stderr, "ipcscope: recording to %s%s\n", o->output,
			s.child > 0 ? "" : "; Ctrl-C to stop");
	else if (!o->quiet)
		fprintf(stderr, "ipcscope: tracing (counting only)%s\n",
			s.child > 0 ? "" : "; Ctrl-C to stop and print the summary");
	if (s.child > 0) {
		kill(s.child, SIGCONT);
		s.child_running = true;
	}

	err = trace_loop(&s);
out:
	/* The final counters go into the stream as a record too: readers take drops from
	 * the model alone, the trailer only repeats them. */
	cerr = feed_drops(s.ls, p, s.drops, true);
	if (!err)
		err = cerr;
	live_close(s.ls);
	if (rec) {
		cerr = recorder_close(rec, s.drops);
		if (!err)
			err = cerr;
	}
	status_line(o, rec ? o->output : NULL, p, s.drops, true);
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
	return err ? EXIT_FAIL : EXIT_OK;

discard:
	if (rec)
		recorder_discard(rec);
	if (s.child > 0) {
		kill(s.child, SIGKILL);
		waitpid(s.child, NULL, 0);
	}
	return EXIT_FAIL;
}

int record_run(const struct ipcs_opts *o, const struct record_target *t, int *cmd_status)
{
	struct recfile_write_opts wo = { .force = o->force };
	struct recorder rec;
	struct pipeline p;
	int rc;

	if (pipeline_init(&p, false))
		return EXIT_FAIL;
	if (recorder_open(&rec, o->output, &wo))
		return EXIT_FAIL;
	pipeline_add_sink(&p, recorder_sink(&rec));
	rc = run(o, t, &p, &rec, cmd_status);
	pipeline_fini(&p);
	return rc;
}

int trace_run(const struct ipcs_opts *o, const struct record_target *t, struct pipeline *p,
	      int *cmd_status)
{
	return run(o, t, p, NULL, cmd_status);
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
