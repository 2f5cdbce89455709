/*
 * test_msglog.c - the per-conversation message log (msglog.c) on its own and
 * through the model: split reads merge into one message, the ring keeps the
 * newest msglog_max and counts the rest, payload bytes are copied and owned
 * (ASan checks the frees); rates per one-second window (model_rate_at);
 * IPCS_REC_PAYLOAD records reach the message of the write they follow.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "model_testlib.h"
#include "model/msglog.h"

static void test_ring(void **state)
{
	struct msglog l = { 0 };
	char payload[32];

	(void)state;
	/* one write read in three pieces: one message of 30 bytes */
	for (int i = 0; i < 3; i++)
		assert_int_equal(msglog_note(&l, 8, 1, false, 10, 100, 200 + (__u64)i, IPCS_SYS_WRITE), 0);
	assert_int_equal(l.len, 1);
	assert_int_equal(msglog_at(&l, 0)->bytes, 30);
	assert_int_equal(msglog_at(&l, 0)->ts_r, 202);
	/* the other direction in between does not split a write */
	assert_int_equal(msglog_note(&l, 8, 2, true, 5, 300, 301, IPCS_SYS_SENDTO), 0);
	assert_int_equal(msglog_note(&l, 8, 1, false, 1, 100, 400, IPCS_SYS_WRITE), 0);
	assert_int_equal(l.len, 2);
	assert_int_equal(msglog_at(&l, 0)->bytes, 31);
	/* payload: copied, replaced, then freed as the entry leaves the ring */
	memset(payload, 'x', sizeof(payload));
	assert_int_equal(msglog_set_payload(msglog_find(&l, 2), payload, 16), 0);
	assert_int_equal(msglog_set_payload(msglog_find(&l, 2), "abc", 3), 0);
	memset(payload, 0, sizeof(payload));
	assert_int_equal(msglog_find(&l, 2)->payload_len, 3);
	assert_memory_equal(msglog_find(&l, 2)->payload, "abc", 3);
	for (__u64 s = 3; s < 20; s++)
		assert_int_equal(msglog_note(&l, 8, s, false, s, s, s, IPCS_SYS_WRITE), 0);
	assert_int_equal(l.len, 8);
	assert_int_equal(l.dropped, 19 - 8);
	assert_null(msglog_find(&l, 2));
	assert_int_equal(msglog_at(&l, 0)->seq, 12);	/* oldest kept */
	assert_int_equal(msglog_at(&l, 7)->seq, 19);
	assert_int_equal(msglog_set_payload(msglog_find(&l, 19), payload, 32), 0);
	msglog_fini(&l);
	assert_int_equal(l.len, 0);
	/* max 0: nothing kept */
	assert_int_equal(msglog_note(&l, 0, 1, false, 1, 1, 1, 0), 0);
	assert_int_equal(l.len, 0);
}

struct msgs {
	struct model_msg v[512];
	size_t n;
};

static int collect_msg(const struct model_msg *msg, void *ctx)
{
	struct msgs *ms = ctx;

	ms->v[ms->n++] = *msg;
	return 0;
}

static int check_payloads(const struct model_msg *msg, void *ctx)
{
	static const char *const want[] = { "0123456789abcdef", "hello", "", "split-me" };
	static size_t i;

	(void)ctx;
	assert_true(i < 4);
	assert_int_equal(msg->payload_len, strlen(want[i]));
	if (msg->payload_len)
		assert_memory_equal(msg->payload, want[i], msg->payload_len);
	i++;
	return 0;
}

static void test_through_model(void **state)
{
	struct model *m = *state;
	struct model_limits lim = { .msglog_max = 16 };
	static struct convs cs;
	const struct model_conv *c;
	struct msgs ms = { 0 };
	__u64 dropped = 99;

	model_set_limits(m, &lim);
	do_pipe(m, 10, 3, 4, 55, false);
	do_fork(m, 10, 11, 5);
	do_write(m, 10, 4, 55, 100);
	do_read(m, 11, 3, 55, 60);	/* one write, read in two */
	do_read(m, 11, 3, 55, 40);
	for (int i = 0; i < 20; i++) {
		do_write(m, 10, 4, 55, 1 + i);
		do_read(m, 11, 3, 55, 1 + i);
	}
	c = conv_of(m, &cs, 55, 10, ~0ull, 11);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.msgs, 21);	/* counts stay exact */
	assert_int_equal(model_foreach_msg(m, c, collect_msg, &ms, &dropped), 0);
	assert_int_equal(ms.n, 16);
	assert_int_equal(dropped, 5);
	assert_int_equal(ms.v[15].bytes, 20);
	assert_int_equal(ms.v[15].sys, IPCS_SYS_WRITE);
	assert_int_equal(ms.v[15].rev, 0);
	assert_true(ms.v[15].ts_w > 0 && ms.v[15].ts_r > ms.v[15].ts_w);
	assert_int_equal(ms.v[0].bytes, 5);
	/* a conversation the model does not have */
	{
		struct model_conv other = *c;

		other.ino = 12345;
		assert_int_equal(model_foreach_msg(m, &other, collect_msg, &ms, NULL), -ENOENT);
	}
}

/* The payload record that follows tid's write record (as bpf/payload.bpf.h emits it). */
static void do_payload(struct model *m, __u32 pid, __u16 flags, const char *data, __u32 len)
{
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_PAYLOAD;
	ev.path = "";
	ev.payload.h.type = IPCS_REC_PAYLOAD;
	ev.payload.h.size = sizeof(ev.payload);
	ev.payload.h.ts_ns = now - 1;	/* its call's time */
	ev.payload.pid = pid;
	ev.payload.tid = pid + 1000000;	/* as sys_ev */
	ev.payload.sys = flags ? IPCS_SYS_WRITE : IPCS_SYS_READ;
	ev.payload.flags = flags;
	ev.payload.len = len;
	ev.payload.cap_len = len < 16 ? len : 16;
	memcpy(ev.payload.data, data, ev.payload.cap_len);
	apply(m, &ev);
}

static void test_payload(void **state)
{
	struct model *m = *state;
	static struct convs cs;
	const struct model_conv *c;
	struct msgs ms = { 0 };

	do_pipe(m, 10, 3, 4, 57, false);
	do_fork(m, 10, 11, 5);
	/* queued write: the bytes wait on its segment for the read */
	do_write(m, 10, 4, 57, 20);
	do_payload(m, 10, IPCS_PAYF_OUT, "0123456789abcdefghij", 20);
	do_read(m, 11, 3, 57, 20);
	do_payload(m, 11, 0, "0123456789abcdefghij", 20);	/* a read's: not attached */
	/* read ahead of its write: the message exists when the bytes come */
	do_read(m, 11, 3, 57, 5);
	do_write(m, 10, 4, 57, 5);
	do_payload(m, 10, IPCS_PAYF_OUT, "hello", 5);
	/* not captured; then a payload after another call of the thread goes nowhere */
	do_write(m, 10, 4, 57, 7);
	do_read(m, 11, 3, 57, 7);
	do_close(m, 10, 3);
	do_payload(m, 10, IPCS_PAYF_OUT, "stale", 5);
	/* one write read in two: one message, the payload on it */
	do_write(m, 10, 4, 57, 8);
	do_payload(m, 10, IPCS_PAYF_OUT, "split-me", 8);
	do_read(m, 11, 3, 57, 3);
	do_read(m, 11, 3, 57, 5);
	c = conv_of(m, &cs, 57, 10, ~0ull, 11);
	assert_non_null(c);
	assert_int_equal(model_foreach_msg(m, c, collect_msg, &ms, NULL), 0);
	assert_int_equal(ms.n, 4);
	assert_int_equal(ms.v[0].bytes, 20);
	assert_int_equal(ms.v[0].payload_len, 16);
	assert_int_equal(ms.v[1].bytes, 5);
	assert_int_equal(ms.v[1].payload_len, 5);
	assert_int_equal(ms.v[2].bytes, 7);
	assert_int_equal(ms.v[2].payload_len, 0);
	assert_null(ms.v[2].payload);
	assert_int_equal(ms.v[3].bytes, 8);
	assert_int_equal(ms.v[3].payload_len, 8);
	/* payload pointers are valid during the callback only: check again inside */
	ms.n = 0;
	assert_int_equal(model_foreach_msg(m, c, check_payloads, NULL, NULL), 0);
	/* the writer's side never shows up as its own message */
	assert_int_equal(c->a_to_b.msgs, 4);
	assert_int_equal(c->b_to_a.msgs, 0);
}

static void test_rates(void **state)
{
	const __u64 s = 1000000000ull;
	struct model_rate r = { .sec = 10, .cur = 300, .prev = 100 };
	struct model *m = *state;
	static struct convs cs;
	const struct model_conv *c;

	(void)state;
	assert_int_equal(model_rate_at(&r, 10 * s + 5), 100);	/* during second 10: second 9's */
	assert_int_equal(model_rate_at(&r, 11 * s), 300);	/* second 10, complete */
	assert_int_equal(model_rate_at(&r, 12 * s), 0);		/* idle since */
	/* through the model: 3 writes in second 5, 2 in second 6 */
	now = 5 * s;
	do_pipe(m, 10, 3, 4, 56, false);
	do_fork(m, 10, 11, 5);
	for (int i = 0; i < 3; i++) {
		do_write(m, 10, 4, 56, 1000);
		do_read(m, 11, 3, 56, 1000);
	}
	now = 6 * s;
	for (int i = 0; i < 2; i++) {
		do_write(m, 10, 4, 56, 10);
		do_read(m, 11, 3, 56, 10);
	}
	c = conv_of(m, &cs, 56, 10, ~0ull, 11);
	assert_non_null(c);
	assert_int_equal(model_rate_at(&c->rate_ab, 6 * s + 1), 3000);
	assert_int_equal(model_rate_at(&c->rate_ab, 7 * s), 20);
	assert_int_equal(model_rate_at(&c->rate_ab, 9 * s), 0);
	assert_int_equal(model_rate_at(&c->rate_ba, 7 * s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring),
		cmocka_unit_test_setup_teardown(test_through_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_payload, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
