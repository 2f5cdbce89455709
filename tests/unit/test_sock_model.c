/*
 * test_sock_model.c - unix sockets in the model (user/model/sock.c) fed
 * with hand-built IPCS_REC_SOCK events: one conversation per connection with
 * both directions, names, pre-accept peers, datagrams, latency percentiles;
 * and the decoder's checks of the record.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "model_testlib.h"
#include "collect/decode.h"
#include <arpa/inet.h>

#define SOCKFS 8u
#define SK_A 0xffff888000001000ull	/* kernel identities of the two ends */
#define SK_B 0xffff888000002000ull
#define SK_C 0xffff888000003000ull

static struct ipcs_event sock_ev(__u32 pid, __u16 sys, __s64 ret, __s32 fd, __u16 kind,
				 __u64 id, __u64 peer, __u64 ts)
{
	struct ipcs_event ev = sys_ev(pid, sys, ret, fd, -1, ret > 0 ? (__u64)ret : 100,
				      kind, id, IPCS_FMODE_READ | IPCS_FMODE_WRITE);

	ev.type = IPCS_REC_SOCK;
	ev.sock.s.h.type = IPCS_REC_SOCK;
	ev.sock.s.h.size = sizeof(ev.sock);
	ev.sock.s.h.ts_ns = ts;
	ev.sock.s.chan.dev = SOCKFS;
	ev.sock.peer = peer;
	ev.sock.family = 1;
	ev.sock.type = kind == IPCS_KIND_UNIX_DGRAM ? 2 : 1;
	return ev;
}

static void set_addr(struct ipcs_event *ev, const char *a, size_t len)
{
	memcpy(ev->sock.addr, a, len);
	ev->sock.addr_len = len;
}

static void sk_io(struct model *m, __u32 pid, __u16 sys, __s32 fd, __u64 id, __u64 peer,
		  __s64 n, __u64 ts)
{
	struct ipcs_event ev = sock_ev(pid, sys, n, fd, IPCS_KIND_UNIX_STREAM, id, peer, ts);

	ev.sock.sock_ino = id == SK_A ? 501 : 502;
	ev.sock.peer_ino = peer == SK_A ? 501 : 502;
	apply(m, &ev);
}

/* Two ends, writes and reads interleaved and out of order: one conversation. */
static void test_stream_one_conversation(void **state)
{
	struct model *m = *state;
	const struct model_conv *c;
	struct convs cs;

	sk_io(m, 10, IPCS_SYS_WRITE, 3, SK_A, SK_B, 100, 1000);
	sk_io(m, 20, IPCS_SYS_RECVFROM, 4, SK_B, SK_A, 60, 1100);
	sk_io(m, 20, IPCS_SYS_READ, 4, SK_B, SK_A, 40, 1200);
	/* The reply is read before its write arrives (records from two CPUs). */
	sk_io(m, 10, IPCS_SYS_RECVMSG, 3, SK_A, SK_B, 250, 5000);
	sk_io(m, 20, IPCS_SYS_SENDMSG, 4, SK_B, SK_A, 250, 4000);
	sk_io(m, 10, IPCS_SYS_SENDTO, 3, SK_A, SK_B, 7, 6000);
	sk_io(m, 10, IPCS_SYS_WRITEV, 3, SK_A, SK_B, 3, 6100);
	sk_io(m, 20, IPCS_SYS_READV, 4, SK_B, SK_A, 10, 6200);

	cs.n = 0;
	assert_int_equal(model_foreach_conv(m, collect_conv, &cs), 0);
	assert_int_equal(cs.n, 1);
	c = &cs.v[0];
	assert_int_equal(c->kind, IPCS_KIND_UNIX_STREAM);
	assert_int_equal(c->a.pid, 10);
	assert_int_equal(c->b.pid, 20);
	assert_int_equal(c->a_to_b.bytes, 110);
	assert_int_equal(c->a_to_b.msgs, 3);
	assert_int_equal(c->b_to_a.bytes, 250);
	assert_int_equal(c->b_to_a.msgs, 1);
	assert_string_equal(c->channel, "socketpair:[501]");
	assert_true(c->ino != SK_A && c->ino != SK_B);	/* a connection key of its own */
	/* One request (100 at 1000) answered at 4000; the second has no answer. */
	assert_int_equal(c->latency.count, 1);
	assert_int_equal(c->latency.p50, 3000);
	assert_int_equal(c->latency.max, 3000);
}

/* The client writes before accept(): the peer has no inode yet. */
static void test_stream_before_accept_named_by_path(void **state)
{
	struct model *m = *state;
	struct ipcs_event ev;
	struct convs cs;

	ev = sock_ev(10, IPCS_SYS_WRITE, 64, 5, IPCS_KIND_UNIX_STREAM, SK_C, SK_B, 100);
	set_addr(&ev, "/run/x.sock", 11);	/* the listener's address, via the peer */
	apply(m, &ev);
	ev = sock_ev(20, IPCS_SYS_READ, 64, 7, IPCS_KIND_UNIX_STREAM, SK_B, SK_C, 200);
	set_addr(&ev, "/run/x.sock", 11);
	apply(m, &ev);
	ev = sock_ev(20, IPCS_SYS_WRITE, 9, 7, IPCS_KIND_UNIX_STREAM, SK_B, SK_C, 300);
	apply(m, &ev);
	ev = sock_ev(10, IPCS_SYS_READ, 9, 5, IPCS_KIND_UNIX_STREAM, SK_C, SK_B, 400);
	apply(m, &ev);

	cs.n = 0;
	assert_int_equal(model_foreach_conv(m, collect_conv, &cs), 0);
	assert_int_equal(cs.n, 1);
	assert_string_equal(cs.v[0].channel, "/run/x.sock");
	assert_int_equal(cs.v[0].a.pid, 10);
	assert_int_equal(cs.v[0].a_to_b.bytes, 64);
	assert_int_equal(cs.v[0].b_to_a.bytes, 9);
	assert_int_equal(cs.v[0].latency.p50, 200);
}

static void test_abstract_name(void **state)
{
	struct model *m = *state;
	struct ipcs_event ev;
	struct convs cs;

	ev = sock_ev(10, IPCS_SYS_WRITE, 1, 5, IPCS_KIND_UNIX_STREAM, SK_A, SK_B, 100);
	set_addr(&ev, "\0ab\0c", 5);
	apply(m, &ev);
	ev = sock_ev(20, IPCS_SYS_READ, 1, 6, IPCS_KIND_UNIX_STREAM, SK_B, SK_A, 200);
	apply(m, &ev);
	cs.n = 0;
	assert_int_equal(model_foreach_conv(m, collect_conv, &cs), 0);
	assert_int_equal(cs.n, 1);
	assert_string_equal(cs.v[0].channel, "@ab@c");
	assert_int_equal(cs.v[0].latency.count, 0);	/* never answered */
}

/* Two senders, one receiver: a conversation per sender, as with a FIFO. */
static void test_dgram_two_senders(void **state)
{
	struct model *m = *state;
	struct ipcs_event ev;
	struct convs cs;

	ev = sock_ev(10, IPCS_SYS_SENDTO, 30, 3, IPCS_KIND_UNIX_DGRAM, SK_A, SK_C, 100);
	apply(m, &ev);
	ev = sock_ev(11, IPCS_SYS_SENDTO, 50, 3, IPCS_KIND_UNIX_DGRAM, SK_B, SK_C, 110);
	apply(m, &ev);
	ev = sock_ev(30, IPCS_SYS_RECVFROM, 30, 4, IPCS_KIND_UNIX_DGRAM, SK_C, 0, 120);
	apply(m, &ev);
	ev = sock_ev(30, IPCS_SYS_RECVFROM, 50, 4, IPCS_KIND_UNIX_DGRAM, SK_C, 0, 130);
	apply(m, &ev);
	assert_non_null(conv_of(m, &cs, SK_C, 10, ~0ull, 30));
	assert_int_equal(conv_of(m, &cs, SK_C, 10, ~0ull, 30)->a_to_b.bytes, 30);
	assert_int_equal(conv_of(m, &cs, SK_C, 11, ~0ull, 30)->a_to_b.bytes, 50);
	assert_int_equal(cs.n, 2);
}

/* sendto(name) and a connected sender both reach the receiver bound to name. */
static void test_dgram_by_name(void **state)
{
	struct model *m = *state;
	const struct model_conv *c1, *c2;
	struct ipcs_event ev;
	struct convs cs;

	ev = sock_ev(10, IPCS_SYS_SENDTO, 30, 3, IPCS_KIND_UNIX_DGRAM, SK_A, 0, 100);
	set_addr(&ev, "/run/d", 6);
	ev.sock.flags = IPCS_SOCKF_DEST;
	apply(m, &ev);
	ev = sock_ev(11, IPCS_SYS_SENDMSG, 50, 3, IPCS_KIND_UNIX_DGRAM, SK_B, SK_C, 110);
	set_addr(&ev, "/run/d", 6);
	ev.sock.flags = IPCS_SOCKF_PEER_ADDR;
	apply(m, &ev);
	ev = sock_ev(30, IPCS_SYS_RECVFROM, 30, 4, IPCS_KIND_UNIX_DGRAM, SK_C, 0, 120);
	set_addr(&ev, "/run/d", 6);	/* its own bound name */
	apply(m, &ev);
	ev = sock_ev(30, IPCS_SYS_RECVMSG, 50, 4, IPCS_KIND_UNIX_DGRAM, SK_C, 0, 130);
	set_addr(&ev, "/run/d", 6);
	apply(m, &ev);
	cs.n = 0;
	assert_int_equal(model_foreach_conv(m, collect_conv, &cs), 0);
	assert_int_equal(cs.n, 2);
	c1 = cs.v[0].a.pid == 10 ? &cs.v[0] : &cs.v[1];
	c2 = cs.v[0].a.pid == 10 ? &cs.v[1] : &cs.v[0];
	assert_int_equal(c1->a.pid, 10);
	assert_int_equal(c2->a.pid, 11);
	assert_int_equal(c1->b.pid, 30);
	assert_int_equal(c2->b.pid, 30);
	assert_int_equal(c1->a_to_b.bytes, 30);
	assert_int_equal(c2->a_to_b.bytes, 50);
	assert_int_equal(c1->a_to_b.msgs, 1);
	assert_string_equal(c1->channel, "/run/d");
	assert_string_equal(c2->channel, "/run/d");
	assert_int_equal(c2->b_to_a.bytes, 0);
}

/* A TCP end: local 127.0.0.1:lport, remote 127.0.0.1:rport. */
static void tcp_io(struct model *m, __u32 pid, __u16 sys, __u64 id, __u16 lport, __u16 rport,
		   __s64 n, __u64 ts)
{
	struct ipcs_event ev = sock_ev(pid, sys, n, 3, IPCS_KIND_TCP, id, 0, ts);
	unsigned char lo[4] = { 127, 0, 0, 1 };
	__u16 rp = htons(rport);

	ev.sock.family = 2;
	memcpy(ev.sock.addr, lo, 4);
	memcpy(ev.sock.addr + 16, lo, 4);
	memcpy(ev.sock.addr + 32, &lport, 2);
	memcpy(ev.sock.addr + 34, &rp, 2);
	ev.sock.addr_len = 36;
	ev.sock.flags = IPCS_SOCKF_INET;
	apply(m, &ev);
}

/* The two ends share no pointer: (L, R) and (R, L) pair them. */
static void test_tcp_pairs_by_endpoints(void **state)
{
	struct model *m = *state;
	struct convs cs;

	tcp_io(m, 10, IPCS_SYS_WRITE, SK_A, 51234, 6379, 20, 100);
	tcp_io(m, 20, IPCS_SYS_READ, SK_B, 6379, 51234, 20, 200);
	tcp_io(m, 20, IPCS_SYS_SENDTO, SK_B, 6379, 51234, 5, 300);
	tcp_io(m, 10, IPCS_SYS_RECVFROM, SK_A, 51234, 6379, 5, 400);
	tcp_io(m, 11, IPCS_SYS_WRITE, SK_C, 51235, 6379, 7, 500);	/* another client */
	cs.n = 0;
	assert_int_equal(model_foreach_conv(m, collect_conv, &cs), 0);
	assert_int_equal(cs.n, 1);	/* the other client's bytes wait for a reader */
	assert_int_equal(cs.v[0].kind, IPCS_KIND_TCP);
	assert_string_equal(cs.v[0].channel, "127.0.0.1:6379<->127.0.0.1:51234");
	assert_int_equal(cs.v[0].a.pid, 10);
	assert_int_equal(cs.v[0].b.pid, 20);
	assert_int_equal(cs.v[0].a_to_b.bytes, 20);
	assert_int_equal(cs.v[0].b_to_a.bytes, 5);
	assert_int_equal(cs.v[0].latency.p50, 200);
	/* Nobody read them: at the end they go to an unobserved reader. */
	model_flush(m);
	cs.n = 0;
	assert_int_equal(model_foreach_conv(m, collect_conv, &cs), 0);
	assert_int_equal(cs.n, 2);
	assert_int_equal(cs.v[1].a.pid, 11);
	assert_int_equal(cs.v[1].b.pid, 0);
	assert_int_equal(cs.v[1].a_to_b.bytes, 7);
	assert_string_equal(cs.v[1].channel, "127.0.0.1:6379<->127.0.0.1:51235");
}

/* A UDP end: local 127.0.0.1:lport, remote rport (0: unconnected); dest: sendto's address. */
static void udp_io(struct model *m, __u32 pid, __u16 sys, __u64 id, __u16 lport, __u16 rport,
		   bool dest, __s64 n, __u64 ts)
{
	struct ipcs_event ev = sock_ev(pid, sys, n, 3, IPCS_KIND_UDP, id, 0, ts);
	unsigned char lo[4] = { 127, 0, 0, 1 };
	__u16 rp = htons(rport);

	ev.sock.family = 2;
	ev.sock.type = 2;
	memcpy(ev.sock.addr, lo, 4);
	if (rport)
		memcpy(ev.sock.addr + 16, lo, 4);
	memcpy(ev.sock.addr + 32, &lport, 2);
	memcpy(ev.sock.addr + 34, &rp, 2);
	ev.sock.addr_len = 36;
	ev.sock.flags = IPCS_SOCKF_INET | (dest ? IPCS_SOCKF_DEST : 0);
	apply(m, &ev);
}

/* Unconnected senders meet the receiver on its port; a connected client too. */
static void test_udp_unconnected(void **state)
{
	struct model *m = *state;
	struct convs cs;
	size_t i, seen = 0;

	udp_io(m, 10, IPCS_SYS_SENDTO, SK_A, 40001, 5353, true, 30, 100);
	udp_io(m, 11, IPCS_SYS_SENDMSG, SK_B, 40002, 5353, true, 50, 110);
	udp_io(m, 20, IPCS_SYS_RECVFROM, SK_C, 5353, 0, false, 30, 120);
	udp_io(m, 20, IPCS_SYS_RECVMSG, SK_C, 5353, 0, false, 50, 130);
	udp_io(m, 12, IPCS_SYS_WRITE, SK_A + 8, 40003, 5353, false, 7, 140);	/* connected */
	udp_io(m, 20, IPCS_SYS_READ, SK_C, 5353, 0, false, 7, 150);
	udp_io(m, 13, IPCS_SYS_SENDTO, SK_B + 8, 40004, 9, true, 5, 160);	/* nobody there */
	model_flush(m);
	cs.n = 0;
	assert_int_equal(model_foreach_conv(m, collect_conv, &cs), 0);
	assert_int_equal(cs.n, 4);
	for (i = 0; i < cs.n; i++) {
		const struct model_conv *c = &cs.v[i];

		assert_int_equal(c->kind, IPCS_KIND_UDP);
		assert_int_equal(c->a_to_b.msgs, 1);
		if (c->a.pid == 13) {
			assert_int_equal(c->b.pid, 0);
			assert_string_equal(c->channel, "127.0.0.1:9");
			continue;
		}
		assert_int_equal(c->b.pid, 20);
		assert_int_equal(c->a_to_b.bytes, c->a.pid == 10 ? 30 : c->a.pid == 11 ? 50 : 7);
		seen++;
	}
	assert_int_equal(seen, 3);
}

/* socketpair and accept put the new fds into the tables; fork copies them. */
static void test_setup_fds(void **state)
{
	struct model *m = *state;
	__u16 rw = IPCS_FMODE_READ | IPCS_FMODE_WRITE;
	struct ipcs_event ev;
	struct chan_q q;
	struct convs cs;

	ev = sock_ev(10, IPCS_SYS_SOCKETPAIR, 0, 3, IPCS_KIND_UNIX_STREAM, SK_A, SK_B, 100);
	ev.sock.s.fd2 = 4;
	ev.sock.sock_ino = 501;
	ev.sock.peer_ino = 502;
	apply(m, &ev);
	q = chan_of(m, SK_A);
	assert_true(q.found);
	assert_true(has_holder(&q, 10, 3, rw));
	q = chan_of(m, SK_B);
	assert_true(has_holder(&q, 10, 4, rw));
	assert_string_equal(q.c.channel, "socketpair:[501]");
	do_fork(m, 10, 11, 5);
	q = chan_of(m, SK_B);
	assert_true(has_holder(&q, 11, 4, rw));

	ev = sock_ev(20, IPCS_SYS_ACCEPT4, 7, 5, IPCS_KIND_UNIX_STREAM, SK_C, 0, 200);
	ev.sock.s.fd2 = 7;
	ev.sock.s.flags = IPCS_SYSF_CLOEXEC;
	apply(m, &ev);
	q = chan_of(m, SK_C);
	assert_true(has_holder(&q, 20, 7, rw));
	assert_false(has_holder(&q, 20, 5, rw));	/* the listener is not this socket */
	/* No bytes moved: no conversation. */
	cs.n = 0;
	assert_int_equal(model_foreach_conv(m, collect_conv, &cs), 0);
	assert_int_equal(cs.n, 0);
}

/* Percentiles by nearest rank over exact samples. */
static void test_latency_percentiles(void **state)
{
	struct model *m = *state;
	const struct model_conv *c;
	struct convs cs;
	__u64 t = 1000000, i;

	for (i = 1; i <= 100; i++) {
		/* A request in two writes, the answer i us after the last. */
		sk_io(m, 10, IPCS_SYS_WRITE, 3, SK_A, SK_B, 5, t);
		sk_io(m, 10, IPCS_SYS_WRITE, 3, SK_A, SK_B, 5, t + 10);
		sk_io(m, 20, IPCS_SYS_READ, 4, SK_B, SK_A, 10, t + 20);
		sk_io(m, 20, IPCS_SYS_WRITE, 4, SK_B, SK_A, 1, t + 10 + i * 1000);
		sk_io(m, 20, IPCS_SYS_WRITE, 4, SK_B, SK_A, 1, t + 20 + i * 1000);
		sk_io(m, 10, IPCS_SYS_READ, 3, SK_A, SK_B, 2, t + 30 + i * 1000);
		t += 1000000;
	}
	cs.n = 0;
	assert_int_equal(model_foreach_conv(m, collect_conv, &cs), 0);
	assert_int_equal(cs.n, 1);
	c = &cs.v[0];
	assert_int_equal(c->a_to_b.msgs, 200);
	assert_int_equal(c->b_to_a.msgs, 200);
	assert_int_equal(c->latency.count, 100);
	assert_int_equal(c->latency.p50, 50000);
	assert_int_equal(c->latency.p90, 90000);
	assert_int_equal(c->latency.p99, 99000);
	assert_int_equal(c->latency.max, 100000);
}

static void test_decode_sock_rec(void **state)
{
	struct ipcs_sock_rec r;
	struct ipcs_event ev;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.s.h.type = IPCS_REC_SOCK;
	r.s.h.size = sizeof(r);
	r.s.pid = 5;
	r.s.sys = IPCS_SYS_SENDMSG;
	r.s.chan.kind = IPCS_KIND_UNIX_STREAM;
	r.s.chan.ino = SK_A;
	r.peer = SK_B;
	r.addr_len = 3;
	memcpy(r.addr, "\0xy", 3);
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
	assert_int_equal(ev.type, IPCS_REC_SOCK);
	assert_int_equal(ev.sys.sys, IPCS_SYS_SENDMSG);
	assert_int_equal(ev.sock.peer, SK_B);
	assert_memory_equal(ev.sock.addr, "\0xy", 3);
	assert_string_equal(ipcs_sys_name(IPCS_SYS_RECVFROM), "recvfrom");
	r.addr_len = sizeof(r.addr) + 1;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.addr_len = 0;
	r.s.sys = 40;	/* reserved for sockets, not named yet */
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	assert_int_equal(ipcs_decode(&r, sizeof(r) - 8, &ev), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stream_one_conversation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_before_accept_named_by_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abstract_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dgram_two_senders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dgram_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latency_percentiles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_pairs_by_endpoints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_unconnected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setup_fds, setup, teardown),
		cmocka_unit_test(test_decode_sock_rec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
