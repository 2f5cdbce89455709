/*
 * test_model_waits.c - IPCS_REC_WAIT records through the decoder into the
 * model: waits kept in order, the same call seen again in a cycle updated
 * in place, ends from the thread's next exit record or its process's exit,
 * malformed records refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "collect/decode.h"
#include "model/model.h"
#include "model/model_waits.h"
#include "model_testlib.h"

static struct ipcs_wait_rec wait_rec(__u32 pid, __u32 tid, __u64 enter, __u16 flags, __u32 group,
				     __u32 holder)
{
	struct ipcs_wait_rec r;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_WAIT;
	r.h.size = sizeof(r);
	r.h.ts_ns = now++;
	r.pid = pid;
	r.tid = tid;
	r.enter_ns = enter;
	r.sys = IPCS_SYS_READ;
	r.fd = 3;
	r.flags = flags;
	r.group = group;
	r.holder_pid = holder;
	r.holder_tid = holder;
	snprintf(r.kind, sizeof(r.kind), "pipe");
	snprintf(r.object, sizeof(r.object), "pipe:[%u]", tid);
	snprintf(r.evidence, sizeof(r.evidence), "%s", holder ? "pipe write end held by" : "");
	snprintf(r.comm, sizeof(r.comm), "t%u", tid);
	return r;
}

static void feed(struct model *m, const struct ipcs_wait_rec *r)
{
	struct ipcs_event ev;

	assert_int_equal(ipcs_decode(r, sizeof(*r), &ev), 0);
	apply(m, &ev);
}

struct seen {
	struct model_wait w[8];
	size_t n;
};

static int keep(const struct model_wait *w, void *ctx)
{
	struct seen *s = ctx;

	if (s->n < 8)
		s->w[s->n++] = *w;
	return 0;
}

static void test_waits_lifecycle(void **state)
{
	struct model *m;
	struct seen s = { 0 };
	struct ipcs_wait_rec r;
	struct ipcs_event ev;

	(void)state;
	assert_int_equal(model_new(&m), 0);
	now = 1000;
	r = wait_rec(10, 10, 500, 0, 0, 0);	/* crossed the threshold, no edge yet */
	feed(m, &r);
	r = wait_rec(20, 21, 600, IPCS_WAITF_STALL, 0, 30);
	feed(m, &r);
	assert_int_equal(model_wait_count(m), 2);
	assert_int_equal(model_waits_blocked(m), 2);
	r = wait_rec(10, 10, 500, IPCS_WAITF_CYCLE, 1, 20);	/* the same call, now in a cycle */
	feed(m, &r);
	assert_int_equal(model_wait_count(m), 2);
	/* tid 21's read returns (sys_ev uses tid = pid + 1000000: build by hand) */
	ev = sys_ev(20, IPCS_SYS_READ, 1, 3, 0, 0, IPCS_KIND_PIPE, 7, IPCS_FMODE_READ);
	ev.sys.tid = 21;
	apply(m, &ev);
	assert_int_equal(model_waits_blocked(m), 1);
	/* process 10 exits: its thread's wait ends */
	do_proc(m, IPCS_PROC_EXIT, 10, 1, 1, "t10", 9);
	assert_int_equal(model_waits_blocked(m), 0);
	assert_int_equal(model_foreach_wait(m, keep, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.w[0].tid, 10);
	assert_int_equal(s.w[0].flags, IPCS_WAITF_CYCLE);
	assert_int_equal(s.w[0].group, 1);
	assert_int_equal(s.w[0].holder_tid, 20);
	assert_string_equal(s.w[0].evidence, "pipe write end held by");
	assert_true(s.w[0].end_ns > s.w[0].found_ns);
	/* found alone at 1000, in its cycle two records later */
	assert_int_equal(s.w[0].found_ns, 1000);
	assert_int_equal(s.w[0].flagged_ns, 1002);
	assert_int_equal(s.w[1].found_ns, 1001);
	assert_int_equal(s.w[1].flagged_ns, 1001);
	assert_int_equal(s.w[1].tid, 21);
	assert_int_equal(s.w[1].flags, IPCS_WAITF_STALL);
	assert_true(s.w[1].end_ns > 0);
	assert_int_equal(model_waits_lost(m), 0);
	model_free(m);
}

/* An exit record older than the wait's call (reordered CPUs) does not end it;
 * a new wait of the same thread ends the previous one. */
static void test_waits_order(void **state)
{
	struct model *m;
	struct seen s = { 0 };
	struct ipcs_wait_rec r;
	struct ipcs_event ev;

	(void)state;
	assert_int_equal(model_new(&m), 0);
	now = 5000;
	r = wait_rec(1, 1, 4000, 0, 0, 0);
	feed(m, &r);
	now = 3000;
	ev = sys_ev(1, IPCS_SYS_READ, 1, 3, 0, 0, IPCS_KIND_PIPE, 7, IPCS_FMODE_READ);
	ev.sys.tid = 1;
	apply(m, &ev);
	assert_int_equal(model_waits_blocked(m), 1);
	now = 9000;
	r = wait_rec(1, 1, 8000, 0, 0, 0);
	feed(m, &r);
	assert_int_equal(model_waits_blocked(m), 1);
	model_foreach_wait(m, keep, &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.w[0].end_ns, 8000);
	assert_int_equal(s.w[1].end_ns, 0);
	model_free(m);
}

static void test_wait_decode_refusals(void **state)
{
	struct ipcs_wait_rec r = wait_rec(1, 1, 1, 0, 0, 0);
	struct ipcs_event ev;

	(void)state;
	memset(r.object, 'x', sizeof(r.object));	/* unterminated: cut, not overrun */
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
	assert_int_equal(strlen(ev.wait.object), sizeof(r.object) - 1);
	r.flags = 0x80;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.flags = 0;
	r.tid = 0;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.tid = 1;
	r.sys = IPCS_SYS_MAX;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.sys = IPCS_SYS_READ;
	r.chan.kind = IPCS_KIND_MAX;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.chan.kind = 0;
	r.h.size = sizeof(r) - 8;
	assert_int_equal(ipcs_decode(&r, sizeof(r) - 8, &ev), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waits_lifecycle),
		cmocka_unit_test(test_waits_order),
		cmocka_unit_test(test_wait_decode_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
