/*
 * test_replay_cursor.c - the replay cursor (user/record/replay_cursor.c): a
 * written recording of 5 pipe messages, one a second, fed to the model up to
 * an index or a time, backwards (rebuilt) and forwards, and played at a speed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "record/recfile.h"
#include "record/replay_cursor.h"

#define SEC 1000000000ull
#define NMSG 5

static char path[] = "/tmp/test_replay_cursor.XXXXXX";
static __u64 t0;	/* after the file's start: every record is later */

static struct ipcs_sys_rec sys_rec(__u64 ts, __u32 pid, __u16 sys, __s64 ret, __s32 fd,
				   __s32 fd2, __u16 fmode)
{
	struct ipcs_sys_rec r;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_SYS;
	r.h.size = sizeof(r);
	r.h.ts_ns = ts;
	r.pid = r.tid = pid;
	r.sys = sys;
	r.ret = ret;
	r.fd = fd;
	r.fd2 = fd2;
	r.arg = ret > 0 ? (__u64)ret : 0;	/* count asked */
	r.chan = (struct ipcs_chan){ .ino = 77, .dev = 14, .kind = IPCS_KIND_PIPE, .fmode = fmode };
	strcpy(r.comm, pid == 10 ? "writer" : "reader");
	return r;
}

/* pipe2 at t0, fork at t0 + 0.1 s, then write + read of 100 bytes at t0 + (k + 1) s. */
static int setup(void **state)
{
	struct recfile_writer *w;
	struct ipcs_sys_rec r;
	struct ipcs_proc_rec f;
	struct timespec ts;
	__u64 drops[IPCS_DROP_SLOTS] = { 0 };
	int fd = mkstemp(path);

	(void)state;
	if (fd < 0)
		return -1;
	close(fd);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (__u64)ts.tv_sec * SEC + (__u64)ts.tv_nsec + SEC;
	if (recfile_create(path, &(struct recfile_write_opts){ .force = true }, &w))
		return -1;
	r = sys_rec(t0, 10, IPCS_SYS_PIPE2, 0, 3, 4, 0);
	recfile_append(w, &r, sizeof(r));
	memset(&f, 0, sizeof(f));
	f.h = (struct ipcs_rec_hdr){ .type = IPCS_REC_PROC, .size = sizeof(f), .ts_ns = t0 + SEC / 10 };
	f.pid = f.tid = 11;
	f.ppid = 10;
	f.op = IPCS_PROC_FORK;
	strcpy(f.comm, "reader");
	recfile_append(w, &f, sizeof(f));
	for (int k = 0; k < NMSG; k++) {
		r = sys_rec(t0 + (__u64)(k + 1) * SEC, 10, IPCS_SYS_WRITE, 100, 4, 0, IPCS_FMODE_WRITE);
		recfile_append(w, &r, sizeof(r));
		r = sys_rec(t0 + (__u64)(k + 1) * SEC + 1000, 11, IPCS_SYS_READ, 100, 3, 0, IPCS_FMODE_READ);
		recfile_append(w, &r, sizeof(r));
	}
	return recfile_close(w, drops) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	return unlink(path);
}

static int sum_cb(const struct model_conv *c, void *ctx)
{
	__u64 *v = ctx;

	v[0] += c->a_to_b.bytes;
	v[1] += c->a_to_b.msgs;
	return 0;
}

/* Bytes and messages the model holds at the cursor. */
static void expect(struct replay_cursor *rc, __u64 bytes, __u64 msgs)
{
	__u64 v[2] = { 0, 0 };

	assert_int_equal(model_foreach_conv(rc->p.model, sum_cb, v), 0);
	assert_int_equal(v[0], bytes);
	assert_int_equal(v[1], msgs);
}

static void test_cursor(void **state)
{
	struct replay_source *rs;
	struct replay_cursor rc;

	(void)state;
	assert_int_equal(replay_open(path, &rs), 0);
	assert_int_equal(rcur_load(&rc, rs, NULL), 0);
	assert_int_equal(rc.n, 2 + 2 * NMSG);
	assert_int_equal(rc.next, rc.n);
	expect(&rc, 500, 5);
	/* back to nothing, then one event at a time */
	assert_int_equal(rcur_seek_index(&rc, 0), 0);
	expect(&rc, 0, 0);
	assert_int_equal(rc.cursor_ns, rc.start_ns);
	assert_int_equal(rcur_seek_index(&rc, 3), 0);	/* pipe2, fork, write: nothing read yet */
	expect(&rc, 0, 0);
	assert_int_equal(rc.cursor_ns, t0 + SEC);
	assert_int_equal(rcur_seek_index(&rc, 4), 0);
	expect(&rc, 100, 1);
	/* by time: at t0 + 3.5 s three messages were read */
	assert_int_equal(rcur_seek_time(&rc, t0 + 3 * SEC + SEC / 2), 0);
	expect(&rc, 300, 3);
	assert_int_equal(rc.cursor_ns, t0 + 3 * SEC + SEC / 2);
	/* one second back: rebuilt from the start */
	assert_int_equal(rcur_seek_time(&rc, rc.cursor_ns - SEC), 0);
	expect(&rc, 200, 2);
	/* play at x2 from here: 1 wall second later the cursor is 2 s on */
	rc.playing = true;
	rc.speed = 2;
	rc.play_wall = 1000 * SEC;
	rc.play_from = rc.cursor_ns;
	assert_int_equal(rcur_play(&rc, 1001 * SEC), 0);
	expect(&rc, 400, 4);
	assert_true(rc.playing);
	assert_int_equal(rcur_play(&rc, 1100 * SEC), 0);	/* past the end: stops there */
	expect(&rc, 500, 5);
	assert_false(rc.playing);
	assert_int_equal(rc.next, rc.n);
	/* before the start is the start */
	assert_int_equal(rcur_seek_time(&rc, 0), 0);
	expect(&rc, 0, 0);
	rcur_fini(&rc);
	replay_close(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cursor, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
