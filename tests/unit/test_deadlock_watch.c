/*
 * test_deadlock_watch.c - the bookkeeping of --watch and of the recorder's
 * wait records: the blocked set (dedupe, threshold crossings counted once),
 * cycles reported once, and one watcher step on two real child processes
 * deadlocked on two pipes, fed synthetic inflight entries (no BPF needed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "deadlock/watcher.h"

#define SEC 1000000000ull

static struct ipcs_inflight entry(uint64_t ts)
{
	struct ipcs_inflight in;

	memset(&in, 0, sizeof(in));
	in.ts = ts;
	in.sys = IPCS_SYS_READ;
	in.fd = 3;
	return in;
}

static void test_blockset(void **state)
{
	struct dl_blockset b;
	struct ipcs_inflight in;

	(void)state;
	assert_int_equal(dl_blockset_init(&b), 0);
	in = entry(100);
	assert_int_equal(dl_blockset_add_cb(7, &in, &b), 0);
	in = entry(5 * SEC);
	assert_int_equal(dl_blockset_add(&b, 3, &in), 0);
	in = entry(100);
	assert_int_equal(dl_blockset_add(&b, 7, &in), 0);	/* the map walk repeated it */
	dl_blockset_sort(&b);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.v[0].tid, 3);
	assert_null(dl_blockset_get(&b, 4));
	assert_int_equal(dl_blockset_wait_ns(&b, 7, 2 * SEC), 2 * SEC - 100);
	assert_int_equal(dl_blockset_wait_ns(&b, 3, 2 * SEC), 0);	/* entered "after" now */
	assert_int_equal(dl_blockset_wait_ns(&b, 9, 2 * SEC), -1);
	/* at 2 s only tid 7 has waited 1 s; once */
	assert_int_equal(dl_blockset_crossed(&b, 2 * SEC, SEC), 1);
	assert_true(dl_blockset_get(&b, 7)->fresh);
	assert_int_equal(dl_blockset_crossed(&b, 3 * SEC, SEC), 0);
	/* a new snapshot: the same call is not fresh again, tid 3 becomes so */
	dl_blockset_clear(&b);
	in = entry(100);
	dl_blockset_add(&b, 7, &in);
	in = entry(5 * SEC);
	dl_blockset_add(&b, 3, &in);
	dl_blockset_sort(&b);
	assert_int_equal(dl_blockset_crossed(&b, 7 * SEC, SEC), 1);
	assert_false(dl_blockset_get(&b, 7)->fresh);
	assert_true(dl_blockset_get(&b, 3)->fresh);
	dl_blockset_fini(&b);
}

/* snapshot: tid 7 in the call entered at ts (fd), or nothing */
static void snap(struct dl_blockset *b, uint64_t ts, int fd)
{
	struct ipcs_inflight in = entry(ts);

	in.fd = fd;
	dl_blockset_clear(b);
	if (ts)
		dl_blockset_add(b, 7, &in);
	dl_blockset_sort(b);
}

/* Nothing restarts calls any more (stacks are read without ptrace): the same
 * call (syscall, fd, address) entered again later is a new wait, with its own
 * enter time, fresh again once it crosses the threshold. */
static void test_same_call_again_is_new(void **state)
{
	struct dl_blockset b;

	(void)state;
	assert_int_equal(dl_blockset_init(&b), 0);
	snap(&b, SEC, 3);
	assert_int_equal(dl_blockset_crossed(&b, 3 * SEC, SEC), 1);
	snap(&b, 0, 3);			/* out of its call */
	snap(&b, 4 * SEC, 3);		/* the same call, entered again */
	assert_int_equal(dl_blockset_get(&b, 7)->in.ts, 4 * SEC);
	assert_int_equal(dl_blockset_wait_ns(&b, 7, 6 * SEC), 2 * SEC);
	assert_int_equal(dl_blockset_crossed(&b, 6 * SEC, SEC), 1);
	dl_blockset_fini(&b);
}


static void test_cycle_once(void **state)
{
	struct dl_blockset b;
	struct dl_graph g;
	struct dl_result r;
	struct dl_thread t = { .kind = DL_K_MUTEX, .ns = 2 * SEC };
	struct ipcs_inflight in = entry(SEC);

	(void)state;
	assert_int_equal(dl_blockset_init(&b), 0);
	dl_graph_init(&g);
	t.pid = t.tid = 5;
	dl_graph_add_thread(&g, &t);
	t.pid = t.tid = 6;
	t.ns = SEC / 2;
	dl_graph_add_thread(&g, &t);
	dl_graph_add_edge(&g, 0, 1, "e");
	dl_graph_add_edge(&g, 1, 0, "e");
	dl_graph_finish(&g);
	assert_int_equal(dl_analyse(&g, &r), 0);
	assert_int_equal(r.ncycles, 1);
	assert_false(dl_cycle_all_long(&g, &r.cycles[0], SEC));	/* tid 6: only 0.5 s */
	assert_true(dl_cycle_all_long(&g, &r.cycles[0], SEC / 4));
	dl_blockset_add(&b, 5, &in);
	dl_blockset_add(&b, 6, &in);
	dl_blockset_sort(&b);
	assert_true(dl_cycle_first_time(&b, &g, &r.cycles[0]));
	assert_false(dl_cycle_first_time(&b, &g, &r.cycles[0]));
	/* the same threads in new calls: a new deadlock */
	b.v[0].in.ts = 9 * SEC;
	assert_true(dl_cycle_first_time(&b, &g, &r.cycles[0]));

	struct ipcs_wait_rec w;

	dl_wait_record(&g, 0, r.cycles[0].edge[0], &b.v[0], 77, IPCS_WAITF_CYCLE, 4, &w);
	assert_int_equal(w.h.type, IPCS_REC_WAIT);
	assert_int_equal(w.h.size, sizeof(w));
	assert_int_equal(w.h.ts_ns, 77);
	assert_int_equal(w.tid, 5);
	assert_int_equal(w.holder_tid, 6);
	assert_int_equal(w.group, 4);
	assert_int_equal(w.enter_ns, 9 * SEC);
	assert_string_equal(w.kind, "mutex");
	assert_string_equal(w.evidence, "e");
	dl_result_fini(&r);
	dl_graph_fini(&g);
	dl_blockset_fini(&b);
}

/* ---- one step on real processes ---- */

struct got {
	size_t cycles;
	char cycle[256];
	struct ipcs_wait_rec waits[8];
	size_t nwaits;
};

static void on_cycle(struct dl_graph *g, struct dl_chain *c, void *ctx)
{
	struct got *got = ctx;
	size_t l = 0;

	got->cycles++;
	for (size_t i = 0; i < c->n; i++)
		l += (size_t)snprintf(got->cycle + l, sizeof(got->cycle) - l, "%s%d %s %s", i ? "; " : "",
				      g->t[c->th[i]].tid, dl_kind_name(g->t[c->th[i]].kind), g->t[c->th[i]].object);
}

static int on_wait(const struct ipcs_wait_rec *r, void *ctx)
{
	struct got *got = ctx;

	if (got->nwaits < 8)
		got->waits[got->nwaits++] = *r;
	return 0;
}

/* A child blocked reading rfd; it holds every pipe end the parent had. */
static pid_t reader(int rfd)
{
	pid_t p = fork();
	char c;

	assert_true(p >= 0);
	if (p == 0) {
		if (read(rfd, &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	return p;
}

static void wait_reading(pid_t p)
{
	char path[64], buf[128];

	snprintf(path, sizeof(path), "/proc/%d/syscall", p);
	for (int i = 0; i < 400; i++) {
		FILE *f = fopen(path, "r");

		buf[0] = '\0';
		if (f) {
			if (!fgets(buf, sizeof(buf), f))
				buf[0] = '\0';
			fclose(f);
		}
		if (!strncmp(buf, "0 ", 2))
			return;
		usleep(10000);
	}
	fail_msg("child %d never blocked in read", p);
}

static void test_step_on_pipes(void **state)
{
	struct dl_watcher w;
	struct got got = { 0 };
	struct dl_watch_cbs cbs = { .on_cycle = on_cycle, .on_wait = on_wait, .ctx = &got };
	struct ipcs_inflight in = entry(SEC);
	int ab[2], ba[2];
	struct stat sab, sba;
	pid_t a, b;
	char want[256];

	(void)state;
	if (geteuid() != 0)
		skip();	/* /proc/PID/syscall of another process needs ptrace rights */
	assert_int_equal(pipe(ab), 0);
	assert_int_equal(pipe(ba), 0);
	fstat(ab[0], &sab);
	fstat(ba[0], &sba);
	/* a reads ba, b reads ab; the write ends are theirs only once the
	 * parent closed its own: a's only other writer is b and b's is a */
	a = reader(ba[0]);
	b = reader(ab[0]);
	close(ab[0]);
	close(ab[1]);
	close(ba[0]);
	close(ba[1]);
	wait_reading(a);
	wait_reading(b);
	assert_int_equal(dl_watcher_init(&w, "/proc", SEC), 0);
	dl_blockset_add(&w.b, a, &in);
	dl_blockset_add(&w.b, b, &in);
	dl_blockset_sort(&w.b);
	assert_int_equal(dl_watcher_step(&w, 3 * SEC, &cbs), 0);
	assert_int_equal(got.cycles, 1);
	snprintf(want, sizeof(want), "%d pipe pipe:[%lu]; %d pipe pipe:[%lu]", a < b ? a : b,
		 (unsigned long)(a < b ? sba.st_ino : sab.st_ino), a < b ? b : a,
		 (unsigned long)(a < b ? sab.st_ino : sba.st_ino));
	assert_string_equal(got.cycle, want);
	assert_int_equal(got.nwaits, 2);
	assert_int_equal(got.waits[0].flags, IPCS_WAITF_CYCLE);
	assert_int_equal(got.waits[0].group, 1);
	assert_int_equal(got.waits[1].group, 1);
	assert_int_equal(got.waits[0].enter_ns, SEC);
	/* the next step finds nothing new */
	got.nwaits = got.cycles = 0;
	assert_int_equal(dl_watcher_step(&w, 4 * SEC, &cbs), 0);
	assert_int_equal(got.cycles + got.nwaits, 0);
	dl_watcher_fini(&w);
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_call_again_is_new),
		cmocka_unit_test(test_blockset),
		cmocka_unit_test(test_cycle_once),
		cmocka_unit_test(test_step_on_pipes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
