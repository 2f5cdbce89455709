/*
 * deadlock.c - `ipcscope deadlock`: the wait-for graph of processes.
 *   -p PID...  hung now: from /proc and the futex words (no tracing needed)
 *   --watch    live: the probes' `inflight` map says who has been blocked in
 *              IPC for longer than --threshold; their graph is built then,
 *              and each new cycle and stall is reported once.
 * Exit 0 no deadlock, 1 deadlock, 2 error, 3 (-p) suspected.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "collect/source_live.h"
#include "commands/commands.h"
#include "deadlock/diagnose.h"
#include "deadlock/dlprint.h"
#include "deadlock/watcher.h"
#include "log.h"
#include "util/json.h"

enum { DL_EXIT_NONE = 0, DL_EXIT_DEADLOCK = 1, DL_EXIT_ERROR = 2, DL_EXIT_SUSPECTED = 3 };

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
	enum dl_verdict v;
	int64_t threshold_ns;
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
		dl_add_stacks_ex(&g, &r, true, o->ptrace_stacks);
	threshold_ns = (int64_t)(o->threshold_s * 1e9);
	v = dl_verdict_of(&g, &r, threshold_ns);
	if (o->json)
		dl_print_json(stdout, &g, &r, v);
	else
		dl_print_text(stdout, &g, &r, v, threshold_ns);
	rc = v == DL_V_DEADLOCK ? DL_EXIT_DEADLOCK : v == DL_V_SUSPECTED ? DL_EXIT_SUSPECTED : DL_EXIT_NONE;
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
	struct dl_watcher w;
	uint64_t start_ns;
	size_t reported;	/* cycles */
	size_t stalls;
};

/* The records only teach the futex evidence; the waits come from inflight. */
static int see(const void *rec, size_t len, void *ctx)
{
	return dl_watcher_see(ctx, rec, len);
}

/* A cycle or a stall found by the watch: stacks, then one block of text or
 * one JSON line {"time_ns", "cycle"|"stall"}. */
static void report_chain(struct watch *w, struct dl_graph *g, struct dl_chain *c, bool cycle)
{
	struct dl_result one = { .cycles = cycle ? c : NULL, .ncycles = cycle,
				 .stalls = cycle ? NULL : c, .nstalls = !cycle };
	uint64_t since = w->w.now_ns - w->start_ns;
	size_t num;

	if (!w->o->no_stacks) {
		dl_add_stacks(g, &one);
		/* ptrace made the blocked calls restart: the same waits, not new ones */
		for (size_t k = 0; k < c->n; k++)
			if (dl_blockset_will_restart(&w->w.b, g->t[c->th[k]].tid))
				log_warn("deadlock --watch: out of memory: thread %d may be reported again",
					 (int)g->t[c->th[k]].tid);
	}
	num = cycle ? ++w->reported : ++w->stalls;
	if (w->o->json) {
		struct json_writer jw;

		json_init(&jw, stdout, false);
		json_obj_begin(&jw);
		json_ku64(&jw, "time_ns", since);	/* since the watch began */
		json_key(&jw, cycle ? "cycle" : "stall");
		dl_json_chain(&jw, g, c);
		json_obj_end(&jw);
		fputc('\n', stdout);
	} else {
		printf("[%.3f s] ", (double)since / 1e9);
		if (cycle)
			dl_text_cycle(stdout, g, c, num);
		else
			dl_text_stall(stdout, g, c, num);
	}
	fflush(stdout);
	if (cycle && w->o->max_reports && w->reported >= (size_t)w->o->max_reports)
		stop_requested = 1;
}

static void report_cycle(struct dl_graph *g, struct dl_chain *c, void *ctx)
{
	report_chain(ctx, g, c, true);
}

static void report_stall(struct dl_graph *g, struct dl_chain *c, void *ctx)
{
	report_chain(ctx, g, c, false);
}

/* One look at inflight; a graph when some call crossed the threshold. */
static int watch_scan(struct watch *w)
{
	struct dl_watch_cbs cbs = { .on_cycle = report_cycle, .on_stall = report_stall, .ctx = w };

	return cmd_scan_waits(&w->w, w->ls, now_ns(), &cbs);
}

static int watch(const struct ipcs_opts *o)
{
	struct live_config cfg = { .pids = o->pids, .npids = o->npids, .comm = o->comm,
				   .follow_children = true, .ringbuf_bytes = (size_t)o->ringbuf_kb << 10 };
	struct sigaction sa = { .sa_handler = on_stop };
	struct watch w = { .o = o };
	uint64_t end_ns;
	int rc;

	if (dl_watcher_init(&w.w, "/proc", (uint64_t)(o->threshold_s * 1e9)))
		return DL_EXIT_ERROR;
	rc = live_open(&cfg, &w.ls);
	if (rc) {
		dl_watcher_fini(&w.w);
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
		rc = live_poll(w.ls, WATCH_TICK_MS, see, &w.w);
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
	dl_watcher_fini(&w.w);
	if (rc)
		return DL_EXIT_ERROR;
	if (!o->quiet)
		fprintf(stderr, "deadlock --watch: %zu deadlock%s reported, %zu stall%s\n", w.reported,
			w.reported == 1 ? "" : "s", w.stalls, w.stalls == 1 ? "" : "s");
	return finish_output(w.reported ? DL_EXIT_DEADLOCK : DL_EXIT_NONE);
}

int cmd_deadlock(const struct ipcs_opts *o)
{
	return o->watch ? watch(o) : snapshot(o);
}
