/* report_waits.c - the recorded long waits, grouped into cycles and stalls. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands/report_waits.h"
#include "model/model_waits.h"
#include "util/escape.h"
#include "util/vec.h"

struct wait_list {
	const struct model_wait **v;
	size_t n, cap;
};

static int collect(const struct model_wait *w, void *ctx)
{
	struct wait_list *l = ctx;

	if (vec_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v), 64))
		return -ENOMEM;
	l->v[l->n++] = w;
	return 0;
}

static __u64 waited(const struct model_wait *w, __u64 end_ns)
{
	__u64 end = w->end_ns ? w->end_ns : end_ns;

	return end > w->enter_ns ? end - w->enter_ns : 0;
}

/* When the cycle of the group head l->v[i] was found: the latest thread to
 * join it (one may have been found waiting alone a scan earlier). */
static __u64 cycle_found_ns(const struct wait_list *l, size_t i)
{
	__u64 ns = 0;

	for (size_t j = i; j < l->n; j++)
		if ((l->v[j]->flags & IPCS_WAITF_CYCLE) && l->v[j]->group == l->v[i]->group &&
		    l->v[j]->flagged_ns > ns)
			ns = l->v[j]->flagged_ns;
	return ns;
}

/* Is this the first wait of its cycle in the list? */
static bool group_head(const struct wait_list *l, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if ((l->v[j]->flags & IPCS_WAITF_CYCLE) && l->v[j]->group == l->v[i]->group)
			return false;
	return true;
}

/*
 * A wait's strings come from the recording's WAIT record as fixed arrays that
 * a crafted file need not NUL-terminate: bounded copies, NUL-terminated.
 */
struct wait_strs {
	char kind[sizeof(((struct model_wait *)0)->kind) + 1];
	char object[sizeof(((struct model_wait *)0)->object) + 1];
	char evidence[sizeof(((struct model_wait *)0)->evidence) + 1];
	char comm[sizeof(((struct model_wait *)0)->comm) + 1];
};

#define COPY_STR(dst, src) (memcpy(dst, src, sizeof(src)), (dst)[sizeof(src)] = '\0')

static void wait_strs(const struct model_wait *x, struct wait_strs *s)
{
	COPY_STR(s->kind, x->kind);
	COPY_STR(s->object, x->object);
	COPY_STR(s->evidence, x->evidence);
	COPY_STR(s->comm, x->comm);
}

static void json_wait(struct json_writer *w, const struct model_wait *x, __u64 end_ns)
{
	struct wait_strs s;

	wait_strs(x, &s);
	json_obj_begin(w);
	json_ku64(w, "pid", x->pid);
	json_ku64(w, "tid", x->tid);
	json_kstr(w, "comm", s.comm);
	json_key(w, "waits_for");
	json_obj_begin(w);
	json_kstr(w, "kind", s.kind);
	json_kstr(w, "object", s.object);
	json_ku64(w, "ns", waited(x, end_ns));
	json_obj_end(w);
	json_key(w, "held_by");
	if (x->holder_tid) {
		json_obj_begin(w);
		json_ku64(w, "pid", x->holder_pid);
		json_ku64(w, "tid", x->holder_tid);
		json_kstr(w, "evidence", s.evidence);
		json_obj_end(w);
	} else {
		json_null(w);
	}
	json_ku64(w, "enter_ns", x->enter_ns);
	json_ku64(w, "found_ns", x->found_ns);
	json_key(w, "end_ns");
	if (x->end_ns)
		json_u64(w, x->end_ns);
	else
		json_null(w);	/* still blocked when the recording ended */
	json_obj_end(w);
}

void report_waits_json(struct json_writer *w, const struct model *m, __u64 end_ns)
{
	struct wait_list l = { 0 };

	model_foreach_wait(m, collect, &l);
	json_key(w, "deadlocks");
	json_obj_begin(w);
	json_key(w, "cycles");
	json_arr_begin(w);
	for (size_t i = 0; i < l.n; i++) {
		if (!(l.v[i]->flags & IPCS_WAITF_CYCLE) || !group_head(&l, i))
			continue;
		json_obj_begin(w);
		json_ku64(w, "found_ns", cycle_found_ns(&l, i));
		json_key(w, "threads");
		json_arr_begin(w);
		for (size_t j = i; j < l.n; j++)
			if ((l.v[j]->flags & IPCS_WAITF_CYCLE) && l.v[j]->group == l.v[i]->group)
				json_wait(w, l.v[j], end_ns);
		json_arr_end(w);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_key(w, "stalls");
	json_arr_begin(w);
	for (size_t i = 0; i < l.n; i++) {
		if ((l.v[i]->flags & (IPCS_WAITF_CYCLE | IPCS_WAITF_STALL)) != IPCS_WAITF_STALL)
			continue;
		json_obj_begin(w);
		json_ku64(w, "found_ns", l.v[i]->flagged_ns);
		json_key(w, "threads");
		json_arr_begin(w);
		json_wait(w, l.v[i], end_ns);
		json_arr_end(w);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_ku64(w, "long_waits", l.n);
	json_ku64(w, "blocked_at_end", model_waits_blocked(m));
	json_ku64(w, "lost", model_waits_lost(m));
	json_obj_end(w);
	free(l.v);
}

/* Every string from the recording escaped (a crafted kind of "\e[2J" reaches no terminal raw). */
static void text_wait(const struct model_wait *x, __u64 first_ns, __u64 end_ns)
{
	struct wait_strs s;

	wait_strs(x, &s);
	printf("  %u/%u \"", x->pid, x->tid);
	esc_term_fputs(s.comm, stdout);
	fputs("\" waits on ", stdout);
	esc_term_fputs(s.kind, stdout);
	fputc(' ', stdout);
	esc_term_fputs(s.object, stdout);
	printf(" from %+.3f s for %.3f s%s", (double)(x->enter_ns - first_ns) / 1e9,
	       (double)waited(x, end_ns) / 1e9, x->end_ns ? "" : " (still blocked at the end)");
	if (x->holder_tid) {
		fputs("\n      ", stdout);
		esc_term_fputs(s.evidence, stdout);
		printf(" %u/%u", x->holder_pid, x->holder_tid);
	}
	fputc('\n', stdout);
}

void report_waits_text(const struct model *m, __u64 first_ns, __u64 end_ns)
{
	struct wait_list l = { 0 };
	size_t ncycles = 0, nstalls = 0;

	model_foreach_wait(m, collect, &l);
	for (size_t i = 0; i < l.n; i++) {
		if (!(l.v[i]->flags & IPCS_WAITF_CYCLE) || !group_head(&l, i))
			continue;
		printf("%sDEADLOCK %zu found at %+.3f s:\n", ncycles ? "" : "\n", ncycles + 1,
		       (double)(cycle_found_ns(&l, i) - first_ns) / 1e9);
		ncycles++;
		for (size_t j = i; j < l.n; j++)
			if ((l.v[j]->flags & IPCS_WAITF_CYCLE) && l.v[j]->group == l.v[i]->group)
				text_wait(l.v[j], first_ns, end_ns);
	}
	for (size_t i = 0; i < l.n; i++) {
		if ((l.v[i]->flags & (IPCS_WAITF_CYCLE | IPCS_WAITF_STALL)) != IPCS_WAITF_STALL)
			continue;
		printf("%sSTALL found at %+.3f s:\n", nstalls || ncycles ? "" : "\n",
		       (double)(l.v[i]->flagged_ns - first_ns) / 1e9);
		nstalls++;
		text_wait(l.v[i], first_ns, end_ns);
	}
	if (l.n)
		printf("%zu deadlock%s, %zu stall%s; %zu waits over the threshold, %zu still blocked at the end\n",
		       ncycles, ncycles == 1 ? "" : "s", nstalls, nstalls == 1 ? "" : "s", l.n,
		       model_waits_blocked(m));
	if (model_waits_lost(m))
		printf("(%llu more waits over the threshold are not listed: past the %u kept)\n",
		       (unsigned long long)model_waits_lost(m), MODEL_WAITS_MAX);
	free(l.v);
}
