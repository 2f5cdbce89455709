/*
 * report_shm.c - shared-memory segments in `report`: channel entries of kind
 * "shm" with their "mappers" (the processes that mapped the segment).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "commands/report_shm.h"
#include "commands/report_common.h"
#include "model/model_futex.h"
#include "model/model_shm.h"
#include "util/escape.h"
#include "util/texttable.h"
#include "util/units.h"

struct shm_json_ctx {
	struct json_writer *w;
	const struct model *m;
	const struct model_shm_seg *seg;
	char last[MODEL_NAME_MAX];
};

/* Futexes whose key is this segment's inode: the synchronisation in it. */
static int futex_in_seg(const struct model_futex_conv *c, void *arg)
{
	struct shm_json_ctx *x = arg;

	if (!c->shared || c->key_ino != x->seg->ino || c->key_dev != x->seg->dev ||
	    !strcmp(x->last, c->channel))
		return 0;
	json_str(x->w, c->channel);
	snprintf(x->last, sizeof(x->last), "%s", c->channel);
	return 0;
}

static int shm_json(const struct model_shm_seg *s, void *ctx)
{
	struct shm_json_ctx *x = ctx;
	struct json_writer *w = x->w;

	json_obj_begin(w);
	json_kstr(w, "kind", "shm");
	json_kstr(w, "channel", s->channel);
	json_kid(w, "ino", s->ino);
	json_kid(w, "dev", s->dev);
	json_kbool(w, "sysv", s->sysv);
	if (s->sysv) {
		json_ki64(w, "shmid", s->shmid);
		json_kid(w, "key", s->key);
		json_kbool(w, "removed", s->removed);
	}
	json_ku64(w, "size", s->size);
	if (s->creator.pid) {
		report_json_proc(w, "creator", &s->creator);
		json_ki64(w, "creator_fd", s->creator_fd);
	}
	json_key(w, "mappers");
	json_arr_begin(w);
	for (size_t i = 0; i < s->nmappers; i++) {
		const struct model_shm_mapper *mp = &s->mappers[i];

		json_obj_begin(w);
		json_ku64(w, "pid", mp->proc.pid);
		json_kstr(w, "comm", mp->proc.comm);
		json_ku64(w, "size", mp->size);
		json_ku64(w, "maps", mp->maps);
		json_ku64(w, "unmaps", mp->unmaps);
		json_ku64(w, "inherited", mp->inherited);
		json_ku64(w, "first_ns", mp->first_ns);
		json_ku64(w, "last_ns", mp->last_ns);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_key(w, "futexes");
	json_arr_begin(w);
	if (!s->sysv) {	/* a SysV inode has no number to match */
		x->seg = s;
		x->last[0] = '\0';
		model_foreach_futex_conv(x->m, futex_in_seg, x);
	}
	json_arr_end(w);
	json_obj_end(w);
	return 0;
}

void report_shm_json(struct json_writer *w, const struct model *m)
{
	struct shm_json_ctx x = { .w = w, .m = m };

	model_foreach_shm(m, shm_json, &x);
}

static const struct tt_col shm_cols[] = {
	{ "KIND", false, TT_FIXED, 0, false }, { "SEGMENT", false, TT_MID, 12, false },
	{ "MAPPER", false, TT_END, 10, false }, { "SIZE", true, TT_FIXED, 0, false },
	{ "MAPS", true, TT_FIXED, 0, false }, { "UNMAPS", true, TT_FIXED, 0, false },
};

static int shm_text(const struct model_shm_seg *s, void *ctx)
{
	char comm[IPCS_COMM_LEN * 4 + 1], chan[MODEL_NAME_MAX * 4 + 1];

	esc_term(s->channel, sizeof(s->channel), chan, sizeof(chan));
	for (size_t i = 0; i < s->nmappers; i++) {
		const struct model_shm_mapper *mp = &s->mappers[i];
		char who[96], size[32], maps[24], unmaps[24];

		esc_term(mp->proc.comm, IPCS_COMM_LEN, comm, sizeof(comm));
		snprintf(who, sizeof(who), "%u/%s", mp->proc.pid, comm);
		units_bytes(size, sizeof(size), mp->size);
		snprintf(maps, sizeof(maps), "%" PRIu64, (uint64_t)mp->maps);
		snprintf(unmaps, sizeof(unmaps), "%" PRIu64, (uint64_t)mp->unmaps);
		tt_add(ctx, (const char *const[]){ i ? "" : "shm", i ? "" : chan, who, size, maps, unmaps });
	}
	return 0;
}

void report_shm_text(const struct model *m, int width)
{
	struct texttable t;

	tt_init(&t, shm_cols, (int)(sizeof(shm_cols) / sizeof(shm_cols[0])));
	model_foreach_shm(m, shm_text, &t);
	if (t.nrows) {
		printf("\n");
		tt_print(&t, stdout, width, NULL);
	}
	tt_free(&t);
}
