/*
 * test_peers.c - naming untraced peers (user/collect/peers.c) on a crafted
 * /proc tree: a unix peer's inode and a loopback TCP end's 4-tuple -> the
 * holding process, one IPCS_REC_PEER per end and only once; traced holders
 * and ends of traced records get none; a gone end gets pid 0.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "collect/peers.h"

struct fixture {
	char root[64];
	struct ipcs_peer_rec got[8];
	int n;
	pid_t traced_pid;
};

static void put_file(const char *root, const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* pid with comm, holding fd -> link */
static void put_proc(const char *root, int pid, const char *comm, int fd, const char *link)
{
	char path[256], stat[256];

	snprintf(path, sizeof(path), "%s/%d", root, pid);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%d/fd", root, pid);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%d/fd/%d", root, pid, fd);
	assert_int_equal(symlink(link, path), 0);
	snprintf(stat, sizeof(stat), "%d (%s) S 1 %d %d 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 12345 0 0\n",
		 pid, comm, pid, pid);
	snprintf(path, sizeof(path), "%d/stat", pid);
	put_file(root, path, stat);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char net[96];

	assert_non_null(fx);
	snprintf(fx->root, sizeof(fx->root), "/tmp/test_peers.XXXXXX");
	assert_non_null(mkdtemp(fx->root));
	put_proc(fx->root, 4242, "redis-benchmark", 5, "socket:[9001]");
	put_proc(fx->root, 4243, "psql", 3, "socket:[9002]");
	put_proc(fx->root, 4244, "tracedone", 7, "socket:[9003]");
	snprintf(net, sizeof(net), "%s/net", fx->root);
	mkdir(net, 0700);
	/* 127.0.0.1:40000 -> 127.0.0.1:5432, inode 9002 */
	put_file(fx->root, "net/tcp",
		 "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		 "   0: 0100007F:9C40 0100007F:1538 01 00000000:00000000 00:00000000 00000000   101        0 9002 1 0 20 4 30 10 -1\n");
	fx->traced_pid = 4244;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->root);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

static bool traced(pid_t pid, void *ctx)
{
	return pid == ((struct fixture *)ctx)->traced_pid;
}

static int on_rec(const void *rec, size_t len, void *ctx)
{
	struct fixture *fx = ctx;

	assert_int_equal(len, sizeof(struct ipcs_peer_rec));
	assert_true(fx->n < 8);
	memcpy(&fx->got[fx->n++], rec, len);
	return 0;
}

static struct ipcs_sock_rec unix_rec(__u64 id, __u64 ino, __u64 peer, __u64 peer_ino)
{
	struct ipcs_sock_rec r;

	memset(&r, 0, sizeof(r));
	r.s.h.type = IPCS_REC_SOCK;
	r.s.h.size = sizeof(r);
	r.s.h.ts_ns = 1;
	r.s.chan = (struct ipcs_chan){ .ino = id, .dev = 9, .kind = IPCS_KIND_UNIX_STREAM, .fmode = 3 };
	r.s.sys = IPCS_SYS_READ;
	r.s.ret = 10;
	r.sock_ino = ino;
	r.peer = peer;
	r.peer_ino = peer_ino;
	r.family = 1;
	return r;
}

static void test_unix_peer_named_once(void **state)
{
	struct fixture *fx = *state;
	struct ipcs_sock_rec r = unix_rec(0xa1, 8001, 0xb1, 9001);
	struct peers *p;
	__u64 named, scans;

	assert_int_equal(peers_new(fx->root, traced, fx, &p), 0);
	assert_int_equal(peers_before(p, &r, sizeof(r), on_rec, fx), 0);
	assert_int_equal(peers_before(p, &r, sizeof(r), on_rec, fx), 0);	/* asked once */
	assert_int_equal(fx->n, 1);
	assert_int_equal(fx->got[0].h.type, IPCS_REC_PEER);
	assert_int_equal(fx->got[0].pid, 4242);
	assert_int_equal(fx->got[0].fd, 5);
	assert_int_equal(fx->got[0].ppid, 1);
	assert_string_equal(fx->got[0].comm, "redis-benchmark");
	assert_int_equal(fx->got[0].chan.ino, 0xb1);	/* the peer's identity, as the probes key it */
	assert_int_equal(fx->got[0].chan.kind, IPCS_KIND_UNIX_STREAM);
	assert_int_equal(fx->got[0].sock_ino, 9001);
	assert_int_equal(fx->got[0].h.ts_ns, 1);
	peers_counts(p, &named, &scans);
	assert_int_equal(named, 1);
	assert_int_equal(scans, 1);
	peers_free(p);
}

static void test_traced_holder_not_named(void **state)
{
	struct fixture *fx = *state;
	struct ipcs_sock_rec r = unix_rec(0xa1, 8001, 0xb3, 9003);
	struct peers *p;

	assert_int_equal(peers_new(fx->root, traced, fx, &p), 0);
	assert_int_equal(peers_before(p, &r, sizeof(r), on_rec, fx), 0);
	assert_int_equal(fx->n, 0);
	peers_free(p);
}

/* Gone before the walk: pid 0 after a wait, unless a traced record was made on it. */
static void test_gone_end(void **state)
{
	struct fixture *fx = *state;
	struct ipcs_sock_rec own = unix_rec(0xb7, 9007, 0xa1, 0);	/* before accept: no peer inode */
	struct ipcs_sock_rec r = unix_rec(0xa1, 8001, 0xb7, 9007);
	struct ipcs_sock_rec r2 = unix_rec(0xa2, 8002, 0xb8, 9008);
	struct peers *p;

	assert_int_equal(peers_new(fx->root, traced, fx, &p), 0);
	assert_int_equal(peers_before(p, &own, sizeof(own), on_rec, fx), 0);
	/* that end's own record was seen: it is traced, closed since */
	assert_int_equal(peers_before(p, &r, sizeof(r), on_rec, fx), 0);
	assert_int_equal(fx->n, 0);
	assert_int_equal(peers_before(p, &r2, sizeof(r2), on_rec, fx), 0);
	/* a third end gone, whose traced holder's record comes late: never named */
	struct ipcs_sock_rec r3 = unix_rec(0xa3, 8003, 0xb9, 9009);
	struct ipcs_sock_rec late = unix_rec(0xb9, 9009, 0xa3, 8003);

	assert_int_equal(peers_before(p, &r3, sizeof(r3), on_rec, fx), 0);
	assert_int_equal(peers_before(p, &late, sizeof(late), on_rec, fx), 0);
	assert_int_equal(fx->n, 0);	/* the records of a traced holder may still come */
	usleep(120000);
	assert_int_equal(peers_before(p, &own, sizeof(own), on_rec, fx), 0);
	assert_int_equal(fx->n, 1);
	assert_int_equal(fx->got[0].pid, 0);
	assert_int_equal(fx->got[0].fd, -1);
	assert_int_equal(fx->got[0].chan.ino, 0xb8);
	assert_int_equal(fx->got[0].h.ts_ns, 1);	/* stamped as the record that met it */
	peers_free(p);
}

/* Gone, but the record named the process that connected it (SO_PEERCRED): named now. */
static void test_gone_end_peer_pid(void **state)
{
	struct fixture *fx = *state;
	struct ipcs_sock_rec r = unix_rec(0xa1, 8001, 0xb4, 9004);
	struct ipcs_sock_rec t = unix_rec(0xa2, 8002, 0xb5, 9005);
	struct peers *p;

	r.s.peer_pid = 4242;
	t.s.peer_pid = 4244;	/* traced: nothing to say */
	assert_int_equal(peers_new(fx->root, traced, fx, &p), 0);
	assert_int_equal(peers_before(p, &r, sizeof(r), on_rec, fx), 0);
	assert_int_equal(peers_before(p, &t, sizeof(t), on_rec, fx), 0);
	assert_int_equal(fx->n, 1);
	assert_int_equal(fx->got[0].pid, 4242);
	assert_string_equal(fx->got[0].comm, "redis-benchmark");
	assert_int_equal(fx->got[0].fd, -1);
	assert_int_equal(fx->got[0].chan.ino, 0xb4);
	peers_free(p);
}

static void test_tcp_by_four_tuple(void **state)
{
	struct fixture *fx = *state;
	struct ipcs_sock_rec r;
	unsigned char lo[4] = { 127, 0, 0, 1 };
	__u16 lport = 5432, rport = htons(40000), got_l, got_r;
	struct peers *p;

	memset(&r, 0, sizeof(r));
	r.s.h.type = IPCS_REC_SOCK;
	r.s.h.size = sizeof(r);
	r.s.h.ts_ns = 1;
	r.s.chan = (struct ipcs_chan){ .ino = 0xc1, .dev = 9, .kind = IPCS_KIND_TCP, .fmode = 3 };
	r.s.sys = IPCS_SYS_WRITE;
	r.s.ret = 5;
	r.family = 2;
	r.flags = IPCS_SOCKF_INET;
	r.addr_len = 36;
	memcpy(r.addr, lo, 4);
	memcpy(r.addr + 16, lo, 4);
	memcpy(r.addr + 32, &lport, 2);
	memcpy(r.addr + 34, &rport, 2);
	assert_int_equal(peers_new(fx->root, traced, fx, &p), 0);
	assert_int_equal(peers_before(p, &r, sizeof(r), on_rec, fx), 0);
	assert_int_equal(fx->n, 1);
	assert_int_equal(fx->got[0].pid, 4243);
	assert_string_equal(fx->got[0].comm, "psql");
	assert_int_equal(fx->got[0].chan.kind, IPCS_KIND_TCP);
	assert_int_equal(fx->got[0].sock_ino, 9002);
	assert_int_equal(fx->got[0].addr_len, 36);
	/* the client's end: local 40000 (host order), remote 5432 (network order) */
	memcpy(&got_l, fx->got[0].addr + 32, 2);
	memcpy(&got_r, fx->got[0].addr + 34, 2);
	assert_int_equal(got_l, 40000);
	assert_int_equal(ntohs(got_r), 5432);
	peers_free(p);
}

/* A pipe: the untraced reader is named with its end; the traced writer is not. */
static void test_pipe_ends(void **state)
{
	struct fixture *fx = *state;
	struct ipcs_sys_rec r;
	struct peers *p;
	char path[128];

	put_proc(fx->root, 4245, "less", 0, "pipe:[777]");
	snprintf(path, sizeof(path), "%s/4245/fdinfo", fx->root);
	mkdir(path, 0700);
	put_file(fx->root, "4245/fdinfo/0", "pos:\t0\nflags:\t0100000\nmnt_id:\t14\n");
	snprintf(path, sizeof(path), "%s/4244/fd/8", fx->root);
	assert_int_equal(symlink("pipe:[777]", path), 0);
	snprintf(path, sizeof(path), "%s/4244/fdinfo", fx->root);
	mkdir(path, 0700);
	put_file(fx->root, "4244/fdinfo/8", "pos:\t0\nflags:\t01\nmnt_id:\t14\n");
	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_SYS;
	r.h.size = sizeof(r);
	r.h.ts_ns = 1;
	r.pid = 4244;
	r.sys = IPCS_SYS_WRITE;
	r.ret = 10;
	r.fd = 8;
	r.chan = (struct ipcs_chan){ .ino = 777, .dev = 14, .kind = IPCS_KIND_PIPE, .fmode = 2 };
	assert_int_equal(peers_new(fx->root, traced, fx, &p), 0);
	assert_int_equal(peers_before(p, &r, sizeof(r), on_rec, fx), 0);
	assert_int_equal(peers_before(p, &r, sizeof(r), on_rec, fx), 0);
	assert_int_equal(fx->n, 1);
	assert_int_equal(fx->got[0].pid, 4245);
	assert_string_equal(fx->got[0].comm, "less");
	assert_int_equal(fx->got[0].fd, 0);
	assert_int_equal(fx->got[0].chan.kind, IPCS_KIND_PIPE);
	assert_int_equal(fx->got[0].chan.ino, 777);
	assert_int_equal(fx->got[0].chan.fmode, IPCS_FMODE_READ);
	peers_free(p);
}

static void test_parse_socket_link(void **state)
{
	(void)state;
	assert_int_equal(peers_parse_socket_link("socket:[123]"), 123);
	assert_int_equal(peers_parse_socket_link("socket:[]"), 0);
	assert_int_equal(peers_parse_socket_link("socket:[12a]"), 0);
	assert_int_equal(peers_parse_socket_link("socket:[12]x"), 0);
	assert_int_equal(peers_parse_socket_link("pipe:[12]"), 0);
	assert_int_equal(peers_parse_socket_link("socket:[123456789012345678901234]"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unix_peer_named_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_traced_holder_not_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_end_peer_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_by_four_tuple, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipe_ends, setup, teardown),
		cmocka_unit_test(test_parse_socket_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
