/*
 * test_model_pidreuse.c - processes are (pid, start time): a pid reused
 * after its fork record was lost (dropped) still makes a new process, and a
 * seed's tick-cut start time names the same process as the kernel's exact one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "model_testlib.h"

#define SEC 1000000000ull

/* The fork of the second process under pid 200 was dropped: its exec and
 * exit carry another start time, so it is not merged into the first. */
static void test_reuse_without_fork(void **state)
{
	struct model *m = *state;
	const struct model_conv *c;
	struct model_totals t;
	struct convs cs;
	struct proc_q pq;

	do_pipe(m, 100, 3, 4, 90, false);
	do_fork(m, 100, 200, 5 * SEC + 123);
	do_write(m, 200, 4, 90, 10);
	/* No exit either: the next record under 200 is a later process's exec. */
	do_proc(m, IPCS_PROC_EXEC, 200, 100, 9 * SEC + 7, "second", 0);
	do_read(m, 100, 3, 90, 10);
	pq = procs_of(m, 200);
	assert_int_equal(pq.n, 2);
	/* The first is retired, the second is live under the new start. */
	for (size_t i = 0; i < pq.n; i++) {
		if (pq.v[i].ref.start_ns == 5 * SEC + 123)
			assert_true(pq.v[i].exited);
		else
			assert_true(pq.v[i].ref.start_ns == 9 * SEC + 7 && !pq.v[i].exited &&
				    !strcmp(pq.v[i].ref.comm, "second"));
	}
	c = conv_of(m, &cs, 90, 200, 5 * SEC + 123, 100);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.bytes, 10);
	/* Its exit (same start) ends the second, not a third. */
	do_proc(m, IPCS_PROC_EXIT, 200, 100, 9 * SEC + 7, "second", 0);
	pq = procs_of(m, 200);
	assert_int_equal(pq.n, 2);
	assert_true(pq.v[0].exited && pq.v[1].exited);
	model_get_totals(m, &t);
	assert_int_equal(t.procs_seen, 3);
}

/* An exit whose start differs from an exited instance's: another process. */
static void test_exit_of_unseen_process(void **state)
{
	struct model *m = *state;
	struct proc_q pq;

	do_fork(m, 100, 300, 2 * SEC);
	do_proc(m, IPCS_PROC_EXIT, 300, 100, 2 * SEC, "p100", 0);
	do_proc(m, IPCS_PROC_EXIT, 300, 100, 2 * SEC, "p100", 0);	/* repeated: same one */
	assert_int_equal(procs_of(m, 300).n, 1);
	do_proc(m, IPCS_PROC_EXIT, 300, 100, 4 * SEC, "other", 9);
	pq = procs_of(m, 300);
	assert_int_equal(pq.n, 2);
}

/* /proc's start time is cut to 10 ms ticks: the same process as the kernel's. */
static void test_seed_start_is_same_process(void **state)
{
	struct model *m = *state;
	struct proc_q pq;

	seed_proc(m, 400, 1, 7 * SEC + 10000000, "seeded");
	do_proc(m, IPCS_PROC_EXEC, 400, 1, 7 * SEC + 14999999, "execd", 0);
	pq = procs_of(m, 400);
	assert_int_equal(pq.n, 1);
	assert_string_equal(pq.v[0].ref.comm, "execd");
	assert_int_equal(pq.v[0].ref.start_ns, 7 * SEC + 14999999);	/* the exact one wins */
	/* 10 ms or more apart: another process. */
	do_proc(m, IPCS_PROC_EXIT, 400, 1, 7 * SEC + 30000000, "x", 0);
	assert_int_equal(procs_of(m, 400).n, 2);
	/* Unknown start (0) never splits. */
	do_proc(m, IPCS_PROC_EXEC, 500, 1, 0, "a", 0);
	do_proc(m, IPCS_PROC_EXIT, 500, 1, 3 * SEC, "a", 0);
	assert_int_equal(procs_of(m, 500).n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reuse_without_fork, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_of_unseen_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seed_start_is_same_process, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
