/* test_export.c - the jsonl, perfetto and dot writers on crafted events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "export/export.h"

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
	assert_int_equal(count(out, "\n"), 2);
	assert_non_null(strstr(out, "{\"type\":\"sys\",\"ts_ns\":3000,\"rel_ns\":2000,\"pid\":10,"));
	/* foreign bytes stay JSON-safe: ESC and invalid UTF-8 as \u00NN, quotes escaped */
	assert_non_null(strstr(out, "\"comm\":\"w\\u001b[2J\\\"q\""));
	assert_non_null(strstr(out, "\"comm\":\"r\\u00ff\""));
	assert_non_null(strstr(out, "\"sys\":\"read\""));
	for (const char *p = out; *p; p++)
		assert_true(*p == '\n' || ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonl_line_per_event),
		cmocka_unit_test(test_perfetto_slices_and_flow),
		cmocka_unit_test(test_dot_needs_model),
		cmocka_unit_test(test_dot_graph),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
