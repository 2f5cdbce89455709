/*
 * test_seed_sockets.c - sockets open before tracing: /proc/net/tcp{,6}
 * lines parsed and named as sock.c names them; the live snapshot classifies
 * a real socketpair and loopback TCP connection of this process; the model
 * moves seeded holders to the live channel at the first record with the inode.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "model_testlib.h"
#include "collect/decode.h"
#include "collect/seed_sockets.h"
#include "collect/seed_mq.h"
#include <fcntl.h>
#include <mqueue.h>

static void test_parse_lines(void **state)
{
	struct seed_inet s;
	char name[128];

	(void)state;
	assert_int_equal(seed_parse_inet_line(
		"   3: 0100007F:1F90 0100007F:C822 01 00000000:00000000 00:00000000 00000000"
		"     0        0 123456 1 0000000000000000 20 4 30 10 -1", false, &s), 0);
	assert_int_equal(s.ino, 123456);
	assert_int_equal(s.lport, 8080);
	assert_int_equal(s.rport, 51234);
	seed_inet_name(&s, name, sizeof(name));
	assert_string_equal(name, "127.0.0.1:8080<->127.0.0.1:51234");
	/* the client's side: the lower port still comes first */
	assert_int_equal(seed_parse_inet_line(
		"   4: 0100007F:C822 0100007F:1F90 01 00000000:00000000 00:00000000 00000000"
		"     0        0 123457 1", false, &s), 0);
	seed_inet_name(&s, name, sizeof(name));
	assert_string_equal(name, "127.0.0.1:8080<->127.0.0.1:51234");
	/* unconnected UDP: the local end only */
	assert_int_equal(seed_parse_inet_line(
		"  12: 0100007F:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000"
		"     0        0 999 2 0000000000000000 0", false, &s), 0);
	seed_inet_name(&s, name, sizeof(name));
	assert_string_equal(name, "127.0.0.1:5353");
	assert_int_equal(seed_parse_inet_line(
		"   0: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:D431 01"
		" 00000000:00000000 00:00000000 00000000     0        0 4242 1", true, &s), 0);
	seed_inet_name(&s, name, sizeof(name));
	assert_string_equal(name, "[::1]:8080<->[::1]:54321");
	/* malformed: header, short address, bad hex, missing inode */
	assert_int_equal(seed_parse_inet_line("  sl  local_address rem_address   st", false, &s),
			 -EINVAL);
	assert_int_equal(seed_parse_inet_line("   0: 0100007F:1F9 0100007F:C822 01 0:0 0:0 0 0 0 1",
					      false, &s), -EINVAL);
	assert_int_equal(seed_parse_inet_line("   0: 0100007G:1F90 0100007F:C822 01 0:0 0:0 0 0 0 1",
					      false, &s), -EINVAL);
	assert_int_equal(seed_parse_inet_line("   0: 0100007F:1F90 0100007F:C822 01 0:0 0:0 0 0 0",
					      false, &s), -EINVAL);
}

static __u64 ino_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

static void classify(const struct seed_socks *t, int fd, struct ipcs_seed_fd_rec *rec)
{
	char target[64];

	memset(rec, 0, sizeof(*rec));
	snprintf(target, sizeof(target), "socket:[%llu]", (unsigned long long)ino_of(fd));
	assert_int_equal(seed_socks_classify(t, target, 8, rec), 0);
	assert_int_equal(rec->chan.ino, ino_of(fd));
	assert_int_equal(rec->chan.dev, 8);
	assert_true(rec->flags & IPCS_SEEDF_SOCK_INODE);
}

/* This process's own sockets, through sock_diag and /proc/net/tcp. */
static void test_live_snapshot(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct ipcs_seed_fd_rec rec;
	struct seed_socks *t;
	socklen_t alen = sizeof(a);
	int sv[2], lfd, cfd, afd;
	char want[128];
	__u64 i0, i1;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0 && cfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &alen), 0);
	assert_int_equal(connect(cfd, (struct sockaddr *)&a, sizeof(a)), 0);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	assert_int_equal(seed_socks_load("/proc", &t), 0);
	i0 = ino_of(sv[0]);
	i1 = ino_of(sv[1]);
	snprintf(want, sizeof(want), "socketpair:[%llu]", (unsigned long long)(i0 < i1 ? i0 : i1));
	classify(t, sv[0], &rec);
	assert_int_equal(rec.chan.kind, IPCS_KIND_UNIX_STREAM);
	assert_string_equal(rec.path, want);
	classify(t, sv[1], &rec);
	assert_string_equal(rec.path, want);
	classify(t, afd, &rec);
	assert_int_equal(rec.chan.kind, IPCS_KIND_TCP);
	assert_non_null(strstr(rec.path, "<->127.0.0.1:"));
	assert_int_equal(seed_socks_classify(t, "socket:[1]x", 8, &rec), -ENOENT);
	assert_int_equal(seed_socks_classify(t, "pipe:[5]", 8, &rec), -ENOENT);
	seed_socks_free(t);
	close(sv[0]);
	close(sv[1]);
	close(lfd);
	close(cfd);
	close(afd);
}

/* A queue's fd link names it; stat gives the identity the probes use. */
static void test_mq(void **state)
{
	char name[64], link[64];
	struct ipcs_seed_fd_rec rec;
	struct stat st;
	mqd_t q;
	int fd;

	(void)state;
	snprintf(name, sizeof(name), "/ipcs_unit_%d", (int)getpid());
	q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, NULL);
	assert_true(q != (mqd_t)-1);
	mq_unlink(name);	/* the open fd keeps it */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", (int)q);
	memset(&rec, 0, sizeof(rec));
	assert_int_equal(seed_mq_classify(link, &rec), 0);
	assert_int_equal(rec.chan.kind, IPCS_KIND_MQ);
	assert_int_equal(fstat((int)q, &st), 0);
	assert_int_equal(rec.chan.ino, st.st_ino);
	assert_string_equal(rec.path, name);
	mq_close(q);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	assert_int_equal(seed_mq_classify(link, &rec), -ENOENT);
	close(fd);
}

#define SOCKFS 8u
#define SK_A 0xffff888000001000ull
#define SK_B 0xffff888000002000ull

static void seed_sock(struct model *m, __u32 pid, __s32 fd, __u64 ino)
{
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_SEED_FD;
	ev.path = "socketpair:[501]";
	ev.seed_fd.pid = pid;
	ev.seed_fd.fd = fd;
	ev.seed_fd.chan = (struct ipcs_chan){ .ino = ino, .dev = SOCKFS,
					      .kind = IPCS_KIND_UNIX_STREAM, .fmode = 3 };
	ev.seed_fd.flags = IPCS_SEEDF_SOCK_INODE;
	apply(m, &ev);
}

/* One write by one end adopts both seeded ends: the reader holds the live channel. */
static void test_model_adopts(void **state)
{
	struct model *m = *state;
	struct ipcs_event ev = sys_ev(10, IPCS_SYS_WRITE, 64, 3, -1, 64, IPCS_KIND_UNIX_STREAM,
				      SK_A, 3);
	struct chan_q q;

	seed_sock(m, 10, 3, 501);
	seed_sock(m, 20, 4, 502);
	q = chan_of(m, 502);
	assert_true(q.found);
	assert_string_equal(q.c.channel, "socketpair:[501]");
	assert_true(has_holder(&q, 20, 4, 3));
	ev.type = IPCS_REC_SOCK;
	ev.sock.s.chan.dev = SOCKFS;
	ev.sock.peer = SK_B;
	ev.sock.sock_ino = 501;
	ev.sock.peer_ino = 502;
	ev.sock.family = 1;
	ev.sock.type = 1;
	apply(m, &ev);
	q = chan_of(m, SK_B);	/* the peer's live channel, before it made a call */
	assert_true(q.found);
	assert_true(has_holder(&q, 20, 4, 3));
	assert_string_equal(q.c.channel, "socketpair:[501]");
	q = chan_of(m, SK_A);
	assert_true(has_holder(&q, 10, 3, 3));
	assert_int_equal(chan_of(m, 502).c.nholders, 0);
	assert_int_equal(chan_of(m, 501).c.nholders, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_lines),
		cmocka_unit_test(test_live_snapshot),
		cmocka_unit_test(test_mq),
		cmocka_unit_test_setup_teardown(test_model_adopts, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
