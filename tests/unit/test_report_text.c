/*
 * test_report_text.c - `report` text laid out to 80, 120 and 200 columns
 * (golden files tests/unit/golden/report_*.txt; IPCS_UPDATE_GOLDEN=1 rewrites
 * them), long TCP and FIFO names, hostile names, SIGCHLD folded into one row
 * per receiver unless --all, the cgroup section narrowed with the filter, and
 * report --json's ids as strings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include "model_testlib.h"
#include "sock_testlib.h"
#include "commands/commands.h"
#include "commands/report.h"
#include "record/recfile.h"

/* ---- golden files (as test_viewer.c) ---- */

static void golden_path(const char *name, char *buf, size_t n)
{
	const char *dir = getenv("IPCS_GOLDEN_DIR");
	const char *file = __FILE__, *slash = strrchr(file, '/');

	if (dir)
		snprintf(buf, n, "%s/%s.txt", dir, name);
	else
		snprintf(buf, n, "%.*sgolden/%s.txt", slash ? (int)(slash - file + 1) : 0, file, name);
}

static char *read_all(FILE *f)
{
	char *buf;
	long len;

	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	return buf;
}

static void check_golden(const char *name, const char *got)
{
	char path[512];
	char *want;
	FILE *f;

	golden_path(name, path, sizeof(path));
	if (getenv("IPCS_UPDATE_GOLDEN")) {
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(got, f);
		fclose(f);
		return;
	}
	f = fopen(path, "r");
	if (!f)
		fail_msg("golden file %s missing (IPCS_UPDATE_GOLDEN=1 writes it)", path);
	want = read_all(f);
	fclose(f);
	assert_non_null(want);
	if (strcmp(want, got)) {
		fprintf(stderr, "--- expected %s\n%s--- got\n%s---\n", path, want, got);
		free(want);
		fail_msg("report differs from %s", path);
	}
	free(want);
}

/* Every line at most width cells, printable ASCII only. */
static void assert_fits(const char *out, int width)
{
	int col = 0;

	for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
		if (*p == '\n') {
			col = 0;
			continue;
		}
		if (*p < 0x20 || *p > 0x7e)
			fail_msg("byte 0x%02x at offset %td", *p, (const char *)p - out);
		if (++col > width)
			fail_msg("line longer than %d: ...%.40s", width, (const char *)p - col + 1);
	}
}

/* ---- the report as text, captured from stdout ---- */

static struct ipcs_file_header fh = {
	.major = IPCS_ABI_MAJOR, .minor = IPCS_ABI_MINOR, .host = "testhost",
	.start_real_ns = 1780000000123456789ull,	/* 2026-05-28T20:26:40.123Z */
};
static struct recfile_status st = { .clean_end = true };

static char *report_as(struct model *m, bool json, struct report_opts *ro)
{
	FILE *tmp = tmpfile();
	int saved;
	char *out;

	assert_non_null(tmp);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDOUT_FILENO) >= 0);
	assert_int_equal(report_model_ro("t.ipcs", &fh, &st, m, json, ro), 0);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	out = read_all(tmp);
	fclose(tmp);
	assert_non_null(out);
	return out;
}

static char *report_text_w(struct model *m, int width, bool all)
{
	struct report_opts ro = { .width = width, .all = all, .since_s = -1, .until_s = -1 };

	return report_as(m, false, &ro);
}

/* ---- models ---- */

static void exec_as(struct model *m, __u32 pid, __u32 ppid, __u64 start, const char *comm)
{
	do_proc(m, IPCS_PROC_EXEC, pid, ppid, start, comm, 0);
}


static void sigchld(struct model *m, __u32 from, __u32 to)
{
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_SIGNAL;
	ev.path = "";
	ev.sig.h.type = IPCS_REC_SIGNAL;
	ev.sig.h.size = sizeof(ev.sig);
	ev.sig.h.ts_ns = now++;
	ev.sig.op = IPCS_SIG_GENERATE;
	ev.sig.pid = from;
	ev.sig.tid = from;
	ev.sig.rpid = to;
	ev.sig.rtid = to;
	ev.sig.sig = SIGCHLD;
	ev.sig.result = IPCS_SIGR_DELIVERED;
	snprintf(ev.sig.comm, sizeof(ev.sig.comm), "job%u", from);
	snprintf(ev.sig.rcomm, sizeof(ev.sig.rcomm), "%s", to == 100 ? "build.sh" : "make");
	apply(m, &ev);
}

#define KSOCK 0xffff888000001000ull

/* A little of everything the table must lay out. */
static void build_mixed(struct model *m)
{
	char path[300];

	now = 1000000000ull;
	exec_as(m, 100, 1, 500, "build.sh");
	exec_as(m, 4000000, 1, 501, "demo-rpc-client");
	exec_as(m, 4000001, 1, 502, "demo-rpc-server");
	do_pipe(m, 100, 3, 4, 77, false);
	do_fork(m, 100, 200, 600);
	exec_as(m, 200, 100, 600, "sort");
	do_rw_b(m, 100, IPCS_SYS_WRITE, 4, IPCS_KIND_PIPE, 77, 588895, 0);
	do_rw_b(m, 200, IPCS_SYS_READ, 3, IPCS_KIND_PIPE, 77, 588895, 1253900000ull);
	/* TCP between two long addresses, both directions */
	tcp_io(m, 4000000, IPCS_SYS_WRITE, KSOCK + 1, 44437, 46200, true, 3107);
	tcp_io(m, 4000001, IPCS_SYS_READ, KSOCK + 2, 46200, 44437, false, 3107);
	tcp_io(m, 4000001, IPCS_SYS_WRITE, KSOCK + 2, 46200, 44437, false, 12);
	tcp_io(m, 4000000, IPCS_SYS_READ, KSOCK + 1, 44437, 46200, true, 12);
	/* unix stream and dgram socketpairs: their kinds must read apart */
	unix_io(m, 4000000, IPCS_SYS_WRITE, IPCS_KIND_UNIX_STREAM, KSOCK + 3, KSOCK + 4, 100);
	unix_io(m, 4000001, IPCS_SYS_READ, IPCS_KIND_UNIX_STREAM, KSOCK + 4, KSOCK + 3, 100);
	unix_io(m, 4000000, IPCS_SYS_WRITE, IPCS_KIND_UNIX_DGRAM, KSOCK + 5, KSOCK + 6, 64);
	unix_io(m, 4000001, IPCS_SYS_READ, IPCS_KIND_UNIX_DGRAM, KSOCK + 6, KSOCK + 5, 64);
	/* a hostile comm and FIFO path, and a very long path */
	exec_as(m, 66, 1, 700, "\x1b[31mevil\x07");
	do_open_path(m, 66, IPCS_SYS_OPENAT, "/tmp/\x1b[2J\x1b]0;owned\x07/\r\nfifo", 3, 900,
		     IPCS_FMODE_WRITE);
	do_open_path(m, 200, IPCS_SYS_OPENAT, "/tmp/\x1b[2J\x1b]0;owned\x07/\r\nfifo", 5, 900,
		     IPCS_FMODE_READ);
	do_rw_b(m, 66, IPCS_SYS_WRITE, 3, IPCS_KIND_FIFO, 900, 10, 0);
	do_rw_b(m, 200, IPCS_SYS_READ, 5, IPCS_KIND_FIFO, 900, 10, 0);
	memset(path, 'a', sizeof(path));
	memcpy(path, "/var/lib/", 9);
	memcpy(path + 200, "/end.fifo", 10);
	do_open_path(m, 66, IPCS_SYS_OPENAT, path, 6, 901, IPCS_FMODE_WRITE);
	do_open_path(m, 200, IPCS_SYS_OPENAT, path, 7, 901, IPCS_FMODE_READ);
	do_rw_b(m, 66, IPCS_SYS_WRITE, 6, IPCS_KIND_FIFO, 901, 7, 0);
	do_rw_b(m, 200, IPCS_SYS_READ, 7, IPCS_KIND_FIFO, 901, 7, 0);
	/* a script's children exiting: SIGCHLD to build.sh from 6, to make from 2 */
	exec_as(m, 300, 1, 800, "make");
	for (__u32 i = 0; i < 6; i++)
		sigchld(m, 1000 + i, 100);
	sigchld(m, 2000, 300);
	sigchld(m, 2001, 300);
	do_cgroup_name(m, 4242, "/system.slice/app.service");
	do_cgroup_move(m, 100, 4242);
	do_cgroup_move(m, 200, 4242);
	do_cgroup_move(m, 4000000, 77);
	model_flush(m);
}

static void test_golden_widths(void **state)
{
	static const int widths[] = { 80, 120, 200 };

	build_mixed(*state);
	setenv("TZ", "UTC", 1);
	tzset();
	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		char name[64], *out = report_text_w(*state, widths[i], false);

		assert_fits(out, widths[i]);
		/* kinds whole, never cut */
		assert_non_null(strstr(out, "\nunix-stream "));
		assert_non_null(strstr(out, "\nunix-dgram "));
		/* units, not raw figures */
		assert_non_null(strstr(out, "575 KiB"));
		assert_non_null(strstr(out, "1.3 s"));
		assert_non_null(strstr(out, "3.0 KiB"));
		assert_null(strstr(out, "588895"));
		snprintf(name, sizeof(name), "report_mixed_%d", widths[i]);
		check_golden(name, out);
		free(out);
	}
}

/* Given the width, names are whole: no "~" and the TCP name in full. */
static void test_wide_names_whole(void **state)
{
	char *out;

	build_mixed(*state);
	out = report_text_w(*state, 200, false);
	assert_non_null(strstr(out, "10.200.100.1:44437<->10.200.100.2:46200"));
	assert_non_null(strstr(out, "4000000/demo-rpc-client"));
	assert_null(strstr(out, "~"));
	free(out);
	/* At 80 the TCP name keeps both ports. */
	out = report_text_w(*state, 80, false);
	assert_non_null(strstr(out, "44437<->"));
	assert_non_null(strstr(out, ":46200"));
	free(out);
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)); p++)
		n++;
	return n;
}

/* One SIGCHLD row per receiver; --all shows every sender. */
static void test_sigchld_folded(void **state)
{
	char *out;

	build_mixed(*state);
	out = report_text_w(*state, 200, false);
	assert_int_equal(count(out, "SIGCHLD"), 2);
	assert_non_null(strstr(out, "(6 processes)"));
	assert_non_null(strstr(out, "(2 processes)"));
	free(out);
	out = report_text_w(*state, 200, true);
	assert_int_equal(count(out, "SIGCHLD"), 8);
	assert_null(strstr(out, "processes)"));
	free(out);
}

/* --kind narrows the cgroup section too: only processes of the rows shown. */
static void test_cgroups_follow_filter(void **state)
{
	struct report_opts ro = { .width = 200, .since_s = -1, .until_s = -1, .filtered = true,
				  .kinds = 1u << IPCS_KIND_TCP };
	struct model *m = *state;
	char *out;

	/* the model as --kind tcp builds it: only the TCP calls */
	now = 1000000000ull;
	exec_as(m, 100, 1, 500, "build.sh");
	exec_as(m, 4000000, 1, 501, "demo-rpc-client");
	exec_as(m, 4000001, 1, 502, "demo-rpc-server");
	tcp_io(m, 4000000, IPCS_SYS_WRITE, KSOCK + 1, 44437, 46200, true, 3107);
	tcp_io(m, 4000001, IPCS_SYS_READ, KSOCK + 2, 46200, 44437, false, 3107);
	do_cgroup_name(m, 4242, "/system.slice/app.service");
	do_cgroup_move(m, 100, 4242);
	do_cgroup_move(m, 4000000, 4242);
	model_flush(m);
	out = report_as(m, false, &ro);
	assert_non_null(strstr(out, "4000000/demo-rpc-client"));
	assert_null(strstr(out, "100/build.sh"));	/* in the cgroup, not in a row */
	free(out);
	ro.filtered = false;
	out = report_as(m, false, &ro);
	assert_non_null(strstr(out, "100/build.sh"));
	free(out);
}

/* JSON: identifiers are strings (jq keeps them whole), figures exact numbers,
 * the window and the wall-clock start echoed. */
static void test_json_ids(void **state)
{
	struct report_opts ro = { .width = 80, .since_s = 1.5, .until_s = -1,
				  .kinds = (1u << IPCS_KIND_PIPE) | (1u << IPCS_KIND_FIFO) };
	char *out;

	build_mixed(*state);
	out = report_as(*state, true, &ro);
	assert_non_null(strstr(out, "\"format_version\": 2"));
	assert_non_null(strstr(out, "\"ino\": \"77\""));
	assert_non_null(strstr(out, "\"cgroup_id\": \"4242\""));
	assert_non_null(strstr(out, "\"bytes\": 588895"));
	assert_non_null(strstr(out, "\"start_real_ns\": \"1780000000123456789\""));
	assert_non_null(strstr(out, "\"start\": \"2026-05-28T20:26:40.123Z\""));
	assert_non_null(strstr(out, "\"kinds\": ["));
	assert_non_null(strstr(out, "\"since_s\": 1.5"));
	assert_non_null(strstr(out, "\"until_s\": null"));
	free(out);
}

/* --since past the end: said so, not "nothing was written" */
static void test_since_past_end(void **state)
{
	struct report_opts ro = { .width = 80, .since_s = 5, .until_s = -1, .filtered = true };
	struct model *m = *state;
	char *out;

	now = 1000000000ull;
	exec_as(m, 100, 1, 500, "build.sh");
	now = 1500000000ull;
	exec_as(m, 101, 1, 501, "make");
	model_flush(m);
	out = report_as(m, false, &ro);
	assert_non_null(strstr(out, "--since is past the last event"));
	free(out);
	ro.since_s = -1;
	out = report_as(m, false, &ro);
	assert_non_null(strstr(out, "nothing was written and read"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden_widths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wide_names_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigchld_folded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroups_follow_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_since_past_end, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
