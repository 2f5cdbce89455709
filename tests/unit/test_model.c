/*
 * test_model.c - the model fed with hand-built events: exact byte and
 * message attribution, fd bookkeeping (fork, dup, exec), processes, names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "model_testlib.h"

/* write 10 + 20, read 5 then 25: 30 bytes in 2 messages. */
static void test_offset_attribution(void **state)
{
	struct model *m = *state;
	struct model_kind_totals kt;
	const struct model_conv *c;
	struct chan_q q;
	struct convs cs;

	do_pipe(m, 100, 3, 4, 77, false);
	do_fork(m, 100, 200, 5000);
	do_rw_b(m, 100, IPCS_SYS_WRITE, 4, IPCS_KIND_PIPE, 77, 10, 7);
	do_rw_b(m, 100, IPCS_SYS_WRITEV, 4, IPCS_KIND_PIPE, 77, 20, 0);
	do_rw_b(m, 200, IPCS_SYS_READ, 3, IPCS_KIND_PIPE, 77, 5, 11);
	do_rw_b(m, 200, IPCS_SYS_READV, 3, IPCS_KIND_PIPE, 77, 25, 13);
	c = conv_of(m, &cs, 77, 100, ~0ull, 200);
	assert_non_null(c);
	assert_int_equal(cs.n, 1);
	assert_int_equal(c->a_to_b.bytes, 30);
	assert_int_equal(c->a_to_b.msgs, 2);
	assert_int_equal(c->b_to_a.bytes, 0);
	assert_int_equal(c->a_blocked_ns, 7);
	assert_int_equal(c->b_blocked_ns, 24);
	assert_int_equal(c->kind, IPCS_KIND_PIPE);
	assert_int_equal(c->dev, PIPEFS);
	assert_string_equal(c->channel, "pipe:[77]");
	assert_string_equal(c->a.comm, "p100");
	assert_int_equal(c->b.start_ns, 5000);
	assert_int_equal(c->last_ns - c->first_ns, 3);	/* first write .. last read */
	q = chan_of(m, 77);
	assert_true(q.found);
	assert_int_equal(q.c.bytes_written, 30);
	assert_int_equal(q.c.bytes_read, 30);
	assert_int_equal(model_get_kind_totals(m, IPCS_KIND_PIPE, &kt), 0);
	assert_int_equal(kt.bytes, 30);
	assert_int_equal(kt.msgs, 2);
	assert_int_equal(kt.convs, 1);
	assert_int_equal(kt.unobserved_bytes, 0);
	model_flush(m);
	assert_int_equal(model_conv_count(m), 1);
}

/* Reads whose records arrive before the writes' are paid in order. */
static void test_reads_before_writes(void **state)
{
	struct model *m = *state;
	struct model_kind_totals kt;
	const struct model_conv *c;
	struct convs cs;

	do_pipe(m, 1, 3, 4, 5, false);
	do_fork(m, 1, 2, 1);
	do_fork(m, 1, 3, 2);
	do_read(m, 2, 3, 5, 10);
	do_read(m, 2, 3, 5, 5);
	do_write(m, 1, 4, 5, 8);
	do_write(m, 1, 4, 5, 7);
	c = conv_of(m, &cs, 5, 1, ~0ull, 2);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.bytes, 15);
	assert_int_equal(c->a_to_b.msgs, 2);
	/* Two readers ahead of one write: each gets its part, one message each. */
	do_read(m, 2, 3, 5, 4);
	do_read(m, 3, 3, 5, 6);
	do_write(m, 1, 4, 5, 10);
	c = conv_of(m, &cs, 5, 1, ~0ull, 2);
	assert_int_equal(c->a_to_b.bytes, 19);
	assert_int_equal(c->a_to_b.msgs, 3);
	c = conv_of(m, &cs, 5, 1, ~0ull, 3);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.bytes, 6);
	assert_int_equal(c->a_to_b.msgs, 1);
	/* A read can be half paid from the queue, half pending. */
	do_write(m, 1, 4, 5, 3);
	do_read(m, 3, 3, 5, 9);
	do_write(m, 1, 4, 5, 6);
	c = conv_of(m, &cs, 5, 1, ~0ull, 3);
	assert_int_equal(c->a_to_b.bytes, 15);
	assert_int_equal(c->a_to_b.msgs, 3);
	model_flush(m);
	assert_int_equal(model_get_kind_totals(m, IPCS_KIND_PIPE, &kt), 0);
	assert_int_equal(kt.bytes, 34);
	assert_int_equal(kt.unobserved_bytes, 0);
	assert_int_equal(cs.n, 2);
}

static void test_two_writers_one_reader(void **state)
{
	struct model *m = *state;
	const struct model_conv *c;
	struct convs cs;

	do_pipe(m, 10, 3, 4, 9, false);
	do_fork(m, 10, 11, 1);
	do_fork(m, 10, 12, 2);
	do_write(m, 11, 4, 9, 10);
	do_write(m, 12, 4, 9, 20);
	do_write(m, 11, 4, 9, 5);
	do_read(m, 10, 3, 9, 12);
	do_read(m, 10, 3, 9, 23);
	c = conv_of(m, &cs, 9, 11, ~0ull, 10);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.bytes, 15);
	assert_int_equal(c->a_to_b.msgs, 2);
	c = conv_of(m, &cs, 9, 12, ~0ull, 10);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.bytes, 20);
	assert_int_equal(c->a_to_b.msgs, 1);
	assert_int_equal(cs.n, 2);
}

/* prctl(PR_SET_NAME) without exec: the main thread's comm in its events renames the process. */
static void test_rename_without_exec(void **state)
{
	struct model *m = *state;
	const struct model_conv *c;
	struct convs cs;
	struct ipcs_event ev;

	do_pipe(m, 10, 3, 4, 9, false);
	do_fork(m, 10, 11, 1);
	ev = sys_ev(11, IPCS_SYS_WRITE, 7, 4, 0, 7, IPCS_KIND_PIPE, 9, IPCS_FMODE_WRITE);
	ev.sys.tid = 11;
	strcpy(ev.sys.comm, "renamed");
	apply(m, &ev);
	do_read(m, 10, 3, 9, 7);
	c = conv_of(m, &cs, 9, 11, ~0ull, 10);
	assert_non_null(c);
	assert_string_equal(c->a.comm, "renamed");
	assert_int_equal(c->a_to_b.bytes, 7);
}

/* A write split over two readers counts one message for each. */
static void test_one_writer_two_readers(void **state)
{
	struct model *m = *state;
	const struct model_conv *c;
	struct convs cs;

	do_pipe(m, 20, 3, 4, 8, false);
	do_fork(m, 20, 21, 1);
	do_fork(m, 20, 22, 2);
	do_write(m, 20, 4, 8, 10);
	do_write(m, 20, 4, 8, 10);
	do_read(m, 21, 3, 8, 6);
	do_read(m, 22, 3, 8, 8);
	do_read(m, 21, 3, 8, 6);
	c = conv_of(m, &cs, 8, 20, ~0ull, 21);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.bytes, 12);
	assert_int_equal(c->a_to_b.msgs, 2);
	c = conv_of(m, &cs, 8, 20, ~0ull, 22);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.bytes, 8);
	assert_int_equal(c->a_to_b.msgs, 2);
}

static void test_fork_inheritance(void **state)
{
	struct model *m = *state;
	const struct model_conv *c;
	struct proc_q pq;
	struct convs cs;
	struct chan_q q;

	seed_proc(m, 30, 1, 111, "shell");
	do_pipe(m, 30, 3, 4, 40, false);
	do_fork(m, 30, 31, 222);
	q = chan_of(m, 40);
	assert_int_equal(q.c.nholders, 4);
	assert_true(has_holder(&q, 30, 3, IPCS_FMODE_READ));
	assert_true(has_holder(&q, 30, 4, IPCS_FMODE_WRITE));
	assert_true(has_holder(&q, 31, 3, IPCS_FMODE_READ));
	assert_true(has_holder(&q, 31, 4, IPCS_FMODE_WRITE));
	do_close(m, 31, 3);
	do_close(m, 30, 4);
	q = chan_of(m, 40);
	assert_int_equal(q.c.nholders, 2);
	assert_true(has_holder(&q, 30, 3, IPCS_FMODE_READ));
	assert_true(has_holder(&q, 31, 4, IPCS_FMODE_WRITE));
	do_write(m, 31, 4, 40, 9);
	do_read(m, 30, 3, 40, 9);
	c = conv_of(m, &cs, 40, 31, 222, 30);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.bytes, 9);
	assert_string_equal(c->b.comm, "shell");
	assert_int_equal(c->b.start_ns, 111);
	pq = procs_of(m, 31);
	assert_int_equal(pq.n, 1);
	assert_int_equal(pq.v[0].ppid, 30);
	/* A thread is not a new process: no fresh instance, fds untouched. */
	do_proc(m, IPCS_PROC_FORK, 30, 30, 999, "shell", 0);
	pq = procs_of(m, 30);
	assert_int_equal(pq.n, 1);
	assert_int_equal(pq.v[0].ref.start_ns, 111);
	assert_int_equal(chan_of(m, 40).c.nholders, 2);
}

/* fcntl(F_DUPFD*) duplicates like dup; close_range closes (or marks cloexec) a span. */
static void test_fcntl_close_range(void **state)
{
	struct model *m = *state;
	struct ipcs_event ev;
	struct chan_q q;

	do_pipe(m, 70, 3, 4, 80, false);
	ev = sys_ev(70, IPCS_SYS_FCNTL, 10, 4, 10, 1030, IPCS_KIND_PIPE, 80, IPCS_FMODE_WRITE);
	ev.sys.flags = IPCS_SYSF_CLOEXEC;
	apply(m, &ev);
	q = chan_of(m, 80);
	assert_int_equal(q.c.nholders, 3);
	assert_true(has_holder(&q, 70, 10, IPCS_FMODE_WRITE));
	/* CLOSE_RANGE_CLOEXEC only marks: exec then drops 3 and 4 (and 10, cloexec already). */
	ev = sys_ev(70, IPCS_SYS_CLOSE_RANGE, 0, 4, 4, 1u << 2, IPCS_KIND_NONE, 0, 0);
	apply(m, &ev);
	assert_int_equal(chan_of(m, 80).c.nholders, 3);
	/* close_range(5, ~0U) closes 10, leaves 3 and 4 */
	ev = sys_ev(70, IPCS_SYS_CLOSE_RANGE, 0, 5, -1, 0, IPCS_KIND_NONE, 0, 0);
	apply(m, &ev);
	q = chan_of(m, 80);
	assert_int_equal(q.c.nholders, 2);
	assert_false(has_holder(&q, 70, 10, IPCS_FMODE_WRITE));
	do_proc(m, IPCS_PROC_EXEC, 70, 1, 0, "exec", 0);
	q = chan_of(m, 80);
	assert_int_equal(q.c.nholders, 1);
	assert_true(has_holder(&q, 70, 3, IPCS_FMODE_READ));
	/* a failed close_range changes nothing */
	ev = sys_ev(70, IPCS_SYS_CLOSE_RANGE, -EINVAL, 0, 100, 0, IPCS_KIND_NONE, 0, 0);
	apply(m, &ev);
	assert_int_equal(chan_of(m, 80).c.nholders, 1);
}

static void test_dup_close(void **state)
{
	struct model *m = *state;
	struct ipcs_event ev;
	struct chan_q q;

	do_pipe(m, 50, 3, 4, 60, false);
	do_dup(m, 50, IPCS_SYS_DUP, 4, 5, false);
	do_dup(m, 50, IPCS_SYS_DUP2, 3, 0, false);
	do_dup(m, 50, IPCS_SYS_DUP3, 4, 7, true);
	q = chan_of(m, 60);
	assert_int_equal(q.c.nholders, 5);
	assert_true(has_holder(&q, 50, 5, IPCS_FMODE_WRITE));
	assert_true(has_holder(&q, 50, 0, IPCS_FMODE_READ));
	assert_true(has_holder(&q, 50, 7, IPCS_FMODE_WRITE));
	do_close(m, 50, 4);
	do_close(m, 50, 99);	/* never seen: ignored */
	/* dup2 of a file we do not follow onto fd 5 closes the pipe end. */
	ev = sys_ev(50, IPCS_SYS_DUP2, 5, 10, 5, 0, IPCS_KIND_NONE, 0, 0);
	apply(m, &ev);
	/* dup2 onto an open fd replaces it. */
	do_dup(m, 50, IPCS_SYS_DUP2, 3, 7, false);
	/* dup2(fd, fd) changes nothing. */
	do_dup(m, 50, IPCS_SYS_DUP2, 3, 3, false);
	/* A failed dup adds nothing. */
	ev = sys_ev(50, IPCS_SYS_DUP, -EMFILE, 3, -1, 0, IPCS_KIND_PIPE, 60, IPCS_FMODE_READ);
	apply(m, &ev);
	q = chan_of(m, 60);
	assert_int_equal(q.c.nholders, 3);
	assert_true(has_holder(&q, 50, 3, IPCS_FMODE_READ));
	assert_true(has_holder(&q, 50, 0, IPCS_FMODE_READ));
	assert_true(has_holder(&q, 50, 7, IPCS_FMODE_READ));
	/* A dup of an fd we never saw, resolved by the kernel: both learned. */
	ev = sys_ev(50, IPCS_SYS_DUP, 12, 11, 12, 0, IPCS_KIND_PIPE, 61, IPCS_FMODE_WRITE);
	apply(m, &ev);
	q = chan_of(m, 61);
	assert_int_equal(q.c.nholders, 2);
	assert_true(has_holder(&q, 50, 11, IPCS_FMODE_WRITE));
	assert_true(has_holder(&q, 50, 12, IPCS_FMODE_WRITE));
	/* Writes through any dup'ed fd land on the same inode. */
	do_close(m, 50, 3);
	do_close(m, 50, 0);
	do_close(m, 50, 7);
	q = chan_of(m, 60);
	assert_true(q.found);	/* closed, kept for a while */
	assert_int_equal(q.c.nholders, 0);
}

static void test_exec_cloexec(void **state)
{
	struct model *m = *state;
	struct proc_q pq;
	struct chan_q q;

	do_pipe(m, 70, 3, 4, 80, true);
	do_pipe(m, 70, 5, 6, 81, false);
	do_dup(m, 70, IPCS_SYS_DUP, 3, 7, false);	/* dup clears FD_CLOEXEC */
	do_proc(m, IPCS_PROC_EXEC, 70, 0, 0, "newname", 0);
	q = chan_of(m, 80);
	assert_int_equal(q.c.nholders, 1);
	assert_true(has_holder(&q, 70, 7, IPCS_FMODE_READ));
	q = chan_of(m, 81);
	assert_int_equal(q.c.nholders, 2);
	pq = procs_of(m, 70);
	assert_int_equal(pq.n, 1);
	assert_string_equal(pq.v[0].ref.comm, "newname");
	/* Exit drops everything. */
	do_proc(m, IPCS_PROC_EXIT, 70, 0, 0, "newname", 256);
	assert_int_equal(chan_of(m, 81).c.nholders, 0);
	pq = procs_of(m, 70);
	assert_true(pq.v[0].exited);
	assert_int_equal(pq.v[0].exit_code, 256);
}

/* Same pid, new fork: two processes, never merged. */
static void test_pid_reuse(void **state)
{
	struct model *m = *state;
	const struct model_conv *c1, *c2;
	struct model_totals t;
	struct convs cs;
	struct proc_q pq;

	do_pipe(m, 100, 3, 4, 90, false);
	do_fork(m, 100, 200, 1000);
	do_write(m, 200, 4, 90, 10);
	do_proc(m, IPCS_PROC_EXIT, 200, 0, 0, "p100", 0);
	do_fork(m, 100, 200, 2000);
	do_write(m, 200, 4, 90, 20);
	/* A third instance without seeing the second exit: it is retired. */
	do_fork(m, 100, 200, 3000);
	do_write(m, 200, 4, 90, 30);
	do_read(m, 100, 3, 90, 60);
	c1 = conv_of(m, &cs, 90, 200, 1000, 100);
	assert_non_null(c1);
	assert_int_equal(c1->a_to_b.bytes, 10);
	c2 = conv_of(m, &cs, 90, 200, 2000, 100);
	assert_non_null(c2);
	assert_int_equal(c2->a_to_b.bytes, 20);
	c2 = conv_of(m, &cs, 90, 200, 3000, 100);
	assert_non_null(c2);
	assert_int_equal(c2->a_to_b.bytes, 30);
	assert_int_equal(cs.n, 3);
	pq = procs_of(m, 200);
	assert_int_equal(pq.n, 3);
	model_get_totals(m, &t);
	assert_int_equal(t.procs_seen, 4);
	/* The second instance holds nothing any more: only 100 and the third. */
	assert_int_equal(chan_of(m, 90).c.nholders, 4);
}

static void test_fifo_naming(void **state)
{
	struct model *m = *state;
	const struct model_conv *c;
	struct ipcs_event ev;
	struct convs cs;
	struct chan_q q;

	ev = sys_ev(1, IPCS_SYS_MKNODAT, 0, -1, -1, 0010644, IPCS_KIND_FIFO, 500, 0);
	ev.type = IPCS_REC_SYS_PATH;
	snprintf(ev.sys_path.path, sizeof(ev.sys_path.path), "/tmp/ff");
	ev.path = ev.sys_path.path;
	apply(m, &ev);
	assert_string_equal(chan_of(m, 500).c.channel, "/tmp/ff");
	/* Opened by a relative path later: the absolute one stays. */
	do_open_path(m, 2, IPCS_SYS_OPENAT, "ff", 3, 500, IPCS_FMODE_WRITE);
	do_open_path(m, 3, IPCS_SYS_OPEN, "../tmp/ff", 4, 500, IPCS_FMODE_READ);
	q = chan_of(m, 500);
	assert_string_equal(q.c.channel, "/tmp/ff");
	assert_int_equal(q.c.kind, IPCS_KIND_FIFO);
	assert_int_equal(q.c.dev, DISK);
	assert_true(has_holder(&q, 2, 3, IPCS_FMODE_WRITE));
	assert_true(has_holder(&q, 3, 4, IPCS_FMODE_READ));
	do_rw_b(m, 2, IPCS_SYS_WRITE, 3, IPCS_KIND_FIFO, 500, 12, 0);
	do_rw_b(m, 3, IPCS_SYS_READ, 4, IPCS_KIND_FIFO, 500, 12, 0);
	c = conv_of(m, &cs, 500, 2, ~0ull, 3);
	assert_non_null(c);
	assert_string_equal(c->channel, "/tmp/ff");
	{
		char name[MODEL_NAME_MAX];

		assert_int_equal(model_chan_name(m, DISK, 500, name, sizeof(name)), 0);
		assert_string_equal(name, "/tmp/ff");
		assert_int_equal(model_chan_name(m, PIPEFS, 500, name, sizeof(name)), -ENOENT);
	}
	assert_int_equal(c->a_to_b.bytes, 12);
	assert_int_equal(c->kind, IPCS_KIND_FIFO);
	/* Relative first, then absolute: the absolute path wins. */
	do_open_path(m, 2, IPCS_SYS_OPENAT, "rel", 5, 600, IPCS_FMODE_READ);
	assert_string_equal(chan_of(m, 600).c.channel, "rel");
	do_open_path(m, 2, IPCS_SYS_OPENAT, "/abs/rel", 6, 600, IPCS_FMODE_READ);
	assert_string_equal(chan_of(m, 600).c.channel, "/abs/rel");
	/* No path known: the inode names it. */
	do_rw_b(m, 2, IPCS_SYS_READ, 8, IPCS_KIND_FIFO, 700, 0, 0);
	assert_string_equal(chan_of(m, 700).c.channel, "fifo:[700]");
	/* From the seed. */
	seed_fd(m, 4, 9, IPCS_KIND_FIFO, 800, IPCS_FMODE_READ | IPCS_FMODE_WRITE, "/run/seeded");
	q = chan_of(m, 800);
	assert_string_equal(q.c.channel, "/run/seeded");
	assert_true(has_holder(&q, 4, 9, IPCS_FMODE_READ | IPCS_FMODE_WRITE));
	/* mknodat without an inode names nothing (the open will). */
	ev.sys.chan.ino = 0;
	apply(m, &ev);
	assert_false(chan_of(m, 0).found);
}

/* Seeded processes and fds, then live events on them. */
static void test_seed_then_events(void **state)
{
	struct model *m = *state;
	const struct model_conv *c;
	struct convs cs;
	struct chan_q q;

	seed_proc(m, 300, 1, 10, "producer");
	seed_proc(m, 301, 1, 20, "consumer");
	seed_fd(m, 300, 1, IPCS_KIND_PIPE, 900, IPCS_FMODE_WRITE, "");
	seed_fd(m, 301, 0, IPCS_KIND_PIPE, 900, IPCS_FMODE_READ, "");
	q = chan_of(m, 900);
	assert_int_equal(q.c.nholders, 2);
	assert_true(has_holder(&q, 300, 1, IPCS_FMODE_WRITE));
	assert_true(has_holder(&q, 301, 0, IPCS_FMODE_READ));
	/* Seeding a live pid again refines it rather than forking it. */
	seed_proc(m, 301, 1, 21, "consumer2");
	do_write(m, 300, 1, 900, 42);
	do_read(m, 301, 0, 900, 42);
	c = conv_of(m, &cs, 900, 300, 10, 301);
	assert_non_null(c);
	assert_string_equal(c->a.comm, "producer");
	assert_string_equal(c->b.comm, "consumer2");
	assert_int_equal(c->b.start_ns, 21);
	assert_int_equal(c->a_to_b.bytes, 42);
	/* An fd used but never seen opened is learned from the event. */
	do_write(m, 302, 9, 900, 1);
	q = chan_of(m, 900);
	assert_true(has_holder(&q, 302, 9, IPCS_FMODE_WRITE));
	assert_int_equal(procs_of(m, 302).n, 1);
	assert_string_equal(procs_of(m, 302).v[0].ref.comm, "p302");
	/* A seeded end of unknown mode learns it from use. */
	seed_fd(m, 301, 5, IPCS_KIND_PIPE, 900, 0, "");
	assert_true(has_holder((q = chan_of(m, 900), &q), 301, 5, 0));
	do_read(m, 301, 5, 900, 0);
	q = chan_of(m, 900);
	assert_true(has_holder(&q, 301, 5, IPCS_FMODE_READ));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_offset_attribution, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reads_before_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_writers_one_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_writer_two_readers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_inheritance, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_without_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fcntl_close_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dup_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_cloexec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pid_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_naming, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seed_then_events, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
