/*
 * test_model_splice.c - splice-family records in the model: IPCS_SYSF_OUT
 * sides write into their pipe, the others read out of it; tee copies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "model_testlib.h"

static void side(struct model *m, __u32 pid, __u16 sys, __s32 fd, __s32 other, __u64 ino,
		 __s64 n, bool out)
{
	struct ipcs_event ev = sys_ev(pid, sys, n, fd, other, (__u64)n, IPCS_KIND_PIPE, ino,
				      out ? IPCS_FMODE_WRITE : IPCS_FMODE_READ);

	ev.sys.flags = out ? IPCS_SYSF_OUT : 0;
	apply(m, &ev);
}

/* 10 vmsplices 300 into pipe 1; 20 tees 300 into pipe 3; 30 splices 300 from 1 to 2. */
static void test_chain(void **state)
{
	struct model *m = *state;
	const struct model_conv *c;
	struct convs cs;

	side(m, 10, IPCS_SYS_VMSPLICE, 4, 4, 1, 200, true);
	side(m, 10, IPCS_SYS_SENDFILE, 4, 7, 1, 100, true);
	side(m, 20, IPCS_SYS_TEE, 6, 3, 3, 300, true);
	side(m, 20, IPCS_SYS_SPLICE, 3, 5, 1, 300, false);
	side(m, 20, IPCS_SYS_SPLICE, 5, 3, 2, 300, true);
	do_read(m, 30, 8, 2, 300);
	do_read(m, 40, 9, 3, 300);
	model_flush(m);
	c = conv_of(m, &cs, 1, 10, ~0ull, 20);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.msgs, 2);
	assert_int_equal(c->a_to_b.bytes, 300);
	c = conv_of(m, &cs, 2, 20, ~0ull, 30);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.bytes, 300);
	c = conv_of(m, &cs, 3, 20, ~0ull, 40);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.msgs, 1);
	assert_int_equal(c->a_to_b.bytes, 300);
	assert_int_equal(cs.n, 3);	/* nothing unobserved */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chain, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
