/*
 * test_model_eventfd.c - eventfd counters in the model: values as units,
 * writes as messages, coalescing reads, the creator's initial value, and
 * readv/writev or failed calls moving nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "model_testlib.h"

#define CTX 0xffff888012345600ull	/* an eventfd_ctx address: the identity */

static void efd_create(struct model *m, __u32 pid, __s32 fd, __u64 initval)
{
	struct ipcs_event ev = sys_ev(pid, IPCS_SYS_EVENTFD2, fd, fd, -1, initval,
				      IPCS_KIND_EVENTFD, CTX, 3);

	apply(m, &ev);
}

/* A read/write that returned ret with counter value v (arg). */
static void efd_rw(struct model *m, __u32 pid, __u16 sys, __s32 fd, __s64 ret, __u64 v)
{
	struct ipcs_event ev = sys_ev(pid, sys, ret, fd, -1, v, IPCS_KIND_EVENTFD, CTX, 3);

	apply(m, &ev);
}

/* Writes 1, 2, 3 by 11 and 4 by 12; 10 reads 3 (coalesced), then 7. */
static void test_coalescing_reads(void **state)
{
	struct model *m = *state;
	struct model_kind_totals kt;
	const struct model_conv *c;
	struct convs cs;

	efd_create(m, 10, 3, 0);
	do_fork(m, 10, 11, 0);
	do_fork(m, 10, 12, 0);
	efd_rw(m, 11, IPCS_SYS_WRITE, 3, 8, 1);
	efd_rw(m, 11, IPCS_SYS_WRITE, 3, 8, 2);
	efd_rw(m, 10, IPCS_SYS_READ, 3, 8, 3);
	efd_rw(m, 11, IPCS_SYS_WRITE, 3, 8, 3);
	efd_rw(m, 12, IPCS_SYS_WRITE, 3, 8, 4);
	efd_rw(m, 10, IPCS_SYS_READ, 3, 8, 7);
	model_flush(m);
	c = conv_of(m, &cs, CTX, 11, ~0ull, 10);
	assert_non_null(c);
	assert_int_equal(c->kind, IPCS_KIND_EVENTFD);
	assert_int_equal(c->a_to_b.msgs, 3);
	assert_int_equal(c->a_to_b.bytes, 6);
	c = conv_of(m, &cs, CTX, 12, ~0ull, 10);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.msgs, 1);
	assert_int_equal(c->a_to_b.bytes, 4);
	assert_int_equal(cs.n, 2);
	assert_int_equal(model_get_kind_totals(m, IPCS_KIND_EVENTFD, &kt), 0);
	assert_int_equal(kt.msgs, 4);
	assert_int_equal(kt.bytes, 10);
	assert_int_equal(kt.unobserved_bytes, 0);
}

/* The initial value is the creator's; readv, errors and value 0 move nothing. */
static void test_initval_and_non_moves(void **state)
{
	struct model *m = *state;
	const struct model_conv *c;
	struct convs cs;
	struct chan_q q;

	efd_create(m, 20, 4, 5);
	do_fork(m, 20, 21, 0);
	efd_rw(m, 20, IPCS_SYS_WRITEV, 4, 8, 1);	/* arg = iovec count, not a value */
	efd_rw(m, 20, IPCS_SYS_WRITE, 4, -EAGAIN, 9);
	efd_rw(m, 20, IPCS_SYS_WRITE, 4, 8, 0);
	efd_rw(m, 21, IPCS_SYS_READ, 4, 8, 5);
	c = conv_of(m, &cs, CTX, 20, ~0ull, 21);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.msgs, 1);
	assert_int_equal(c->a_to_b.bytes, 5);
	assert_int_equal(cs.n, 1);
	q = chan_of(m, CTX);
	assert_true(q.found);
	assert_int_equal(q.c.bytes_written, 5);
	assert_int_equal(q.c.bytes_read, 5);
	assert_true(has_holder(&q, 21, 4, IPCS_FMODE_READ | IPCS_FMODE_WRITE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_coalescing_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_initval_and_non_moves, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
