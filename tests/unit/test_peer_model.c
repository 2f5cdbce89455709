/*
 * test_peer_model.c - one side traced (user/model/sock.c with IPCS_REC_PEER):
 * the untraced end is named, both directions count as the traced side moves
 * them (a message per receive), a late name settles what waited, and a
 * kernel identity reused by a new socket never joins two sockets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "model_testlib.h"
#include <arpa/inet.h>

#define SOCKFS 8u
#define SRV 0xffff888000001000ull	/* the traced server's socket */
#define CLI 0xffff888000002000ull	/* the untraced client's socket */

static void srv_io(struct model *m, __u16 sys, __u64 id, __u64 peer, __u64 ino, __u64 peer_ino,
		   __s64 n, __u64 ts)
{
	struct ipcs_event ev = sys_ev(10, sys, n, 5, -1, 4096, IPCS_KIND_UNIX_STREAM, id,
				      IPCS_FMODE_READ | IPCS_FMODE_WRITE);

	ev.type = IPCS_REC_SOCK;
	ev.sock.s.h.type = IPCS_REC_SOCK;
	ev.sock.s.h.size = sizeof(ev.sock);
	ev.sock.s.h.ts_ns = ts;
	ev.sock.s.chan.dev = SOCKFS;
	ev.sock.peer = peer;
	ev.sock.sock_ino = ino;
	ev.sock.peer_ino = peer_ino;
	ev.sock.family = 1;
	ev.sock.type = 1;
	memcpy(ev.sock.addr, "/run/db.sock", 12);
	ev.sock.addr_len = 12;
	apply(m, &ev);
}

static struct ipcs_event peer_ev(__u32 pid, __s32 fd, __u16 kind, __u64 id, __u64 ino, __u64 ts)
{
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_PEER;
	ev.path = "";
	ev.peer.h.type = IPCS_REC_PEER;
	ev.peer.h.size = sizeof(ev.peer);
	ev.peer.h.ts_ns = ts;
	ev.peer.pid = pid;
	ev.peer.fd = fd;
	ev.peer.ppid = 1;
	ev.peer.start_ns = 77;
	snprintf(ev.peer.comm, sizeof(ev.peer.comm), "pgbench");
	ev.peer.chan = (struct ipcs_chan){ .ino = id, .dev = SOCKFS, .kind = kind, .fmode = 3 };
	ev.peer.sock_ino = ino;
	ev.peer.family = kind == IPCS_KIND_TCP ? 2 : 1;
	return ev;
}

static const struct model_conv *only_conv(struct model *m, struct convs *cs)
{
	cs->n = 0;
	assert_int_equal(model_foreach_conv(m, collect_conv, cs), 0);
	assert_int_equal(cs->n, 1);
	return &cs->v[0];
}

/* Named first: each receive is a message of the client's, each send one to it, at once. */
static void test_named_counts_both_ways_at_once(void **state)
{
	struct model *m = *state;
	struct ipcs_event ev = peer_ev(30, 4, IPCS_KIND_UNIX_STREAM, CLI, 902, 500);
	const struct model_conv *c;
	struct convs cs;

	apply(m, &ev);
	srv_io(m, IPCS_SYS_READ, SRV, CLI, 901, 902, 100, 1000);	/* maybe 3 writes of the client */
	srv_io(m, IPCS_SYS_WRITE, SRV, CLI, 901, 902, 20, 1400);
	srv_io(m, IPCS_SYS_RECVFROM, SRV, CLI, 901, 902, 30, 2000);
	srv_io(m, IPCS_SYS_SENDTO, SRV, CLI, 901, 902, 5, 2100);
	srv_io(m, IPCS_SYS_WRITE, SRV, CLI, 901, 902, 6, 2200);
	c = only_conv(m, &cs);	/* no flush: nothing waits for the client's calls */
	assert_int_equal(c->a.pid, 30);
	assert_string_equal(c->a.comm, "pgbench");
	assert_true(c->a.untraced);
	assert_int_equal(c->b.pid, 10);
	assert_false(c->b.untraced);
	assert_int_equal(c->a_to_b.bytes, 130);
	assert_int_equal(c->a_to_b.msgs, 2);	/* the receives: no count is invented */
	assert_int_equal(c->b_to_a.bytes, 31);
	assert_int_equal(c->b_to_a.msgs, 3);
	assert_string_equal(c->channel, "/run/db.sock");
	/* From the server's side alone: requests received at 1000 and 2000, answered at 1400, 2100. */
	assert_int_equal(c->latency.count, 2);
	assert_int_equal(c->latency.max, 400);
	/* rates at once: the second after these calls saw them */
	assert_int_equal(model_rate_at(&c->rate_ab, 1500000000ull), 130);
	assert_int_equal(model_rate_at(&c->rate_ba, 1500000000ull), 31);
	assert_int_equal(model_rate_recent(&c->rate_ab, 3000), 130);	/* the same second */
	assert_int_equal(model_rate_recent(&c->rate_ab, 1500000000ull), 65);
}

/* Named late: the bytes that waited in the queues go to the client then. */
static void test_named_late_settles(void **state)
{
	struct model *m = *state;
	struct ipcs_event ev = peer_ev(30, 4, IPCS_KIND_UNIX_STREAM, CLI, 902, 3000);
	const struct model_conv *c;
	struct convs cs;

	srv_io(m, IPCS_SYS_READ, SRV, CLI, 901, 902, 100, 1000);
	srv_io(m, IPCS_SYS_WRITE, SRV, CLI, 901, 902, 20, 1400);
	cs.n = 0;
	assert_int_equal(model_foreach_conv(m, collect_conv, &cs), 0);
	assert_int_equal(cs.n, 0);
	apply(m, &ev);
	srv_io(m, IPCS_SYS_READ, SRV, CLI, 901, 902, 7, 4000);
	c = only_conv(m, &cs);
	assert_int_equal(c->a.pid, 30);	/* the client spoke first (the older read) */
	assert_int_equal(c->a_to_b.bytes, 107);
	assert_int_equal(c->a_to_b.msgs, 2);
	assert_int_equal(c->b_to_a.bytes, 20);
	assert_int_equal(c->b_to_a.msgs, 1);
}

/* The end is gone before it could be named (pid 0): counted at once all the same. */
static void test_gone_peer_unobserved(void **state)
{
	struct model *m = *state;
	struct ipcs_event ev = peer_ev(0, -1, IPCS_KIND_UNIX_STREAM, CLI, 902, 500);
	const struct model_conv *c;
	struct convs cs;

	apply(m, &ev);
	srv_io(m, IPCS_SYS_READ, SRV, CLI, 901, 902, 10, 1000);
	srv_io(m, IPCS_SYS_WRITE, SRV, CLI, 901, 902, 3, 1100);
	c = only_conv(m, &cs);
	assert_int_equal(c->a.pid, 0);
	assert_int_equal(c->a_to_b.bytes, 10);
	assert_int_equal(c->b_to_a.bytes, 3);
}

/*
 * A freed client socket's kernel address is reused by another server
 * socket: the two sockets (two inodes) never share a channel, and no
 * conversation appears between two servers that never talked.
 */
static void test_reused_identity_never_merges(void **state)
{
	struct model *m = *state;
	struct convs cs;
	size_t i;

	/* Server 10 writes to client socket CLI (inode 902), which nobody reads yet. */
	srv_io(m, IPCS_SYS_WRITE, SRV, CLI, 901, 902, 50, 1000);
	/* CLI's address now belongs to another server process's socket, inode 950. */
	struct ipcs_event ev = sys_ev(11, IPCS_SYS_READ, 40, 6, -1, 4096, IPCS_KIND_UNIX_STREAM,
				      CLI, 3);

	ev.type = IPCS_REC_SOCK;
	ev.sock.s.h.type = IPCS_REC_SOCK;
	ev.sock.s.h.size = sizeof(ev.sock);
	ev.sock.s.h.ts_ns = 2000;
	ev.sock.s.chan.dev = SOCKFS;
	ev.sock.peer = 0xffff888000009000ull;
	ev.sock.sock_ino = 950;
	ev.sock.peer_ino = 951;
	ev.sock.family = 1;
	ev.sock.type = 1;
	apply(m, &ev);
	model_flush(m);
	cs.n = 0;
	assert_int_equal(model_foreach_conv(m, collect_conv, &cs), 0);
	for (i = 0; i < cs.n; i++)
		assert_false((cs.v[i].a.pid == 10 && cs.v[i].b.pid == 11) ||
			     (cs.v[i].a.pid == 11 && cs.v[i].b.pid == 10));
	assert_int_equal(cs.n, 2);	/* 10 -> unobserved 50, unobserved -> 11 40 */
}

/* Two connections one after the other at the same addresses: two conversations. */
static void test_reused_pair_two_conversations(void **state)
{
	struct model *m = *state;
	struct ipcs_event ev = peer_ev(30, 4, IPCS_KIND_UNIX_STREAM, CLI, 902, 500);
	struct convs cs;

	apply(m, &ev);
	srv_io(m, IPCS_SYS_READ, SRV, CLI, 901, 902, 10, 1000);
	ev = peer_ev(30, 5, IPCS_KIND_UNIX_STREAM, CLI, 912, 1500);
	apply(m, &ev);
	srv_io(m, IPCS_SYS_READ, SRV, CLI, 911, 912, 20, 2000);
	cs.n = 0;
	assert_int_equal(model_foreach_conv(m, collect_conv, &cs), 0);
	assert_int_equal(cs.n, 2);
	assert_int_equal(cs.v[0].a_to_b.bytes + cs.v[1].a_to_b.bytes, 30);
	assert_true(cs.v[0].a_to_b.bytes == 10 || cs.v[0].a_to_b.bytes == 20);
}

/* The client's fd went to its next connection before the server read the last
 * bytes of the first one: those are still the client's. */
static void test_fd_reused_by_client(void **state)
{
	struct model *m = *state;
	struct ipcs_event ev = peer_ev(30, 4, IPCS_KIND_UNIX_STREAM, CLI, 902, 500);
	struct convs cs;
	size_t i;

	apply(m, &ev);
	srv_io(m, IPCS_SYS_READ, SRV, CLI, 901, 902, 10, 1000);
	ev = peer_ev(30, 4, IPCS_KIND_UNIX_STREAM, 0xffff888000005000ull, 922, 1500);
	apply(m, &ev);
	srv_io(m, IPCS_SYS_READ, SRV, CLI, 901, 902, 5, 2000);	/* its Terminate message */
	cs.n = 0;
	assert_int_equal(model_foreach_conv(m, collect_conv, &cs), 0);
	assert_int_equal(cs.n, 1);
	assert_int_equal(cs.v[0].a.pid, 30);
	assert_int_equal(cs.v[0].a_to_b.bytes, 15);
	for (i = 0; i < cs.n; i++)
		assert_int_not_equal(cs.v[i].a.pid, 0);
}

/* TCP: the untraced end is named by its (local, remote). */
static void test_tcp_named(void **state)
{
	struct model *m = *state;
	struct ipcs_event ev = peer_ev(30, 7, IPCS_KIND_TCP, 902, 902, 500);
	unsigned char lo[4] = { 127, 0, 0, 1 };
	__u16 p_host = 40000, p_net = htons(5432), srv_host = 5432, cli_net = htons(40000);
	const struct model_conv *c;
	struct convs cs;

	/* The client's end: local 127.0.0.1:40000, remote 127.0.0.1:5432. */
	memcpy(ev.peer.addr, lo, 4);
	memcpy(ev.peer.addr + 16, lo, 4);
	memcpy(ev.peer.addr + 32, &p_host, 2);
	memcpy(ev.peer.addr + 34, &p_net, 2);
	ev.peer.addr_len = 36;
	apply(m, &ev);
	for (int i = 0; i < 2; i++) {
		__u16 sys = i ? IPCS_SYS_WRITE : IPCS_SYS_READ;
		struct ipcs_event s = sys_ev(10, sys, i ? 9 : 33, 5, -1, 4096, IPCS_KIND_TCP, 0xabc,
					     IPCS_FMODE_READ | IPCS_FMODE_WRITE);

		s.type = IPCS_REC_SOCK;
		s.sock.s.h.type = IPCS_REC_SOCK;
		s.sock.s.h.size = sizeof(s.sock);
		s.sock.s.h.ts_ns = 1000 + i;
		s.sock.s.chan.dev = SOCKFS;
		s.sock.sock_ino = 901;
		s.sock.family = 2;
		memcpy(s.sock.addr, lo, 4);
		memcpy(s.sock.addr + 16, lo, 4);
		memcpy(s.sock.addr + 32, &srv_host, 2);
		memcpy(s.sock.addr + 34, &cli_net, 2);
		s.sock.addr_len = 36;
		s.sock.flags = IPCS_SOCKF_INET;
		apply(m, &s);
	}
	c = only_conv(m, &cs);
	assert_string_equal(c->channel, "127.0.0.1:5432<->127.0.0.1:40000");
	assert_int_equal(c->a.pid, 30);
	assert_true(c->a.untraced);
	assert_int_equal(c->a_to_b.bytes, 33);
	assert_int_equal(c->b_to_a.bytes, 9);
}

static struct ipcs_event pipe_peer(__u32 pid, __s32 fd, __u64 ino, __u16 fmode)
{
	struct ipcs_event ev = peer_ev(pid, fd, IPCS_KIND_PIPE, ino, 0, now++);

	ev.peer.chan.dev = PIPEFS;
	ev.peer.chan.fmode = fmode;
	snprintf(ev.peer.comm, sizeof(ev.peer.comm), "less");
	return ev;
}

/* A traced writer into a pipe an untraced process reads: each write is read at once. */
static void test_pipe_untraced_reader(void **state)
{
	struct model *m = *state;
	struct ipcs_event ev = pipe_peer(30, 0, 77, IPCS_FMODE_READ);
	const struct model_conv *c;
	struct convs cs;

	do_write(m, 10, 1, 77, 100);	/* before the name: waits */
	apply(m, &ev);
	do_write(m, 10, 1, 77, 50);
	c = only_conv(m, &cs);
	assert_int_equal(c->a.pid, 10);
	assert_int_equal(c->b.pid, 30);
	assert_string_equal(c->b.comm, "less");
	assert_true(c->b.untraced);
	assert_int_equal(c->a_to_b.bytes, 150);
	assert_int_equal(c->a_to_b.msgs, 2);
}

/* A traced reader of a pipe an untraced process writes: a message per read. */
static void test_pipe_untraced_writer(void **state)
{
	struct model *m = *state;
	struct ipcs_event ev = pipe_peer(30, 1, 78, IPCS_FMODE_WRITE);
	const struct model_conv *c;
	struct convs cs;

	apply(m, &ev);
	do_read(m, 10, 0, 78, 4096);
	do_read(m, 10, 0, 78, 100);
	c = only_conv(m, &cs);
	assert_int_equal(c->a.pid, 30);
	assert_true(c->a.untraced);
	assert_int_equal(c->b.pid, 10);
	assert_int_equal(c->a_to_b.bytes, 4196);
	assert_int_equal(c->a_to_b.msgs, 2);
}

/* sendfile into the socket (a file body, as nginx sends it): counted like a send. */
static void test_sendfile_to_untraced(void **state)
{
	struct model *m = *state;
	struct ipcs_event ev = peer_ev(30, 4, IPCS_KIND_UNIX_STREAM, CLI, 902, 500);
	struct ipcs_event sf;
	const struct model_conv *c;
	struct convs cs;

	apply(m, &ev);
	srv_io(m, IPCS_SYS_READ, SRV, CLI, 901, 902, 80, 1000);	/* the request */
	sf = sys_ev(10, IPCS_SYS_SENDFILE, 5000, 5, 9, 5000, IPCS_KIND_UNIX_STREAM, SRV,
		    IPCS_FMODE_READ | IPCS_FMODE_WRITE);
	sf.sys.chan.dev = SOCKFS;
	sf.sys.flags = IPCS_SYSF_OUT;
	apply(m, &sf);
	c = only_conv(m, &cs);
	assert_int_equal(c->a.pid, 30);
	assert_int_equal(c->a_to_b.bytes, 80);
	assert_int_equal(c->b_to_a.bytes, 5000);
	assert_int_equal(c->b_to_a.msgs, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_named_counts_both_ways_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_named_late_settles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_peer_unobserved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reused_identity_never_merges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reused_pair_two_conversations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_reused_by_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipe_untraced_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipe_untraced_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sendfile_to_untraced, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
