/*
 * test_deadlock_graph.c - wait-for graph analysis: cycles (ABBA, three-way,
 * OR-waits on pipes with several writers), stalls (chains ending in a thread
 * that can move), non-deadlocks, and the order cycles print in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "deadlock/waitgraph.h"

static size_t add(struct dl_graph *g, pid_t pid, pid_t tid, enum dl_kind k)
{
	struct dl_thread t = { .pid = pid, .tid = tid, .kind = k, .ns = -1 };
	long i;

	snprintf(t.comm, sizeof(t.comm), "t%d", tid);
	i = dl_graph_add_thread(g, &t);
	assert_true(i >= 0);
	return (size_t)i;
}

static void edge(struct dl_graph *g, size_t a, size_t b)
{
	assert_int_equal(dl_graph_add_edge(g, a, b, "test"), 0);
}

static void analyse(struct dl_graph *g, struct dl_result *r)
{
	assert_int_equal(dl_graph_finish(g), 0);
	assert_int_equal(dl_analyse(g, r), 0);
}

/* tids of a chain as "1 2 3" */
static const char *tids(const struct dl_graph *g, const struct dl_chain *c)
{
	static char buf[256];
	size_t l = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < c->n; i++)
		l += (size_t)snprintf(buf + l, sizeof(buf) - l, "%s%d", i ? " " : "", g->t[c->th[i]].tid);
	return buf;
}

static void test_abba(void **state)
{
	struct dl_graph g;
	struct dl_result r;
	size_t main_t, a, b;

	(void)state;
	dl_graph_init(&g);
	main_t = add(&g, 10, 10, DL_K_FUTEX);	/* joining: no known holder */
	b = add(&g, 10, 12, DL_K_MUTEX);
	a = add(&g, 10, 11, DL_K_MUTEX);
	edge(&g, a, b);
	edge(&g, b, a);
	edge(&g, b, a);	/* duplicate: ignored */
	analyse(&g, &r);
	assert_int_equal(g.ne, 2);
	assert_int_equal(r.ncycles, 1);
	assert_string_equal(tids(&g, &r.cycles[0]), "11 12");	/* smallest tid first */
	assert_int_equal(g.e[r.cycles[0].edge[0]].to, b);
	assert_int_equal(g.e[r.cycles[0].edge[1]].to, a);
	assert_int_equal(r.nstalls, 0);
	(void)main_t;
	dl_result_fini(&r);
	dl_graph_fini(&g);
}

static void test_three_way_and_waiter_behind(void **state)
{
	struct dl_graph g;
	struct dl_result r;
	size_t t[5];

	(void)state;
	dl_graph_init(&g);
	for (int i = 0; i < 5; i++)
		t[i] = add(&g, 100 + i, 100 + i, DL_K_PIPE);
	edge(&g, t[2], t[3]);
	edge(&g, t[3], t[4]);
	edge(&g, t[4], t[2]);
	edge(&g, t[0], t[1]);	/* 100 -> 101 -> the cycle */
	edge(&g, t[1], t[2]);
	analyse(&g, &r);
	assert_int_equal(r.ncycles, 1);
	assert_string_equal(tids(&g, &r.cycles[0]), "102 103 104");
	assert_int_equal(r.nstalls, 1);
	assert_string_equal(tids(&g, &r.stalls[0]), "100 101 102");
	assert_int_equal(r.stalls[0].edge[2], (size_t)-1);
	dl_result_fini(&r);
	dl_graph_fini(&g);
}

/* A pipe with two writers: a reader is only stuck if both are. */
static void test_or_wait(void **state)
{
	struct dl_graph g;
	struct dl_result r;
	size_t rd, w1, w2;

	(void)state;
	dl_graph_init(&g);
	rd = add(&g, 1, 1, DL_K_PIPE);
	w1 = add(&g, 2, 2, DL_K_MUTEX);
	w2 = add(&g, 3, 3, DL_K_NONE);	/* running: can still write */
	edge(&g, rd, w1);
	edge(&g, rd, w2);
	edge(&g, w1, rd);
	analyse(&g, &r);
	assert_int_equal(r.ncycles, 0);
	/* w1 waits for rd, rd for w2 (free): one stall, via the free writer */
	assert_int_equal(r.nstalls, 1);
	assert_string_equal(tids(&g, &r.stalls[0]), "2 1 3");
	dl_result_fini(&r);
	dl_graph_fini(&g);

	/* the same with the second writer blocked on the reader too: deadlock */
	dl_graph_init(&g);
	rd = add(&g, 1, 1, DL_K_PIPE);
	w1 = add(&g, 2, 2, DL_K_MUTEX);
	w2 = add(&g, 3, 3, DL_K_MUTEX);
	edge(&g, rd, w1);
	edge(&g, rd, w2);
	edge(&g, w1, rd);
	edge(&g, w2, rd);
	analyse(&g, &r);
	assert_int_equal(r.ncycles, 1);
	assert_string_equal(tids(&g, &r.cycles[0]), "1 2");
	assert_int_equal(r.nstalls, 1);	/* w2 waits behind the cycle */
	assert_string_equal(tids(&g, &r.stalls[0]), "3 1");
	dl_result_fini(&r);
	dl_graph_fini(&g);
}

/* Waiting with no known holder, or on a thread that sleeps elsewhere. */
static void test_no_deadlock(void **state)
{
	struct dl_graph g;
	struct dl_result r;
	size_t acc, cv, timer, rd, wr;

	(void)state;
	dl_graph_init(&g);
	acc = add(&g, 1, 1, DL_K_SOCKET);	/* accept: no edge */
	cv = add(&g, 2, 2, DL_K_FUTEX);		/* cond var: no edge */
	timer = add(&g, 2, 3, DL_K_NONE);
	rd = add(&g, 4, 4, DL_K_PIPE);
	wr = add(&g, 5, 5, DL_K_NONE);
	edge(&g, rd, wr);
	analyse(&g, &r);
	assert_int_equal(r.ncycles, 0);
	assert_int_equal(r.nstalls, 1);
	assert_string_equal(tids(&g, &r.stalls[0]), "4 5");
	(void)acc; (void)cv; (void)timer;
	dl_result_fini(&r);
	dl_graph_fini(&g);
}

static void test_two_cycles_and_bad_edges(void **state)
{
	struct dl_graph g;
	struct dl_result r;
	size_t t[4];

	(void)state;
	dl_graph_init(&g);
	for (int i = 0; i < 4; i++)
		t[i] = add(&g, 50 - i, 50 - i, DL_K_MUTEX);
	assert_int_equal(dl_graph_add_edge(&g, 0, 9, "x"), -EINVAL);
	edge(&g, t[0], t[1]);
	edge(&g, t[1], t[0]);
	edge(&g, t[2], t[3]);
	edge(&g, t[3], t[2]);
	analyse(&g, &r);
	assert_int_equal(dl_graph_add_edge(&g, 0, 1, "late"), -EINVAL);
	assert_int_equal(r.ncycles, 2);
	assert_string_equal(tids(&g, &r.cycles[0]), "49 50");
	assert_string_equal(tids(&g, &r.cycles[1]), "47 48");
	assert_int_equal(dl_graph_find(&g, 48), 2);
	assert_int_equal(dl_graph_find(&g, 7), -1);
	assert_string_equal(dl_kind_name(DL_K_SOCKET), "socket");
	assert_string_equal(dl_kind_name((enum dl_kind)99), "?");
	dl_result_fini(&r);
	dl_graph_fini(&g);
}

static void test_empty(void **state)
{
	struct dl_graph g;
	struct dl_result r;

	(void)state;
	dl_graph_init(&g);
	analyse(&g, &r);
	assert_int_equal(r.ncycles + r.nstalls, 0);
	dl_result_fini(&r);
	dl_graph_fini(&g);
}


/* An event loop's wait set: a knot only when nobody outside can wake it.
 * Two servers polling pipes to each other are a knot; give one of them a
 * set member that is woken from outside (a terminal, a listener, a timeout)
 * and there is none, and nothing stalls behind it either. */
static void test_knot_and_outside(void **state)
{
	struct dl_graph g;
	struct dl_result r;
	size_t a, b, c;

	(void)state;
	for (int outside = 0; outside < 2; outside++) {
		dl_graph_init(&g);
		a = add(&g, 1, 1, DL_K_SET);
		b = add(&g, 2, 2, DL_K_SET);
		c = add(&g, 3, 3, DL_K_PIPE);	/* waits on a, which waits in the knot */
		g.t[b].external = outside;
		edge(&g, a, b);
		edge(&g, b, a);
		edge(&g, c, a);
		analyse(&g, &r);
		assert_int_equal(r.ncycles, outside ? 0 : 1);
		if (!outside) {
			assert_string_equal(tids(&g, &r.cycles[0]), "1 2");
			assert_int_equal(r.nstalls, 1);
			assert_string_equal(tids(&g, &r.stalls[0]), "3 1");
			assert_int_equal(dl_verdict_of(&g, &r, 0), DL_V_DEADLOCK);
		} else {
			/* c -> a -> b, b can be woken from outside: one stall ending in b */
			assert_int_equal(r.nstalls, 1);
			assert_string_equal(tids(&g, &r.stalls[0]), "3 1 2");
			assert_int_equal(dl_verdict_of(&g, &r, 0), DL_V_NONE);
		}
		dl_result_fini(&r);
		dl_graph_fini(&g);
	}
}

/* Suspected: no cycle, every named thread stuck on an owner-unknown lock or
 * latch long enough, none that can act. */
static void test_verdict_suspected(void **state)
{
	struct dl_graph g;
	struct dl_result r;
	size_t a, b, m;

	(void)state;
	dl_graph_init(&g);
	a = add(&g, 5, 6, DL_K_FUTEX);
	b = add(&g, 5, 7, DL_K_FUTEX);
	m = add(&g, 5, 5, DL_K_FUTEX);
	for (size_t i = 0; i < g.nt; i++) {
		g.t[i].named = true;
		g.t[i].state = 'S';
		g.t[i].owner_unknown = true;
		g.t[i].idle_ns = 2000000000;
	}
	analyse(&g, &r);
	assert_int_equal(r.ncycles, 0);
	assert_int_equal(dl_verdict_of(&g, &r, 1000000000), DL_V_SUSPECTED);
	assert_string_equal(dl_verdict_name(DL_V_SUSPECTED), "suspected");
	/* not long enough */
	assert_int_equal(dl_verdict_of(&g, &r, 3000000000), DL_V_NONE);
	/* how long unknown: no suspicion */
	for (size_t i = 0; i < g.nt; i++)
		g.t[i].idle_ns = -1;
	assert_int_equal(dl_verdict_of(&g, &r, 0), DL_V_NONE);
	for (size_t i = 0; i < g.nt; i++)
		g.t[i].idle_ns = 2000000000;
	/* one thread of theirs runs, or waits with a timeout: it may release */
	g.t[m].state = 'R';
	assert_int_equal(dl_verdict_of(&g, &r, 1000000000), DL_V_NONE);
	g.t[m].state = 'S';
	g.t[m].timed = true;
	assert_int_equal(dl_verdict_of(&g, &r, 1000000000), DL_V_NONE);
	/* one waits for a client who can act (outside, not a latch) */
	g.t[m].timed = false;
	g.t[m].owner_unknown = false;
	g.t[m].external = true;
	g.t[m].kind = DL_K_SET;
	assert_int_equal(dl_verdict_of(&g, &r, 1000000000), DL_V_NONE);
	/* a latch wait is external (any process may signal it) yet suspect */
	g.t[m].owner_unknown = true;
	assert_int_equal(dl_verdict_of(&g, &r, 1000000000), DL_V_SUSPECTED);
	/* threads of processes not named do not count */
	g.t[a].named = g.t[b].named = g.t[m].named = false;
	assert_int_equal(dl_verdict_of(&g, &r, 1000000000), DL_V_NONE);
	dl_result_fini(&r);
	dl_graph_fini(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abba),
		cmocka_unit_test(test_three_way_and_waiter_behind),
		cmocka_unit_test(test_or_wait),
		cmocka_unit_test(test_no_deadlock),
		cmocka_unit_test(test_two_cycles_and_bad_edges),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_knot_and_outside),
		cmocka_unit_test(test_verdict_suspected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
