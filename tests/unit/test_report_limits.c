/*
 * test_report_limits.c - what report leaves out is said (issue 23 #9): past the
 * model's memory bounds, conversations, processes and channels are dropped
 * from the lists, and the text and JSON say how many; and strings of a
 * crafted WAIT record reach no terminal raw (issue 23 #5).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "collect/decode.h"
#include "commands/commands.h"
#include "export/exporter.h"
#include "model/model.h"
#include "model/model_waits.h"
#include "model_testlib.h"

static char out_path[] = "/tmp/test_report_limits.XXXXXX";

/* report_model's stdout, as a string (static; valid until the next call). */
static const char *report_of(struct model *m, bool json)
{
	static char buf[1 << 20];
	struct recfile_status st = { .clean_end = true };
	struct recfile_write_opts wo = { 0 };
	struct ipcs_file_header fh;
	int fd, saved;
	ssize_t n;

	recfile_header_init(&fh, &wo);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	fd = open(out_path, O_RDWR | O_TRUNC);
	assert_true(saved >= 0 && fd >= 0);
	assert_true(dup2(fd, STDOUT_FILENO) >= 0);
	assert_int_equal(report_model("crafted.ipcs", &fh, &st, m, json), 0);
	fflush(stdout);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	return buf;
}

/* The number after `"key": ` (spaces allowed) at the first match. */
static long long json_num(const char *s, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(s, pat);
	if (!p)
		fprintf(stderr, "no %s in: %.400s\n", pat, s);
	assert_non_null(p);
	return strtoll(p + strlen(pat), NULL, 10);
}

static long long count(const char *s, const char *pat)
{
	long long n = 0;

	for (const char *p = s; (p = strstr(p, pat)); p++)
		n++;
	return n;
}

static void test_truncation_said(void **state)
{
	struct model *m = *state;
	struct model_limits lim = { .max_convs = 64, .max_orphan_chans = 16,
				    .max_exited_procs = 8, .age_events = 50 };
	struct model_totals t;
	const char *txt, *js, *tr;
	long long procs;
	__u64 ino;

	model_set_limits(m, &lim);
	/* 1000 short-lived pipes, written, read and closed, each by its own process */
	for (ino = 1; ino <= 1000; ino++) {
		__u32 pid = 100 + (__u32)ino;

		do_fork(m, 1, pid, ino);
		do_pipe(m, pid, 3, 4, ino, false);
		do_write(m, pid, 4, ino, 7);
		do_read(m, pid, 3, ino, 7);
		do_close(m, pid, 3);
		do_close(m, pid, 4);
		do_proc(m, IPCS_PROC_EXIT, pid, 0, 0, "x", 0);
	}
	model_flush(m);
	model_get_totals(m, &t);
	assert_true(t.convs_aged_out > 0);
	js = report_of(m, true);
	tr = strstr(js, "\"truncated\": {");
	if (!tr)
		tr = strstr(js, "\"truncated\":{");
	assert_non_null(tr);
	assert_int_equal(json_num(tr, "conversations"), (long long)t.convs_aged_out);
	assert_int_equal(model_conv_count(m) + t.convs_aged_out, 1000);
	/* listed + left out = seen, exactly */
	procs = json_num(tr, "processes");
	assert_int_equal((__u64)(count(js, "\"ppid\":") + procs), t.procs_seen);
	assert_true(procs > 900);	/* 1001 seen, a handful kept */
	assert_int_equal((__u64)(count(js, "\"bytes_written\":") + json_num(tr, "channels")),
			 t.channels_seen);
	assert_int_equal(t.channels_seen, 1000);
	assert_int_equal((__u64)count(js, "\"a_to_b\":"), model_conv_count(m));
	assert_int_equal(json_num(tr, "waits"), 0);
	/* the dot export says it too */
	{
		struct export_info info = { .model = m };
		static char dot[1 << 20];
		struct exporter ex;
		FILE *f = fmemopen(dot, sizeof(dot) - 1, "w");
		char want[128];

		assert_non_null(f);
		assert_int_equal(export_dot_open(f, &info, &ex), 0);
		assert_int_equal(ex.finish(ex.sink.ctx), 0);
		ex.destroy(ex.sink.ctx);
		fclose(f);
		snprintf(want, sizeof(want), "// truncated: %llu conversations on channels closed",
			 (unsigned long long)t.convs_aged_out);
		assert_non_null(strstr(dot, want));
	}
	txt = report_of(m, false);
	{
		char want[128];

		snprintf(want, sizeof(want), "(%llu more conversations, on channels closed before the end, "
			 "are not listed", (unsigned long long)t.convs_aged_out);
		assert_non_null(strstr(txt, want));
		snprintf(want, sizeof(want), "(%lld exited processes are not listed", procs);
		assert_non_null(strstr(txt, want));
	}
}

static void test_nothing_left_out(void **state)
{
	struct model *m = *state;
	const char *js, *txt;

	do_fork(m, 1, 2, 1);
	do_pipe(m, 2, 3, 4, 77, false);
	do_write(m, 2, 4, 77, 5);
	do_read(m, 2, 3, 77, 5);
	model_flush(m);
	js = report_of(m, true);
	assert_int_equal(json_num(strstr(js, "\"truncated\""), "conversations"), 0);
	assert_int_equal(json_num(strstr(js, "\"truncated\""), "processes"), 0);
	txt = report_of(m, false);
	assert_null(strstr(txt, "not listed"));
}

/* A WAIT record whose kind, object, evidence and comm hold ESC sequences. */
static void test_wait_strings_escaped(void **state)
{
	struct model *m = *state;
	struct ipcs_wait_rec r;
	struct ipcs_event ev;
	const char *txt, *js;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_WAIT;
	r.h.size = sizeof(r);
	r.h.ts_ns = 5000;
	r.pid = r.tid = 9;
	r.enter_ns = 1000;
	r.sys = IPCS_SYS_READ;
	r.flags = IPCS_WAITF_STALL;
	r.group = 1;
	r.holder_pid = r.holder_tid = 10;
	memcpy(r.kind, "\x1b[2J\x1b[H", 7);
	snprintf(r.object, sizeof(r.object), "obj\x1b]0;pwned\a");
	snprintf(r.evidence, sizeof(r.evidence), "ev\x1b[31m");
	snprintf(r.comm, sizeof(r.comm), "c\x1b[5m");
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
	apply(m, &ev);
	model_flush(m);
	txt = report_of(m, false);
	assert_non_null(strstr(txt, "waits on \\x1b[2J\\x1b[H obj\\x1b]0;pwned\\x07"));
	assert_null(strchr(txt, '\x1b'));
	assert_null(strchr(txt, '\a'));
	js = report_of(m, true);
	assert_null(strchr(js, '\x1b'));
	assert_non_null(strstr(js, "\\u001b[2J\\u001b[H"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_truncation_said, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_left_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_strings_escaped, setup, teardown),
	};
	int fd = mkstemp(out_path), rc;

	if (fd < 0)
		return 1;
	close(fd);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(out_path);
	return rc;
}
