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
#include "commands/commands.h"
#include "deadlock/diagnose.h"
#include "deadlock/dlprint.h"
#include "deadlock/watcher.h"
#include "log.h"
#include "trace/session.h"
#include "util/json.h"
#include "util/clock.h"

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

struct watch {
	const struct ipcs_opts *o;
	struct session ss;	/* its watcher (ss.waits) builds the graphs */
	uint64_t start_ns;
	size_t reported;	/* cycles */
	size_t stalls;
};

/* A cycle or a stall found by the watch: stacks, then one block of text or
 * one JSON line {"time_ns", "cycle"|"stall"}. */
static void report_chain(struct watch *w, struct dl_graph *g, struct dl_chain *c, bool cycle)
{
	struct dl_result one = { .cycles = cycle ? c : NULL, .ncycles = cycle,
				 .stalls = cycle ? NULL : c, .nstalls = !cycle };
	uint64_t since = w->ss.waits.now_ns - w->start_ns;
	size_t num;

	if (!w->o->no_stacks)
		dl_add_stacks(g, &one);	/* without stopping anyone: no call restarts */
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
		session_request_stop();
}

static void report_cycle(struct dl_graph *g, struct dl_chain *c, void *ctx)
{
	report_chain(ctx, g, c, true);
}

static void report_stall(struct dl_graph *g, struct dl_chain *c, void *ctx)
{
	report_chain(ctx, g, c, false);
}

/* The probes' session: no seed, a pipeline without a model whose only reader is the watcher
 * (it learns the futexes from the decoded events), the waits looked at every tick. Ends at
 * SIGINT/SIGTERM/SIGHUP, -n or --duration, with the summary line either way. */
static int watch(const struct ipcs_opts *o)
{
	struct watch w = { .o = o };
	struct pipeline p;
	struct session_cfg cfg = {
		.o = o, .p = &p, .seed = SESSION_SEED_NONE,
		.waits = true, .waits_every_step = true, .waits_strict = true,
		.wait_threshold_ns = (uint64_t)(o->threshold_s * 1e9),
		.wait_cbs = { .on_cycle = report_cycle, .on_stall = report_stall, .ctx = &w },
	};
	int rc;

	if (pipeline_init(&p, false))
		return DL_EXIT_ERROR;
	rc = session_open(&w.ss, &cfg);
	if (rc) {
		pipeline_fini(&p);
		return DL_EXIT_ERROR;
	}
	w.start_ns = mono_ns();
	if (!o->quiet)
		fprintf(stderr, "deadlock --watch: watching (threshold %.3f s); Ctrl-C stops\n", o->threshold_s);
	session_go(&w.ss);
	while (!rc && !session_done(&w.ss))
		rc = session_step(&w.ss, WATCH_TICK_MS);
	if (rc)
		log_error("deadlock --watch: %s", strerror(-rc));
	rc = session_finish(&w.ss, rc);
	pipeline_fini(&p);
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
