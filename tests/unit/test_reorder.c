/* test_reorder.c - the per-CPU rings' merge: time order, late records, a silent CPU, the bound. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ipcscope_abi.h"
#include "collect/loader.h"
#include "collect/reorder.h"

#define MS 1000000ull

struct out {
	__u64 ts[64];
	__u32 tag[64];		/* cpu field: which ring it came from */
	size_t len[64];
	int n;
	int fail_at;		/* cb returns -EIO at this call (0: never) */
};

static int collect(const void *rec, size_t len, void *ctx)
{
	struct out *o = ctx;
	const struct ipcs_rec_hdr *h = rec;

	if (o->fail_at && o->n + 1 == o->fail_at)
		return -5;
	assert_true(o->n < 64);
	o->ts[o->n] = len >= sizeof(*h) ? h->ts_ns : 0;
	o->tag[o->n] = len >= sizeof(*h) ? h->cpu : 0;
	o->len[o->n] = len;
	o->n++;
	return 0;
}

static void push(struct reorder *r, struct out *o, __u64 ts, __u32 cpu)
{
	struct ipcs_sys_rec rec;

	memset(&rec, 0, sizeof(rec));
	rec.h.type = IPCS_REC_SYS;
	rec.h.size = sizeof(rec);
	rec.h.cpu = cpu;
	rec.h.ts_ns = ts;
	assert_int_equal(reorder_push(r, &rec, sizeof(rec), collect, o), 0);
}

/* Two CPUs' rings read one after the other: the stream comes out in time order. */
static void test_out_of_order_input(void **state)
{
	struct reorder *r;
	struct out o = { 0 };

	(void)state;
	assert_int_equal(reorder_new(10 * MS, 1 << 20, &r), 0);
	/* CPU 0's ring first, then CPU 1's, interleaved in time. */
	push(r, &o, 100 * MS + 1, 0);
	push(r, &o, 100 * MS + 3, 0);
	push(r, &o, 100 * MS + 5, 0);
	push(r, &o, 100 * MS + 2, 1);
	push(r, &o, 100 * MS + 4, 1);
	push(r, &o, 100 * MS + 4, 0);	/* equal times: arrival order */
	assert_int_equal(o.n, 0);
	assert_int_equal(reorder_held(r), 6);
	/* Nothing is old enough yet. */
	assert_int_equal(reorder_release(r, 105 * MS, collect, &o), 0);
	assert_int_equal(reorder_release(r, 110 * MS + 3, collect, &o), 3);
	assert_int_equal(o.n, 3);
	assert_int_equal(o.ts[0], 100 * MS + 1);
	assert_int_equal(o.ts[1], 100 * MS + 2);
	assert_int_equal(o.ts[2], 100 * MS + 3);
	assert_int_equal(reorder_release(r, 120 * MS, collect, &o), 3);
	assert_int_equal(o.ts[3], 100 * MS + 4);
	assert_int_equal(o.tag[3], 1);	/* CPU 1's 4 came in before CPU 0's */
	assert_int_equal(o.tag[4], 0);
	assert_int_equal(o.ts[5], 100 * MS + 5);
	assert_int_equal(reorder_late(r), 0);
	assert_int_equal(reorder_held(r), 0);
	reorder_free(r);
}

/* Many records in random order from 4 rings: sorted, none lost, none late. */
static void test_shuffled(void **state)
{
	struct reorder *r;
	struct out o = { 0 };
	__u64 ts[60];

	(void)state;
	for (int i = 0; i < 60; i++)
		ts[i] = 1000 * MS + (__u64)i * 7;
	srand(42);
	for (int i = 59; i > 0; i--) {
		int j = rand() % (i + 1);
		__u64 t = ts[i];

		ts[i] = ts[j];
		ts[j] = t;
	}
	assert_int_equal(reorder_new(5 * MS, 1 << 20, &r), 0);
	for (int i = 0; i < 60; i++)
		push(r, &o, ts[i], (__u32)(i % 4));
	assert_int_equal(reorder_flush(r, collect, &o), 60);
	for (int i = 0; i < 60; i++)
		assert_int_equal(o.ts[i], 1000 * MS + (__u64)i * 7);
	assert_int_equal(reorder_late(r), 0);
	reorder_free(r);
}

/* A record older than one delivered already: delivered at once, after it, and counted. */
static void test_late_beyond_window(void **state)
{
	struct reorder *r;
	struct out o = { 0 };

	(void)state;
	assert_int_equal(reorder_new(10 * MS, 1 << 20, &r), 0);
	push(r, &o, 100 * MS, 0);
	push(r, &o, 105 * MS, 0);
	assert_int_equal(reorder_release(r, 116 * MS, collect, &o), 2);
	/* CPU 1's record of 103 ms was committed only now: beyond the window. */
	push(r, &o, 103 * MS, 1);
	assert_int_equal(o.n, 3);
	assert_int_equal(o.ts[2], 103 * MS);
	assert_int_equal(reorder_late(r), 1);
	/* Within the window is not late: 107 ms is newer than the last delivered (105). */
	push(r, &o, 107 * MS, 1);
	assert_int_equal(o.n, 3);
	assert_int_equal(reorder_late(r), 1);
	assert_int_equal(reorder_flush(r, collect, &o), 1);
	assert_int_equal(o.ts[3], 107 * MS);
	reorder_free(r);
}

/* Only CPU 0 writes: its records go out as time passes, nobody waits for CPU 1. */
static void test_one_cpu_silent(void **state)
{
	struct reorder *r;
	struct out o = { 0 };

	(void)state;
	assert_int_equal(reorder_new(20 * MS, 1 << 20, &r), 0);
	for (int i = 0; i < 10; i++)
		push(r, &o, (__u64)(100 + i * 10) * MS, 0);
	/* now = 150 ms: records up to 130 ms are 20 ms old. */
	assert_int_equal(reorder_release(r, 150 * MS, collect, &o), 4);
	assert_int_equal(o.ts[3], 130 * MS);
	assert_int_equal(reorder_release(r, 210 * MS, collect, &o), 6);
	assert_int_equal(reorder_held(r), 0);
	/* A clock before the window's length releases nothing (no underflow). */
	push(r, &o, 300 * MS, 0);
	assert_int_equal(reorder_release(r, 1 * MS, collect, &o), 0);
	assert_int_equal(reorder_window_ns(r), 20 * MS);
	reorder_free(r);
}

/* Held bytes are bounded: past the bound the oldest go out early, in order. */
static void test_bound(void **state)
{
	struct reorder *r;
	struct out o = { 0 };

	(void)state;
	assert_int_equal(reorder_new(1000 * MS, 3 * sizeof(struct ipcs_sys_rec), &r), 0);
	push(r, &o, 50 * MS, 1);
	push(r, &o, 40 * MS, 0);
	push(r, &o, 60 * MS, 0);
	assert_int_equal(o.n, 0);
	push(r, &o, 45 * MS, 1);	/* 4 held > 3: the oldest (40) out */
	assert_int_equal(o.n, 1);
	assert_int_equal(o.ts[0], 40 * MS);
	push(r, &o, 30 * MS, 1);	/* older than what went out: late */
	assert_int_equal(reorder_late(r), 1);
	assert_int_equal(reorder_flush(r, collect, &o), 3);
	assert_int_equal(o.ts[2], 45 * MS);
	assert_int_equal(o.ts[3], 50 * MS);
	assert_int_equal(o.ts[4], 60 * MS);
	reorder_free(r);
}

/* The sink's error stops the merge and comes back; what is held is freed. */
static void test_cb_error(void **state)
{
	struct reorder *r;
	struct out o = { .fail_at = 2 };
	char tiny[4] = { 1, 2, 3, 4 };

	(void)state;
	assert_int_equal(reorder_new(MS, 1 << 20, &r), 0);
	push(r, &o, 10 * MS, 0);
	push(r, &o, 11 * MS, 0);
	push(r, &o, 12 * MS, 0);
	assert_int_equal(reorder_release(r, 100 * MS, collect, &o), -5);
	assert_int_equal(o.n, 1);
	/* A record too short for a header has no time: passed on at once (decode rejects it). */
	o.fail_at = 0;
	assert_int_equal(reorder_push(r, tiny, sizeof(tiny), collect, &o), 0);
	assert_int_equal(o.len[1], sizeof(tiny));
	assert_int_equal(reorder_late(r), 0);
	reorder_free(r);	/* one record still held: ASan checks it is freed */
}

static int count_order(const void *rec, size_t len, void *ctx)
{
	__u64 *last = ctx;
	const struct ipcs_rec_hdr *h = rec;

	assert_int_equal(len, sizeof(struct ipcs_sys_rec));
	assert_true(h->ts_ns >= last[0]);	/* never back in time */
	assert_int_equal(h->ts_ns, last[0] + 1);	/* and none skipped: times are 1, 2, 3 ... */
	last[0] = h->ts_ns;
	last[1]++;
	return 0;
}

/* Long runs through two CPUs' FIFOs, released as time passes: the buffers grow, are
 * compacted and reused, and every record comes out once, in order. */
static void test_many(void **state)
{
	struct reorder *r;
	struct ipcs_sys_rec rec;
	__u64 st[2] = { 0, 0 }, t = 1;

	(void)state;
	memset(&rec, 0, sizeof(rec));
	rec.h.size = sizeof(rec);
	assert_int_equal(reorder_new(1000, 64u << 20, &r), 0);
	for (int batch = 0; batch < 300; batch++) {
		/* 2000 records alternating between CPU 0 and 1, each CPU's read in turn */
		for (__u32 cpu = 0; cpu < 2; cpu++)
			for (int i = 0; i < 1000; i++) {
				rec.h.cpu = cpu;
				rec.h.ts_ns = t + 2 * (__u64)i + cpu;
				assert_int_equal(reorder_push(r, &rec, sizeof(rec), count_order, st), 0);
			}
		t += 2000;
		/* Release about half of what is held: the rest stays for the next batch. */
		assert_true(reorder_release(r, t - 1000 + 1000, count_order, st) >= 0);
	}
	assert_true(reorder_flush(r, count_order, st) >= 0);
	assert_int_equal(st[1], 600000);
	assert_int_equal(reorder_late(r), 0);
	reorder_free(r);
}

/* The rings the merge reads: --ringbuf-kb shared out, a power of two each, at least a page. */
static void test_ring_sizes(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	(void)state;
	assert_int_equal(loader_ring_bytes(8u << 20, 2), 4u << 20);
	assert_int_equal(loader_ring_bytes(8u << 20, 1), 8u << 20);
	assert_int_equal(loader_ring_bytes(8u << 20, 3), 2u << 20);
	assert_int_equal(loader_ring_bytes(8u << 20, 64), 128u << 10);
	assert_int_equal(loader_ring_bytes(page, 2), page);	/* never below a page */
	assert_int_equal(loader_ring_bytes(4 * page, 1024), page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_out_of_order_input),
		cmocka_unit_test(test_shuffled),
		cmocka_unit_test(test_late_beyond_window),
		cmocka_unit_test(test_one_cpu_silent),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_cb_error),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_ring_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
