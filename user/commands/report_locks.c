/* report_locks.c - lock-order inversions of a --locks recording in `report`. */
#include <stdio.h>
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

/* The recording's processes are gone (or another's by now): addresses, not symbols. */
void report_locks_json(struct json_writer *w, const struct dl_locks *s)
{
	if (!s || !s->records)
		return;
	json_ku64(w, "lock_events", s->records);
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
