/*
 * test_model_flow.c - the model's flow observer (model_set_flow_cb), which
 * `serve` counts from: every credit with its direction and whether a new
 * message began, each call's blocked time, each request/response latency
 * sample; the sums equal the conversations' own totals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "model_testlib.h"
#include "collect/decode.h"

#define SOCKFS 8u
#define SK_A 0xffff888000001000ull
#define SK_B 0xffff888000002000ull

struct seen {
	__u64 bytes[2], msgs[2];	/* [0]: from pid 10, [1]: from pid 20 */
	__u64 wblocked, rblocked, nblocked;
	__u64 lat[8];
	__u32 lat_src[8], lat_dst[8];
	size_t nlat;
};

static void on_flow(const struct model_flow *f, void *ctx)
{
	struct seen *s = ctx;
	int i = f->src->pid == 20;

	s->bytes[i] += f->bytes;
	s->msgs[i] += f->msg;
	s->wblocked += f->src_blocked_ns;
	s->rblocked += f->dst_blocked_ns;
	s->nblocked += (f->src_blocked_ns != 0) + (f->dst_blocked_ns != 0);
	if (f->has_latency && s->nlat < 8) {
		s->lat_src[s->nlat] = f->src->pid;
		s->lat_dst[s->nlat] = f->dst->pid;
		s->lat[s->nlat++] = f->latency_ns;
	}
}

static void test_pipe_flows(void **state)
{
	struct model *m = *state;
	struct seen s = { 0 };
	struct convs cs;
	const struct model_conv *c;

	model_set_flow_cb(m, on_flow, &s);
	do_pipe(m, 10, 3, 4, 77, false);
	do_fork(m, 10, 20, 5000);
	do_rw_b(m, 10, IPCS_SYS_WRITE, 4, IPCS_KIND_PIPE, 77, 100, 7);
	do_rw_b(m, 10, IPCS_SYS_WRITE, 4, IPCS_KIND_PIPE, 77, 50, 0);
	/* one read takes the first write and part of the second: one blocked time */
	do_rw_b(m, 20, IPCS_SYS_READ, 3, IPCS_KIND_PIPE, 77, 120, 900);
	do_rw_b(m, 20, IPCS_SYS_READ, 3, IPCS_KIND_PIPE, 77, 30, 11);
	assert_int_equal(s.bytes[0], 150);
	assert_int_equal(s.msgs[0], 2);
	assert_int_equal(s.bytes[1], 0);
	assert_int_equal(s.wblocked, 7);
	assert_int_equal(s.rblocked, 911);
	assert_int_equal(s.nblocked, 3);
	assert_int_equal(s.nlat, 0);	/* pipes have no request/response */
	c = conv_of(m, &cs, 77, 10, ~0ull, 20);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.bytes, s.bytes[0]);
	assert_int_equal(c->a_to_b.msgs, s.msgs[0]);
	assert_int_equal(c->a_blocked_ns + c->b_blocked_ns, s.wblocked + s.rblocked);
}

static void sk_io(struct model *m, __u32 pid, __u16 sys, __s32 fd, __u64 id, __u64 peer,
		  __s64 n, __u64 ts)
{
	struct ipcs_event ev = sys_ev(pid, sys, n, fd, -1, n > 0 ? (__u64)n : 100,
				      IPCS_KIND_UNIX_STREAM, id, IPCS_FMODE_READ | IPCS_FMODE_WRITE);

	ev.type = IPCS_REC_SOCK;
	ev.sock.s.h.type = IPCS_REC_SOCK;
	ev.sock.s.h.size = sizeof(ev.sock);
	ev.sock.s.h.ts_ns = ts;
	ev.sock.s.chan.dev = SOCKFS;
	ev.sock.peer = peer;
	ev.sock.family = 1;
	ev.sock.type = 1;
	ev.sock.sock_ino = id == SK_A ? 501 : 502;
	ev.sock.peer_ino = peer == SK_A ? 501 : 502;
	apply(m, &ev);
}

/* Two requests from 10, each answered by 20: two latency samples, in the
 * response's direction (src = the responder), equal to what the conversation keeps. */
static void test_latency_flows(void **state)
{
	struct model *m = *state;
	struct seen s = { 0 };
	struct convs cs;
	const struct model_conv *c;

	model_set_flow_cb(m, on_flow, &s);
	sk_io(m, 10, IPCS_SYS_WRITE, 3, SK_A, SK_B, 100, 1000);
	sk_io(m, 20, IPCS_SYS_READ, 4, SK_B, SK_A, 100, 1100);
	sk_io(m, 20, IPCS_SYS_WRITE, 4, SK_B, SK_A, 30, 4000);
	sk_io(m, 10, IPCS_SYS_READ, 3, SK_A, SK_B, 30, 4100);
	sk_io(m, 10, IPCS_SYS_WRITE, 3, SK_A, SK_B, 5, 5000);
	sk_io(m, 20, IPCS_SYS_READ, 4, SK_B, SK_A, 5, 5100);
	sk_io(m, 20, IPCS_SYS_WRITE, 4, SK_B, SK_A, 6, 5600);
	sk_io(m, 10, IPCS_SYS_READ, 3, SK_A, SK_B, 6, 5700);
	assert_int_equal(s.nlat, 2);
	assert_int_equal(s.lat[0], 3000);
	assert_int_equal(s.lat[1], 600);
	assert_int_equal(s.lat_src[0], 20);
	assert_int_equal(s.lat_dst[0], 10);
	assert_int_equal(s.bytes[0], 105);
	assert_int_equal(s.bytes[1], 36);
	assert_int_equal(s.msgs[0], 2);
	assert_int_equal(s.msgs[1], 2);
	cs.n = 0;
	assert_int_equal(model_foreach_conv(m, collect_conv, &cs), 0);
	c = &cs.v[0];
	assert_int_equal(c->latency.count, s.nlat);
	assert_int_equal(c->latency.max, 3000);
}

/* No observer: nothing called (the other commands). */
static void test_no_observer(void **state)
{
	struct model *m = *state;
	struct seen s = { 0 };

	model_set_flow_cb(m, on_flow, &s);
	model_set_flow_cb(m, NULL, NULL);
	do_pipe(m, 10, 3, 4, 77, false);
	do_fork(m, 10, 20, 5000);
	do_write(m, 10, 4, 77, 10);
	do_read(m, 20, 3, 77, 10);
	assert_int_equal(s.bytes[0], 0);
	assert_int_equal(s.msgs[0], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pipe_flows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latency_flows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_observer, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
