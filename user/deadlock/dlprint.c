/* dlprint.c - text and JSON output of a wait-for analysis. */
#include <inttypes.h>
#include <stdbool.h>
#include "deadlock/dlprint.h"
#include "util/escape.h"

/* A wait on a channel, a lock or a set (not a sleep, a signal, a child). */
static bool ipc_wait(const struct dl_thread *t)
{
	return t->kind != DL_K_NONE && t->kind != DL_K_SLEEP && t->kind != DL_K_SIGNAL && t->kind != DL_K_OTHER;
}

static void put(FILE *f, const char *s)
{
	esc_term_fputs(s, f);
}

static void put_ns(FILE *f, int64_t ns)
{
	if (ns < 0)
		fputs("for an unknown time", f);
	else
		fprintf(f, "for %.3f s", (double)ns / 1e9);
}

static void thread_line(FILE *f, const struct dl_thread *t)
{
	fprintf(f, "%d/%d \"", t->pid, t->tid);
	put(f, t->comm);
	fputs("\" (process \"", f);
	put(f, t->pcomm);
	fputs("\")", f);
}

/* "blocked in write, waiting for room in pipe:[12]" and the like. */
static void what_line(FILE *f, const struct dl_thread *t)
{
	const char *on = NULL;	/* the words before the object waited on */

	fputs("blocked in ", f);
	put(f, t->doing);
	switch (t->kind) {
	case DL_K_PIPE: case DL_K_FIFO: case DL_K_SOCKET: case DL_K_MQ:
		on = t->write ? ", waiting for room in " : ", waiting for data on ";
		break;
	case DL_K_MUTEX: on = " on the mutex at "; break;
	case DL_K_FUTEX: on = " on the futex at "; break;
	case DL_K_SET: on = " on a set of "; break;
	case DL_K_CHILD: on = " for the exit of "; break;
	case DL_K_OTHER: on = t->object[0] ? " on " : NULL; break;
	default: break;
	}
	if (on) {
		fputs(on, f);
		put(f, t->object);
	}
	if (t->where[0]) {
		fputs(" [", f);
		put(f, t->where);
		fputc(']', f);
	}
	if (t->kind != DL_K_SLEEP)
		fputs(t->timed ? " (with a timeout)" : " (no timeout)", f);
}

static void stack_lines(FILE *f, const struct dl_thread *t)
{
	char line[400];

	for (size_t i = 0; i < t->nstack; i++) {
		if (t->stack[i].guessed && (!i || !t->stack[i - 1].guessed))
			fputs("        (the frames below were found through a frame pointer guessed from the stack)\n", f);
		dl_frame_format(&t->stack[i], line, sizeof(line));
		fprintf(f, "        #%-2zu ", i);
		put(f, line);
		fputc('\n', f);
	}
}

static void text_thread(FILE *f, const struct dl_graph *g, const struct dl_chain *c, size_t k, bool stacks)
{
	const struct dl_thread *t = &g->t[c->th[k]];
	size_t e = c->edge[k];

	fputs("  thread ", f);
	thread_line(f, t);
	fputc('\n', f);
	if (!ipc_wait(t)) {
		fputs("      not blocked in IPC: ", f);
		put(f, t->doing);
		fprintf(f, " (state %c)\n", t->state);
	} else {
		fputs("      ", f);
		what_line(f, t);
		fputc(' ', f);
		put_ns(f, t->ns);
		fputc('\n', f);
	}
	if (e != (size_t)-1) {
		const struct dl_thread *h = &g->t[g->e[e].to];

		fputs("      ", f);
		put(f, g->e[e].evidence);
		fputc(' ', f);
		thread_line(f, h);
		fputc('\n', f);
	} else if (ipc_wait(t) && !t->nedges) {
		fputs("      held by: unknown\n", f);
	} else if (t->external) {
		fputs("      can be woken from outside\n", f);
	}
	if (stacks)
		stack_lines(f, t);
}

static void text_cycle(FILE *f, const struct dl_graph *g, const struct dl_chain *c, size_t num, bool all)
{
	fprintf(f, "DEADLOCK %zu: a cycle of %zu threads\n", num, c->n);
	for (size_t k = 0; k < c->n; k++)
		text_thread(f, g, c, k, all || !g->t[c->th[k]].named);
	fputc('\n', f);
}

static void text_stall(FILE *f, const struct dl_graph *g, const struct dl_chain *c, size_t num, bool all)
{
	const struct dl_thread *end = &g->t[c->th[c->n - 1]];
	const char *how = !ipc_wait(end) ? "not blocked in IPC"
			  : end->external || !end->nedges ? "can be woken from outside" : "blocked";

	fprintf(f, "STALL %zu: %zu thread%s waiting, ending in a thread that is %s\n", num, c->n - 1,
		c->n == 2 ? "" : "s", how);
	for (size_t k = 0; k < c->n; k++)
		text_thread(f, g, c, k, all || !g->t[c->th[k]].named);
	fputc('\n', f);
}

void dl_text_cycle(FILE *f, const struct dl_graph *g, const struct dl_chain *c, size_t num)
{
	text_cycle(f, g, c, num, true);
}

void dl_text_stall(FILE *f, const struct dl_graph *g, const struct dl_chain *c, size_t num)
{
	text_stall(f, g, c, num, true);
}

/* Every thread of the named processes, one block each. */
static void text_threads(FILE *f, const struct dl_graph *g)
{
	pid_t cur = 0;

	for (size_t i = 0; i < g->nt; i++) {
		const struct dl_thread *t = &g->t[i];

		if (!t->named)
			continue;
		if (t->pid != cur) {
			size_t n = 0;

			for (size_t j = i; j < g->nt && g->t[j].pid == t->pid; j++)
				n++;
			fprintf(f, "process %d \"", t->pid);
			put(f, t->pcomm);
			fprintf(f, "\": %zu thread%s\n", n, n == 1 ? "" : "s");
			cur = t->pid;
		}
		fprintf(f, "  %d \"", t->tid);
		put(f, t->comm);
		fprintf(f, "\" %c: ", t->state);
		if (t->kind == DL_K_NONE) {
			if (t->state == 'R')
				fputs("running (no stack: a running thread's registers are not readable without stopping it)", f);
			else {
				fputs("not in a wait ipcscope understands: ", f);
				put(f, t->doing);
			}
			fputc('\n', f);
		} else {
			what_line(f, t);
			fputc('\n', f);
		}
		for (size_t k = 0; k < t->nset; k++) {
			fprintf(f, "      fd %d%s: ", t->set[k].fd, t->set[k].write ? " (write)" : "");
			put(f, t->set[k].object);
			fputc('\n', f);
		}
		for (size_t e = t->first_edge; e < t->first_edge + t->nedges; e++) {
			fputs("      ", f);
			put(f, g->e[e].evidence);
			fputc(' ', f);
			thread_line(f, &g->t[g->e[e].to]);
			fputc('\n', f);
		}
		if (t->note[0]) {
			fputs("      ", f);
			put(f, t->note);
			fputc('\n', f);
		}
		if (t->kind != DL_K_NONE) {
			fputs("      since: ", f);
			if (t->ns >= 0)
				fprintf(f, "%.3f s (traced)", (double)t->ns / 1e9);
			else
				fputs("unknown (the kernel does not record when a sleep began)", f);
			if (t->idle_ns >= 0)
				fprintf(f, "; not run for %.3f s (the scheduler's last run time)",
					(double)t->idle_ns / 1e9);
			fputc('\n', f);
		}
		stack_lines(f, t);
	}
	if (cur)
		fputc('\n', f);
}

void dl_print_text(FILE *f, const struct dl_graph *g, const struct dl_result *r, enum dl_verdict v,
		   int64_t threshold_ns)
{
	size_t suspects = 0;

	text_threads(f, g);
	for (size_t i = 0; i < r->ncycles; i++)
		text_cycle(f, g, &r->cycles[i], i + 1, false);
	for (size_t i = 0; i < r->nstalls; i++)
		text_stall(f, g, &r->stalls[i], i + 1, false);
	for (size_t i = 0; i < g->nt; i++)
		suspects += g->t[i].named && g->t[i].owner_unknown && !g->t[i].timed &&
			    g->t[i].idle_ns >= threshold_ns;
	if (v == DL_V_DEADLOCK)
		fprintf(f, "%zu deadlock%s among %zu threads\n", r->ncycles, r->ncycles == 1 ? "" : "s", g->nt);
	else if (v == DL_V_SUSPECTED)
		fprintf(f, "suspected deadlock: no cycle can be proven, but %zu thread%s of the named processes "
			"ha%s not run for %.3f s or more while waiting, with no timeout, on a lock or latch whose "
			"owner cannot be read, and none of their threads runs\n", suspects,
			suspects == 1 ? "" : "s", suspects == 1 ? "s" : "ve", (double)threshold_ns / 1e9);
	else
		fprintf(f, "no deadlock: no wait-for cycle among %zu threads\n", g->nt);
}

/* Edge e's holder: {pid, tid, comm, evidence}. */
static void json_holder(struct json_writer *w, const struct dl_graph *g, size_t e)
{
	const struct dl_thread *h = &g->t[g->e[e].to];

	json_obj_begin(w);
	json_ki64(w, "pid", h->pid);
	json_ki64(w, "tid", h->tid);
	json_kstr(w, "comm", h->comm);
	json_kstr(w, "evidence", g->e[e].evidence);
	json_obj_end(w);
}

/* key: s, or null when s is empty. */
static void kstr_or_null(struct json_writer *w, const char *key, const char *s)
{
	json_key(w, key);
	if (s[0])
		json_str(w, s);
	else
		json_null(w);
}

/* key: v, or null when v is negative (not known). */
static void ki64_or_null(struct json_writer *w, const char *key, int64_t v)
{
	json_key(w, key);
	if (v < 0)
		json_null(w);
	else
		json_i64(w, v);
}

static void json_frames(struct json_writer *w, const struct dl_thread *t)
{
	char addr[24];

	json_key(w, "stack");
	json_arr_begin(w);
	for (size_t i = 0; i < t->nstack; i++) {
		const struct dl_frame *fr = &t->stack[i];

		json_obj_begin(w);
		snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)fr->addr);
		json_kstr(w, "addr", addr);
		kstr_or_null(w, "module", fr->module);
		kstr_or_null(w, "symbol", fr->symbol);
		json_ku64(w, "offset", fr->offset);
		json_kbool(w, "guessed", fr->guessed);
		json_obj_end(w);
	}
	json_arr_end(w);
}

static void json_state(struct json_writer *w, const struct dl_thread *t)
{
	char st[2] = { t->state, 0 };

	json_kstr(w, "state", st);
}

/* A thread object's first members, the same in threads[] and in a chain. */
static void json_thread_head(struct json_writer *w, const struct dl_thread *t)
{
	json_obj_begin(w);
	json_ki64(w, "pid", t->pid);
	json_ki64(w, "tid", t->tid);
	json_kstr(w, "comm", t->comm);
	json_kstr(w, "process", t->pcomm);
	json_state(w, t);
}

static void json_thread(struct json_writer *w, const struct dl_graph *g, const struct dl_chain *c, size_t k)
{
	const struct dl_thread *t = &g->t[c->th[k]];
	size_t e = c->edge[k];

	json_thread_head(w, t);
	json_kstr(w, "doing", t->doing);
	json_key(w, "waits_for");
	if (!ipc_wait(t)) {
		json_null(w);
	} else {
		json_obj_begin(w);
		json_kstr(w, "kind", dl_kind_name(t->kind));
		json_kstr(w, "object", t->object);
		json_kstr(w, "direction", t->write ? "write" : "read");
		if (t->where[0])
			json_kstr(w, "where", t->where);
		ki64_or_null(w, "ns", t->ns);
		json_obj_end(w);
	}
	json_key(w, "held_by");
	if (e == (size_t)-1)
		json_null(w);
	else
		json_holder(w, g, e);
	json_frames(w, t);
	json_obj_end(w);
}

void dl_json_chain(struct json_writer *w, const struct dl_graph *g, const struct dl_chain *c)
{
	json_obj_begin(w);
	json_key(w, "threads");
	json_arr_begin(w);
	for (size_t k = 0; k < c->n; k++)
		json_thread(w, g, c, k);
	json_arr_end(w);
	json_obj_end(w);
}

/* threads[]: one of the named processes, whatever it does. */
static void json_any_thread(struct json_writer *w, const struct dl_graph *g, const struct dl_thread *t)
{
	json_thread_head(w, t);
	json_key(w, "waits_on");
	if (t->kind == DL_K_NONE && t->state == 'R') {
		json_null(w);
	} else {
		json_obj_begin(w);
		json_kstr(w, "syscall", t->doing);
		json_kstr(w, "kind", dl_kind_name(t->kind));
		kstr_or_null(w, "object", t->object);
		if (t->where[0])
			json_kstr(w, "where", t->where);
		json_kstr(w, "direction", t->write ? "write" : "read");
		json_kbool(w, "timeout", t->timed);
		json_kbool(w, "wakeable_from_outside", t->external || t->kind == DL_K_NONE);
		json_kbool(w, "owner_known", t->nedges > 0);
		ki64_or_null(w, "since_ns", t->ns);
		ki64_or_null(w, "not_run_ns", t->idle_ns);
		kstr_or_null(w, "note", t->note);
		json_key(w, "set");
		if (t->kind != DL_K_SET) {
			json_null(w);
		} else {
			json_arr_begin(w);
			for (size_t k = 0; k < t->nset; k++) {
				json_obj_begin(w);
				json_ki64(w, "fd", t->set[k].fd);
				json_kstr(w, "object", t->set[k].object);
				json_kstr(w, "direction", t->set[k].write ? "write" : "read");
				json_ku64(w, "holders", t->set[k].nholders);
				json_obj_end(w);
			}
			json_arr_end(w);
		}
		json_obj_end(w);
	}
	json_key(w, "held_by");
	json_arr_begin(w);
	for (size_t e = t->first_edge; e < t->first_edge + t->nedges; e++)
		json_holder(w, g, e);
	json_arr_end(w);
	json_frames(w, t);
	json_obj_end(w);
}

void dl_print_json(FILE *f, const struct dl_graph *g, const struct dl_result *r, enum dl_verdict v)
{
	struct json_writer w;

	json_init(&w, f, true);
	json_obj_begin(&w);
	json_kstr(&w, "verdict", dl_verdict_name(v));
	json_kbool(&w, "deadlock", r->ncycles > 0);
	json_ku64(&w, "threads_scanned", g->nt);
	json_key(&w, "threads");
	json_arr_begin(&w);
	for (size_t i = 0; i < g->nt; i++)
		if (g->t[i].named)
			json_any_thread(&w, g, &g->t[i]);
	json_arr_end(&w);
	json_key(&w, "cycles");
	json_arr_begin(&w);
	for (size_t i = 0; i < r->ncycles; i++)
		dl_json_chain(&w, g, &r->cycles[i]);
	json_arr_end(&w);
	json_key(&w, "stalls");
	json_arr_begin(&w);
	for (size_t i = 0; i < r->nstalls; i++)
		dl_json_chain(&w, g, &r->stalls[i]);
	json_arr_end(&w);
	json_obj_end(&w);
}
