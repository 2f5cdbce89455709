/* test_plain.c - one line per event, foreign strings escaped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "sinks/plain.h"

static struct ipcs_event sys_event(__u16 sys, __s64 ret)
{
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_SYS;
	ev.path = "";
	ev.sys.h.type = IPCS_REC_SYS;
	ev.sys.h.size = sizeof(ev.sys);
	ev.sys.h.ts_ns = 1000 + 2500000000ull;	/* 2.5 s after start */
	ev.sys.pid = 42;
	ev.sys.tid = 42;
	ev.sys.sys = sys;
	ev.sys.ret = ret;
	ev.sys.fd = 4;
	ev.sys.chan.kind = IPCS_KIND_PIPE;
	ev.sys.chan.ino = 777;
	strcpy(ev.sys.comm, "w\x1b[2Jr");
	return ev;
}

static void test_write_line(void **state)
{
	struct plain_printer pp = { .start_ns = 1000 };
	struct ipcs_event ev = sys_event(IPCS_SYS_WRITE, 4096);
	char line[512];

	(void)state;
	plain_format(&pp, &ev, line, sizeof(line));
	assert_string_equal(line, "   2.500000      42/w\\x1b[2Jr write   fd 4 pipe:[777] 4096 bytes");
	ev.sys.blocked_ns = 3000000;
	plain_format(&pp, &ev, line, sizeof(line));
	assert_non_null(strstr(line, "(blocked 3.000 ms)"));
}

/* A request an io_uring completed: the syscall's line, marked. */
static void test_uring_mark(void **state)
{
	struct plain_printer pp = { .start_ns = 1000 };
	struct ipcs_event ev = sys_event(IPCS_SYS_READ, 100);
	char line[512];

	(void)state;
	ev.sys.flags = IPCS_SYSF_URING;
	ev.sys.fd = -1;
	plain_format(&pp, &ev, line, sizeof(line));
	assert_string_equal(line, "   2.500000      42/w\\x1b[2Jr read    fd -1 pipe:[777] 100 bytes [io_uring]");
	ev.sys.flags = 0;
	plain_format(&pp, &ev, line, sizeof(line));
	assert_null(strstr(line, "io_uring"));
	/* a futex record made by IORING_OP_FUTEX_WAIT */
	{
		struct ipcs_event fe;

		memset(&fe, 0, sizeof(fe));
		fe.type = IPCS_REC_FUTEX;
		fe.futex.h.type = IPCS_REC_FUTEX;
		fe.futex.h.ts_ns = 1000;
		fe.futex.pid = 42;
		fe.futex.sys = IPCS_SYS_FUTEX_WAIT;
		fe.futex.op = IPCS_FUTEX_WAIT_BITSET;
		fe.futex.uaddr = 0x10;
		fe.futex.flags = IPCS_SYSF_URING;
		strcpy(fe.futex.comm, "ring");
		plain_format(&pp, &fe, line, sizeof(line));
		assert_string_equal(line, "   0.000000      42/ring futex_wait val 0 futex:42@0x10 = 0 [io_uring]");
		fe.futex.flags = 0;
		plain_format(&pp, &fe, line, sizeof(line));
		assert_null(strstr(line, "io_uring"));
	}
	/* splice's direction flag is no io_uring mark */
	ev.sys.flags = IPCS_SYSF_OUT | IPCS_SYSF_CLOEXEC;
	plain_format(&pp, &ev, line, sizeof(line));
	assert_null(strstr(line, "io_uring"));
}

static void test_error_and_path(void **state)
{
	struct plain_printer pp = { .start_ns = 1000 };
	struct ipcs_event ev = sys_event(IPCS_SYS_READ, -11);
	char line[512];

	(void)state;
	plain_format(&pp, &ev, line, sizeof(line));
	/* as strace says it */
	assert_non_null(strstr(line, "read    fd 4 pipe:[777] = -1 EAGAIN (Resource temporarily unavailable)"));
	ev.sys.ret = -4000;	/* no such errno */
	plain_format(&pp, &ev, line, sizeof(line));
	assert_non_null(strstr(line, " = -1 E4000 (Unknown error 4000)"));
	ev.sys.ret = -100000;	/* not an errno at all */
	plain_format(&pp, &ev, line, sizeof(line));
	assert_non_null(strstr(line, " = -100000"));
	ev.sys.ret = -11;
	ev = sys_event(IPCS_SYS_OPENAT, 5);
	ev.type = IPCS_REC_SYS_PATH;
	ev.sys.chan.kind = IPCS_KIND_FIFO;
	ev.sys.fd = 5;	/* open*: fd is the returned fd */
	strcpy(ev.sys_path.path, "/tmp/f\x1b]0;x\x07");
	ev.path = ev.sys_path.path;
	plain_format(&pp, &ev, line, sizeof(line));
	assert_non_null(strstr(line, "openat  fd 5 /tmp/f\\x1b]0;x\\x07"));
	for (const char *p = line; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
}

/* Signals, futex ops and waits decoded as strace would (they were numbers, or blank). */
static void test_decoded(void **state)
{
	struct plain_printer pp = { .start_ns = 0 };
	struct ipcs_event ev;
	char line[512];

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_SIGNAL;
	ev.path = "";
	ev.sig.h.type = IPCS_REC_SIGNAL;
	ev.sig.op = IPCS_SIG_GENERATE;
	ev.sig.pid = 5;
	ev.sig.rpid = 6;
	ev.sig.sig = 17;
	ev.sig.result = IPCS_SIGR_IGNORED;
	strcpy(ev.sig.comm, "child");
	strcpy(ev.sig.rcomm, "sh");
	plain_format(&pp, &ev, line, sizeof(line));
	assert_non_null(strstr(line, "5/child signal  SIGCHLD -> 6/sh (ignored)"));
	ev.sig.op = IPCS_SIG_DELIVER;
	ev.sig.sig = 10;
	ev.sig.disp = IPCS_SIGD_HANDLER;
	plain_format(&pp, &ev, line, sizeof(line));
	assert_non_null(strstr(line, "6/sh sigdeliver SIGUSR1 from 5 (handler)"));
	ev.sig.sig = 34;
	plain_format(&pp, &ev, line, sizeof(line));
	assert_non_null(strstr(line, "sigdeliver SIGRT_2 from 5") ? strstr(line, "sigdeliver SIGRT_2") :
			strstr(line, "sigdeliver SIGRTMIN"));

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_FUTEX;
	ev.path = "";
	ev.futex.h.type = IPCS_REC_FUTEX;
	ev.futex.pid = 7;
	ev.futex.sys = IPCS_SYS_FUTEX;
	ev.futex.op = 137 | 256;	/* FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME */
	ev.futex.val = 4294967295u;
	ev.futex.ret = -110;
	ev.futex.uaddr = 0x1000;
	strcpy(ev.futex.comm, "waiter");
	plain_format(&pp, &ev, line, sizeof(line));
	assert_non_null(strstr(line, "futex   FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME val -1 futex:7@0x1000"
				     " = -1 ETIMEDOUT (Connection timed out)"));
	ev.futex.op = 1;
	ev.futex.val = 1;
	ev.futex.ret = 1;
	plain_format(&pp, &ev, line, sizeof(line));
	assert_non_null(strstr(line, "futex   FUTEX_WAKE val 1 futex:7@0x1000 = 1"));
	ev.futex.op = 0x7f;	/* no such command */
	plain_format(&pp, &ev, line, sizeof(line));
	assert_non_null(strstr(line, "0x7f /* FUTEX_??? */"));

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_WAIT;
	ev.path = "";
	ev.wait.h.type = IPCS_REC_WAIT;
	ev.wait.h.ts_ns = 3100000000ull;
	ev.wait.enter_ns = 1000000000ull;
	ev.wait.pid = 400;
	ev.wait.tid = 401;
	ev.wait.sys = IPCS_SYS_READ;
	ev.wait.fd = 3;
	ev.wait.flags = IPCS_WAITF_CYCLE;
	ev.wait.group = 1;
	ev.wait.holder_pid = 500;
	ev.wait.holder_tid = 500;
	strcpy(ev.wait.kind, "pipe");
	strcpy(ev.wait.object, "pipe:[77]\x1b");
	strcpy(ev.wait.evidence, "pipe write end held by");
	strcpy(ev.wait.comm, "mixed_a");
	plain_format(&pp, &ev, line, sizeof(line));
	assert_string_equal(line, "   3.100000     400/mixed_a wait    read fd 3 on pipe pipe:[77]\\x1b for 2.1 s, "
			    "held by 500/500 (pipe write end held by) DEADLOCK 1");
}

static void test_truncates_safely(void **state)
{
	struct plain_printer pp = { .start_ns = 0 };
	struct ipcs_event ev = sys_event(IPCS_SYS_WRITE, 1);
	char line[16];

	(void)state;
	assert_true(plain_format(&pp, &ev, line, sizeof(line)) < sizeof(line));
	assert_int_equal(strlen(line), sizeof(line) - 1);
	assert_int_equal(plain_format(&pp, &ev, line, 0), 0);
}

static void test_drops_line(void **state)
{
	struct plain_printer pp = { .start_ns = 0 };
	struct ipcs_event ev;
	char line[512];

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_DROPS;
	ev.path = "";
	ev.drops.drops[IPCS_DROP_RINGBUF] = 7;
	ev.drops.drops[IPCS_DROP_READ] = 2;
	plain_format(&pp, &ev, line, sizeof(line));
	assert_non_null(strstr(line, "drops   9 events lost so far ringbuf=7 inflight=0 read=2"));
}

/* A cgroup's name (escaped) and a move, named through the model, or by id when not named. */
static void test_cgroup_lines(void **state)
{
	struct plain_printer pp = { .start_ns = 0 };
	struct ipcs_event name, mv;
	struct model *m;
	char line[512];

	(void)state;
	assert_int_equal(model_new(&m), 0);
	memset(&name, 0, sizeof(name));
	name.type = IPCS_REC_CGROUP_NAME;
	name.cgroup_name.h.type = IPCS_REC_CGROUP_NAME;
	name.cgroup_name.cgroup_id = 9;
	strcpy(name.cgroup_name.path, "/a\x1b[2J.scope");
	name.path = name.cgroup_name.path;
	memset(&mv, 0, sizeof(mv));
	mv.type = IPCS_REC_CGROUP;
	mv.path = "";
	mv.cgroup.h.type = IPCS_REC_CGROUP;
	mv.cgroup.pid = mv.cgroup.tid = 42;
	mv.cgroup.cgroup_id = 9;
	strcpy(mv.cgroup.comm, "sh");
	plain_format(&pp, &name, line, sizeof(line));
	assert_non_null(strstr(line, "cgroup  id 9 is /a\\x1b[2J.scope"));
	plain_format(&pp, &mv, line, sizeof(line));
	assert_non_null(strstr(line, "42/sh cgroup  moved to id 9"));
	pp.model = m;
	assert_int_equal(model_apply(m, &name), 0);
	plain_format(&pp, &mv, line, sizeof(line));
	assert_non_null(strstr(line, "42/sh cgroup  moved to /a\\x1b[2J.scope"));
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_line),
		cmocka_unit_test(test_uring_mark),
		cmocka_unit_test(test_error_and_path),
		cmocka_unit_test(test_decoded),
		cmocka_unit_test(test_truncates_safely),
		cmocka_unit_test(test_drops_line),
		cmocka_unit_test(test_cgroup_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
