/* test_metrics.c - the Prometheus text of export/metrics.c: label escaping, counters per
 * class, cumulative histogram buckets with +Inf, _sum and _count, folding past max_series,
 * and every sample line in the format's grammar. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "export/metrics.h"

static char *render(const struct metrics *m, const struct metrics_globals *g)
{
	struct metrics_globals zero = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(metrics_write(m, g ? g : &zero, f), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, line, n) && (p[n] == '\n' || !p[n]))
			return;
	fail_msg("line not found: %s\n--- in ---\n%s", line, text);
}

static void lacks(const char *text, const char *needle)
{
	if (strstr(text, needle))
		fail_msg("unexpected: %s", needle);
}

static struct metrics_class_key key(__u16 kind, const char *src, const char *dst)
{
	struct metrics_class_key k;

	memset(&k, 0, sizeof(k));
	k.kind = kind;
	snprintf(k.src, sizeof(k.src), "%s", src);
	snprintf(k.dst, sizeof(k.dst), "%s", dst);
	return k;
}

static void test_label_escape(void **state)
{
	char out[256];

	(void)state;
	/* backslash and quote escaped for the format; a newline, ESC and a non-UTF-8 byte
	 * as the terminal shows them (\xNN, whose backslash the format escapes again) */
	assert_int_equal(metrics_label_escape("a\"b\\c", out, sizeof(out)), strlen("a\\\"b\\\\\\\\c"));
	assert_string_equal(out, "a\\\"b\\\\\\\\c");
	metrics_label_escape("x\ny\x1b\xff", out, sizeof(out));
	assert_string_equal(out, "x\\\\x0ay\\\\x1b\\\\xff");
	metrics_label_escape("plain-name_1", out, sizeof(out));
	assert_string_equal(out, "plain-name_1");
	/* truncated on a whole escape, always terminated */
	metrics_label_escape("\"\"\"", out, 4);
	assert_string_equal(out, "\\\"");
}

static void test_counters(void **state)
{
	struct metrics *m;
	struct metrics_class_key k1 = key(IPCS_KIND_PIPE, "writer", "reader");
	struct metrics_class_key k2 = key(IPCS_KIND_PIPE, "reader", "writer");
	struct metrics_class_key k3 = key(IPCS_KIND_PIPE, "we\"ird\n", "r");
	char *t;

	(void)state;
	assert_int_equal(metrics_new(&m, 100), 0);
	assert_int_equal(metrics_add(m, &k1, 100, 1), 0);
	assert_int_equal(metrics_add(m, &k1, 50, 1), 0);
	assert_int_equal(metrics_add(m, &k2, 7, 1), 0);
	assert_int_equal(metrics_add(m, &k3, 1, 1), 0);
	assert_int_equal(metrics_classes(m), 3);
	t = render(m, NULL);
	has_line(t, "# TYPE ipcscope_bytes_total counter");
	has_line(t, "ipcscope_bytes_total{kind=\"pipe\",src=\"writer\",dst=\"reader\"} 150");
	has_line(t, "ipcscope_messages_total{kind=\"pipe\",src=\"writer\",dst=\"reader\"} 2");
	has_line(t, "ipcscope_bytes_total{kind=\"pipe\",src=\"reader\",dst=\"writer\"} 7");
	has_line(t, "ipcscope_bytes_total{kind=\"pipe\",src=\"we\\\"ird\\\\x0a\",dst=\"r\"} 1");
	has_line(t, "ipcscope_series 3");
	/* no observation: no histogram series, the family is still declared */
	has_line(t, "# TYPE ipcscope_rpc_latency_seconds histogram");
	lacks(t, "ipcscope_rpc_latency_seconds_bucket");
	lacks(t, "kind=\"other\"");
	free(t);
	metrics_free(m);
}

static void test_histogram(void **state)
{
	struct metrics *m;
	struct metrics_class_key k = key(IPCS_KIND_UNIX_STREAM, "client", "server");
	const char *l = "ipcscope_rpc_latency_seconds";
	char line[256], *t;

	(void)state;
	assert_int_equal(metrics_new(&m, 100), 0);
	assert_int_equal(metrics_observe(m, &k, METRICS_RPC_LATENCY, 5000), 0);	 /* 5 us */
	assert_int_equal(metrics_observe(m, &k, METRICS_RPC_LATENCY, 10000), 0);	 /* on a bound: le */
	assert_int_equal(metrics_observe(m, &k, METRICS_RPC_LATENCY, 30000), 0);	 /* 30 us */
	assert_int_equal(metrics_observe(m, &k, METRICS_RPC_LATENCY, 20000000000ull), 0); /* 20 s */
	assert_int_equal(metrics_observe(m, &k, METRICS_BLOCKED_READER, 2000000), 0);
	assert_int_equal(metrics_observe(m, &k, METRICS_NHIST, 1), -EINVAL);
	t = render(m, NULL);
#define LBL "{kind=\"unix-stream\",src=\"client\",dst=\"server\""
	snprintf(line, sizeof(line), "%s_bucket" LBL ",le=\"1e-05\"} 2", l);
	has_line(t, line);
	snprintf(line, sizeof(line), "%s_bucket" LBL ",le=\"2.5e-05\"} 2", l);
	has_line(t, line);
	snprintf(line, sizeof(line), "%s_bucket" LBL ",le=\"5e-05\"} 3", l);
	has_line(t, line);
	snprintf(line, sizeof(line), "%s_bucket" LBL ",le=\"10\"} 3", l);	/* cumulative */
	has_line(t, line);
	snprintf(line, sizeof(line), "%s_bucket" LBL ",le=\"+Inf\"} 4", l);
	has_line(t, line);
	snprintf(line, sizeof(line), "%s_sum" LBL "} 20.000045000", l);
	has_line(t, line);
	snprintf(line, sizeof(line), "%s_count" LBL "} 4", l);
	has_line(t, line);
	/* blocked time: its own label for the end that blocked; only the reader observed */
	has_line(t, "ipcscope_blocked_seconds_bucket" LBL ",end=\"reader\",le=\"0.001\"} 0");
	has_line(t, "ipcscope_blocked_seconds_bucket" LBL ",end=\"reader\",le=\"0.0025\"} 1");
	has_line(t, "ipcscope_blocked_seconds_count" LBL ",end=\"reader\"} 1");
	lacks(t, "end=\"writer\"");
	/* a histogram without bytes still makes its class: counters at 0 */
	has_line(t, "ipcscope_bytes_total" LBL "} 0");
#undef LBL
	free(t);
	metrics_free(m);
}

static void test_bucket_bounds_ascend(void **state)
{
	(void)state;
	for (int i = 1; i < METRICS_NBUCKETS; i++)
		assert_true(metrics_bucket_ns[i] > metrics_bucket_ns[i - 1]);
}

static void test_folding(void **state)
{
	struct metrics *m;
	struct metrics_class_key a = key(IPCS_KIND_PIPE, "a", "b"), b = key(IPCS_KIND_PIPE, "b", "a");
	struct metrics_class_key c = key(IPCS_KIND_FIFO, "c", "d"), d = key(IPCS_KIND_TCP, "e", "f");
	char *t;

	(void)state;
	assert_int_equal(metrics_new(&m, 3), 0);	/* two classes and "other" */
	assert_int_equal(metrics_add(m, &a, 1, 1), 0);
	assert_int_equal(metrics_add(m, &b, 2, 1), 0);
	assert_int_equal(metrics_add(m, &c, 10, 1), 0);
	assert_int_equal(metrics_add(m, &d, 20, 2), 0);
	assert_int_equal(metrics_add(m, &c, 5, 1), 0);	/* folded again: counted once */
	assert_int_equal(metrics_observe(m, &d, METRICS_RPC_LATENCY, 1000), 0);
	assert_int_equal(metrics_add(m, &a, 1, 0), 0);	/* kept classes stay kept */
	assert_int_equal(metrics_classes(m), 3);
	assert_int_equal(metrics_folded(m), 2);
	t = render(m, NULL);
	has_line(t, "ipcscope_bytes_total{kind=\"pipe\",src=\"a\",dst=\"b\"} 2");
	has_line(t, "ipcscope_bytes_total{kind=\"other\",src=\"other\",dst=\"other\"} 35");
	has_line(t, "ipcscope_messages_total{kind=\"other\",src=\"other\",dst=\"other\"} 4");
	has_line(t, "ipcscope_rpc_latency_seconds_count{kind=\"other\",src=\"other\",dst=\"other\"} 1");
	has_line(t, "ipcscope_series_folded_total 2");
	has_line(t, "ipcscope_series 3");
	lacks(t, "kind=\"fifo\"");
	lacks(t, "kind=\"tcp\"");
	free(t);
	metrics_free(m);
}

static void test_globals(void **state)
{
	struct metrics *m;
	struct metrics_globals g = { .events = 1234, .deadlocks = 2, .stalls_now = 3,
				     .cpu_seconds = 1.5, .rss_bytes = 4096, .start_time = 100 };
	char *t;

	(void)state;
	g.drops[IPCS_DROP_RINGBUF] = 7;
	g.drops[IPCS_DROP_TRACED] = 1;
	assert_int_equal(metrics_new(&m, 10), 0);
	t = render(m, &g);
	has_line(t, "ipcscope_events_total 1234");
	has_line(t, "ipcscope_drops_total{reason=\"ringbuf\"} 7");
	has_line(t, "ipcscope_drops_total{reason=\"inflight\"} 0");
	has_line(t, "ipcscope_drops_total{reason=\"read\"} 0");
	has_line(t, "ipcscope_drops_total{reason=\"traced\"} 1");
	has_line(t, "ipcscope_deadlocks_total 2");
	has_line(t, "# TYPE ipcscope_stalls gauge");
	has_line(t, "ipcscope_stalls 3");
	has_line(t, "process_cpu_seconds_total 1.500");
	has_line(t, "process_resident_memory_bytes 4096");
	free(t);
	metrics_free(m);
}

/* Every line: a comment (# HELP / # TYPE) or name{labels} value, with label values
 * holding only escaped quotes and backslashes (the text format's grammar). */
static void test_grammar(void **state)
{
	struct metrics *m;
	struct metrics_class_key k = key(IPCS_KIND_UNIX_DGRAM, "\\\"\n\t\x7f\xc3\xa9", "ok");
	struct metrics_globals g = { .events = 1 };
	regex_t re;
	char *t, *line, *save = NULL;
	int lines = 0;

	(void)state;
	assert_int_equal(regcomp(&re,
		"^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+|"
		"[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\[\\\\\"n])*\""
		"(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\[\\\\\"n])*\")*\\})? [0-9.e+-]+)$",
		REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(metrics_new(&m, 10), 0);
	assert_int_equal(metrics_add(m, &k, 3, 1), 0);
	assert_int_equal(metrics_observe(m, &k, METRICS_BLOCKED_WRITER, 123456789), 0);
	t = render(m, &g);
	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save), lines++) {
		for (const unsigned char *p = (const unsigned char *)line; *p; p++)
			if (*p < 0x20 || *p >= 0x7f)
				fail_msg("byte 0x%02x outside printable ASCII in: %s", *p, line);
		if (regexec(&re, line, 0, NULL, 0))
			fail_msg("not in the text format's grammar: %s", line);
	}
	assert_true(lines > 40);
	regfree(&re);
	free(t);
	metrics_free(m);
}

static void test_container_id(void **state)
{
	static const char id[] = "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b";
	static const struct { const char *fmt; const char *want; } cases[] = {
		{ "/system.slice/docker-%s.scope", "4f3c2b1a0e9d" },
		{ "/docker/%s", "4f3c2b1a0e9d" },
		{ "/machine.slice/libpod-%s.scope/container", "4f3c2b1a0e9d" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b3c4d_5e6f.slice/"
		  "cri-containerd-%s.scope", "4f3c2b1a0e9d" },
		{ "/kubepods/besteffort/pod0f1e2d3c-aaaa-bbbb-cccc-ddddeeeeffff/%s", "4f3c2b1a0e9d" },
		{ "/system.slice/crio-%s.scope", "4f3c2b1a0e9d" },
		{ "/machine.slice/libpod-conmon-%s.scope", "" },	/* the monitor, not the container */
		{ "/system.slice/nginx.service%s", "" },
		{ "/user.slice/user-1000.slice/session-2.scope%s", "" },
		{ "/deadbeef%s", "" },				/* hex, too short for an id */
		{ "%s", "" },					/* the root: "" */
	};
	char path[512], out[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *arg = strstr(cases[i].fmt, "/%s") || strstr(cases[i].fmt, "-%s") ? id : "";

		snprintf(path, sizeof(path), cases[i].fmt, arg);
		assert_int_equal(metrics_container_id(path, out, sizeof(out)), cases[i].want[0] != 0);
		assert_string_equal(out, cases[i].want);
	}
	/* an id that is not lowercase hex is no id */
	assert_false(metrics_container_id("/docker/4F3C2B1A0E9D8C7B6A5F4E3D2C1B0A9F8E7D6C5B", out, sizeof(out)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_escape),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_bucket_bounds_ascend),
		cmocka_unit_test(test_folding),
		cmocka_unit_test(test_globals),
		cmocka_unit_test(test_grammar),
		cmocka_unit_test(test_container_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
