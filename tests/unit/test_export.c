/* test_export.c - the jsonl, perfetto and dot writers on crafted events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "export/exporter.h"
#include "model/model_waits.h"

static struct ipcs_event pipe_ev(__u32 pid, __u16 sys, __s64 ret, __u64 ts, const char *comm)
{
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_SYS;
	ev.path = "";
	ev.sys.h.type = IPCS_REC_SYS;
	ev.sys.h.ts_ns = ts;
	ev.sys.blocked_ns = 500;
	ev.sys.pid = pid;
	ev.sys.tid = pid;
	ev.sys.sys = sys;
	ev.sys.ret = ret;
	ev.sys.arg = ret > 0 ? (__u64)ret : 0;	/* count asked: the model rejects more than asked */
	ev.sys.fd = 3;
	ev.sys.chan.kind = IPCS_KIND_PIPE;
	ev.sys.chan.ino = 77;
	snprintf(ev.sys.comm, sizeof(ev.sys.comm), "%s", comm);
	return ev;
}

/* Run events through an exporter into a string (caller frees). */
static char *run(int (*open_fn)(FILE *, const struct export_info *, struct exporter *),
		 const struct export_info *info, const struct ipcs_event *evs, size_t n)
{
	struct exporter ex;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(open_fn(f, info, &ex), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ex.sink.on_event(ex.sink.ctx, &evs[i], NULL, 0), 0);
	assert_int_equal(ex.finish(ex.sink.ctx), 0);
	ex.destroy(ex.sink.ctx);
	fclose(f);
	return buf;
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* 10 writes 5 bytes at 3000, 11 reads them at 4000, into a string. */
static char *run_pair(int (*open_fn)(FILE *, const struct export_info *, struct exporter *),
		      const char *wcomm, const char *rcomm)
{
	struct export_info info = { .start_ns = 1000 };
	struct ipcs_event ev[2] = {
		pipe_ev(10, IPCS_SYS_WRITE, 5, 3000, wcomm),
		pipe_ev(11, IPCS_SYS_READ, 5, 4000, rcomm),
	};

	return run(open_fn, &info, ev, 2);
}

static void test_jsonl_line_per_event(void **state)
{
	char *out;

	(void)state;
	out = run_pair(export_jsonl_open, "w\x1b[2J\"q", "r\xff");
	assert_int_equal(count(out, "\n"), 3);	/* a header, then one line per event */
	assert_non_null(strstr(out, "{\"type\":\"header\",\"format\":\"ipcscope-jsonl\",\"version\":2,"));
	assert_ptr_equal(strstr(out, "{\"type\":\"header\""), out);
	/* identifiers as strings (jq keeps 53 bits of a number), figures as numbers */
	assert_non_null(strstr(out, "\"dev\":\"0\",\"ino\":\"77\",\"fmode\":0,\"mode\":\"-\""));
	assert_non_null(strstr(out, "\"ret\":5,"));
	assert_non_null(strstr(out, "{\"type\":\"sys\",\"ts_ns\":3000,\"rel_ns\":2000,\"pid\":10,"));
	/* foreign bytes stay JSON-safe: ESC and invalid UTF-8 as \u00NN, quotes escaped */
	assert_non_null(strstr(out, "\"comm\":\"w\\u001b[2J\\\"q\""));
	assert_non_null(strstr(out, "\"comm\":\"r\\u00ff\""));
	assert_non_null(strstr(out, "\"sys\":\"read\""));
	for (const char *p = out; *p; p++)
		assert_true(*p == '\n' || ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f));
	free(out);
}

static char *run_one(const struct ipcs_event *ev)
{
	struct export_info info = { .start_ns = 1000 };

	return run(export_jsonl_open, &info, ev, 1);
}

/* Every record type has its object (wait and fdpass were "?"), names decoded,
 * 64-bit ids whole as strings. */
static void test_jsonl_types_and_ids(void **state)
{
	struct ipcs_event ev;
	char *out;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_WAIT;
	ev.path = "";
	ev.wait.h.type = IPCS_REC_WAIT;
	ev.wait.h.ts_ns = 5000;
	ev.wait.pid = 400;
	ev.wait.tid = 401;
	ev.wait.sys = IPCS_SYS_READ;
	ev.wait.fd = 3;
	ev.wait.flags = IPCS_WAITF_CYCLE;
	ev.wait.group = 1;
	ev.wait.holder_pid = 500;
	ev.wait.holder_tid = 500;
	ev.wait.chan.ino = 18446612682070036484ull;	/* past 2^53 */
	ev.wait.chan.kind = IPCS_KIND_PIPE;
	strcpy(ev.wait.kind, "pipe");
	strcpy(ev.wait.object, "pipe:[77]");
	strcpy(ev.wait.comm, "mixed_a");
	out = run_one(&ev);
	assert_null(strstr(out, "\"type\":\"?\""));
	assert_non_null(strstr(out, "\"type\":\"wait\""));
	assert_non_null(strstr(out, "\"wait_kind\":\"pipe\",\"object\":\"pipe:[77]\",\"holder_pid\":500"));
	assert_non_null(strstr(out, "\"cycle\":true,\"stall\":false,\"group\":1"));
	assert_non_null(strstr(out, "\"ino\":\"18446612682070036484\""));
	free(out);

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_FDPASS;
	ev.path = "";
	ev.fdpass.h.type = IPCS_REC_FDPASS;
	ev.fdpass.h.ts_ns = 5000;
	ev.fdpass.pid = 10;
	ev.fdpass.sys = IPCS_SYS_SENDMSG;
	ev.fdpass.flags = IPCS_FDPF_RIGHTS | IPCS_FDPF_CREDS;
	ev.fdpass.sock = 0xffff888000001000ull;
	ev.fdpass.nfds = 1;
	ev.fdpass.cred_uid = 1000;
	ev.fdpass.fds[0].fd = 5;
	ev.fdpass.fds[0].what = IPCS_FDW_MEMFD;
	ev.fdpass.fds[0].ino = 4711;
	strcpy(ev.fdpass.fds[0].name, "memfd:x");
	out = run_one(&ev);
	assert_non_null(strstr(out, "\"type\":\"fdpass\""));
	assert_non_null(strstr(out, "\"sock\":\"18446612682070036480\""));
	assert_non_null(strstr(out, "\"fds\":[{\"fd\":5,\"what\":\"memfd\""));
	assert_non_null(strstr(out, "\"name\":\"memfd:x\"}],\"creds\":{\"pid\":0,\"uid\":1000,\"gid\":0}"));
	free(out);

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_SIGNAL;
	ev.path = "";
	ev.sig.h.type = IPCS_REC_SIGNAL;
	ev.sig.op = IPCS_SIG_GENERATE;
	ev.sig.sig = 17;
	ev.sig.result = IPCS_SIGR_IGNORED;
	out = run_one(&ev);
	assert_non_null(strstr(out, "\"sig\":17,\"sig_name\":\"SIGCHLD\",\"result\":1,\"result_name\":\"ignored\""));
	free(out);

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_FUTEX;
	ev.path = "";
	ev.futex.h.type = IPCS_REC_FUTEX;
	ev.futex.sys = IPCS_SYS_FUTEX;
	ev.futex.op = 137;	/* FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG */
	ev.futex.ret = -110;
	ev.futex.uaddr = 0x7f0000001000ull;
	ev.futex.key_off = 0x7f0000001000ull;
	out = run_one(&ev);
	assert_non_null(strstr(out, "\"op\":137,\"op_name\":\"FUTEX_WAIT_BITSET_PRIVATE\",\"ret\":-110,\"errno\":\"ETIMEDOUT\""));
	assert_non_null(strstr(out, "\"uaddr\":\"139637976731648\""));
	assert_non_null(strstr(out, "\"key_off\":\"139637976731648\""));
	free(out);
}

/* io_uring records say so ("via"); syscall records carry no such key. */
static void test_jsonl_via_uring(void **state)
{
	struct export_info info = { .start_ns = 1000 };
	struct ipcs_event ev[2] = {
		pipe_ev(10, IPCS_SYS_WRITE, 5, 3000, "ring"),
		pipe_ev(11, IPCS_SYS_READ, 5, 4000, "plain"),
	};
	char *out;

	(void)state;
	ev[0].sys.flags = IPCS_SYSF_URING;
	ev[0].sys.tid = 12;
	out = run(export_jsonl_open, &info, ev, 2);
	assert_int_equal(count(out, "\"via\":\"io_uring\""), 1);
	assert_non_null(strstr(out, "\"tid\":12,\"comm\":\"ring\",\"sys\":\"write\""));
	assert_non_null(strstr(out, "\"flags\":4,\"blocked_ns\":500,\"via\":\"io_uring\",\"kind\":\"pipe\""));
	assert_int_equal(count(out, "\"via\""), 1);
	free(out);
}

static void test_perfetto_slices_and_flow(void **state)
{
	char *out;

	(void)state;
	out = run_pair(export_perfetto_open, "w", "r");
	assert_true(!strncmp(out, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", 40));
	/* slice of the write: ends at 2.000 us, blocked 500 ns */
	assert_non_null(strstr(out, "{\"ph\":\"X\",\"name\":\"write\",\"cat\":\"pipe\",\"pid\":10,\"tid\":10,"
				    "\"ts\":1.500,\"dur\":0.500,"));
	assert_non_null(strstr(out, "\"ph\":\"s\",\"name\":\"bytes\",\"cat\":\"flow\",\"pid\":10,\"tid\":10,\"ts\":1.750,\"id\":1,"));
	assert_non_null(strstr(out, "\"ph\":\"f\",\"name\":\"bytes\",\"cat\":\"flow\",\"pid\":11,\"tid\":11,\"ts\":2.750,\"id\":1,\"bp\":\"e\""));
	assert_int_equal(count(out, "\"process_name\""), 2);
	assert_int_equal(count(out, "\"thread_name\""), 2);
	assert_non_null(strstr(out, "\"flows\":1,\"unpaired_write_bytes\":0,\"unpaired_read_bytes\":0}}\n"));
	free(out);
}

/* dot with no model: an error, not a crash. */
static void test_dot_needs_model(void **state)
{
	struct export_info info = { 0 };
	struct exporter ex;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(export_dot_open(f, &info, &ex), 0);
	assert_int_equal(ex.finish(ex.sink.ctx), -EINVAL);
	ex.destroy(ex.sink.ctx);
	fclose(f);
	free(buf);
}

/* dot from a model: names escaped for DOT, an edge with the bytes. */
static void test_dot_graph(void **state)
{
	struct export_info info = { .start_ns = 0 };
	struct ipcs_event ev[2] = {
		pipe_ev(10, IPCS_SYS_WRITE, 5, 3000, "a\"b\\c"),
		pipe_ev(11, IPCS_SYS_READ, 5, 4000, "r"),
	};
	struct model *m;
	char *out;

	(void)state;
	assert_int_equal(model_new(&m), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(model_apply(m, &ev[i]), 0);
	model_flush(m);
	info.model = m;
	out = run(export_dot_open, &info, NULL, 0);
	assert_true(!strncmp(out, "digraph ipcscope {", 18));
	assert_non_null(strstr(out, "[label=\"a\\\"b\\\\\\\\c\\n10\", pid=10, comm=\"a\\\"b\\\\\\\\c\"]"));
	assert_non_null(strstr(out, " [kind=\"pipe\", bytes=5, msgs=1,"));
	assert_int_equal(count(out, " -> "), 1);
	free(out);
	model_free(m);
}

static struct ipcs_event wait_ev(__u32 tid, __u64 ts, __u16 flags, __u32 group, __u32 holder,
			       const char *kind, const char *object, const char *evidence,
			       const char *comm)
{
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_WAIT;
	ev.path = "";
	ev.wait.h.type = IPCS_REC_WAIT;
	ev.wait.h.size = sizeof(ev.wait);
	ev.wait.h.ts_ns = ts;
	ev.wait.pid = tid;
	ev.wait.tid = tid;
	ev.wait.enter_ns = 100 * tid;
	ev.wait.sys = IPCS_SYS_READ;
	ev.wait.flags = flags;
	ev.wait.group = group;
	ev.wait.holder_pid = holder;
	ev.wait.holder_tid = holder;
	snprintf(ev.wait.kind, sizeof(ev.wait.kind), "%s", kind);
	snprintf(ev.wait.object, sizeof(ev.wait.object), "%s", object);
	snprintf(ev.wait.evidence, sizeof(ev.wait.evidence), "%s", evidence);
	snprintf(ev.wait.comm, sizeof(ev.wait.comm), "%s", comm);
	return ev;
}

/* The wait-for graph: a second digraph, after the conversation graph. 20 and
 * 21 wait on each other (cycle 1; 20 was first seen with no holder yet, then
 * again in the cycle: the model keeps one wait, so one edge); 30 stalls behind 31, which never waited and
 * whose process is unknown; 40 waits with no holder known. */
static void test_dot_wait_for_graph(void **state)
{
	struct export_info info = { .start_ns = 0 };
	struct ipcs_event ev[] = {
		wait_ev(20, 5000, 0, 0, 0, "mutex", "0x10", "", "a\"b"),
		wait_ev(21, 5001, IPCS_WAITF_CYCLE, 1, 20, "pipe", "pipe:[7]",
			"pipe write end held by", "b"),
		wait_ev(20, 5002, IPCS_WAITF_CYCLE, 1, 21, "mutex", "0x10",
			"lock word owner", "a\"b"),
		wait_ev(30, 5003, IPCS_WAITF_STALL, 0, 31, "fifo", "/tmp/f\x1b", "reader", "c"),
		wait_ev(40, 5004, 0, 0, 0, "futex", "0x20", "", "d"),
	};
	const char *want =
		"digraph waits {\n"
		"  graph [rankdir=LR, label=\"wait-for graph\"];\n"
		"  node [shape=box, style=rounded];\n"
		"  \"t20\" [label=\"a\\\"b\\n20/20\", pid=20, tid=20, comm=\"a\\\"b\"];\n"
		"  \"t21\" [label=\"b\\n21/21\", pid=21, tid=21, comm=\"b\"];\n"
		"  \"t30\" [label=\"c\\n30/30\", pid=30, tid=30, comm=\"c\"];\n"
		"  \"t31\" [label=\"31/31\", pid=31, tid=31, comm=\"\"];\n"
		"  \"t40\" [label=\"d\\n40/40\", pid=40, tid=40, comm=\"d\"];\n"
		"  \"unknown\" [label=\"(holder unknown)\", style=dashed];\n"
		"  \"t20\" -> \"t21\" [kind=\"mutex\", object=\"0x10\", evidence=\"lock word owner\", "
		"waits=1, cycle=1, label=\"mutex 0x10\\nlock word owner\\ncycle 1\", "
		"color=red, fontcolor=red, penwidth=3];\n"
		"  \"t21\" -> \"t20\" [kind=\"pipe\", object=\"pipe:[7]\", evidence=\"pipe write end held by\", "
		"waits=1, cycle=1, label=\"pipe pipe:[7]\\npipe write end held by\\ncycle 1\", "
		"color=red, fontcolor=red, penwidth=3];\n"
		"  \"t30\" -> \"t31\" [kind=\"fifo\", object=\"/tmp/f\\\\x1b\", evidence=\"reader\", waits=1, "
		"cycle=0, label=\"fifo /tmp/f\\\\x1b\\nreader\\nstall\", color=orange, penwidth=2];\n"
		"  \"t40\" -> \"unknown\" [kind=\"futex\", object=\"0x20\", evidence=\"\", waits=1, cycle=0, "
		"label=\"futex 0x20\", style=dashed];\n"
		"}\n";
	struct model *m;
	char *out, *waits;

	(void)state;
	assert_int_equal(model_new(&m), 0);
	for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		assert_int_equal(model_apply(m, &ev[i]), 0);
	model_flush(m);
	assert_int_equal(model_wait_count(m), 4);
	info.model = m;
	out = run(export_dot_open, &info, NULL, 0);
	assert_true(!strncmp(out, "digraph ipcscope {", 18));
	waits = strstr(out, "}\ndigraph waits {");
	assert_non_null(waits);
	assert_string_equal(waits + 2, want);
	assert_int_equal(count(out, "digraph "), 2);
	free(out);
	model_free(m);
}

/* No waits, no second graph. */
static void test_dot_no_waits_no_graph(void **state)
{
	struct export_info info = { .start_ns = 0 };
	struct model *m;
	char *out;

	(void)state;
	assert_int_equal(model_new(&m), 0);
	model_flush(m);
	info.model = m;
	out = run(export_dot_open, &info, NULL, 0);
	assert_int_equal(count(out, "digraph "), 1);
	assert_null(strstr(out, "waits"));
	free(out);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonl_line_per_event),
		cmocka_unit_test(test_jsonl_types_and_ids),
		cmocka_unit_test(test_jsonl_via_uring),
		cmocka_unit_test(test_perfetto_slices_and_flow),
		cmocka_unit_test(test_dot_needs_model),
		cmocka_unit_test(test_dot_graph),
		cmocka_unit_test(test_dot_wait_for_graph),
		cmocka_unit_test(test_dot_no_waits_no_graph),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
