/* test_evfilter.c - --kind lists and --since/--until windows on events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "evfilter.h"

static struct ipcs_event ev_of(__u16 type, __u16 kind, __u64 ts)
{
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.h.type = type;
	ev.h.ts_ns = ts;
	if (type == IPCS_REC_SYS || type == IPCS_REC_SOCK)
		ev.sys.chan.kind = kind;
	if (type == IPCS_REC_PAYLOAD)
		ev.payload.chan.kind = kind;
	return ev;
}

static void test_parse_kinds(void **state)
{
	const char *bad = NULL;
	__u32 k;

	(void)state;
	assert_int_equal(evfilter_parse_kinds("pipe,tcp", &k, &bad), 0);
	assert_int_equal(k, (1u << IPCS_KIND_PIPE) | (1u << IPCS_KIND_TCP));
	assert_int_equal(evfilter_parse_kinds("unix", &k, &bad), 0);
	assert_int_equal(k, (1u << IPCS_KIND_UNIX_STREAM) | (1u << IPCS_KIND_UNIX_DGRAM) |
			    (1u << IPCS_KIND_UNIX_SEQPACKET));
	assert_int_equal(evfilter_parse_kinds("pipe,tcpx", &k, &bad), -EINVAL);
	assert_string_equal(bad, "tcpx");
	assert_int_equal(evfilter_parse_kinds("", &k, &bad), -EINVAL);
	assert_int_equal(evfilter_parse_kinds("pipe,", &k, &bad), -EINVAL);
	assert_int_equal(evfilter_parse_kinds("none", &k, &bad), -EINVAL);
	/* "-KIND" leaves one out: of every kind when only exclusions are given */
	assert_int_equal(evfilter_parse_kinds("-signal", &k, &bad), 0);
	assert_false(k & (1u << IPCS_KIND_SIGNAL));
	assert_false(k & (1u << IPCS_KIND_NONE));
	for (unsigned i = IPCS_KIND_PIPE; i < IPCS_KIND_MAX; i++)
		if (i != IPCS_KIND_SIGNAL)
			assert_true(k & (1u << i));
	assert_int_equal(evfilter_parse_kinds("unix,-unix-dgram", &k, &bad), 0);
	assert_int_equal(k, (1u << IPCS_KIND_UNIX_STREAM) | (1u << IPCS_KIND_UNIX_SEQPACKET));
	assert_int_equal(evfilter_parse_kinds("-signal,-futex", &k, &bad), 0);
	assert_false(k & ((1u << IPCS_KIND_SIGNAL) | (1u << IPCS_KIND_FUTEX)));
	assert_true(k & (1u << IPCS_KIND_PIPE));
	assert_int_equal(evfilter_parse_kinds("-bogus", &k, &bad), -EINVAL);
	assert_string_equal(bad, "-bogus");
	assert_int_equal(evfilter_parse_kinds("pipe,-pipe", &k, &bad), -EINVAL);	/* nothing left */
}

static void test_match(void **state)
{
	struct ev_filter f;
	struct ipcs_event e;
	__u32 kinds;
	const char *bad;

	(void)state;
	assert_false(evfilter_setup(&f, 1000, -1, -1, 0));
	assert_int_equal(evfilter_parse_kinds("tcp", &kinds, &bad), 0);
	/* window [1000 + 1 s, 1000 + 2 s], tcp only */
	assert_true(evfilter_setup(&f, 1000, 1.0, 2.0, kinds));
	e = ev_of(IPCS_REC_SOCK, IPCS_KIND_TCP, 1000 + 1000000000ull);
	assert_true(evfilter_match(&f, &e));		/* bounds included */
	e.h.ts_ns = 1000 + 2000000000ull;
	assert_true(evfilter_match(&f, &e));
	e.h.ts_ns = 1000 + 2000000001ull;
	assert_false(evfilter_match(&f, &e));
	e = ev_of(IPCS_REC_SYS, IPCS_KIND_PIPE, 1000 + 1500000000ull);
	assert_false(evfilter_match(&f, &e));		/* wrong kind */
	e = ev_of(IPCS_REC_SYS, IPCS_KIND_NONE, 1000 + 1500000000ull);
	assert_true(evfilter_match(&f, &e));		/* fd bookkeeping */
	e = ev_of(IPCS_REC_PAYLOAD, IPCS_KIND_TCP, 1000 + 1500000000ull);
	assert_true(evfilter_match(&f, &e));
	e = ev_of(IPCS_REC_SIGNAL, 0, 1000 + 1500000000ull);
	assert_false(evfilter_match(&f, &e));		/* kind signal */
	e = ev_of(IPCS_REC_PROC, 0, 5);
	assert_true(evfilter_match(&f, &e));		/* state passes, any time */
	e = ev_of(IPCS_REC_DROPS, 0, 5);
	assert_true(evfilter_match(&f, &e));
}

/* -p/-c on a recording: the processes' events, children from their fork on,
 * signals by either end; process records pass. */
static void test_procs(void **state)
{
	struct ev_filter f;
	struct ev_procs pr;
	struct ipcs_event e;
	pid_t pids[] = { 100 };

	(void)state;
	evfilter_setup(&f, 0, -1, -1, 0);
	assert_int_equal(evfilter_procs_init(&pr, pids, 1, (const char *const[]){ "logger" }, 1), 0);
	f.procs = &pr;
	e = ev_of(IPCS_REC_SYS, IPCS_KIND_PIPE, 10);
	e.sys.pid = 100;
	assert_true(evfilter_match(&f, &e));
	e.sys.pid = 200;	/* not yet a child */
	assert_false(evfilter_match(&f, &e));
	strcpy(e.sys.comm, "logger");	/* -c */
	assert_true(evfilter_match(&f, &e));
	e.sys.comm[0] = '\0';
	memset(&e, 0, sizeof(e));
	e.type = IPCS_REC_PROC;
	e.proc.op = IPCS_PROC_FORK;
	e.proc.ppid = 100;
	e.proc.pid = 200;
	assert_true(evfilter_match(&f, &e));	/* state: always */
	e = ev_of(IPCS_REC_SYS, IPCS_KIND_PIPE, 11);
	e.sys.pid = 200;	/* a child now */
	assert_true(evfilter_match(&f, &e));
	memset(&e, 0, sizeof(e));
	e.type = IPCS_REC_SEED_PROC;	/* ran before recording began, a grandchild */
	e.seed_proc.ppid = 200;
	e.seed_proc.pid = 300;
	assert_true(evfilter_match(&f, &e));
	e = ev_of(IPCS_REC_FUTEX, 0, 12);
	e.futex.pid = 300;
	assert_true(evfilter_match(&f, &e));
	e.futex.pid = 400;
	assert_false(evfilter_match(&f, &e));
	e = ev_of(IPCS_REC_SIGNAL, 0, 13);
	e.sig.pid = 999;
	e.sig.rpid = 200;	/* received by a kept one */
	assert_true(evfilter_match(&f, &e));
	e.sig.rpid = 998;
	assert_false(evfilter_match(&f, &e));
	evfilter_procs_fini(&pr);
	/* fd passes belong to unix sockets: --kind pipe leaves them out */
	evfilter_setup(&f, 0, -1, -1, 1u << IPCS_KIND_PIPE);
	e = ev_of(IPCS_REC_FDPASS, 0, 14);
	assert_false(evfilter_match(&f, &e));
	evfilter_setup(&f, 0, -1, -1, 1u << IPCS_KIND_UNIX_DGRAM);
	assert_true(evfilter_match(&f, &e));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_kinds),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_procs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
