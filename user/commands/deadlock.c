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
#include "deadlock/lockprint.h"
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
	struct dl_locks locks;	/* --locks */
	size_t inversions;
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
		if (w->o->locks) {	/* what each thread holds, where it took it, what it wants */
			json_key(&jw, "locks");
			json_arr_begin(&jw);
			for (size_t k = 0; k < c->n; k++)
				dl_lock_json_held(&jw, &w->locks, g->t[c->th[k]].tid, true);
			json_arr_end(&jw);
		}
		json_obj_end(&jw);
		fputc('\n', stdout);
	} else {
		printf("[%.3f s] ", (double)since / 1e9);
		if (cycle)
			dl_text_cycle(stdout, g, c, num);
		else
			dl_text_stall(stdout, g, c, num);
		/* --locks: what each thread holds, and where it took it */
		for (size_t k = 0; w->o->locks && k < c->n; k++) {
			if (!dl_locks_thread(&w->locks, g->t[c->th[k]].tid))
				continue;
			printf("  locks of %d/%d:\n", (int)g->t[c->th[k]].pid, (int)g->t[c->th[k]].tid);
			dl_lock_text_held(stdout, &w->locks, g->t[c->th[k]].tid, true);
		}
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

/* --locks: a lock-order inversion, the first time its second order is seen. */
static void report_inversion(const struct dl_inversion *inv, void *ctx)
{
	struct watch *w = ctx;
	uint64_t since = inv->second_taken.ts_ns > w->start_ns ? inv->second_taken.ts_ns - w->start_ns : 0;

	w->inversions++;
	if (w->o->json) {
		struct json_writer jw;

		json_init(&jw, stdout, false);
		json_obj_begin(&jw);
		json_ku64(&jw, "time_ns", since);
		json_key(&jw, "inversion");
		dl_lock_json_inversion(&jw, inv, true);
		json_obj_end(&jw);
		fputc('\n', stdout);
	} else {
		printf("[%.3f s] ", (double)since / 1e9);
		dl_lock_text_inversion(stdout, inv, w->inversions, true);
	}
	fflush(stdout);
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
	if (o->locks && dl_locks_init(&w.locks, report_inversion, &w)) {
		pipeline_fini(&p);
		return DL_EXIT_ERROR;
	}
	w.start_ns = mono_ns();
	rc = session_open(&w.ss, &cfg);
	if (rc) {
		if (o->locks)
			dl_locks_fini(&w.locks);
		pipeline_fini(&p);
		return DL_EXIT_ERROR;
	}
	if (o->locks)
		w.ss.waits.locks = &w.locks;
	if (!o->quiet)
		fprintf(stderr, "deadlock --watch: watching (threshold %.3f s); Ctrl-C stops\n", o->threshold_s);
	session_go(&w.ss);
	while (!rc && !session_done(&w.ss))
		rc = session_step(&w.ss, WATCH_TICK_MS);
	if (rc)
		log_error("deadlock --watch: %s", strerror(-rc));
	rc = session_finish(&w.ss, rc);
	pipeline_fini(&p);
	if (o->locks)
		dl_locks_fini(&w.locks);
	if (rc)
		return DL_EXIT_ERROR;
	if (!o->quiet && o->locks)
		fprintf(stderr, "deadlock --watch: %zu deadlock%s reported, %zu stall%s, %zu lock-order inversion%s\n",
			w.reported, w.reported == 1 ? "" : "s", w.stalls, w.stalls == 1 ? "" : "s",
			w.inversions, w.inversions == 1 ? "" : "s");
	else if (!o->quiet)
		fprintf(stderr, "deadlock --watch: %zu deadlock%s reported, %zu stall%s\n", w.reported,
			w.reported == 1 ? "" : "s", w.stalls, w.stalls == 1 ? "" : "s");
	return finish_output(w.reported ? DL_EXIT_DEADLOCK : DL_EXIT_NONE);
}

int cmd_deadlock(const struct ipcs_opts *o)
{
	return o->watch ? watch(o) : snapshot(o);
}
