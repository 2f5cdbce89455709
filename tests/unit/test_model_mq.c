/*
 * test_model_mq.c - message queues in the model: receives paired with the
 * oldest send of the same length and priority, receives that arrive before
 * their send, and what is never paired going to pid 0 at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "model_testlib.h"

#define QINO 777

static void mq_send(struct model *m, __u32 pid, __u64 len, __s32 prio)
{
	struct ipcs_event ev = sys_ev(pid, IPCS_SYS_MQ_TIMEDSEND, 0, 3, prio, len, IPCS_KIND_MQ,
				      QINO, IPCS_FMODE_WRITE);

	apply(m, &ev);
}

static void mq_recv(struct model *m, __u32 pid, __s64 len, __s32 prio)
{
	struct ipcs_event ev = sys_ev(pid, IPCS_SYS_MQ_TIMEDRECEIVE, len, 3, prio, 8192,
				      IPCS_KIND_MQ, QINO, IPCS_FMODE_READ);

	apply(m, &ev);
}

static void mq_open_ev(struct model *m, __u32 pid, const char *name)
{
	struct ipcs_event ev = sys_ev(pid, IPCS_SYS_MQ_OPEN, 3, 3, -1, 0, IPCS_KIND_MQ, QINO,
				      IPCS_FMODE_READ);

	ev.type = IPCS_REC_SYS_PATH;
	snprintf(ev.sys_path.path, sizeof(ev.sys_path.path), "%s", name);
	ev.path = ev.sys_path.path;
	apply(m, &ev);
}

static void test_pairing(void **state)
{
	struct model *m = *state;
	const struct model_conv *c;
	struct convs cs;

	mq_open_ev(m, 10, "jobs");
	mq_send(m, 11, 100, 1);
	mq_send(m, 12, 200, 1);
	mq_send(m, 12, 100, 5);		/* higher priority: received first */
	mq_recv(m, 10, 100, 5);
	mq_recv(m, 10, 100, 1);
	mq_recv(m, 10, 200, -1);	/* priority not asked for */
	mq_recv(m, 10, 50, 0);		/* its send arrives later */
	mq_send(m, 11, 50, 0);
	mq_send(m, 11, 70, 0);		/* never received */
	mq_send(m, 11, 10, 0);
	model_flush(m);

	c = conv_of(m, &cs, QINO, 11, ~0ull, 10);
	assert_non_null(c);
	assert_int_equal(c->kind, IPCS_KIND_MQ);
	assert_string_equal(c->channel, "/jobs");
	assert_int_equal(c->a_to_b.msgs, 2);
	assert_int_equal(c->a_to_b.bytes, 150);
	c = conv_of(m, &cs, QINO, 12, ~0ull, 10);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.msgs, 2);
	assert_int_equal(c->a_to_b.bytes, 300);
	c = conv_of(m, &cs, QINO, 11, ~0ull, 0);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.msgs, 2);
	assert_int_equal(c->a_to_b.bytes, 80);
}

static void test_failed_calls_move_nothing(void **state)
{
	struct model *m = *state;
	struct ipcs_event ev = sys_ev(20, IPCS_SYS_MQ_TIMEDSEND, -EAGAIN, 3, 0, 100, IPCS_KIND_MQ,
				      QINO, IPCS_FMODE_WRITE);
	struct chan_q q;

	apply(m, &ev);
	mq_recv(m, 21, -ETIMEDOUT, -1);
	model_flush(m);
	q = chan_of(m, QINO);
	assert_true(q.found);
	assert_int_equal(q.c.bytes_written, 0);
	assert_int_equal(q.c.bytes_read, 0);
	assert_int_equal(model_conv_count(m), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pairing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_calls_move_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
