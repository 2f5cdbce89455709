/*
 * test_model_limits.c - the model at its edges: leftovers at the end, queue
 * and conversation caps, aging, drop counters and hostile input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "model_testlib.h"

/* What is left at the end goes to pid 0 "?", exactly. */
static void test_flush_unobserved(void **state)
{
	struct model *m = *state;
	struct model_kind_totals kt;
	const struct model_conv *c;
	struct convs cs;

	do_pipe(m, 5, 3, 4, 30, false);
	do_write(m, 5, 4, 30, 100);
	do_read(m, 5, 3, 30, 30);
	do_read(m, 6, 7, 31, 50);	/* a pipe nobody was seen writing */
	model_flush(m);
	c = conv_of(m, &cs, 30, 5, ~0ull, 0);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.bytes, 70);
	assert_int_equal(c->a_to_b.msgs, 1);
	assert_string_equal(c->b.comm, "?");
	c = conv_of(m, &cs, 30, 5, ~0ull, 5);
	assert_int_equal(c->a_to_b.bytes, 30);
	c = conv_of(m, &cs, 31, 0, ~0ull, 6);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.bytes, 50);
	assert_string_equal(c->a.comm, "?");
	assert_int_equal(model_get_kind_totals(m, IPCS_KIND_PIPE, &kt), 0);
	assert_int_equal(kt.bytes, 150);
	assert_int_equal(kt.unobserved_bytes, 120);
	model_flush(m);	/* idempotent */
	assert_int_equal(model_get_kind_totals(m, IPCS_KIND_PIPE, &kt), 0);
	assert_int_equal(kt.bytes, 150);
}

/* Unread bytes beyond 2 MiB (or early reads) go to pid 0, exactly. */
static void test_queue_caps(void **state)
{
	struct model *m = *state;
	struct model_kind_totals kt;
	const struct model_conv *c;
	struct convs cs;
	int i;

	do_pipe(m, 1, 3, 4, 10, false);
	do_fork(m, 1, 2, 1);
	for (i = 0; i < 3; i++)
		do_write(m, 1, 4, 10, MIB);
	c = conv_of(m, &cs, 10, 1, ~0ull, 0);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.bytes, MIB);
	assert_int_equal(c->a_to_b.msgs, 1);
	do_read(m, 2, 3, 10, 2 * MIB);
	c = conv_of(m, &cs, 10, 1, ~0ull, 2);
	assert_int_equal(c->a_to_b.bytes, 2 * MIB);
	assert_int_equal(c->a_to_b.msgs, 2);
	/* Early reads by two readers in turn, 3 x 1 MiB: the oldest overflows. */
	do_read(m, 2, 3, 10, MIB);
	do_read(m, 1, 3, 10, MIB);
	do_read(m, 2, 3, 10, MIB);
	c = conv_of(m, &cs, 10, 0, ~0ull, 2);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.bytes, MIB);
	/* One reader's early reads merge: one big blocking write pays them all. */
	do_pipe(m, 1, 5, 6, 11, false);
	for (i = 0; i < 64; i++)
		do_read(m, 2, 5, 11, 64 * 1024);
	do_write(m, 1, 6, 11, 4 * MIB);
	c = conv_of(m, &cs, 11, 1, ~0ull, 2);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.bytes, 4 * MIB);
	assert_int_equal(c->a_to_b.msgs, 1);
	model_flush(m);
	assert_int_equal(model_get_kind_totals(m, IPCS_KIND_PIPE, &kt), 0);
	assert_int_equal(kt.bytes, 3 * MIB + 3 * MIB + 4 * MIB);
	/* Segment count cap, with a lower limit. */
	{
		struct model_limits lim = { .queue_segs_max = 10 };

		model_set_limits(m, &lim);
		for (i = 0; i < 25; i++)
			do_write(m, 1, 6, 11, 1);
		c = conv_of(m, &cs, 11, 1, ~0ull, 0);
		assert_non_null(c);
		assert_int_equal(c->a_to_b.bytes, 15);
		assert_int_equal(c->a_to_b.msgs, 15);
	}
}

/* More conversations than the cap, on closed channels: totals stay exact. */
static void test_conv_cap(void **state)
{
	struct model *m = *state;
	struct model_limits lim = { .max_convs = 100, .max_orphan_chans = 50 };
	struct model_kind_totals kt;
	struct model_totals t;
	__u64 ino;

	model_set_limits(m, &lim);
	/* 150 conversations on channels that stay open: none may go. */
	for (ino = 1; ino <= 150; ino++) {
		do_pipe(m, 1, 3 + 2 * (int)ino, 4 + 2 * (int)ino, ino, false);
		do_write(m, 1, 4 + 2 * (int)ino, ino, 3);
		do_read(m, 1, 3 + 2 * (int)ino, ino, 3);
	}
	assert_int_equal(model_conv_count(m), 150);
	/* 1000 short-lived pipes: written, read, closed. */
	for (ino = 1000; ino < 2000; ino++) {
		do_pipe(m, 2, 3, 4, ino, false);
		do_write(m, 2, 4, ino, 5);
		do_read(m, 2, 3, ino, 5);
		do_close(m, 2, 3);
		do_close(m, 2, 4);
	}
	assert_true(model_conv_count(m) <= 151);
	assert_true(count_chans(m) <= 150 + 51);
	model_get_totals(m, &t);
	assert_int_equal(t.convs_aged_out, 1150 - model_conv_count(m));
	assert_int_equal(t.channels_seen, 1150);
	assert_int_equal(model_get_kind_totals(m, IPCS_KIND_PIPE, &kt), 0);
	assert_int_equal(kt.convs, 1150);
	assert_int_equal(kt.bytes, 150 * 3 + 1000 * 5);
	assert_int_equal(kt.msgs, 1150);
	/* Now close the 150: they may go too. */
	for (ino = 1; ino <= 150; ino++) {
		do_close(m, 1, 3 + 2 * (int)ino);
		do_close(m, 1, 4 + 2 * (int)ino);
	}
	assert_true(model_conv_count(m) <= 100);
	assert_true(count_chans(m) <= 51);
	model_get_totals(m, &t);
	assert_int_equal(t.convs_aged_out, 1150 - model_conv_count(m));
	assert_int_equal(model_get_kind_totals(m, IPCS_KIND_PIPE, &kt), 0);
	assert_int_equal(kt.bytes, 150 * 3 + 1000 * 5);
}

/* Exited processes age out; conversations still name them. */
static void test_proc_aging(void **state)
{
	struct model *m = *state;
	struct model_limits lim = { .age_events = 10 };
	const struct model_conv *c;
	struct model_totals t;
	struct convs cs;
	int i;

	model_set_limits(m, &lim);
	do_pipe(m, 1, 3, 4, 5, false);
	do_fork(m, 1, 2, 42);
	do_proc(m, IPCS_PROC_EXEC, 2, 0, 0, "writer", 0);
	do_write(m, 2, 4, 5, 8);
	do_proc(m, IPCS_PROC_EXIT, 2, 0, 0, "writer", 0);
	assert_int_equal(procs_of(m, 2).n, 1);
	for (i = 0; i < 20; i++)
		do_read(m, 1, 3, 5, 0);
	assert_int_equal(procs_of(m, 2).n, 0);
	do_read(m, 1, 3, 5, 8);
	c = conv_of(m, &cs, 5, 2, 42, 1);
	assert_non_null(c);
	assert_string_equal(c->a.comm, "writer");
	assert_int_equal(c->a_to_b.bytes, 8);
	model_get_totals(m, &t);
	assert_int_equal(t.procs_seen, 2);
	/* A late record from the aged pid makes a new instance on the fly. */
	do_write(m, 2, 4, 5, 1);
	assert_int_equal(procs_of(m, 2).n, 1);
	assert_int_equal(procs_of(m, 2).v[0].ref.start_ns, 0);
}

static void test_drops(void **state)
{
	struct model *m = *state;
	struct model_totals t;
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_DROPS;
	ev.drops.h.ts_ns = 500;
	ev.drops.drops[0] = 5;
	ev.drops.drops[2] = 1;
	apply(m, &ev);
	ev.drops.h.ts_ns = 400;	/* an older record arriving late */
	ev.drops.drops[0] = 3;
	ev.drops.drops[1] = 2;
	apply(m, &ev);
	model_get_totals(m, &t);
	assert_int_equal(t.drops[0], 5);
	assert_int_equal(t.drops[1], 2);
	assert_int_equal(t.drops[2], 1);
	assert_int_equal(t.drops_total, 8);
	assert_int_equal(t.events, 2);
	assert_int_equal(t.first_ns, 400);
	assert_int_equal(t.last_ns, 500);
}

/* Odd input is ignored: no crash, no invented bytes. */
static void test_hostile(void **state)
{
	struct model *m = *state;
	struct model_kind_totals kt;
	struct model_totals t;
	struct ipcs_event ev;
	int k;

	assert_int_equal(model_apply(m, NULL), -EINVAL);
	assert_int_equal(model_apply(NULL, NULL), -EINVAL);
	do_rw_b(m, 1, IPCS_SYS_READ, 3, IPCS_KIND_NONE, 5, 10, 0);
	do_rw_b(m, 1, IPCS_SYS_WRITE, 3, 200, 5, 10, 0);	/* kind out of range */
	do_close(m, 1, 1234);
	do_dup(m, 1, IPCS_SYS_DUP2, 77, 78, false);
	ev = sys_ev(1, IPCS_SYS_READ, 1ll << 40, 3, -1, 1ull << 41, IPCS_KIND_PIPE, 6, 1);
	apply(m, &ev);
	ev = sys_ev(1, IPCS_SYS_READ, 50, 3, -1, 10, IPCS_KIND_PIPE, 6, 1);	/* > asked */
	apply(m, &ev);
	ev = sys_ev(1, IPCS_SYS_WRITEV, 0x7fffffffll, 3, -1, 1, IPCS_KIND_PIPE, 6, 2);
	apply(m, &ev);
	ev = sys_ev(1, IPCS_SYS_WRITE, -EAGAIN, 4, -1, 10, IPCS_KIND_PIPE, 6, 2);
	apply(m, &ev);
	ev = sys_ev(1, IPCS_SYS_READ, INT64_MIN, 4, -1, 10, IPCS_KIND_PIPE, 6, 1);
	apply(m, &ev);
	ev = sys_ev(1, IPCS_SYS_PIPE, -EMFILE, 3, 4, 0, IPCS_KIND_PIPE, 7, 0);
	apply(m, &ev);
	ev = sys_ev(1, IPCS_SYS_PIPE, 0, -1, -5, 0, IPCS_KIND_PIPE, 8, 0);	/* bad fds */
	apply(m, &ev);
	ev = sys_ev(0, IPCS_SYS_WRITE, 5, 4, -1, 10, IPCS_KIND_PIPE, 6, 2);	/* pid 0 */
	apply(m, &ev);
	ev = sys_ev(1, 0, 5, 4, -1, 10, IPCS_KIND_PIPE, 6, 2);			/* sys NONE */
	apply(m, &ev);
	ev = sys_ev(1, 999, 5, 4, -1, 10, IPCS_KIND_PIPE, 6, 2);
	apply(m, &ev);
	ev = sys_ev(1, IPCS_SYS_OPENAT, 5, 5, -1, 0, IPCS_KIND_FIFO, 9, 0);
	ev.type = IPCS_REC_SYS_PATH;
	ev.path = NULL;
	apply(m, &ev);
	do_proc(m, 77, 1, 0, 0, "x", 0);		/* unknown op */
	do_proc(m, IPCS_PROC_EXIT, 4242, 0, 0, "x", 0);
	do_proc(m, IPCS_PROC_EXIT, 4242, 0, 0, "x", 0);	/* twice */
	seed_fd(m, 1, -3, IPCS_KIND_PIPE, 10, 1, "");
	memset(&ev, 0, sizeof(ev));
	ev.type = 99;
	apply(m, &ev);
	for (k = 0; k < IPCS_KIND_MAX; k++) {
		assert_int_equal(model_get_kind_totals(m, (__u16)k, &kt), 0);
		assert_int_equal(kt.bytes, 0);
	}
	assert_int_equal(model_get_kind_totals(m, IPCS_KIND_MAX, &kt), -EINVAL);
	assert_int_equal(model_conv_count(m), 0);
	assert_int_equal(model_ignored(m), 3 + 3 + 1 + 1 + 1);
	model_flush(m);
	assert_int_equal(model_conv_count(m), 0);
	model_get_totals(m, &t);
	assert_int_equal(t.events, 20);
}

/* Kinds without stream semantics yet: counted on the channel, no guesses. */
static void test_other_kinds(void **state)
{
	struct model *m = *state;
	struct chan_q q;

	do_rw_b(m, 1, IPCS_SYS_WRITE, 3, IPCS_KIND_UNIX_STREAM, 66, 10, 0);
	do_rw_b(m, 2, IPCS_SYS_READ, 3, IPCS_KIND_UNIX_STREAM, 66, 10, 0);
	q = chan_of(m, 66);
	assert_true(q.found);
	assert_int_equal(q.c.bytes_written, 10);
	assert_int_equal(q.c.bytes_read, 10);
	assert_string_equal(q.c.channel, "unix-stream:[66]");
	assert_int_equal(model_conv_count(m), 0);
}

/* A new pipe on an inode we still hold: the old one closed unseen. */
static void test_inode_reuse(void **state)
{
	struct model *m = *state;
	const struct model_conv *c;
	struct convs cs;
	struct chan_q q;

	do_pipe(m, 1, 3, 4, 55, false);
	do_write(m, 1, 4, 55, 7);
	do_pipe(m, 2, 5, 6, 55, false);
	q = chan_of(m, 55);
	assert_int_equal(q.c.nholders, 2);
	assert_true(has_holder(&q, 2, 5, IPCS_FMODE_READ));
	assert_int_equal(q.c.bytes_written, 0);
	c = conv_of(m, &cs, 55, 1, ~0ull, 0);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.bytes, 7);
}

/*
 * Random events (fixed seed) under tight limits: nothing crashes, and every
 * byte is accounted once: written + read = 2 * attributed - unobserved.
 */
static void test_random_accounting(void **state)
{
	struct model *m = *state;
	struct model_limits lim = { .max_convs = 50, .max_exited_procs = 8,
				    .max_orphan_chans = 5, .age_events = 100,
				    .queue_bytes_max = 1000, .queue_segs_max = 20,
				    .pending_bytes_max = 1000 };
	struct model_kind_totals kt;
	__u64 written = 0, read = 0;
	unsigned seed = 12345;
	int i;

	model_set_limits(m, &lim);
	for (i = 0; i < 200000; i++) {
		__u32 pid = 1 + rand_r(&seed) % 20, ino = 1 + rand_r(&seed) % 10;
		__s32 fd = rand_r(&seed) % 8;
		__s64 n = rand_r(&seed) % 300;

		switch (rand_r(&seed) % 9) {
		case 0: do_pipe(m, pid, fd, fd + 1, ino, rand_r(&seed) % 2); break;
		case 1: do_fork(m, pid, 1 + rand_r(&seed) % 20, (__u64)i); break;
		case 2: do_proc(m, IPCS_PROC_EXIT, pid, 0, 0, "x", 0); break;
		case 3: do_proc(m, IPCS_PROC_EXEC, pid, 0, 0, "y", 0); break;
		case 4: do_dup(m, pid, IPCS_SYS_DUP2 + rand_r(&seed) % 2, fd, rand_r(&seed) % 8,
			       rand_r(&seed) % 2); break;
		case 5: do_close(m, pid, fd); break;
		case 6: do_write(m, pid, fd, ino, n); written += (__u64)n; break;
		default: do_read(m, pid, fd, ino, n); read += (__u64)n; break;
		}
	}
	assert_true(model_conv_count(m) <= 50 + 20);
	model_flush(m);
	assert_int_equal(model_get_kind_totals(m, IPCS_KIND_PIPE, &kt), 0);
	assert_int_equal(written + read, 2 * kt.bytes - kt.unobserved_bytes);
	assert_true(kt.msgs > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flush_unobserved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conv_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_proc_aging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inode_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_accounting, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
