/* test_ring.c - ring growth keeps the elements in FIFO order across the wrap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include "util/ring.h"

struct q {
	int *v;
	size_t head, len, cap;
};

static void push(struct q *q, int x)
{
	assert_int_equal(ring_reserve((void **)&q->v, sizeof(*q->v), &q->head, q->len, &q->cap, 4), 0);
	q->v[(q->head + q->len++) % q->cap] = x;
}

static int pop(struct q *q)
{
	int x = q->v[q->head];

	q->head = (q->head + 1) % q->cap;
	q->len--;
	return x;
}

static void test_grow_across_wrap(void **state)
{
	struct q q = { 0 };
	int next = 0;

	(void)state;
	for (int i = 0; i < 4; i++)
		push(&q, i);
	assert_int_equal(q.cap, 4);
	/* pop two, push two: the ring now wraps (head 2) */
	assert_int_equal(pop(&q), next++);
	assert_int_equal(pop(&q), next++);
	push(&q, 4);
	push(&q, 5);
	assert_int_equal(q.head, 2);
	/* full and wrapped: growing must unwrap oldest first */
	push(&q, 6);
	assert_int_equal(q.cap, 8);
	assert_int_equal(q.head, 0);
	for (int i = 7; i < 40; i++)
		push(&q, i);
	while (q.len)
		assert_int_equal(pop(&q), next++);
	assert_int_equal(next, 40);
	free(q.v);
}

static void test_no_growth_when_room(void **state)
{
	struct q q = { 0 };
	int *before;

	(void)state;
	push(&q, 1);
	before = q.v;
	push(&q, 2);
	assert_ptr_equal(q.v, before);
	assert_int_equal(q.cap, 4);
	free(q.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_across_wrap),
		cmocka_unit_test(test_no_growth_when_room),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
