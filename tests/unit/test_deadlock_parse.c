/*
 * test_deadlock_parse.c - the /proc parsers of the deadlock diagnosis on
 * fixture text (syscall lines, stat with hostile comms, fdinfo, fd links,
 * status, maps), futex owner rules, a crafted sock_diag dump, and a crafted
 * proc tree for the task scanner.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <linux/futex.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "deadlock/futexword.h"
#include "deadlock/procscan.h"
#include "deadlock/unixdiag.h"

static void test_syscall_line(void **state)
{
	struct dl_sysline s;

	(void)state;
	assert_int_equal(dl_parse_syscall("202 0x5581a0c0 0x80 0x2 0x0 0x0 0x0 0x7ffd1000 0x7f00aa\n", &s), 0);
	assert_int_equal(s.nr, 202);
	assert_false(s.running);
	assert_int_equal(s.args[0], 0x5581a0c0);
	assert_int_equal(s.args[1], 0x80);
	assert_int_equal(s.args[2], 2);
	assert_int_equal(dl_parse_syscall("running\n", &s), 0);
	assert_true(s.running);
	assert_int_equal(dl_parse_syscall("-1 0x7ffd1000 0x7f00aa\n", &s), 0);
	assert_int_equal(s.nr, -1);
	assert_int_equal(dl_parse_syscall("", &s), -EINVAL);
	assert_int_equal(dl_parse_syscall("0 0x3 0x7ffc", &s), -EINVAL);	/* truncated */
	assert_int_equal(dl_parse_syscall("7x 0x1 0x1 0x1 0x1 0x1 0x1", &s), -EINVAL);
	assert_int_equal(dl_parse_syscall("-5 0x1", &s), -EINVAL);
	assert_int_equal(dl_parse_syscall("0 12 0x1 0x1 0x1 0x1 0x1", &s), -EINVAL);
}

static void test_stat_and_status(void **state)
{
	char st, comm[16];
	pid_t tgid;

	(void)state;
	assert_int_equal(dl_parse_task_stat("42 (a) b) (c) S 1 42 42 0 -1", &st, comm, sizeof(comm)), 0);
	assert_int_equal(st, 'S');
	assert_string_equal(comm, "a) b) (c");
	assert_int_equal(dl_parse_task_stat("42 (x\x1b[2J) D 1", &st, comm, sizeof(comm)), 0);
	assert_int_equal(st, 'D');
	assert_string_equal(comm, "x\x1b[2J");
	assert_int_equal(dl_parse_task_stat("42 (nope", &st, comm, sizeof(comm)), -EINVAL);
	assert_int_equal(dl_parse_task_stat("42 (x)", &st, comm, sizeof(comm)), -EINVAL);
	assert_int_equal(dl_parse_status_tgid("Name:\tx\nUmask:\t0022\nState:\tS\nTgid:\t314\nNgid:\t0\n", &tgid), 0);
	assert_int_equal(tgid, 314);
	assert_int_equal(dl_parse_status_tgid("Name:\tTgid:\t5\n", &tgid), -EINVAL);	/* not at a line start */
	assert_int_equal(dl_parse_status_tgid("Name:\tx\nTgid:\t-3\n", &tgid), -EINVAL);
}

static void test_fdinfo_and_links(void **state)
{
	unsigned flags;
	uint64_t ino;

	(void)state;
	assert_int_equal(dl_parse_fdinfo_flags("pos:\t0\nflags:\t0100001\nmnt_id:\t15\nino:\t77\n", &flags), 0);
	assert_int_equal(flags, 0100001);
	assert_int_equal(dl_parse_fdinfo_flags("flags:\t02\n", &flags), 0);
	assert_int_equal(flags, 2);
	assert_int_equal(dl_parse_fdinfo_flags("pos:\t0\nxflags:\t1\n", &flags), -EINVAL);
	assert_int_equal(dl_parse_fdinfo_flags("flags:\t9\n", &flags), -EINVAL);	/* not octal */
	assert_int_equal(dl_parse_fdlink("pipe:[388980]", &ino), DL_FD_PIPE);
	assert_int_equal(ino, 388980);
	assert_int_equal(dl_parse_fdlink("socket:[12]", &ino), DL_FD_SOCKET);
	assert_int_equal(ino, 12);
	assert_int_equal(dl_parse_fdlink("/tmp/fifo", &ino), DL_FD_PATH);
	assert_int_equal(dl_parse_fdlink("anon_inode:[eventfd]", &ino), DL_FD_OTHER);
	assert_int_equal(dl_parse_fdlink("pipe:[12", &ino), DL_FD_OTHER);
	assert_int_equal(dl_parse_fdlink("socket:[x]", &ino), DL_FD_OTHER);
}

static void test_maps(void **state)
{
	const char *maps =
		"55d0c000-55d0d000 r--p 00000000 08:01 1234 /usr/bin/prog\n"
		"55d0d000-55d0f000 rw-p 00002000 08:01 1234 /usr/bin/prog\n"
		"55d10000-55d31000 rw-p 00000000 00:00 0 [heap]\n"
		"7f000000-7f001000 rw-s 00000000 00:1a 99 /dev/shm/x (deleted)\n"
		"7f100000-7f101000 rw-p 00000000 00:00 0 \n"
		"garbage line\n";
	char out[128];

	(void)state;
	assert_int_equal(dl_maps_describe(maps, 0x55d0d140, out, sizeof(out)), 0);
	assert_string_equal(out, "/usr/bin/prog+0x2140");
	assert_int_equal(dl_maps_describe(maps, 0x55d10010, out, sizeof(out)), 0);
	assert_string_equal(out, "[heap]+0x10");
	assert_int_equal(dl_maps_describe(maps, 0x7f000028, out, sizeof(out)), 0);
	assert_string_equal(out, "/dev/shm/x (deleted)+0x28");
	assert_int_equal(dl_maps_describe(maps, 0x7f100008, out, sizeof(out)), 0);
	assert_string_equal(out, "anon+0x8");
	assert_int_equal(dl_maps_describe(maps, 0x1000, out, sizeof(out)), -ENOENT);
}

static void test_futex_rules(void **state)
{
	struct dl_sysline s = { .nr = 202, .args = { 0x1000, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 2 } };
	struct dl_futex_wait w;
	const char *ev;
	bool mutex;

	(void)state;
	assert_int_equal(dl_futex_from_syscall(&s, &w), 0);
	assert_int_equal(w.cmd, FUTEX_WAIT);
	assert_int_equal(w.uaddr, 0x1000);
	/* glibc mutex, contended: owner from __owner */
	assert_int_equal(dl_futex_owner(&w, 2, 4321, true, &ev, &mutex), 4321);
	assert_true(mutex);
	assert_string_equal(ev, "lock word owner (glibc mutex __owner)");
	/* unreadable owner, no owner, uncontended word: no edge */
	assert_int_equal(dl_futex_owner(&w, 2, 4321, false, &ev, &mutex), 0);
	assert_int_equal(dl_futex_owner(&w, 2, 0, true, &ev, &mutex), 0);
	assert_int_equal(dl_futex_owner(&w, 0, 4321, true, &ev, &mutex), 0);
	/* a cond var waits on a value other than 2 */
	w.val = 0;
	assert_int_equal(dl_futex_owner(&w, 0, 4321, true, &ev, &mutex), 0);
	assert_false(mutex);
	assert_null(ev);
	/* robust mutex: TID | WAITERS in the word, repeated in __owner */
	w.val = 0x80000000u | 777;
	assert_int_equal(dl_futex_owner(&w, w.val, 777, true, &ev, &mutex), 777);
	assert_string_equal(ev, "robust mutex: owner TID in the lock word");
	assert_int_equal(dl_futex_owner(&w, w.val, 778, true, &ev, &mutex), 0);
	/* PI: the word alone */
	s.args[1] = FUTEX_LOCK_PI;
	assert_int_equal(dl_futex_from_syscall(&s, &w), 0);
	assert_int_equal(dl_futex_owner(&w, 0xc0000000u | 555, 0, false, &ev, &mutex), 555);
	assert_true(mutex);
	/* wakes and other syscalls are no waits */
	s.args[1] = FUTEX_WAKE;
	assert_int_equal(dl_futex_from_syscall(&s, &w), -EINVAL);
	s.nr = 0;
	assert_int_equal(dl_futex_from_syscall(&s, &w), -EINVAL);
	s.nr = 455;	/* futex_wait(uaddr, val, ...) */
	s.args[1] = 2;
	assert_int_equal(dl_futex_from_syscall(&s, &w), 0);
	assert_int_equal(w.val, 2);
	s.running = true;
	assert_int_equal(dl_futex_from_syscall(&s, &w), -EINVAL);
}

/* a sock_diag answer: one socket with a peer, one without, then DONE */
static size_t put_msg(char *buf, uint32_t ino, uint32_t peer)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct unix_diag_msg *m = NLMSG_DATA(h);
	struct rtattr *a = (struct rtattr *)(m + 1);
	size_t len = NLMSG_LENGTH(sizeof(*m));

	memset(buf, 0, NLMSG_SPACE(sizeof(*m) + RTA_SPACE(4)));
	m->udiag_family = AF_UNIX;
	m->udiag_ino = ino;
	if (peer) {
		a->rta_type = UNIX_DIAG_PEER;
		a->rta_len = RTA_LENGTH(4);
		memcpy(RTA_DATA(a), &peer, 4);
		len += RTA_SPACE(4);
	}
	h->nlmsg_len = (uint32_t)len;
	h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	return NLMSG_ALIGN(len);
}

static void test_sock_diag(void **state)
{
	static char buf[1024] __attribute__((aligned(8)));
	struct dl_upeers p = { 0 };
	struct nlmsghdr *h;
	size_t off = 0;
	int done;

	(void)state;
	off += put_msg(buf + off, 20, 21);
	off += put_msg(buf + off, 30, 0);
	off += put_msg(buf + off, 21, 20);
	h = (struct nlmsghdr *)(buf + off);
	h->nlmsg_len = NLMSG_LENGTH(0);
	h->nlmsg_type = NLMSG_DONE;
	off += NLMSG_ALIGN(h->nlmsg_len);
	assert_int_equal(dl_upeers_parse(&p, buf, off, &done), 0);
	assert_true(done);
	dl_upeers_sort(&p);
	assert_int_equal(p.n, 2);
	assert_int_equal(dl_upeers_get(&p, 20), 21);
	assert_int_equal(dl_upeers_get(&p, 21), 20);
	assert_int_equal(dl_upeers_get(&p, 30), 0);
	/* truncated buffer: stops without reading past it */
	assert_int_equal(dl_upeers_parse(&p, buf, 10, &done), 0);
	assert_false(done);
	dl_upeers_fini(&p);

	/* the real thing: a socketpair's two ends are each other's peer */
	int sv[2];
	struct stat a, b;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fstat(sv[0], &a), 0);
	assert_int_equal(fstat(sv[1], &b), 0);
	assert_int_equal(dl_upeers_load(&p), 0);
	assert_int_equal(dl_upeers_get(&p, a.st_ino), b.st_ino);
	assert_int_equal(dl_upeers_get(&p, b.st_ino), a.st_ino);
	dl_upeers_fini(&p);
	close(sv[0]);
	close(sv[1]);
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A crafted proc tree: two tasks, one of them malformed (skipped). */
static void test_scan_tasks_fixture(void **state)
{
	char root[] = "/tmp/ipcs-dl-proc.XXXXXX", d[600];
	struct dl_task *t = NULL;
	size_t n = 0;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(d, sizeof(d), "%s/7", root);
	assert_int_equal(mkdir(d, 0700), 0);
	snprintf(d, sizeof(d), "%s/7/task", root);
	assert_int_equal(mkdir(d, 0700), 0);
	snprintf(d, sizeof(d), "%s/7/task/7", root);
	assert_int_equal(mkdir(d, 0700), 0);
	put_file(d, "stat", "7 (main) S 1 7 7 0\n");
	put_file(d, "syscall", "0 0x5 0x7ffc 0x1 0x0 0x0 0x0 0x7ffc00 0x7f00\n");
	{	/* process stats for the parent links: 7's children are 20 and 21 */
		pid_t kids[4], pp = 0;
		const char *procs[][2] = { { "7", "7 (main) S 1 7" }, { "20", "20 (a b) S 7 20" },
					   { "21", "21 (c) R 7 21" }, { "22", "22 (d) S 20 22" } };

		for (size_t i = 0; i < 4; i++) {
			char pd[600];

			snprintf(pd, sizeof(pd), "%s/%s", root, procs[i][0]);
			mkdir(pd, 0700);
			put_file(pd, "stat", procs[i][1]);
		}
		assert_int_equal(dl_children(root, 7, kids, 4), 2);
		assert_true((kids[0] == 20 && kids[1] == 21) || (kids[0] == 21 && kids[1] == 20));
		assert_int_equal(dl_children(root, 7, kids, 1), 1);
		assert_int_equal(dl_children(root, 22, kids, 4), 0);
		assert_int_equal(dl_ppid(root, 22, &pp), 0);
		assert_int_equal(pp, 20);
	}
	put_file(d, "wchan", "pipe_read");
	snprintf(d, sizeof(d), "%s/7/task/8", root);
	assert_int_equal(mkdir(d, 0700), 0);
	put_file(d, "stat", "8 (broken");
	put_file(d, "syscall", "running\n");
	assert_int_equal(dl_scan_tasks(root, 7, &t, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(t[0].tid, 7);
	assert_int_equal(t[0].state, 'S');
	assert_int_equal(t[0].sys.nr, 0);
	assert_int_equal(t[0].sys.args[0], 5);
	assert_string_equal(t[0].wchan, "pipe_read");
	assert_string_equal(t[0].comm, "main");
	free(t);
	assert_int_equal(dl_scan_tasks(root, 9, &t, &n), -ESRCH);
	snprintf(d, sizeof(d), "rm -rf '%s'", root);
	assert_int_equal(system(d), 0);
}


static void test_tcp_peers(void **state)
{
	const char *tcp =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 60199 1 0\n"
		"   1: 0100007F:9C40 0100007F:1538 01 00000000:00000000 00:00000000 00000000     0        0 7001 1 0\n"
		"   2: 0100007F:1538 0100007F:9C40 01 00000000:00000000 00:00000000 00000000   106        0 7002 1 0\n"
		"   3: 0A000002:0016 0A000001:D431 01 00000000:00000000 00:00000000 00000000     0        0 7003 1 0\n"
		"   4: 0100007F:9C41 0100007F:1538 06 00000000:00000000 03:00000000 00000000     0        0 0 0 0\n";
	struct dl_upeers p = { 0 };

	(void)state;
	assert_int_equal(dl_tcp_peers_parse(&p, tcp), 0);
	dl_upeers_sort(&p);
	assert_int_equal(p.n, 2);
	assert_true(dl_upeers_get(&p, 7001) == 7002);
	assert_true(dl_upeers_get(&p, 7002) == 7001);
	assert_true(dl_upeers_get(&p, 7003) == 0);	/* its peer is another host */
	assert_true(dl_upeers_get(&p, 60199) == 0);	/* listening */
	dl_upeers_fini(&p);
}

static void test_event_loop_parsers(void **state)
{
	const char *fdinfo = "pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t1057\n"
			     "tfd:        5 events:       19 data:                5  pos:0 ino:2f45 sdev:f\n"
			     "tfd:       12 events:        4 data:  ffffffff0000000c  pos:0 ino:c sdev:d\n";
	const char *sched = "cat (10538, #threads: 1)\n---\nse.exec_start                                :"
			    "        315465.500569\nse.vruntime : 1.0\n";
	/* fields 4..38 hold their own number, field 39 (the CPU) is 1 */
	const char *stat = "42 (a) b) S 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 1 0 0 0 0\n";
	int fds[4], cpu = -1;
	unsigned ev[4];
	int64_t ns = 0;
	struct dl_sysline s;

	(void)state;
	assert_int_equal(dl_parse_epoll_tfds(fdinfo, fds, ev, 4), 2);
	assert_int_equal(fds[0], 5);
	assert_int_equal(ev[0], 0x19);
	assert_int_equal(fds[1], 12);
	assert_int_equal(ev[1], 0x4);
	assert_int_equal(dl_parse_epoll_tfds(fdinfo, fds, ev, 1), 1);
	assert_int_equal(dl_parse_epoll_tfds("flags: 02\n", fds, ev, 4), 0);
	assert_int_equal(dl_parse_sched_exec_start(sched, &ns), 0);
	assert_true(ns == 315465500569LL);
	assert_int_equal(dl_parse_sched_exec_start("se.exec_start : 12.5\n", &ns), 0);
	assert_true(ns == 12500000LL);
	assert_int_equal(dl_parse_sched_exec_start("nothing\n", &ns), -EINVAL);
	assert_int_equal(dl_parse_stat_cpu(stat, &cpu), 0);
	assert_int_equal(cpu, 1);
	assert_int_equal(dl_parse_stat_cpu("1 (x) S 1 2\n", &cpu), -EINVAL);
	/* the user sp and pc after the six arguments */
	assert_int_equal(dl_parse_syscall("232 0x8 0x7ffd 0x1 0xffffffff 0x0 0x0 0x7ffc1000 0x7f0012345678\n", &s), 0);
	assert_int_equal(s.nr, 232);
	assert_true(s.sp == 0x7ffc1000 && s.pc == 0x7f0012345678);
	assert_int_equal(dl_parse_syscall("-1 0x7ffc2000 0x401000\n", &s), 0);
	assert_int_equal(s.nr, -1);
	assert_int_equal(dl_parse_syscall("running\n", &s), 0);
	assert_true(s.running && !s.sp && !s.pc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_line),
		cmocka_unit_test(test_event_loop_parsers),
		cmocka_unit_test(test_tcp_peers),
		cmocka_unit_test(test_stat_and_status),
		cmocka_unit_test(test_fdinfo_and_links),
		cmocka_unit_test(test_maps),
		cmocka_unit_test(test_futex_rules),
		cmocka_unit_test(test_sock_diag),
		cmocka_unit_test(test_scan_tasks_fixture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
