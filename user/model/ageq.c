/*
 * ageq.c - aging queues (struct mageq): processes that exited and channels
 * left without holders wait here, oldest first, until proctab.c or
 * channels.c lets them go (ageq_pop_due: when old or too many). Below both,
 * so neither calls up into model.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/model_int.h"
#include "util/ring.h"

int ageq_push(struct mageq *q, void *obj, __u64 gen, __u64 at_event)
{
	if (ring_reserve((void **)&q->v, sizeof(*q->v), &q->head, q->len, &q->cap, 16))
		return -ENOMEM;
	q->v[(q->head + q->len) % q->cap] = (struct mage){ obj, gen, at_event };
	q->len++;
	return 0;
}

void ageq_fini(struct mageq *q)
{
	free(q->v);
	memset(q, 0, sizeof(*q));
}

/* The oldest entry, taken off the queue into *out; false when empty. */
bool ageq_pop(struct mageq *q, struct mage *out)
{
	if (!q->len)
		return false;
	*out = q->v[q->head];
	q->head = (q->head + 1) % q->cap;
	q->len--;
	return true;
}

bool ageq_pop_due(struct mageq *q, __u64 now, __u64 age, size_t max, struct mage *out)
{
	if (!q->len || (now - q->v[q->head].at_event < age && q->len <= max))
		return false;
	return ageq_pop(q, out);
}
