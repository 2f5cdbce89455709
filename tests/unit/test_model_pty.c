/*
 * test_model_pty.c - ptys in the model: two directions as two streams,
 * master and slave told apart by IPCS_FMODE_PTY_MASTER, and bytes the
 * line discipline added (echo) going to an unobserved writer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "model_testlib.h"

#define IDX 3
#define TO_SLAVE ((1ull << 32) | (IDX << 1))
#define TO_MASTER (TO_SLAVE | 1)

static void pty_io(struct model *m, __u32 pid, bool master, bool wr, __s64 n)
{
	struct ipcs_event ev = sys_ev(pid, wr ? IPCS_SYS_WRITE : IPCS_SYS_READ, n, master ? 5 : 0,
				      -1, 4096, IPCS_KIND_PTY, IDX,
				      IPCS_FMODE_READ | IPCS_FMODE_WRITE |
				      (master ? IPCS_FMODE_PTY_MASTER : 0));

	apply(m, &ev);
}

static void test_two_directions(void **state)
{
	struct model *m = *state;
	const struct model_conv *c;
	struct convs cs;
	struct chan_q q;

	pty_io(m, 10, true, true, 6);	/* master writes "ls -l\n" */
	pty_io(m, 11, false, false, 6);	/* the shell reads it */
	pty_io(m, 11, false, true, 100);	/* and answers */
	pty_io(m, 10, true, false, 60);
	pty_io(m, 10, true, false, 40);
	pty_io(m, 10, true, false, 6);	/* the echo: no slave process wrote it */
	model_flush(m);
	c = conv_of(m, &cs, TO_SLAVE, 10, ~0ull, 11);
	assert_non_null(c);
	assert_string_equal(c->channel, "/dev/pts/3 (to slave)");
	assert_int_equal(c->a_to_b.msgs, 1);
	assert_int_equal(c->a_to_b.bytes, 6);
	c = conv_of(m, &cs, TO_MASTER, 11, ~0ull, 10);
	assert_non_null(c);
	assert_string_equal(c->channel, "/dev/pts/3 (to master)");
	assert_int_equal(c->a_to_b.msgs, 1);
	assert_int_equal(c->a_to_b.bytes, 100);
	c = conv_of(m, &cs, TO_MASTER, 0, ~0ull, 10);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.bytes, 6);
	q = chan_of(m, IDX);
	assert_true(q.found);
	assert_string_equal(q.c.channel, "/dev/pts/3");
	assert_int_equal(q.c.bytes_written, 106);
	assert_int_equal(q.c.bytes_read, 112);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_two_directions, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
