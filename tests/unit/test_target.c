/*
 * test_target.c - what a session follows (trace/target.c) and the pipeline's
 * taps: a command starts stopped, leading its own process group, and is reaped
 * into a shell-style status; the guard kills the whole group when the tracer's
 * end of its pipe closes without a release, and leaves it alone after one; a
 * tap sees the events the filter holds back from the sinks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pipeline.h"
#include "trace/target.h"

static int fn_exit7(void *arg)
{
	(void)arg;
	return 7;
}

/* A shell-like command: a child in the same group, then wait for it. */
static int fn_parent_of_sleeper(void *arg)
{
	int *pfd = arg;
	pid_t c = fork();

	if (c == 0) {
		pause();
		_exit(0);
	}
	if (write(pfd[1], &c, sizeof(c)) != sizeof(c))
		return 1;
	waitpid(c, NULL, 0);
	return 0;
}

static bool stopped(pid_t pid)
{
	char path[64], buf[256], *rp;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	rp = strrchr(buf, ')');
	return rp && rp[2] == 'T';
}

static void test_start_stopped_own_group(void **state)
{
	struct record_target t = { .fn = fn_exit7 };
	pid_t pid;
	int status = -1;

	(void)state;
	assert_int_equal(target_start(&t, &pid), 0);
	assert_true(stopped(pid));
	assert_int_equal(getpgid(pid), pid);
	assert_int_not_equal(getpgid(pid), getpgrp());
	assert_int_equal(target_reap(pid, false, &status), -EAGAIN);
	kill(pid, SIGCONT);
	assert_int_equal(target_reap(pid, true, &status), 0);
	assert_int_equal(status, 7);
	assert_true(target_pid_gone(pid));
}

/* start the shell-like command, its child's pid from a pipe */
static pid_t start_family(struct record_target *t, int *pfd, pid_t *grandchild)
{
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	t->fn = fn_parent_of_sleeper;
	t->arg = pfd;
	assert_int_equal(target_start(t, &pid), 0);
	kill(pid, SIGCONT);
	assert_int_equal(read(pfd[0], grandchild, sizeof(*grandchild)), (ssize_t)sizeof(*grandchild));
	assert_int_equal(getpgid(*grandchild), pid);
	return pid;
}

static void test_guard_kills_group_when_tracer_gone(void **state)
{
	struct record_target t = { 0 };
	struct target_guard g;
	int pfd[2], status = -1;
	pid_t pid, gc;

	(void)state;
	pid = start_family(&t, pfd, &gc);
	assert_int_equal(target_guard_start(pid, &g), 0);
	/* the tracer "dies": its end of the pipe closes without 'q' */
	close(g.fd);
	g.fd = -1;
	assert_int_equal(target_reap(pid, true, &status), 0);
	assert_int_equal(status, 128 + SIGKILL);
	for (int i = 0; i < 200 && !target_pid_gone(gc); i++)
		usleep(10000);
	assert_true(target_pid_gone(gc));	/* the grandchild too: the whole group */
	target_guard_release(&g);
	close(pfd[0]);
	close(pfd[1]);
}

static void test_guard_released_leaves_group(void **state)
{
	struct record_target t = { 0 };
	struct target_guard g;
	int pfd[2], status = -1;
	pid_t pid, gc;

	(void)state;
	pid = start_family(&t, pfd, &gc);
	assert_int_equal(target_guard_start(pid, &g), 0);
	target_guard_release(&g);	/* waits for the guard to exit */
	assert_int_equal(g.pid, 0);
	assert_false(target_pid_gone(gc));
	assert_false(target_pid_gone(pid));
	kill(-pid, SIGTERM);
	assert_int_equal(target_reap(pid, true, &status), 0);
	assert_int_equal(status, 128 + SIGTERM);
	close(pfd[0]);
	close(pfd[1]);
}

static int count_cb(void *ctx, const struct ipcs_event *ev, const void *raw, size_t len)
{
	(void)ev;
	(void)raw;
	(void)len;
	(*(int *)ctx)++;
	return 0;
}

static void test_tap_sees_filtered(void **state)
{
	struct ipcs_drops_rec d = { .h = { .type = IPCS_REC_DROPS, .size = sizeof(d) } };
	struct ipcs_futex_rec fx;
	struct pipeline p;
	struct ev_filter f;
	int taps = 0, sinks = 0;
	__u32 kinds;
	const char *bad;

	(void)state;
	memset(&fx, 0, sizeof(fx));
	fx.h.type = IPCS_REC_FUTEX;
	fx.h.size = sizeof(fx);
	fx.sys = IPCS_SYS_FUTEX;
	fx.pid = fx.tid = 10;
	assert_int_equal(pipeline_init(&p, false), 0);
	assert_int_equal(evfilter_parse_kinds("pipe", &kinds, &bad), 0);
	assert_true(evfilter_setup(&f, 0, -1, -1, kinds));
	p.filter = &f;
	assert_int_equal(pipeline_add_tap(&p, (struct sink){ .on_event = count_cb, .ctx = &taps }), 0);
	assert_int_equal(pipeline_add_sink(&p, (struct sink){ .on_event = count_cb, .ctx = &sinks }), 0);
	assert_int_equal(pipeline_feed(&p, &fx, sizeof(fx)), 0);	/* a futex: --kind pipe holds it back */
	assert_int_equal(pipeline_feed(&p, &d, sizeof(d)), 0);		/* drops always pass */
	assert_int_equal(taps, 2);
	assert_int_equal(sinks, 1);
	assert_int_equal(p.filtered, 1);
	pipeline_fini(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_stopped_own_group),
		cmocka_unit_test(test_guard_kills_group_when_tracer_gone),
		cmocka_unit_test(test_guard_released_leaves_group),
		cmocka_unit_test(test_tap_sees_filtered),
	};

	signal(SIGCHLD, SIG_DFL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
