/*
 * test_titles.c - process titles and shm segment names: the records
 * (decode), the model (a title per process instance, fork, exec, pid
 * reuse; a segment's path), the collector over a crafted /proc tree
 * (titles_after / titles_poll: a record only when a title changed) and the
 * maps parser of shmnames.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "model_testlib.h"
#include "collect/decode.h"
#include "collect/shmnames.h"
#include "collect/titles.h"
#include "model/model_shm.h"

static struct ipcs_cmdline_rec title_rec(__u32 pid, __u64 start, const char *s, size_t n)
{
	struct ipcs_cmdline_rec r;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_CMDLINE;
	r.h.size = sizeof(r);
	r.h.ts_ns = now++;
	r.pid = pid;
	r.start_ns = start;
	r.len = (__u16)n;
	memcpy(r.cmdline, s, n);
	return r;
}

static void do_title(struct model *m, __u32 pid, __u64 start, const char *s, size_t n)
{
	struct ipcs_cmdline_rec r = title_rec(pid, start, s, n);
	struct ipcs_event ev;

	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
	apply(m, &ev);
}

static void test_decode(void **state)
{
	struct ipcs_cmdline_rec r = title_rec(7, 5, "a\0b", 3);
	struct ipcs_shm_name_rec s;
	struct ipcs_event ev;

	(void)state;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
	assert_int_equal(ev.type, IPCS_REC_CMDLINE);
	assert_int_equal(ev.cmdline.len, 3);
	assert_memory_equal(ev.cmdline.cmdline, "a\0b", 3);
	r.len = IPCS_CMDLINE_MAX + 1;	/* past the buffer: consumers would read beyond it */
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.len = 3;
	r.pid = 0;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.pid = 7;
	r.flags = 0x8000;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.flags = IPCS_CMDF_CUT;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
	assert_int_equal(ipcs_decode(&r, sizeof(r) - 8, &ev), -EINVAL);	/* short */

	memset(&s, 'x', sizeof(s));	/* an unterminated path is cut, not overrun */
	s.h.type = IPCS_REC_SHM_NAME;
	s.h.size = sizeof(s);
	s.ino = 42;
	assert_int_equal(ipcs_decode(&s, sizeof(s), &ev), 0);
	assert_int_equal(strlen(ev.path), IPCS_PATH_MAX - 1);
	s.ino = 0;
	assert_int_equal(ipcs_decode(&s, sizeof(s), &ev), -EINVAL);
}

static void test_model_titles(void **state)
{
	struct model *m = *state;
	struct proc_q q;

	seed_proc(m, 100, 1, 5000000000ull, "postgres");
	/* PostgreSQL pads its title with NULs; arguments are NUL-separated */
	do_title(m, 100, 5000000000ull, "postgres\0-D\0/tmp/x\0\0\0\0", 20);
	q = procs_of(m, 100);
	assert_int_equal(q.n, 1);
	assert_string_equal(q.v[0].cmdline, "postgres -D /tmp/x");
	assert_string_equal(model_proc_cmdline(m, 100), "postgres -D /tmp/x");
	/* rewritten in place: the last one wins */
	do_title(m, 100, 5000000000ull, "postgres: checkpointer", 22);
	assert_string_equal(procs_of(m, 100).v[0].cmdline, "postgres: checkpointer");
	/* a seed's tick-cut start still names the same process; another start does not */
	do_title(m, 100, 5003000000ull, "postgres: walwriter", 19);
	assert_string_equal(procs_of(m, 100).v[0].cmdline, "postgres: walwriter");
	do_title(m, 100, 9000000000ull, "someone else", 12);
	assert_string_equal(procs_of(m, 100).v[0].cmdline, "postgres: walwriter");
	/* an unknown pid is not made up */
	do_title(m, 555, 0, "ghost", 5);
	assert_int_equal(procs_of(m, 555).n, 0);

	/* fork: the child shows its parent's title until its own arrives */
	do_fork(m, 100, 101, 6000000000ull);
	assert_string_equal(procs_of(m, 101).v[0].cmdline, "postgres: walwriter");
	do_title(m, 101, 6000000000ull, "postgres: app db [local] idle", 29);
	assert_string_equal(procs_of(m, 101).v[0].cmdline, "postgres: app db [local] idle");
	assert_string_equal(procs_of(m, 100).v[0].cmdline, "postgres: walwriter");
	/* exec: the old image's title is gone */
	do_proc(m, IPCS_PROC_EXEC, 101, 100, 6000000000ull, "psql", 0);
	assert_string_equal(procs_of(m, 101).v[0].cmdline, "");
	assert_null(model_proc_cmdline(m, 101));
	/* pid reuse: the new instance has none of the old one's title */
	do_proc(m, IPCS_PROC_EXIT, 101, 100, 6000000000ull, "psql", 0);
	do_fork(m, 1, 101, 7000000000ull);
	do_title(m, 101, 7000000000ull, "cut", 3);
	q = procs_of(m, 101);
	assert_int_equal(q.n, 2);
	for (size_t i = 0; i < q.n; i++)
		assert_string_equal(q.v[i].cmdline, q.v[i].exited ? "" : "cut");
}

static int seg_cb(const struct model_shm_seg *s, void *ctx)
{
	snprintf(ctx, MODEL_NAME_MAX, "%s", s->channel);
	return 0;
}

static void test_model_shm_name(void **state)
{
	struct model *m = *state;
	struct ipcs_shm_name_rec r;
	struct ipcs_event ev;
	char name[MODEL_NAME_MAX] = "";

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_SHM_NAME;
	r.h.size = sizeof(r);
	r.ino = 1580;
	r.dev = 27;
	r.pid = 9;
	snprintf(r.path, sizeof(r.path), "/dev/shm/PostgreSQL.1234");
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
	apply(m, &ev);
	assert_int_equal(model_foreach_shm(m, seg_cb, name), 0);
	assert_string_equal(name, "/dev/shm/PostgreSQL.1234");
}

/* ---- the collector, over a crafted /proc ---- */

static char root[64];

static void put_file(const char *rel, const void *data, size_t n)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void put_proc(__u32 pid, const char *cmdline, size_t n)
{
	char dir[256], rel[64], stat[256];

	snprintf(dir, sizeof(dir), "%s/%u", root, pid);
	mkdir(dir, 0700);
	snprintf(stat, sizeof(stat), "%u (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0", pid);
	snprintf(rel, sizeof(rel), "%u/stat", pid);
	put_file(rel, stat, strlen(stat));
	snprintf(rel, sizeof(rel), "%u/cmdline", pid);
	put_file(rel, cmdline, n);
}

struct got {
	size_t n;
	struct ipcs_cmdline_rec last;
	struct ipcs_shm_name_rec shm;
	size_t nshm;
};

static int got_cb(const void *rec, size_t len, void *ctx)
{
	struct got *g = ctx;
	struct ipcs_event ev;

	assert_int_equal(ipcs_decode(rec, len, &ev), 0);
	if (ev.type == IPCS_REC_SHM_NAME) {
		g->shm = ev.shm_name;
		g->nshm++;
		return 0;
	}
	assert_int_equal(ev.type, IPCS_REC_CMDLINE);
	g->last = ev.cmdline;
	g->n++;
	return 0;
}

static struct ipcs_sys_rec sys_of(__u32 pid)
{
	struct ipcs_sys_rec s;

	memset(&s, 0, sizeof(s));
	s.h.type = IPCS_REC_SYS;
	s.h.size = sizeof(s);
	s.pid = s.tid = pid;
	s.sys = IPCS_SYS_WRITE;
	return s;
}

static void test_collector(void **state)
{
	struct titles *t;
	struct got g = { 0 };
	struct ipcs_sys_rec s = sys_of(300);
	struct ipcs_proc_rec p;
	__u64 sec = 1000000000ull, tnow = 10 * sec;
	long tck = sysconf(_SC_CLK_TCK);

	(void)state;
	put_proc(300, "srv\0--flag\0", 11);
	assert_int_equal(titles_new(root, &t), 0);
	/* met first: read at once, while it lives */
	assert_int_equal(titles_after(t, &s, sizeof(s), tnow, got_cb, &g), 0);
	assert_int_equal(titles_count(t), 1);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.last.pid, 300);
	assert_int_equal(g.last.len, 10);	/* the trailing NUL trimmed */
	assert_memory_equal(g.last.cmdline, "srv\0--flag", 10);
	assert_int_equal(g.last.start_ns, 500 * (sec / (__u64)(tck > 0 ? tck : 100)));
	assert_int_equal(g.last.h.ts_ns, tnow);
	/* its next records: nothing; the polls: unchanged, nothing sent */
	assert_int_equal(titles_after(t, &s, sizeof(s), tnow, got_cb, &g), 0);
	assert_int_equal(titles_poll(t, tnow, got_cb, &g), 0);
	assert_int_equal(titles_poll(t, tnow + sec / 2, got_cb, &g), 0);	/* within the second */
	assert_int_equal(titles_poll(t, tnow + sec, got_cb, &g), 0);
	assert_int_equal(g.n, 1);
	/* rewritten in place: one record at the next poll */
	put_proc(300, "srv: busy\0\0\0\0", 13);
	assert_int_equal(titles_poll(t, tnow + 3 * sec / 2, got_cb, &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(titles_poll(t, tnow + 2 * sec, got_cb, &g), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.last.len, 9);
	assert_memory_equal(g.last.cmdline, "srv: busy", 9);

	/* a new file: nothing until the process's next record there, then its
	 * last title from memory (even when /proc has none by then) */
	titles_forget(t);
	put_proc(300, "", 0);
	assert_int_equal(titles_poll(t, tnow + 3 * sec, got_cb, &g), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(titles_after(t, &s, sizeof(s), tnow + 3 * sec, got_cb, &g), 0);
	assert_int_equal(g.n, 3);
	assert_memory_equal(g.last.cmdline, "srv: busy", 9);
	assert_int_equal(g.last.h.ts_ns, tnow + 3 * sec);
	assert_int_equal(titles_after(t, &s, sizeof(s), tnow + 3 * sec, got_cb, &g), 0);
	assert_int_equal(g.n, 3);
	put_proc(300, "srv: busy\0\0\0\0", 13);
	/* ... and an exit met first in the new file still carries it */
	titles_forget(t);
	memset(&p, 0, sizeof(p));
	p.h.type = IPCS_REC_PROC;
	p.h.size = sizeof(p);
	p.pid = 300;
	p.op = IPCS_PROC_EXIT;
	assert_int_equal(titles_after(t, &p, sizeof(p), tnow + 4 * sec, got_cb, &g), 0);
	assert_int_equal(g.n, 4);
	assert_int_equal(g.last.pid, 300);
	assert_memory_equal(g.last.cmdline, "srv: busy", 9);
	assert_int_equal(titles_count(t), 0);	/* not followed after its exit */

	/* exec: read at once, with the record's start */
	put_proc(301, "child\0", 6);
	p.pid = 301;
	p.op = IPCS_PROC_EXEC;
	p.start_ns = 777;
	assert_int_equal(titles_after(t, &p, sizeof(p), tnow + 5 * sec, got_cb, &g), 0);
	assert_int_equal(g.n, 5);
	assert_int_equal(g.last.pid, 301);
	assert_int_equal(g.last.start_ns, 777);
	/* fork: the child starts with its parent's title, sent only when it differs */
	p.pid = 305;
	p.ppid = 301;
	p.op = IPCS_PROC_FORK;
	p.start_ns = 778;
	put_proc(305, "child\0", 6);
	assert_int_equal(titles_after(t, &p, sizeof(p), tnow + 5 * sec, got_cb, &g), 0);
	assert_int_equal(titles_poll(t, tnow + 6 * sec, got_cb, &g), 0);
	assert_int_equal(g.n, 5);
	put_proc(305, "child: worker\0", 14);
	assert_int_equal(titles_poll(t, tnow + 7 * sec, got_cb, &g), 0);
	assert_int_equal(g.n, 6);
	assert_int_equal(g.last.pid, 305);
	assert_int_equal(g.last.start_ns, 778);
	/* a pid that is gone is not followed, nothing sent */
	s = sys_of(302);
	assert_int_equal(titles_after(t, &s, sizeof(s), tnow + 7 * sec, got_cb, &g), 0);
	assert_int_equal(titles_count(t), 2);
	assert_int_equal(g.n, 6);
	titles_free(t);
}

/* At most TITLES_NOW_MAX reads at once a second; the rest at the next poll. */
static void test_budget(void **state)
{
	struct titles *t;
	struct got g = { 0 };
	__u64 sec = 1000000000ull, tnow = 100 * sec;
	unsigned n = TITLES_NOW_MAX + 10;

	(void)state;
	assert_int_equal(titles_new(root, &t), 0);
	for (unsigned i = 0; i < n; i++) {
		struct ipcs_sys_rec s = sys_of(1000 + i);

		put_proc(1000 + i, "w\0", 2);
		assert_int_equal(titles_after(t, &s, sizeof(s), tnow, got_cb, &g), 0);
	}
	assert_int_equal(g.n, TITLES_NOW_MAX);
	assert_int_equal(titles_count(t), n);
	assert_int_equal(titles_poll(t, tnow, got_cb, &g), 0);
	assert_int_equal(g.n, n);
	titles_free(t);
}

static void test_cut(void **state)
{
	char big[IPCS_CMDLINE_MAX + 40];
	struct ipcs_cmdline_rec r;

	(void)state;
	memset(big, 'a', sizeof(big));
	put_proc(310, big, sizeof(big));
	assert_int_equal(titles_read(root, 310, 1, 2, &r), 0);
	assert_int_equal(r.len, IPCS_CMDLINE_MAX);
	assert_int_equal(r.flags, IPCS_CMDF_CUT);
	put_proc(311, "\0\0\0", 3);	/* a zombie, a kernel thread: no title */
	assert_int_equal(titles_read(root, 311, 1, 2, &r), -ENOENT);
	assert_int_equal(titles_read(root, 312, 1, 2, &r), -ENOENT);
}

static void test_maps(void **state)
{
	const char *maps =
		"7fee1bfbb000-7fee1bfbc000 rw-s 00000000 00:01 76                         /dev/zero (deleted)\n"
		"7fee1bfbc000-7fee1bfbd000 rw-s 00000000 00:01 75                         /memfd:mymemfd (deleted)\n"
		"7fee1bfbd000-7fee1bfbe000 rw-s 00000000 00:1b 2                          /dev/shm/PostgreSQL.99\n";
	struct ipcs_futex_rec f;
	struct ipcs_shm_rec s;
	struct shmnames *sn;
	struct got g = { 0 };
	__u64 a, b, ino;
	const char *path;
	char name[64];
	__u32 dev;

	(void)state;
	assert_int_equal(shmnames_parse_maps_line("7f00-7f10 rw-s 00001000 fd:01 12345 /x y\n", &a, &b,
						  &dev, &ino, &path), 0);
	assert_int_equal(a, 0x7f00);
	assert_int_equal(b, 0x7f10);
	assert_int_equal(dev, (0xfdu << 20) | 1);
	assert_int_equal(ino, 12345);
	assert_string_equal(path, "/x y\n");
	assert_int_equal(shmnames_parse_maps_line("garbage", &a, &b, &dev, &ino, &path), -EINVAL);
	assert_int_equal(shmnames_name_of("/memfd:q (deleted)\n", name, sizeof(name)), 0);
	assert_string_equal(name, "memfd:q");
	assert_int_equal(shmnames_name_of("/dev/shm/a b (deleted)", name, sizeof(name)), 0);
	assert_string_equal(name, "/dev/shm/a b (deleted)");
	assert_int_equal(shmnames_name_of("/dev/zero (deleted)", name, sizeof(name)), -ENOENT);
	assert_int_equal(shmnames_name_of("/SYSV00000000 (deleted)", name, sizeof(name)), -ENOENT);
	assert_int_equal(shmnames_name_of("", name, sizeof(name)), -ENOENT);

	put_proc(320, "x", 1);
	put_file("320/maps", maps, strlen(maps));
	assert_int_equal(shmnames_new(root, &sn), 0);
	memset(&s, 0, sizeof(s));
	s.h.type = IPCS_REC_SHM;
	s.h.size = sizeof(s);
	s.pid = 320;
	s.sys = IPCS_SYS_MMAP;
	s.ino = 2;
	s.dev = 0x1b;
	assert_int_equal(shmnames_before(sn, &s, sizeof(s), got_cb, &g), 0);
	assert_int_equal(g.nshm, 1);
	assert_string_equal(g.shm.path, "/dev/shm/PostgreSQL.99");
	assert_int_equal(g.shm.ino, 2);
	assert_int_equal(g.shm.pid, 320);
	/* once per segment */
	assert_int_equal(shmnames_before(sn, &s, sizeof(s), got_cb, &g), 0);
	assert_int_equal(g.nshm, 1);
	/* a shared futex in a memfd names it; one in shared anonymous memory does not */
	memset(&f, 0, sizeof(f));
	f.h.type = IPCS_REC_FUTEX;
	f.h.size = sizeof(f);
	f.pid = 320;
	f.key_flags = IPCS_FKEY_SHARED;
	f.key_dev = 1;
	f.key_ino = 75;
	assert_int_equal(shmnames_before(sn, &f, sizeof(f), got_cb, &g), 0);
	assert_int_equal(g.nshm, 2);
	assert_string_equal(g.shm.path, "memfd:mymemfd");
	f.key_ino = 76;
	assert_int_equal(shmnames_before(sn, &f, sizeof(f), got_cb, &g), 0);
	assert_int_equal(g.nshm, 2);
	/* tried a few times at most, then left unnamed */
	for (int i = 0; i < 2 * SHMNAMES_TRIES; i++)
		assert_int_equal(shmnames_before(sn, &f, sizeof(f), got_cb, &g), 0);
	assert_int_equal(g.nshm, 2);
	shmnames_free(sn);
}

static int tree_setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/ipcs-titles-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int tree_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test_setup_teardown(test_model_titles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_shm_name, setup, teardown),
		cmocka_unit_test(test_collector),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_maps),
	};

	return cmocka_run_group_tests(tests, tree_setup, tree_teardown);
}
