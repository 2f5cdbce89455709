/*
 * test_model_cgroup.c - cgroups of processes: raw records of 1.0/1.1 (no
 * cgroup id) and 1.2 through the decoder, name records, moves, forks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "model_testlib.h"

/* Decode raw bytes of len (as a file of that version holds them) and apply them. */
static void feed_raw(struct model *m, const void *rec, size_t len)
{
	struct ipcs_event ev;

	assert_int_equal(ipcs_decode(rec, len, &ev), 0);
	apply(m, &ev);
}

static struct ipcs_proc_rec proc_rec(__u16 op, __u32 pid, __u32 ppid, __u64 start,
				     const char *comm, __u64 cg, size_t size)
{
	struct ipcs_proc_rec r;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_PROC;
	r.h.size = (__u16)size;
	r.h.ts_ns = now++;
	r.pid = r.tid = pid;
	r.ppid = ppid;
	r.op = op;
	r.start_ns = start;
	snprintf(r.comm, sizeof(r.comm), "%s", comm);
	r.cgroup_id = cg;	/* beyond size for an old record: never read */
	return r;
}

static struct ipcs_cgroup_name_rec name_rec(__u64 id, const char *path)
{
	struct ipcs_cgroup_name_rec r;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_CGROUP_NAME;
	r.h.size = sizeof(r);
	r.h.ts_ns = now++;
	r.cgroup_id = id;
	snprintf(r.path, sizeof(r.path), "%s", path);
	return r;
}

/* A 1.1 record (64 bytes) decodes with cgroup_id 0, whatever lies beyond it. */
static void test_decode_old_and_new(void **state)
{
	struct ipcs_proc_rec p = proc_rec(IPCS_PROC_FORK, 20, 10, 5, "kid", 0xdead, 64);
	struct ipcs_seed_proc_rec s;
	struct ipcs_cgroup_rec c;
	struct ipcs_cgroup_name_rec n = name_rec(7, "/a");
	struct ipcs_event ev;

	(void)state;
	assert_int_equal(IPCS_PROC_REC_SIZE_1_1, offsetof(struct ipcs_proc_rec, cgroup_id));
	assert_int_equal(IPCS_SEED_PROC_REC_SIZE_1_1, offsetof(struct ipcs_seed_proc_rec, cgroup_id));
	memset(&ev, 0xff, sizeof(ev));
	assert_int_equal(ipcs_decode(&p, 64, &ev), 0);
	assert_int_equal(ev.proc.cgroup_id, 0);
	assert_int_equal(ev.proc.pid, 20);
	assert_string_equal(ev.proc.comm, "kid");
	p.h.size = sizeof(p);
	assert_int_equal(ipcs_decode(&p, sizeof(p), &ev), 0);
	assert_int_equal(ev.proc.cgroup_id, 0xdead);
	p.h.size = 56;	/* shorter than any version's */
	assert_int_equal(ipcs_decode(&p, 56, &ev), -EINVAL);

	memset(&s, 0, sizeof(s));
	s.h.type = IPCS_REC_SEED_PROC;
	s.h.size = 48;
	s.pid = 3;
	s.cgroup_id = 99;
	memset(&ev, 0xff, sizeof(ev));
	assert_int_equal(ipcs_decode(&s, 48, &ev), 0);
	assert_int_equal(ev.seed_proc.cgroup_id, 0);
	s.h.size = sizeof(s);
	assert_int_equal(ipcs_decode(&s, sizeof(s), &ev), 0);
	assert_int_equal(ev.seed_proc.cgroup_id, 99);

	/* A move needs an id; a name's path is terminated whatever the bytes. */
	memset(&c, 0, sizeof(c));
	c.h.type = IPCS_REC_CGROUP;
	c.h.size = sizeof(c);
	c.pid = 4;
	assert_int_equal(ipcs_decode(&c, sizeof(c), &ev), -EINVAL);
	c.cgroup_id = 5;
	memset(c.comm, 'x', sizeof(c.comm));
	assert_int_equal(ipcs_decode(&c, sizeof(c), &ev), 0);
	assert_int_equal(strlen(ev.cgroup.comm), IPCS_COMM_LEN - 1);
	memset(n.path, 'p', sizeof(n.path));
	assert_int_equal(ipcs_decode(&n, sizeof(n), &ev), 0);
	assert_int_equal(strlen(ev.path), IPCS_PATH_MAX - 1);
	assert_ptr_equal(ev.path, ev.cgroup_name.path);
	n.cgroup_id = 0;
	assert_int_equal(ipcs_decode(&n, sizeof(n), &ev), -EINVAL);
	assert_int_equal(ipcs_decode(&n, sizeof(n) - 8, &ev), -EINVAL);
}

/* A 1.1 recording: processes, no cgroups; nothing invented. */
static void test_old_recording_has_no_cgroups(void **state)
{
	struct model *m = *state;
	struct ipcs_proc_rec p = proc_rec(IPCS_PROC_FORK, 20, 10, 5, "kid", 4242, 64);
	struct proc_q q;

	feed_raw(m, &p, 64);
	q = procs_of(m, 20);
	assert_int_equal(q.n, 1);
	assert_int_equal(q.v[0].cgroup_id, 0);
	assert_string_equal(q.v[0].cgroup, "");
}

/* Seed, fork, exec, a move after fork, names (late and replaced). */
static void test_follow_and_name(void **state)
{
	struct model *m = *state;
	struct ipcs_seed_proc_rec s;
	struct ipcs_cgroup_name_rec n;
	struct ipcs_proc_rec p;
	struct proc_q q;

	memset(&s, 0, sizeof(s));
	s.h.type = IPCS_REC_SEED_PROC;
	s.h.size = sizeof(s);
	s.pid = 10;
	s.ppid = 1;
	s.start_ns = 1000;
	s.cgroup_id = 100;
	snprintf(s.comm, sizeof(s.comm), "shell");
	n = name_rec(100, "/user.slice/session-1.scope");
	feed_raw(m, &n, sizeof(n));
	feed_raw(m, &s, sizeof(s));
	q = procs_of(m, 10);
	assert_int_equal(q.v[0].cgroup_id, 100);
	assert_string_equal(q.v[0].cgroup, "/user.slice/session-1.scope");
	assert_string_equal(model_cgroup_path(m, 100), "/user.slice/session-1.scope");
	assert_null(model_cgroup_path(m, 101));
	assert_null(model_cgroup_path(m, 0));

	/* fork: the child's cgroup (here where its parent is) */
	p = proc_rec(IPCS_PROC_FORK, 20, 10, 2000, "shell", 100, sizeof(p));
	feed_raw(m, &p, sizeof(p));
	/* moved after fork (echo $$ > cgroup.procs): a name first, then the move */
	n = name_rec(200, "/app-a");
	feed_raw(m, &n, sizeof(n));
	do_cgroup_move(m, 20, 200);
	q = procs_of(m, 20);
	assert_int_equal(q.n, 1);
	assert_int_equal(q.v[0].cgroup_id, 200);
	assert_string_equal(q.v[0].cgroup, "/app-a");
	assert_string_equal(procs_of(m, 10).v[0].cgroup, "/user.slice/session-1.scope");
	/* exec keeps it (and reports it); a 1.1 exec (id 0) does not clear it */
	p = proc_rec(IPCS_PROC_EXEC, 20, 10, 2000, "worker", 200, sizeof(p));
	feed_raw(m, &p, sizeof(p));
	p = proc_rec(IPCS_PROC_EXEC, 20, 10, 2000, "worker2", 0, 64);
	feed_raw(m, &p, 64);
	q = procs_of(m, 20);
	assert_int_equal(q.v[0].cgroup_id, 200);
	assert_string_equal(q.v[0].ref.comm, "worker2");

	/* an id not named (yet) is known by id; a later name applies to it */
	do_cgroup_move(m, 20, 300);
	q = procs_of(m, 20);
	assert_int_equal(q.v[0].cgroup_id, 300);
	assert_string_equal(q.v[0].cgroup, "");
	n = name_rec(300, "/app-b");
	feed_raw(m, &n, sizeof(n));
	assert_string_equal(procs_of(m, 20).v[0].cgroup, "/app-b");
	n = name_rec(300, "/app-b-renamed");	/* the last name wins */
	feed_raw(m, &n, sizeof(n));
	assert_string_equal(procs_of(m, 20).v[0].cgroup, "/app-b-renamed");

	/* exit keeps the process's cgroup for the surfaces */
	p = proc_rec(IPCS_PROC_EXIT, 20, 10, 2000, "worker2", 300, sizeof(p));
	feed_raw(m, &p, sizeof(p));
	q = procs_of(m, 20);
	assert_true(q.v[0].exited);
	assert_string_equal(q.v[0].cgroup, "/app-b-renamed");

	/* a move of a process never seen makes it; pid 0 is ignored */
	do_cgroup_move(m, 30, 200);
	assert_string_equal(procs_of(m, 30).v[0].cgroup, "/app-a");
	do_cgroup_move(m, 0, 200);
	assert_int_equal(model_ignored(m), 1);
}

/* A reused pid's new instance does not inherit the old one's cgroup. */
static void test_pid_reuse(void **state)
{
	struct model *m = *state;
	struct ipcs_proc_rec p = proc_rec(IPCS_PROC_FORK, 40, 1, 100, "old", 500, sizeof(struct ipcs_proc_rec));
	struct proc_q q;

	feed_raw(m, &p, sizeof(p));
	p = proc_rec(IPCS_PROC_EXIT, 40, 1, 100, "old", 500, sizeof(p));
	feed_raw(m, &p, sizeof(p));
	p = proc_rec(IPCS_PROC_FORK, 40, 1, 900000000, "new", 0, 64);
	feed_raw(m, &p, 64);
	q = procs_of(m, 40);
	assert_int_equal(q.n, 2);
	for (size_t i = 0; i < q.n; i++)
		assert_int_equal(q.v[i].cgroup_id, q.v[i].ref.start_ns == 100 ? 500 : 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_old_and_new),
		cmocka_unit_test_setup_teardown(test_old_recording_has_no_cgroups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_and_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pid_reuse, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
