/* report_locks.c - lock-order inversions of a --locks recording in `report`. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands/report_locks.h"
#include "deadlock/lockprint.h"

int report_locks_tap(void *ctx, const struct ipcs_event *ev, const void *raw, size_t len)
{
	struct dl_locks *s = ctx;

	(void)raw;
	(void)len;
	if (ev->type == IPCS_REC_LOCK)
		return dl_locks_add(s, &ev->lock);
	if (ev->type == IPCS_REC_PROC && ev->proc.op == IPCS_PROC_EXIT)
		dl_locks_proc_exit(s, (pid_t)ev->proc.pid);
	return 0;
}

#define REPORT_LOCKS_MAX 50	/* the most used locks listed */

static int by_acquired(const void *a, const void *b)
{
	const struct dl_lock *x = *(const struct dl_lock *const *)a, *y = *(const struct dl_lock *const *)b;

	return x->acquired < y->acquired ? 1 : x->acquired > y->acquired ? -1 : (x->id > y->id) - (x->id < y->id);
}

/* "locks": the most taken locks (since the tables were last cleared) with their counts. */
static void json_locks(struct json_writer *w, const struct dl_locks *s)
{
	struct dl_lock **v = malloc((s->nlocks + 1) * sizeof(*v));
	size_t n = s->nlocks;
	char obj[32];

	json_key(w, "locks");
	json_arr_begin(w);
	if (v) {
		memcpy(v, s->byid, n * sizeof(*v));
		qsort(v, n, sizeof(*v), by_acquired);
		for (size_t i = 0; i < n && i < REPORT_LOCKS_MAX; i++) {
			snprintf(obj, sizeof(obj), "0x%" PRIx64, v[i]->uaddr);
			json_obj_begin(w);
			json_kstr(w, "kind", dl_lock_kind_name(v[i]->kind));
			json_kstr(w, "object", obj);
			json_ki64(w, "pid", v[i]->upid);
			json_kbool(w, "shared", v[i]->key.pid == 0);
			json_ku64(w, "attempts", v[i]->attempts);
			json_ku64(w, "acquired", v[i]->acquired);
			json_ku64(w, "failed", v[i]->failed);
			json_ku64(w, "released", v[i]->released);
			json_obj_end(w);
		}
	}
	json_arr_end(w);
	free(v);
}

/* The recording's processes are gone (or another's by now): addresses, not symbols. */
void report_locks_json(struct json_writer *w, const struct dl_locks *s)
{
	if (!s || !s->records)
		return;
	json_ku64(w, "lock_events", s->records);
	json_locks(w, s);
	json_key(w, "lock_inversions");
	json_arr_begin(w);
	for (size_t i = 0; i < s->ninv; i++)
		dl_lock_json_inversion(w, &s->inv[i], false);
	json_arr_end(w);
}

void report_locks_text(const struct dl_locks *s)
{
	if (!s || !s->records)
		return;
	printf("\nLock-order inversions (potential deadlocks, from %llu lock events): %zu\n",
	       (unsigned long long)s->records, s->ninv);
	for (size_t i = 0; i < s->ninv; i++)
		dl_lock_text_inversion(stdout, &s->inv[i], i + 1, false);
}
