/* test_flows.c - write -> read pairing by byte offset (export/flows.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>
#include "export/flows.h"

#define MAXP 64

struct got {
	struct flow_pair p[MAXP];
	int n;
};

static int collect(const struct flow_pair *p, void *ctx)
{
	struct got *g = ctx;

	assert_true(g->n < MAXP);
	g->p[g->n++] = *p;
	return 0;
}

static __u64 clock_ns = 1000;

static struct ipcs_event data_ev(__u16 type, __u32 pid, __u16 sys, __s64 ret, __u16 kind, __u64 ino)
{
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.path = "";
	ev.sys.h.type = type;
	ev.sys.h.ts_ns = clock_ns += 100;
	ev.sys.blocked_ns = 10;
	ev.sys.pid = pid;
	ev.sys.tid = pid;
	ev.sys.sys = sys;
	ev.sys.ret = ret;
	ev.sys.chan.kind = kind;
	ev.sys.chan.ino = ino;
	return ev;
}

static void feed(struct flows *f, struct ipcs_event ev)
{
	assert_int_equal(flows_feed(f, &ev), 0);
}

/* Two writes of 1000, reads of 700, 700, 600: each read takes from the front. */
static void test_pipe_offsets(void **state)
{
	struct got g = { 0 };
	struct flows *f;
	__u64 w, r;

	(void)state;
	assert_int_equal(flows_new(collect, &g, &f), 0);
	feed(f, data_ev(IPCS_REC_SYS, 1, IPCS_SYS_WRITE, 1000, IPCS_KIND_PIPE, 5));
	feed(f, data_ev(IPCS_REC_SYS, 1, IPCS_SYS_WRITE, 1000, IPCS_KIND_PIPE, 5));
	feed(f, data_ev(IPCS_REC_SYS, 2, IPCS_SYS_READ, 700, IPCS_KIND_PIPE, 5));
	feed(f, data_ev(IPCS_REC_SYS, 2, IPCS_SYS_READ, 700, IPCS_KIND_PIPE, 5));
	feed(f, data_ev(IPCS_REC_SYS, 2, IPCS_SYS_READ, 600, IPCS_KIND_PIPE, 5));
	/* another pipe, and a failed write: no pairs */
	feed(f, data_ev(IPCS_REC_SYS, 1, IPCS_SYS_WRITE, -11, IPCS_KIND_PIPE, 5));
	feed(f, data_ev(IPCS_REC_SYS, 2, IPCS_SYS_READ, 5, IPCS_KIND_PIPE, 6));
	assert_int_equal(g.n, 4);
	assert_int_equal(g.p[0].bytes, 700);
	assert_int_equal(g.p[1].bytes, 300);
	assert_int_equal(g.p[2].bytes, 400);
	assert_int_equal(g.p[3].bytes, 600);
	assert_true(g.p[1].w.end_ns == g.p[0].w.end_ns);	/* same write */
	assert_true(g.p[2].w.end_ns > g.p[1].w.end_ns);	/* the second write */
	assert_int_equal(g.p[0].w.pid, 1);
	assert_int_equal(g.p[0].r.pid, 2);
	assert_int_equal(g.p[0].r.start_ns + 10, g.p[0].r.end_ns);
	flows_unpaired(f, &w, &r);
	assert_int_equal(w, 0);
	assert_int_equal(r, 5);
	flows_free(f);
}

/* A read recorded before its write (another CPU) is paid by the next write. */
static void test_read_first(void **state)
{
	struct got g = { 0 };
	struct flows *f;

	(void)state;
	assert_int_equal(flows_new(collect, &g, &f), 0);
	feed(f, data_ev(IPCS_REC_SYS, 2, IPCS_SYS_READ, 100, IPCS_KIND_FIFO, 9));
	assert_int_equal(g.n, 0);
	feed(f, data_ev(IPCS_REC_SYS, 1, IPCS_SYS_WRITE, 150, IPCS_KIND_FIFO, 9));
	assert_int_equal(g.n, 1);
	assert_int_equal(g.p[0].bytes, 100);
	assert_int_equal(g.p[0].kind, IPCS_KIND_FIFO);
	flows_free(f);
}

/* Unix stream: a send goes to the peer's queue, a receive reads its own. */
static void test_unix_peer(void **state)
{
	struct got g = { 0 };
	struct flows *f;
	struct ipcs_event s, r;

	(void)state;
	assert_int_equal(flows_new(collect, &g, &f), 0);
	s = data_ev(IPCS_REC_SOCK, 1, IPCS_SYS_SENDTO, 64, IPCS_KIND_UNIX_STREAM, 0x8000000000000001ull);
	s.sock.peer = 0x8000000000000002ull;
	r = data_ev(IPCS_REC_SOCK, 2, IPCS_SYS_RECVFROM, 64, IPCS_KIND_UNIX_STREAM, 0x8000000000000002ull);
	feed(f, r);
	feed(f, s);
	/* a receive on the sender's own socket: nothing was sent to it */
	feed(f, data_ev(IPCS_REC_SOCK, 1, IPCS_SYS_READ, 8, IPCS_KIND_UNIX_STREAM, 0x8000000000000001ull));
	assert_int_equal(g.n, 1);
	assert_int_equal(g.p[0].w.pid, 1);
	assert_int_equal(g.p[0].r.pid, 2);
	flows_free(f);
}

static void inet(struct ipcs_event *ev, __u8 lip, __u16 lport, __u8 rip, __u16 rport)
{
	__u16 np = htons(rport);

	ev->sock.flags = IPCS_SOCKF_INET;
	ev->sock.addr_len = 36;
	ev->sock.family = AF_INET;
	ev->sock.addr[0] = 127;
	ev->sock.addr[3] = (char)lip;
	ev->sock.addr[16] = 127;
	ev->sock.addr[19] = (char)rip;
	memcpy(ev->sock.addr + 32, &lport, 2);
	memcpy(ev->sock.addr + 34, &np, 2);
}

/* UDP: (L, R) sends what (R, L) receives; one datagram, one pair, even truncated. */
static void test_udp_messages(void **state)
{
	struct got g = { 0 };
	struct flows *f;
	struct ipcs_event ev;

	(void)state;
	assert_int_equal(flows_new(collect, &g, &f), 0);
	ev = data_ev(IPCS_REC_SOCK, 1, IPCS_SYS_SENDTO, 100, IPCS_KIND_UDP, 11);
	inet(&ev, 1, 5000, 1, 6000);
	feed(f, ev);
	ev.sys.h.ts_ns += 50;	/* the second datagram */
	feed(f, ev);
	ev = data_ev(IPCS_REC_SOCK, 2, IPCS_SYS_RECVFROM, 40, IPCS_KIND_UDP, 12);	/* short buffer */
	inet(&ev, 1, 6000, 1, 5000);
	feed(f, ev);
	feed(f, ev);
	/* a receive on another port pair: not this queue */
	inet(&ev, 1, 6001, 1, 5000);
	feed(f, ev);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.p[0].bytes, 40);
	assert_int_equal(g.p[1].bytes, 40);
	assert_true(g.p[0].w.end_ns < g.p[1].w.end_ns);
	flows_free(f);
}

/* Pty: what the master writes the slave reads; not the master itself. */
static void test_pty_directions(void **state)
{
	struct got g = { 0 };
	struct flows *f;
	struct ipcs_event ev;

	(void)state;
	assert_int_equal(flows_new(collect, &g, &f), 0);
	ev = data_ev(IPCS_REC_SYS, 1, IPCS_SYS_WRITE, 10, IPCS_KIND_PTY, 3);
	ev.sys.chan.fmode = IPCS_FMODE_PTY_MASTER;
	feed(f, ev);
	ev = data_ev(IPCS_REC_SYS, 1, IPCS_SYS_READ, 10, IPCS_KIND_PTY, 3);
	ev.sys.chan.fmode = IPCS_FMODE_PTY_MASTER;
	feed(f, ev);
	assert_int_equal(g.n, 0);
	feed(f, data_ev(IPCS_REC_SYS, 2, IPCS_SYS_READ, 10, IPCS_KIND_PTY, 3));
	assert_int_equal(g.n, 1);
	assert_int_equal(g.p[0].r.pid, 2);
	flows_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipe_offsets),
		cmocka_unit_test(test_read_first),
		cmocka_unit_test(test_unix_peer),
		cmocka_unit_test(test_udp_messages),
		cmocka_unit_test(test_pty_directions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
