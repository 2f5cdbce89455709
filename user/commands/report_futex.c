/*
 * report_futex.c - futex conversations in `report`: same object shape as
 * other conversations (a_to_b.msgs = a's wakes that woke b, bytes 0, plus
 * the waits they ended), plus totals "waits", "wakes", "wait_ns" and "key".
 */
#include <inttypes.h>
#include <stdio.h>
#include "commands/report_common.h"
#include "commands/report_futex.h"
#include "model/model_futex.h"
#include "util/escape.h"
#include "util/units.h"

static void dir_obj(struct json_writer *w, const char *key, const struct model_futex_dir *d)
{
	json_key(w, key);
	json_obj_begin(w);
	json_ku64(w, "msgs", d->wakes);
	json_ku64(w, "bytes", 0);
	json_ku64(w, "waits", d->waits);
	json_ku64(w, "wait_ns", d->wait_ns);
	json_obj_end(w);
}

static int futex_json(const struct model_futex_conv *c, void *ctx)
{
	struct json_writer *w = ctx;

	json_obj_begin(w);
	json_kstr(w, "kind", "futex");
	json_kstr(w, "channel", c->channel);
	report_json_proc(w, "a", &c->a);
	report_json_proc(w, "b", &c->b);
	dir_obj(w, "a_to_b", &c->a_to_b);
	dir_obj(w, "b_to_a", &c->b_to_a);
	json_ku64(w, "first_ns", c->first_ns);
	json_ku64(w, "last_ns", c->last_ns);
	/* A side blocks in the waits the other side's wakes ended. */
	json_ku64(w, "a_blocked_ns", c->b_to_a.wait_ns);
	json_ku64(w, "b_blocked_ns", c->a_to_b.wait_ns);
	json_ku64(w, "wakes", c->a_to_b.wakes + c->b_to_a.wakes);
	json_ku64(w, "waits", c->a_to_b.waits + c->b_to_a.waits);
	json_ku64(w, "wait_ns", c->a_to_b.wait_ns + c->b_to_a.wait_ns);
	if (c->owner_tid)	/* PI futex: the TID in the lock word */
		json_ku64(w, "owner_tid", c->owner_tid);
	json_key(w, "key");
	json_obj_begin(w);
	json_kbool(w, "shared", c->shared);
	if (c->shared) {
		json_kid(w, "dev", c->key_dev);
		json_kid(w, "ino", c->key_ino);
		json_kid(w, "offset", c->key_off);
		json_key(w, "segment");	/* the shm segment it lives in, when named */
		if (c->segment[0])
			json_str(w, c->segment);
		else
			json_null(w);
	} else {
		json_ku64(w, "pid", c->key_pid);
		json_kid(w, "uaddr", c->key_off);
	}
	json_obj_end(w);
	json_obj_end(w);
	return 0;
}

void report_futex_json(struct json_writer *w, const struct model *m)
{
	model_foreach_futex_conv(m, futex_json, w);
}

static int futex_text(const struct model_futex_conv *c, void *ctx)
{
	struct texttable *t = ctx;
	char chan[MODEL_NAME_MAX * 4 + 1], a[96], b[96], n[32], blk[32], note[64];

	esc_term(c->channel, sizeof(c->channel), chan, sizeof(chan));
	report_text_proc(a, sizeof(a), &c->a);
	report_text_proc(b, sizeof(b), &c->b);
	snprintf(n, sizeof(n), "%" PRIu64, (uint64_t)c->a_to_b.wakes);
	units_dur(blk, sizeof(blk), c->a_to_b.wait_ns + c->b_to_a.wait_ns);
	snprintf(note, sizeof(note), "wakes; %" PRIu64 " waits", (uint64_t)c->a_to_b.waits);
	tt_add(t, (const char *const[RC_COUNT]){ "futex", chan, a, b, n, "-", blk, note });
	if (c->b_to_a.wakes) {
		snprintf(n, sizeof(n), "%" PRIu64, (uint64_t)c->b_to_a.wakes);
		snprintf(note, sizeof(note), "wakes; %" PRIu64 " waits", (uint64_t)c->b_to_a.waits);
		tt_add(t, (const char *const[RC_COUNT]){ NULL, NULL, b, a, n, "-", NULL, note });
	}
	if (c->segment[0]) {
		char seg[sizeof(c->segment) * 4 + 1], line[sizeof(seg) + 4];

		esc_term(c->segment, sizeof(c->segment), seg, sizeof(seg));
		snprintf(line, sizeof(line), "in %s", seg);
		tt_note(t, RC_CHANNEL, line);
	}
	return 0;
}

size_t report_futex_text(const struct model *m, struct texttable *t)
{
	size_t before = t->nrows;

	model_foreach_futex_conv(m, futex_text, t);
	return t->nrows - before;
}
