/*
 * deadlock.c - `ipcscope deadlock`: the wait-for graph of processes.
 *   -p PID...  hung now: from /proc and the futex words (no tracing needed)
 *   --watch    live: the probes' `inflight` map says who has been blocked in
 *              IPC for longer than --threshold; their graph is built then,
 *              and each new cycle is reported once.
 * Exit 0 no deadlock, 1 deadlock, 2 error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "collect/source_live.h"
#include "commands/commands.h"
#include "deadlock/blocked.h"
#include "deadlock/diagnose.h"
#include "deadlock/dlprint.h"
#include "deadlock/procscan.h"
#include "log.h"
#include "util/json.h"

enum { DL_EXIT_NONE = 0, DL_EXIT_DEADLOCK = 1, DL_EXIT_ERROR = 2 };

#define WATCH_TICK_MS 100

static int finish_output(int rc)
{
	if (fflush(stdout)) {
		log_error("deadlock: cannot write the output: %s", strerror(errno));
		return DL_EXIT_ERROR;
	}
	return rc;
}

static int snapshot(const struct ipcs_opts *o)
{
	struct dl_scan s = { .root = "/proc", .pids = o->pids, .npids = o->npids };
	struct dl_graph g;
	struct dl_result r;
	int rc = dl_diagnose(&s, &g);

	if (rc)
		return DL_EXIT_ERROR;
	rc = dl_analyse(&g, &r);
	if (rc) {
		log_error("deadlock: %s", strerror(-rc));
		dl_graph_fini(&g);
		return DL_EXIT_ERROR;
	}
	if (!o->no_stacks)
		dl_add_stacks(&g, &r);
	if (o->json)
		dl_print_json(stdout, &g, &r);
	else
		dl_print_text(stdout, &g, &r);
	rc = r.ncycles ? DL_EXIT_DEADLOCK : DL_EXIT_NONE;
	dl_result_fini(&r);
	dl_graph_fini(&g);
	return finish_output(rc);
}

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct watch {
	const struct ipcs_opts *o;
	struct live_source *ls;
	struct dl_blockset b;
	uint64_t start_ns, now_ns, threshold_ns;
	size_t reported;
};

static int discard(const void *rec, size_t len, void *ctx)
{
	(void)rec;
	(void)len;
	(void)ctx;
	return 0;	/* the records themselves are not needed: inflight is */
}

static int add_inflight(__u32 tid, const struct ipcs_inflight *in, void *ctx)
{
	return dl_blockset_add(ctx, (pid_t)tid, in);
}

static int64_t hint_wait_ns(pid_t tid, void *ctx)
{
	struct watch *w = ctx;

	return dl_blockset_wait_ns(&w->b, tid, w->now_ns);
}

/* The processes of the threads blocked past the threshold. */
static size_t long_waiters(struct watch *w, pid_t *pids, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < w->b.n && n < max; i++) {
		const struct dl_blocked *e = &w->b.v[i];
		pid_t tgid;
		bool dup = false;

		if (e->in.ts > w->now_ns || w->now_ns - e->in.ts < w->threshold_ns)
			continue;
		if (dl_tid_tgid("/proc", e->tid, &tgid))
			continue;	/* exited meanwhile */
		for (size_t j = 0; j < n && !dup; j++)
			dup = pids[j] == tgid;
		if (!dup)
			pids[n++] = tgid;
	}
	return n;
}

static void report_cycle(struct watch *w, struct dl_graph *g, struct dl_chain *c)
{
	struct dl_result one = { .cycles = c, .ncycles = 1 };
	double t = (double)(w->now_ns - w->start_ns) / 1e9;

	if (!w->o->no_stacks)
		dl_add_stacks(g, &one);	/* ptrace: the blocked calls restart, once */
	w->reported++;
	if (w->o->json) {
		struct json_writer jw;

		json_init(&jw, stdout, false);
		json_obj_begin(&jw);
		json_ku64(&jw, "time_ns", w->now_ns - w->start_ns);	/* since the watch began */
		json_key(&jw, "cycle");
		dl_json_chain(&jw, g, c);
		json_obj_end(&jw);
		fputc('\n', stdout);
	} else {
		printf("[%.3f s] ", t);
		dl_text_cycle(stdout, g, c, w->reported);
	}
	fflush(stdout);
}

/* One look at inflight; a graph when some call crossed the threshold. */
static int watch_scan(struct watch *w)
{
	pid_t pids[DL_MAX_PROCS];
	struct dl_hints hints = { .wait_ns = hint_wait_ns, .ctx = w };
	struct dl_scan s = { .root = "/proc", .pids = pids, .hints = &hints };
	struct dl_graph g;
	struct dl_result r;
	long fresh;
	int rc;

	dl_blockset_clear(&w->b);
	rc = live_scan_inflight(w->ls, add_inflight, &w->b);
	if (rc)
		return rc;
	dl_blockset_sort(&w->b);
	w->now_ns = now_ns();
	fresh = dl_blockset_crossed(&w->b, w->now_ns, w->threshold_ns);
	if (fresh <= 0)
		return (int)fresh;
	s.npids = long_waiters(w, pids, DL_MAX_PROCS);
	if (!s.npids)
		return 0;
	rc = dl_diagnose(&s, &g);
	if (rc == -ESRCH)
		return 0;	/* one of them exited between the scan and now */
	if (rc)
		return rc;
	rc = dl_analyse(&g, &r);
	for (size_t i = 0; !rc && i < r.ncycles; i++) {
		if (!dl_cycle_all_long(&g, &r.cycles[i], w->threshold_ns) ||
		    !dl_cycle_first_time(&w->b, &g, &r.cycles[i]))
			continue;
		report_cycle(w, &g, &r.cycles[i]);
		if (w->o->max_reports && w->reported >= (size_t)w->o->max_reports)
			stop_requested = 1;
	}
	dl_result_fini(&r);
	dl_graph_fini(&g);
	return rc;
}

static int watch(const struct ipcs_opts *o)
{
	struct live_config cfg = { .pids = o->pids, .npids = o->npids, .comm = o->comm,
				   .follow_children = true, .ringbuf_bytes = (size_t)o->ringbuf_kb << 10 };
	struct sigaction sa = { .sa_handler = on_stop };
	struct watch w = { .o = o, .threshold_ns = (uint64_t)(o->threshold_s * 1e9) };
	uint64_t end_ns;
	int rc;

	if (dl_blockset_init(&w.b))
		return DL_EXIT_ERROR;
	rc = live_open(&cfg, &w.ls);
	if (rc) {
		dl_blockset_fini(&w.b);
		return DL_EXIT_ERROR;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	w.start_ns = now_ns();
	end_ns = o->duration_s > 0 ? w.start_ns + (uint64_t)(o->duration_s * 1e9) : 0;
	if (!o->quiet)
		fprintf(stderr, "deadlock --watch: watching (threshold %.3f s); Ctrl-C stops\n", o->threshold_s);
	while (!stop_requested && (!end_ns || now_ns() < end_ns)) {
		rc = live_poll(w.ls, WATCH_TICK_MS, discard, NULL);
		if (rc == -EINTR)
			continue;
		if (rc >= 0)
			rc = watch_scan(&w);
		if (rc) {
			log_error("deadlock --watch: %s", strerror(-rc));
			break;
		}
	}
	live_close(w.ls);
	dl_blockset_fini(&w.b);
	if (rc)
		return DL_EXIT_ERROR;
	if (!o->quiet)
		fprintf(stderr, "deadlock --watch: %zu deadlock%s reported\n", w.reported, w.reported == 1 ? "" : "s");
	return finish_output(w.reported ? DL_EXIT_DEADLOCK : DL_EXIT_NONE);
}

int cmd_deadlock(const struct ipcs_opts *o)
{
	return o->watch ? watch(o) : snapshot(o);
}
