/*
 * deadlock.c - `ipcscope deadlock -p PID...`: the wait-for graph of
 * processes that are hung now, from /proc and the futex words (no tracing
 * needed). Exit 0 no deadlock, 1 deadlock, 2 error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "commands/commands.h"
#include "deadlock/diagnose.h"
#include "deadlock/dlprint.h"
#include "log.h"

enum { DL_EXIT_NONE = 0, DL_EXIT_DEADLOCK = 1, DL_EXIT_ERROR = 2 };

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
	if (fflush(stdout)) {
		log_error("deadlock: cannot write the output: %s", strerror(errno));
		return DL_EXIT_ERROR;
	}
	return rc;
}

int cmd_deadlock(const struct ipcs_opts *o)
{
	return snapshot(o);
}
