/* watcher.c - threads blocked past a threshold -> graph -> cycles and wait records. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deadlock/diagnose.h"
#include "deadlock/procscan.h"
#include "deadlock/watcher.h"

int dl_watcher_init(struct dl_watcher *w, const char *root, uint64_t threshold_ns)
{
	memset(w, 0, sizeof(*w));
	w->root = root;
	w->threshold_ns = threshold_ns;
	w->next_group = 1;
	if (dl_futexseen_init(&w->seen))
		return -EINVAL;
	return dl_blockset_init(&w->b);
}

void dl_watcher_fini(struct dl_watcher *w)
{
	dl_blockset_fini(&w->b);
	dl_futexseen_fini(&w->seen);
}

int dl_watcher_see(struct dl_watcher *w, const struct ipcs_event *ev)
{
	if (w->locks && ev->type == IPCS_REC_LOCK)
		return dl_locks_add(w->locks, &ev->lock);
	if (w->locks && ev->type == IPCS_REC_PROC && ev->proc.op == IPCS_PROC_EXIT)
		dl_locks_proc_exit(w->locks, (pid_t)ev->proc.pid);
	return ev->type == IPCS_REC_FUTEX ? dl_futexseen_add(&w->seen, &ev->futex) : 0;
}

static bool in_flight(pid_t tid, void *ctx)
{
	struct dl_watcher *w = ctx;

	return dl_blockset_get(&w->b, tid) != NULL;
}

/* The uprobes' lock holder first (a fact while the lock call is under way),
 * else what the futex probes saw (a heuristic). */
static pid_t hint_futex_holder(pid_t pid, pid_t tid, uint64_t uaddr, const char **evidence, void *ctx)
{
	struct dl_watcher *w = ctx;
	pid_t who = w->locks ? dl_locks_holder(w->locks, pid, tid, evidence, in_flight, w) : 0;

	return who > 0 ? who : dl_futexseen_holder(&w->seen, pid, tid, uaddr, evidence);
}

/* The probes wrote an io_uring wait (IPCS_SYSF_URING) for tid: the fd it waits to read. */
static int hint_uring_fd(pid_t tid, void *ctx)
{
	struct dl_watcher *w = ctx;
	const struct dl_blocked *bl = dl_blockset_get(&w->b, tid);

	return bl && (bl->in.flags & IPCS_SYSF_URING) ? bl->in.fd : -1;
}

static int64_t hint_wait_ns(pid_t tid, void *ctx)
{
	struct dl_watcher *w = ctx;

	return dl_blockset_wait_ns(&w->b, tid, w->now_ns);
}

static bool add_pid(pid_t *pids, size_t *n, size_t max, pid_t tgid)
{
	for (size_t j = 0; j < *n; j++)
		if (pids[j] == tgid)
			return false;
	if (*n >= max)
		return false;
	pids[(*n)++] = tgid;
	return true;
}

/* The processes of the threads blocked past the threshold, then (room
 * permitting) those of the other threads in flight: a thread that has just
 * begun waiting at the head of a stall is in the graph, so the stall is
 * reported once with it, not first without it. Returns how many are long. */
static size_t waiters(struct dl_watcher *w, pid_t *pids, size_t max, size_t *nlong)
{
	size_t n = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < w->b.n; i++) {
			const struct dl_blocked *e = &w->b.v[i];
			bool long_wait = e->in.ts <= w->now_ns && w->now_ns - e->in.ts >= w->threshold_ns;
			pid_t tgid;

			if (long_wait != (pass == 0) || dl_tid_tgid(w->root, e->tid, &tgid))
				continue;	/* other pass, or exited meanwhile */
			add_pid(pids, &n, pass ? max / 2 : max, tgid);
		}
		if (pass == 0)
			*nlong = n;
	}
	return n;
}

void dl_wait_record(const struct dl_graph *g, size_t i, size_t e, const struct dl_blocked *bl,
		    uint64_t ts_ns, uint16_t flags, uint32_t group, struct ipcs_wait_rec *r)
{
	const struct dl_thread *t = &g->t[i];

	memset(r, 0, sizeof(*r));
	r->h.type = IPCS_REC_WAIT;
	r->h.size = sizeof(*r);
	r->h.ts_ns = ts_ns;
	r->pid = (uint32_t)t->pid;
	r->tid = (uint32_t)t->tid;
	r->enter_ns = bl ? bl->in.ts : 0;
	r->sys = bl ? bl->in.sys : IPCS_SYS_NONE;
	r->chan = bl ? bl->in.chan : (struct ipcs_chan){ 0 };
	r->fd = t->uaddr ? -1 : bl ? bl->in.fd : -1;
	r->uaddr = t->uaddr;
	r->flags = flags;
	r->group = group;
	if (e != (size_t)-1) {
		r->holder_pid = (uint32_t)g->t[g->e[e].to].pid;
		r->holder_tid = (uint32_t)g->t[g->e[e].to].tid;
		snprintf(r->evidence, sizeof(r->evidence), "%.*s", (int)sizeof(r->evidence) - 1, g->e[e].evidence);
	}
	snprintf(r->kind, sizeof(r->kind), "%s", dl_kind_name(t->kind));
	snprintf(r->object, sizeof(r->object), "%.*s", (int)sizeof(r->object) - 1, t->object);
	snprintf(r->comm, sizeof(r->comm), "%s", t->comm);
}

/* Wait records: every thread of a new cycle (with its cycle number), and
 * every call that crossed the threshold now (stalled when it has an edge). */
static int emit_waits(struct dl_watcher *w, const struct dl_graph *g, const struct dl_result *r,
		      const bool *reported, const struct dl_watch_cbs *cbs)
{
	bool *done = calloc(g->nt + 1, sizeof(bool));
	struct ipcs_wait_rec rec;
	int rc = 0;

	if (!done)
		return -ENOMEM;
	for (size_t c = 0; !rc && c < r->ncycles; c++) {
		uint32_t group;

		if (!reported[c])
			continue;
		group = w->next_group++;
		for (size_t k = 0; !rc && k < r->cycles[c].n; k++) {
			size_t i = r->cycles[c].th[k];

			dl_wait_record(g, i, r->cycles[c].edge[k], dl_blockset_get(&w->b, g->t[i].tid),
				       w->now_ns, IPCS_WAITF_CYCLE, group, &rec);
			done[i] = true;
			rc = cbs->on_wait(&rec, cbs->ctx);
		}
	}
	for (size_t i = 0; !rc && i < g->nt; i++) {
		const struct dl_thread *t = &g->t[i];
		const struct dl_blocked *bl = dl_blockset_get(&w->b, t->tid);

		if (done[i] || !bl || !bl->fresh || t->kind == DL_K_NONE)
			continue;
		dl_wait_record(g, i, t->nedges ? t->first_edge : (size_t)-1, bl, w->now_ns,
			       t->nedges ? IPCS_WAITF_STALL : 0, 0, &rec);
		rc = cbs->on_wait(&rec, cbs->ctx);
	}
	free(done);
	return rc;
}

int dl_watcher_step(struct dl_watcher *w, uint64_t now_ns, const struct dl_watch_cbs *cbs)
{
	pid_t pids[DL_MAX_PROCS];
	struct dl_hints hints = { .wait_ns = hint_wait_ns, .futex_holder = hint_futex_holder,
				  .uring_fd = hint_uring_fd, .ctx = w };
	struct dl_scan s = { .root = w->root, .pids = pids, .hints = &hints, .skip_gone = true };
	struct dl_graph g;
	struct dl_result r;
	bool *reported;
	size_t nlong;
	long fresh;
	int rc;

	w->now_ns = now_ns;
	fresh = dl_blockset_crossed(&w->b, now_ns, w->threshold_ns);
	if (fresh <= 0)
		return (int)fresh;
	s.npids = waiters(w, pids, DL_MAX_PROCS, &nlong);
	if (!nlong)
		return 0;
	rc = dl_diagnose(&s, &g);
	if (rc == -ESRCH || rc == -EACCES || rc == -EPERM)
		return 0;	/* one of them exited (or is out of reach): next time */
	if (rc)
		return rc;
	rc = dl_analyse(&g, &r);
	if (rc) {
		dl_graph_fini(&g);
		return rc;
	}
	reported = calloc(r.ncycles + 1, sizeof(bool));
	if (!reported)
		rc = -ENOMEM;
	for (size_t i = 0; !rc && i < r.ncycles; i++) {
		if (!dl_cycle_all_long(&g, &r.cycles[i], w->threshold_ns) ||
		    !dl_cycle_first_time(&w->b, &g, &r.cycles[i]))
			continue;
		reported[i] = true;
		if (cbs->on_cycle)
			cbs->on_cycle(&g, &r.cycles[i], cbs->ctx);
	}
	for (size_t i = 0; !rc && cbs->on_stall && i < r.nstalls; i++) {
		/* the waiting part: the last thread can move (or is in a cycle) */
		struct dl_chain waiting = { .th = r.stalls[i].th, .edge = r.stalls[i].edge,
					    .n = r.stalls[i].n - 1 };

		if (waiting.n && dl_cycle_all_long(&g, &waiting, w->threshold_ns) &&
		    dl_cycle_first_time(&w->b, &g, &waiting))
			cbs->on_stall(&g, &r.stalls[i], cbs->ctx);
	}
	if (!rc && cbs->on_wait)
		rc = emit_waits(w, &g, &r, reported, cbs);
	free(reported);
	dl_result_fini(&r);
	dl_graph_fini(&g);
	return rc;
}
