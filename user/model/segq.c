/*
 * segq.c - segment queues (struct msegq): a channel's unread writes and the
 * reads that ran ahead of them, ring buffers, oldest first. conv.c moves
 * bytes through them; channels.c frees them with the channel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/model_int.h"
#include "util/ring.h"

void segq_fini(struct msegq *q)
{
	while (q->len) {
		proc_unref(q->v[q->head].proc);
		free(q->v[q->head].payload);
		q->head = (q->head + 1) % q->cap;
		q->len--;
	}
	free(q->v);
	memset(q, 0, sizeof(*q));
}

struct mseg *segq_front(struct msegq *q)
{
	return q->len ? &q->v[q->head] : NULL;
}

struct mseg *segq_back(struct msegq *q)
{
	return q->len ? &q->v[(q->head + q->len - 1) % q->cap] : NULL;
}

int segq_push(struct msegq *q, const struct mseg *s)
{
	if (ring_reserve((void **)&q->v, sizeof(*q->v), &q->head, q->len, &q->cap, 8))
		return -ENOMEM;
	q->v[(q->head + q->len) % q->cap] = *s;
	q->len++;
	q->bytes += s->rem;
	return 0;
}

void segq_pop(struct msegq *q)
{
	struct mseg *s = &q->v[q->head];

	q->bytes -= s->rem;
	proc_unref(s->proc);
	free(s->payload);
	q->head = (q->head + 1) % q->cap;
	q->len--;
	if (!q->len)
		q->head = 0;
}
