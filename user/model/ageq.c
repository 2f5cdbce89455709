/*
 * ageq.c - aging queues (struct mageq): processes that exited and channels
 * left without holders wait here, oldest first, until proctab.c or
 * channels.c lets them go. Below both, so neither calls up into model.c.
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
