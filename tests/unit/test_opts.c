/* test_opts.c - command-line parsing: accepted forms and clear refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "ipcscope_abi.h"
#include "opts.h"

#define ARGV(...) ((char *[]){ "ipcscope", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "ipcscope", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, ...) opts_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (o))

static void test_record_full(void **state)
{
	struct ipcs_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "record", "-o", "t.ipcs", "-p", "12", "--pid", "34", "-c", "nginx",
			       "--duration", "2.5", "--ringbuf-kb", "64", "--force", "-q"), 0);
	assert_int_equal(o.cmd, CMD_RECORD);
	assert_string_equal(o.output, "t.ipcs");
	assert_int_equal(o.npids, 2);
	assert_int_equal(o.pids[0], 12);
	assert_int_equal(o.pids[1], 34);
	assert_string_equal(o.comms[0], "nginx");
	assert_true(o.duration_s > 2.49 && o.duration_s < 2.51);
	assert_int_equal(o.ringbuf_kb, 64);
	assert_true(o.force);
	assert_true(o.quiet);
	assert_null(o.argv);
	assert_int_equal(o.capture, 0);	/* payload capture is off by default */
	assert_int_equal(PARSE(&o, "record", "-o", "t", "--capture", "64"), 0);
	assert_int_equal(o.capture, 64);
}

static void test_record_command(void **state)
{
	struct ipcs_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "record", "-o", "f", "--", "sh", "-c", "ls -l"), 0);
	assert_int_equal(o.argc, 3);
	assert_string_equal(o.argv[0], "sh");
	assert_string_equal(o.argv[2], "ls -l");
	assert_null(o.argv[3]);
	/* options of the traced command are not ours */
	assert_int_equal(PARSE(&o, "record", "-o", "f", "--", "grep", "-p", "--json"), 0);
	assert_int_equal(o.npids, 0);
	assert_false(o.json);
}

static void test_record_refusals(void **state)
{
	struct ipcs_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "record"), EXIT_USAGE);				/* no -o */
	assert_int_equal(PARSE(&o, "record", "-o", "f", "-p", "x"), EXIT_USAGE);	/* bad pid */
	assert_int_equal(PARSE(&o, "record", "-o", "f", "-p", "-5"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "record", "-o", "f", "--duration", "0"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "record", "-o", "f", "--ringbuf-kb", "3"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "record", "-o", "f", "--ringbuf-kb", "100"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "record", "-o", "f", "-c", "a-name-longer-than-15"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "record", "-o", "f", "--json"), EXIT_USAGE);	/* not record's */
	assert_int_equal(PARSE(&o, "record", "-o", "f", "stray"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "record", "-o", "f", "--"), EXIT_USAGE);
	/* targets combine: -p, -c and --cgroup repeat, and go with -- CMD (a union) */
	assert_int_equal(PARSE(&o, "record", "-o", "f", "-p", "1", "-c", "a", "-c", "b", "--cgroup", "/x",
			       "--cgroup", "/y", "--", "true"), 0);
	assert_int_equal(o.npids, 1);
	assert_int_equal(o.ncomms, 2);
	assert_string_equal(o.comms[1], "b");
	assert_int_equal(o.ncgroups, 2);
	assert_string_equal(o.cgroups[1], "/y");
	assert_non_null(o.argv);
	assert_int_equal(PARSE(&o, "record", "-o", "f", "-c", "1", "-c", "2", "-c", "3", "-c", "4", "-c", "5",
			       "-c", "6", "-c", "7", "-c", "8", "-c", "9"), EXIT_USAGE);	/* at most 8 */
	assert_int_equal(PARSE(&o, "record", "-o"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "record", "-o", "f", "-Z"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "record", "-o", "f", "--capture", "0"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "record", "-o", "f", "--capture", "257"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "report", "f", "--capture", "8"), EXIT_USAGE);
	/* a half-parsed short-option cluster must not leak into the next parse */
	assert_int_equal(PARSE(&o, "record", "-qZ"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "report", "t.ipcs"), 0);
	assert_string_equal(o.input, "t.ipcs");
}

static void test_report_replay(void **state)
{
	struct ipcs_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "report", "t.ipcs", "--json"), 0);
	assert_int_equal(o.cmd, CMD_REPORT);
	assert_string_equal(o.input, "t.ipcs");
	assert_true(o.json);
	assert_int_equal(PARSE(&o, "replay", "--plain", "t.ipcs"), 0);
	assert_int_equal(o.cmd, CMD_REPLAY);
	assert_true(o.plain);
	assert_int_equal(PARSE(&o, "report"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "report", "a", "b"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "replay", "a", "--json"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "report", "a", "--", "x"), EXIT_USAGE);
	/* the viewer's -n/--frames: replay only, a positive count */
	assert_int_equal(PARSE(&o, "replay", "t.ipcs", "-n", "3"), 0);
	assert_int_equal(o.frames, 3);
	assert_false(o.plain);
	assert_int_equal(PARSE(&o, "replay", "--frames", "7", "t.ipcs"), 0);
	assert_int_equal(o.frames, 7);
	assert_int_equal(PARSE(&o, "replay", "t.ipcs", "-n", "0"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "replay", "t.ipcs", "--frames", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "report", "t.ipcs", "--frames", "2"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "record", "-o", "f", "-n", "2"), EXIT_USAGE);
}

static void test_stat(void **state)
{
	struct ipcs_opts o;

	(void)state;
	/* no -o needed: nothing is recorded */
	assert_int_equal(PARSE(&o, "stat", "--", "make", "-j2"), 0);
	assert_int_equal(o.cmd, CMD_STAT);
	assert_null(o.output);
	assert_int_equal(o.argc, 2);
	assert_string_equal(o.argv[0], "make");
	assert_int_equal(PARSE(&o, "stat", "-p", "7", "-c", "srv", "--duration", "3", "--json",
			       "-o", "sum.json", "--ringbuf-kb", "16", "-q", "-v"), 0);
	assert_int_equal(o.npids, 1);
	assert_int_equal(o.pids[0], 7);
	assert_string_equal(o.comms[0], "srv");
	assert_true(o.json);
	assert_string_equal(o.output, "sum.json");
	assert_int_equal(o.ringbuf_kb, 16);
	assert_true(o.quiet);
	assert_int_equal(o.verbose, 1);
	assert_int_equal(PARSE(&o, "stat", "--help"), 0);
	assert_int_equal(o.help_for, CMD_STAT);
	/* -o FILE --force replaces a summary file (issue 23 #3), --replace-foreign another user's */
	assert_int_equal(PARSE(&o, "stat", "-o", "s.txt", "--force", "--replace-foreign"), 0);
	assert_true(o.force);
	assert_true(o.replace_foreign);
	/* refusals */
	assert_int_equal(PARSE(&o, "stat", "--keep"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "stat", "--plain"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "stat", "cmd"), EXIT_USAGE);		/* command without -- */
	assert_int_equal(PARSE(&o, "stat", "-p", "7", "--", "ls"), 0);
	assert_int_equal(PARSE(&o, "stat", "--"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "report", "f", "--", "ls"), EXIT_USAGE);	/* only record and stat run one */
}

static void test_help_version_unknown(void **state)
{
	struct ipcs_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--help"), 0);
	assert_int_equal(o.cmd, CMD_HELP);
	assert_int_equal(o.help_for, CMD_NONE);
	assert_int_equal(PARSE(&o, "record", "--help"), 0);
	assert_int_equal(o.cmd, CMD_HELP);
	assert_int_equal(o.help_for, CMD_RECORD);
	assert_int_equal(PARSE(&o, "help", "report"), 0);
	assert_int_equal(o.help_for, CMD_REPORT);
	assert_int_equal(PARSE(&o, "--version"), 0);
	assert_int_equal(o.cmd, CMD_VERSION);
	assert_int_equal(PARSE(&o, "frobnicate"), EXIT_USAGE);
	/* No command at all: the live viewer on the whole host. */
	assert_int_equal(opts_parse(1, (char *[]){ "ipcscope", NULL }, &o), 0);
	assert_int_equal(o.cmd, CMD_LIVE);
	assert_int_equal(o.npids, 0);
}

static void test_live(void **state)
{
	struct ipcs_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "live", "-p", "42", "-c", "nginx", "--kind", "unix-stream", "-n", "3"), 0);
	assert_int_equal(o.cmd, CMD_LIVE);
	assert_int_equal(o.npids, 1);
	assert_int_equal(o.pids[0], 42);
	assert_string_equal(o.comms[0], "nginx");
	assert_int_equal(o.kinds, 1u << IPCS_KIND_UNIX_STREAM);
	assert_int_equal(o.frames, 3);
	/* Options first, no command word: live. */
	assert_int_equal(PARSE(&o, "-p", "7", "--plain", "--interval", "2.5"), 0);
	assert_int_equal(o.cmd, CMD_LIVE);
	assert_int_equal(o.pids[0], 7);
	assert_true(o.plain);
	assert_true(o.interval_s == 2.5);
	assert_int_equal(PARSE(&o, "--", "make", "-j2"), 0);
	assert_int_equal(o.cmd, CMD_LIVE);
	assert_int_equal(o.argc, 2);
	assert_string_equal(o.argv[0], "make");
	assert_string_equal(o.argv[1], "-j2");
	/* Refusals: unknown kind, a tiny interval, live-only options elsewhere. */
	assert_int_equal(PARSE(&o, "live", "--kind", "carrier-pigeon"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "live", "--interval", "0.01"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "live", "-n", "3", "--interval", "1"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "replay", "f", "--interval", "1"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "live", "-p", "1", "-c", "x", "--", "ls"), 0);
	assert_int_equal(PARSE(&o, "live", "stray"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "-x"), EXIT_USAGE);
}

static void test_deadlock(void **state)
{
	struct ipcs_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "deadlock", "-p", "12", "-p", "34", "--json", "--no-stacks"), 0);
	assert_int_equal(o.cmd, CMD_DEADLOCK);
	assert_int_equal(o.npids, 2);
	assert_true(o.json && o.no_stacks && !o.watch);
	assert_true(o.threshold_s == 1.0);
	assert_int_equal(PARSE(&o, "deadlock", "--watch", "-c", "nginx", "--threshold", "0.25", "-n", "3",
			       "--duration", "9"), 0);
	assert_true(o.watch);
	assert_string_equal(o.comms[0], "nginx");
	assert_true(o.threshold_s == 0.25);
	assert_int_equal(o.max_reports, 3);
	assert_true(o.duration_s == 9);
	/* refusals */
	assert_int_equal(PARSE(&o, "deadlock"), EXIT_USAGE);			/* no -p, no --watch */
	assert_int_equal(PARSE(&o, "deadlock", "-p", "1", "-n", "2"), EXIT_USAGE);	/* -n needs --watch */
	assert_int_equal(PARSE(&o, "deadlock", "-p", "1", "--cgroup", "/x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "deadlock", "--watch", "-c", "a", "-c", "b", "--cgroup", "/x"), 0);
	assert_int_equal(o.ncomms + o.ncgroups, 3);
	assert_int_equal(PARSE(&o, "deadlock", "--watch", "--threshold", "0"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "deadlock", "--watch", "-n", "0"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "deadlock", "-p", "1", "extra"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "deadlock", "-p", "1", "--force"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "record", "-o", "x", "--watch"), EXIT_USAGE);
	/* the long name of a short option the command does not take */
	assert_int_equal(PARSE(&o, "report", "x.ipcs", "--quiet"), EXIT_USAGE);
	/* -p/-c filter a recording: the same meaning as when tracing */
	assert_int_equal(PARSE(&o, "report", "x.ipcs", "--pid", "3", "-c", "nginx"), 0);
	assert_int_equal(o.npids, 1);
	assert_int_equal(o.pids[0], 3);
	assert_int_equal(o.ncomms, 1);
	assert_string_equal(o.comms[0], "nginx");
	assert_int_equal(PARSE(&o, "replay", "x.ipcs", "-p", "3", "--plain"), 0);
	assert_int_equal(PARSE(&o, "export", "x.ipcs", "--format", "jsonl", "-p", "3"), 0);
	assert_int_equal(PARSE(&o, "merge", "a", "b", "-o", "c", "--quiet"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "report", "x.ipcs", "--verbose"), 0);
	assert_int_equal(PARSE(&o, "live", "-q"), EXIT_USAGE);	/* live prints no status line */
}

static void test_usage_texts(void **state)
{
	char buf[4096];
	FILE *f;

	(void)state;
	for (int c = CMD_NONE; c <= CMD_LIVE; c++) {
		f = fmemopen(buf, sizeof(buf), "w");
		opts_usage((enum ipcs_cmd)c, f);
		fclose(f);
		assert_non_null(strstr(buf, "usage: ipcscope"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_full),
		cmocka_unit_test(test_record_command),
		cmocka_unit_test(test_record_refusals),
		cmocka_unit_test(test_report_replay),
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_help_version_unknown),
		cmocka_unit_test(test_deadlock),
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_usage_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
