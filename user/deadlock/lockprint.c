/* lockprint.c - text and JSON of lock-order inversions and held locks. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "collect/uprobes.h"
#include "deadlock/lockprint.h"
#include "deadlock/stacks.h"
#include "util/escape.h"

void dl_lock_name(const struct dl_lockref *l, char *out, size_t outsz)
{
	if (l->key.pid)
		snprintf(out, outsz, "0x%" PRIx64, l->key.off);
	else
		snprintf(out, outsz, "0x%" PRIx64 " (shared: dev %u:%u inode %" PRIu64 " offset %" PRIu64 ")",
			 l->uaddr, l->key.dev >> 20, l->key.dev & 0xfffff, l->key.ino, l->key.off);
}

static struct dl_lockref ref_of(const struct dl_lock *l)
{
	return (struct dl_lockref){ .key = l->key, .kind = l->kind, .upid = l->upid, .uaddr = l->uaddr };
}

/* Frame i of a stack as text; a return address is named by the call before it. */
static void frame_name(struct dl_unwinder *u, const struct dl_taken *t, size_t i, char *out, size_t outsz)
{
	uint64_t a = t->stack[i];

	if (!u || dl_unwind_symbol(u, i ? a - 1 : a, out, outsz))
		snprintf(out, outsz, "0x%" PRIx64, a);
}

static void text_stack(FILE *f, const struct dl_taken *t, bool symbols, const char *indent)
{
	struct dl_unwinder *u = NULL;
	char name[256];

	if (symbols && dl_unwind_open(t->pid, false, &u))
		u = NULL;
	if (!t->nstack)
		fprintf(f, "%s(no user stack)\n", indent);
	for (size_t i = 0; i < t->nstack; i++) {
		frame_name(u, t, i, name, sizeof(name));
		fputs(indent, f);
		esc_term_fputs(name, f);
		fputc('\n', f);
	}
	if (u)
		dl_unwind_close(u);
}

static void text_lock(FILE *f, const struct dl_lockref *l)
{
	char name[160];

	dl_lock_name(l, name, sizeof(name));
	fprintf(f, "%s %s", dl_lock_kind_name(l->kind), name);
}

static void text_taken(FILE *f, const char *what, const struct dl_lockref *l, const struct dl_taken *t,
		       bool symbols)
{
	fprintf(f, "      %s ", what);
	text_lock(f, l);
	fprintf(f, " with %s, at:\n", lock_fn_name(t->fn));
	text_stack(f, t, symbols, "        ");
}

static void text_order(FILE *f, const char *title, const struct dl_lockref *held, const struct dl_taken *h,
		       const struct dl_lockref *took, const struct dl_taken *t, bool symbols)
{
	fprintf(f, "  %s: %d/%d \"", title, (int)t->pid, (int)t->tid);
	esc_term_fputs(t->comm, f);
	fputs("\"\n", f);
	text_taken(f, "held", held, h, symbols);
	text_taken(f, "then took", took, t, symbols);
}

void dl_lock_text_inversion(FILE *f, const struct dl_inversion *inv, size_t num, bool symbols)
{
	fprintf(f, "POTENTIAL DEADLOCK %zu: lock-order inversion (%zu locks): ", num, inv->n);
	text_lock(f, &inv->a);
	fputs(" and ", f);
	text_lock(f, &inv->b);
	fputs(" taken in both orders\n", f);
	text_order(f, "first", &inv->b, &inv->first_held, &inv->via, &inv->first_taken, symbols);
	text_order(f, "then", &inv->a, &inv->second_held, &inv->b, &inv->second_taken, symbols);
}

static void json_lock(struct json_writer *w, const struct dl_lockref *l)
{
	char obj[32];

	snprintf(obj, sizeof(obj), "0x%" PRIx64, l->uaddr);
	json_obj_begin(w);
	json_kstr(w, "kind", dl_lock_kind_name(l->kind));
	json_kstr(w, "object", obj);
	json_ki64(w, "pid", l->upid);
	json_kbool(w, "shared", l->key.pid == 0);
	if (!l->key.pid) {
		json_ku64(w, "dev", l->key.dev);
		json_ku64(w, "ino", l->key.ino);
		json_ku64(w, "offset", l->key.off);
	}
	json_obj_end(w);
}

static void json_taken_obj(struct json_writer *w, const struct dl_lockref *l, const struct dl_taken *t,
			   bool symbols)
{
	struct dl_unwinder *u = NULL;
	char name[256];

	if (symbols && dl_unwind_open(t->pid, false, &u))
		u = NULL;
	json_obj_begin(w);
	json_key(w, "lock");
	json_lock(w, l);
	json_kstr(w, "call", lock_fn_name(t->fn));
	json_kstr(w, "mode", t->mode == DL_LM_READ ? "read" : "exclusive");
	json_key(w, "stack");
	json_arr_begin(w);
	for (size_t i = 0; i < t->nstack; i++) {
		frame_name(u, t, i, name, sizeof(name));
		json_str(w, name);
	}
	json_arr_end(w);
	json_obj_end(w);
	if (u)
		dl_unwind_close(u);
}

static void json_taken(struct json_writer *w, const char *key, const struct dl_lockref *l,
		       const struct dl_taken *t, bool symbols)
{
	json_key(w, key);
	json_taken_obj(w, l, t, symbols);
}

static void json_order(struct json_writer *w, const struct dl_lockref *held, const struct dl_taken *h,
		       const struct dl_lockref *took, const struct dl_taken *t, bool symbols)
{
	json_obj_begin(w);
	json_ki64(w, "pid", t->pid);
	json_ki64(w, "tid", t->tid);
	json_kstr(w, "comm", t->comm);
	json_ku64(w, "ts_ns", t->ts_ns);
	json_taken(w, "held", held, h, symbols);
	json_taken(w, "took", took, t, symbols);
	json_obj_end(w);
}

void dl_lock_json_inversion(struct json_writer *w, const struct dl_inversion *inv, bool symbols)
{
	json_obj_begin(w);
	json_key(w, "locks");
	json_arr_begin(w);
	json_lock(w, &inv->a);
	json_lock(w, &inv->b);
	json_arr_end(w);
	json_ku64(w, "cycle_locks", inv->n);
	json_key(w, "orders");
	json_arr_begin(w);
	json_order(w, &inv->b, &inv->first_held, &inv->via, &inv->first_taken, symbols);
	json_order(w, &inv->a, &inv->second_held, &inv->b, &inv->second_taken, symbols);
	json_arr_end(w);
	json_obj_end(w);
}

void dl_lock_json_held(struct json_writer *w, const struct dl_locks *s, pid_t tid, bool symbols)
{
	const struct dl_lthread *t = dl_locks_thread(s, tid);

	json_obj_begin(w);
	json_ki64(w, "tid", tid);
	json_key(w, "holds");
	json_arr_begin(w);
	for (size_t i = 0; t && i < t->nheld; i++) {
		struct dl_lockref l = ref_of(t->held[i].l);

		json_taken_obj(w, &l, &t->held[i].at, symbols);
	}
	json_arr_end(w);
	json_key(w, "waits_to_take");
	if (t && t->pending) {
		struct dl_lockref l = ref_of(t->pending);

		json_lock(w, &l);
	} else {
		json_null(w);
	}
	json_obj_end(w);
}

void dl_lock_text_held(FILE *f, const struct dl_locks *s, pid_t tid, bool symbols)
{
	const struct dl_lthread *t = dl_locks_thread(s, tid);

	if (!t)
		return;
	for (size_t i = 0; i < t->nheld; i++) {
		struct dl_lockref l = ref_of(t->held[i].l);

		text_taken(f, "holds", &l, &t->held[i].at, symbols);
	}
	if (t->pending) {
		struct dl_lockref l = ref_of(t->pending);

		fputs("      waits to take ", f);
		text_lock(f, &l);
		fprintf(f, " in %s\n", lock_fn_name(t->pending_fn));
	}
}
