/* dlprint.c - text and JSON output of a wait-for analysis. */
#include <inttypes.h>
#include "deadlock/dlprint.h"
#include "util/escape.h"

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

static void text_thread(FILE *f, const struct dl_graph *g, const struct dl_chain *c, size_t k)
{
	const struct dl_thread *t = &g->t[c->th[k]];
	size_t e = c->edge[k];

	fputs("  thread ", f);
	thread_line(f, t);
	fputc('\n', f);
	if (t->kind == DL_K_NONE) {
		fputs("      not blocked in IPC: ", f);
		put(f, t->doing);
		fprintf(f, " (state %c)\n", t->state);
	} else {
		fputs("      waits in ", f);
		put(f, t->doing);
		fprintf(f, " %s %s ", t->write ? "to write" : "on", dl_kind_name(t->kind));
		put(f, t->object);
		if (t->where[0]) {
			fputs(" [", f);
			put(f, t->where);
			fputc(']', f);
		}
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
	} else if (t->kind != DL_K_NONE && !t->nedges) {
		fputs("      held by: unknown\n", f);
	}
	for (size_t i = 0; i < t->nstack; i++) {
		fprintf(f, "        #%-2zu ", i);
		put(f, t->stack[i]);
		fputc('\n', f);
	}
}

void dl_text_cycle(FILE *f, const struct dl_graph *g, const struct dl_chain *c, size_t num)
{
	fprintf(f, "DEADLOCK %zu: a cycle of %zu threads\n", num, c->n);
	for (size_t k = 0; k < c->n; k++)
		text_thread(f, g, c, k);
	fputc('\n', f);
}

void dl_text_stall(FILE *f, const struct dl_graph *g, const struct dl_chain *c, size_t num)
{
	const struct dl_thread *end = &g->t[c->th[c->n - 1]];

	fprintf(f, "STALL %zu: %zu thread%s waiting, ending in a thread that is %s\n", num, c->n - 1,
		c->n == 2 ? "" : "s", end->kind == DL_K_NONE ? "not blocked in IPC" : "blocked");
	for (size_t k = 0; k < c->n; k++)
		text_thread(f, g, c, k);
	fputc('\n', f);
}

void dl_print_text(FILE *f, const struct dl_graph *g, const struct dl_result *r)
{
	for (size_t i = 0; i < r->ncycles; i++)
		dl_text_cycle(f, g, &r->cycles[i], i + 1);
	for (size_t i = 0; i < r->nstalls; i++)
		dl_text_stall(f, g, &r->stalls[i], i + 1);
	if (!r->ncycles)
		fprintf(f, "no deadlock: no wait-for cycle among %zu threads\n", g->nt);
	else
		fprintf(f, "%zu deadlock%s among %zu threads\n", r->ncycles, r->ncycles == 1 ? "" : "s", g->nt);
}

static void json_thread(struct json_writer *w, const struct dl_graph *g, const struct dl_chain *c, size_t k)
{
	const struct dl_thread *t = &g->t[c->th[k]];
	size_t e = c->edge[k];

	json_obj_begin(w);
	json_ki64(w, "pid", t->pid);
	json_ki64(w, "tid", t->tid);
	json_kstr(w, "comm", t->comm);
	json_kstr(w, "process", t->pcomm);
	char st[2] = { t->state, 0 };
	json_kstr(w, "state", st);
	json_kstr(w, "doing", t->doing);
	json_key(w, "waits_for");
	if (t->kind == DL_K_NONE) {
		json_null(w);
	} else {
		json_obj_begin(w);
		json_kstr(w, "kind", dl_kind_name(t->kind));
		json_kstr(w, "object", t->object);
		json_kstr(w, "direction", t->write ? "write" : "read");
		if (t->where[0])
			json_kstr(w, "where", t->where);
		json_key(w, "ns");
		if (t->ns < 0)
			json_null(w);
		else
			json_i64(w, t->ns);
		json_obj_end(w);
	}
	json_key(w, "held_by");
	if (e == (size_t)-1) {
		json_null(w);
	} else {
		const struct dl_thread *h = &g->t[g->e[e].to];

		json_obj_begin(w);
		json_ki64(w, "pid", h->pid);
		json_ki64(w, "tid", h->tid);
		json_kstr(w, "comm", h->comm);
		json_kstr(w, "evidence", g->e[e].evidence);
		json_obj_end(w);
	}
	json_key(w, "stack");
	json_arr_begin(w);
	for (size_t i = 0; i < t->nstack; i++)
		json_str(w, t->stack[i]);
	json_arr_end(w);
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

void dl_print_json(FILE *f, const struct dl_graph *g, const struct dl_result *r)
{
	struct json_writer w;

	json_init(&w, f, true);
	json_obj_begin(&w);
	json_kbool(&w, "deadlock", r->ncycles > 0);
	json_ku64(&w, "threads_scanned", g->nt);
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
