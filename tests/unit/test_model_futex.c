/* test_model_futex.c - futex records: decode, key, pairing of wakes and waits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "collect/decode.h"
#include "model/model.h"
#include "model/model_futex.h"

#define SHM_DEV 26u
#define SHM_INO 77u

static __u64 now = 1000;

static struct ipcs_futex_rec frec(__u32 pid, __u32 op, __u32 val, __s64 ret, __u64 uaddr,
				  bool shared, __u64 off)
{
	struct ipcs_futex_rec r;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_FUTEX;
	r.h.size = sizeof(r);
	r.h.ts_ns = now += 10;
	r.pid = r.tid = pid;
	r.sys = IPCS_SYS_FUTEX;
	r.op = op;
	r.val = val;
	r.ret = ret;
	r.blocked_ns = 100;
	r.uaddr = uaddr;
	snprintf(r.comm, sizeof(r.comm), "p%u", pid);
	if (shared) {
		r.key_flags = IPCS_FKEY_SHARED;
		r.key_dev = SHM_DEV;
		r.key_ino = SHM_INO;
		r.key_off = off;
	} else {
		r.key_off = uaddr;
	}
	return r;
}

static void feed(struct model *m, const struct ipcs_futex_rec *r)
{
	struct ipcs_event ev;

	assert_int_equal(ipcs_decode(r, sizeof(*r), &ev), 0);
	assert_int_equal(model_apply(m, &ev), 0);
}

/* Shared futex at byte offset off (uaddr differs per process on purpose). */
static void wake(struct model *m, __u32 pid, __s64 woken, __u64 off)
{
	struct ipcs_futex_rec r = frec(pid, IPCS_FUTEX_WAKE, 1, woken, 0x1000 * pid + off, true, off);

	feed(m, &r);
}

static void wait_(struct model *m, __u32 pid, __s64 ret, __u64 off)
{
	struct ipcs_futex_rec r = frec(pid, IPCS_FUTEX_WAIT, 0, ret, 0x1000 * pid + off, true, off);

	feed(m, &r);
}

#define MAXF 16
struct fconvs {
	size_t n;
	struct model_futex_conv v[MAXF];
};

static int collect(const struct model_futex_conv *c, void *ctx)
{
	struct fconvs *l = ctx;

	assert_true(l->n < MAXF);
	l->v[l->n++] = *c;
	return 0;
}

static struct fconvs convs(struct model *m)
{
	struct fconvs l = { 0 };

	assert_int_equal(model_foreach_futex_conv(m, collect, &l), 0);
	assert_int_equal(l.n, model_futex_conv_count(m));
	return l;
}

/* The conversation of pair (a, b) in either order on offset off, or NULL. */
static const struct model_futex_conv *find(const struct fconvs *l, __u32 a, __u32 b, __u64 off)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct model_futex_conv *c = &l->v[i];

		if (c->key_off == off && ((c->a.pid == a && c->b.pid == b) ||
					  (c->a.pid == b && c->b.pid == a)))
			return c;
	}
	return NULL;
}

static int setup(void **state)
{
	struct model *m;

	assert_int_equal(model_new(&m), 0);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	model_free(*state);
	return 0;
}

static void test_decode(void **state)
{
	struct ipcs_futex_rec r = frec(5, IPCS_FUTEX_WAIT, 0, 0, 0x10, false, 0);
	struct ipcs_event ev;

	(void)state;
	memset(r.comm, 'x', sizeof(r.comm));	/* no NUL: decode terminates */
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
	assert_int_equal(ev.type, IPCS_REC_FUTEX);
	assert_int_equal(strlen(ev.futex.comm), IPCS_COMM_LEN - 1);
	assert_string_equal(ipcs_sys_name(IPCS_SYS_FUTEX_WAIT), "futex_wait");
	r.sys = IPCS_SYS_READ;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.sys = IPCS_SYS_FUTEX;
	assert_int_equal(ipcs_decode(&r, sizeof(r) - 8, &ev), -EINVAL);
}

static void test_wake_then_wait(void **state)
{
	struct model *m = *state;
	struct fconvs l;

	wake(m, 10, 1, 64);
	wait_(m, 20, 0, 64);
	l = convs(m);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].a.pid, 10);
	assert_int_equal(l.v[0].b.pid, 20);
	assert_string_equal(l.v[0].a.comm, "p10");
	assert_int_equal(l.v[0].a_to_b.wakes, 1);
	assert_int_equal(l.v[0].a_to_b.waits, 1);
	assert_int_equal(l.v[0].a_to_b.wait_ns, 100);
	assert_int_equal(l.v[0].b_to_a.wakes, 0);
	assert_true(l.v[0].shared);
	assert_int_equal(l.v[0].key_ino, SHM_INO);
	assert_string_equal(l.v[0].channel, "futex:[77]+64");
}

/* The woken waiter's record arrives first (another CPU): it waits as pending. */
static void test_wait_then_wake(void **state)
{
	struct model *m = *state;
	struct fconvs l;

	wait_(m, 20, 0, 64);
	assert_int_equal(convs(m).n, 0);
	wake(m, 10, 1, 64);
	l = convs(m);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].a.pid, 10);
	assert_int_equal(l.v[0].a_to_b.waits, 1);
}

/* One wake of 3: one wake per woken process, every wait counted. */
static void test_broadcast(void **state)
{
	struct model *m = *state;
	struct fconvs l;
	const struct model_futex_conv *c;

	wait_(m, 20, 0, 0);
	wake(m, 10, 3, 0);
	wait_(m, 20, 0, 0);
	wait_(m, 30, 0, 0);
	l = convs(m);
	assert_int_equal(l.n, 2);
	c = find(&l, 10, 20, 0);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.wakes, 1);
	assert_int_equal(c->a_to_b.waits, 2);
	c = find(&l, 10, 30, 0);
	assert_non_null(c);
	assert_int_equal(c->a_to_b.wakes, 1);
	assert_int_equal(c->a_to_b.waits, 1);
}

/* Ping-pong: one conversation per pair and key, both directions. */
static void test_pingpong_one_conv(void **state)
{
	struct model *m = *state;
	struct fconvs l;

	for (int i = 0; i < 5; i++) {
		wake(m, 10, 1, 4160);
		wait_(m, 20, 0, 4160);
		wait_(m, 10, 0, 4160);	/* record order flips: still exact */
		wake(m, 20, 1, 4160);
	}
	l = convs(m);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].a.pid, 10);
	assert_int_equal(l.v[0].a_to_b.wakes, 5);
	assert_int_equal(l.v[0].a_to_b.waits, 5);
	assert_int_equal(l.v[0].b_to_a.wakes, 5);
	assert_int_equal(l.v[0].b_to_a.waits, 5);
	assert_int_equal(l.v[0].b_to_a.wait_ns, 500);
}

/* Different offsets in one segment are different futexes; failed calls are nothing. */
static void test_keys_and_failures(void **state)
{
	struct model *m = *state;
	struct ipcs_futex_rec r;
	struct fconvs l;

	wake(m, 10, 1, 0);
	wait_(m, 20, 0, 8);	/* another futex: not paired */
	wake(m, 10, 0, 16);	/* woke nobody */
	wait_(m, 20, -EAGAIN, 0);	/* value changed: did not block */
	wait_(m, 20, -ETIMEDOUT, 0);
	r = frec(20, IPCS_FUTEX_WAIT | IPCS_FUTEX_PRIVATE_FLAG, 0, 0, 0x5000, false, 0);
	feed(m, &r);	/* private key (pid 20, uaddr): not the shared one */
	assert_int_equal(convs(m).n, 0);
	model_flush(m);
	l = convs(m);
	assert_int_equal(l.n, 3);
	/* Unpaired wake: waiter not seen; unpaired waits: waker not seen. */
	assert_non_null(find(&l, 10, 0, 0));
	assert_int_equal(find(&l, 10, 0, 0)->a_to_b.waits, 0);
	assert_int_equal(find(&l, 10, 0, 0)->a_to_b.wakes, 1);
	assert_non_null(find(&l, 0, 20, 8));
	assert_int_equal(find(&l, 0, 20, 8)->a_to_b.waits, 1);
	assert_int_equal(find(&l, 0, 20, 8)->a_to_b.wakes, 0);
	assert_non_null(find(&l, 0, 20, 0x5000));
	assert_false(find(&l, 0, 20, 0x5000)->shared);
	assert_int_equal(find(&l, 0, 20, 0x5000)->key_pid, 20);
}

/* A wait pairs with the most recent wake that has waiters left. */
static void test_most_recent_wake(void **state)
{
	struct model *m = *state;
	struct ipcs_futex_rec r;
	struct fconvs l;

	wake(m, 10, 1, 0);
	wake(m, 30, 1, 0);
	wait_(m, 20, 0, 0);
	l = convs(m);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].a.pid, 30);
	/* CMP_REQUEUE returns woken + requeued; val caps the woken. */
	r = frec(40, IPCS_FUTEX_CMP_REQUEUE, 1, 5, 0x40, true, 100);
	feed(m, &r);
	wait_(m, 20, 0, 100);
	wait_(m, 21, 0, 100);
	model_flush(m);
	l = convs(m);
	assert_int_equal(find(&l, 40, 20, 100)->a_to_b.waits, 1);
	assert_int_equal(find(&l, 0, 21, 100)->a_to_b.waits, 1);
}

/* futex_waitv: ret is the index of the futex that woke it (the record's uaddr). */
static void test_waitv(void **state)
{
	struct model *m = *state;
	struct ipcs_futex_rec r;
	struct fconvs l;

	wake(m, 10, 1, 64);
	r = frec(20, IPCS_FUTEX_WAIT_BITSET, 0, 1, 0x1040, true, 64);
	r.sys = IPCS_SYS_FUTEX_WAITV;
	feed(m, &r);
	r.ret = -EAGAIN;	/* did not block */
	feed(m, &r);
	l = convs(m);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].a_to_b.waits, 1);
	assert_int_equal(l.v[0].b.pid, 20);
}

/* A 1.0 recording's futex record is 104 bytes: read, the 1.1 fields zero. */
static void test_decode_1_0(void **state)
{
	struct ipcs_futex_rec r = frec(5, IPCS_FUTEX_WAKE, 1, 1, 0x10, false, 0);
	struct ipcs_event ev;

	(void)state;
	r.h.size = IPCS_FUTEX_REC_SIZE_1_0;
	r.uaddr2 = 0x99;	/* past the end: must not be read */
	assert_int_equal(ipcs_decode(&r, IPCS_FUTEX_REC_SIZE_1_0, &ev), 0);
	assert_int_equal(ev.futex.uaddr2, 0);
	assert_int_equal(ev.futex.key2_flags, 0);
	assert_int_equal(ev.futex.ret, 1);
	r.h.size = IPCS_FUTEX_REC_SIZE_1_0 - 8;
	assert_int_equal(ipcs_decode(&r, IPCS_FUTEX_REC_SIZE_1_0 - 8, &ev), -EINVAL);
}

/* PI: LOCK_PI waited for the owner in the word; UNLOCK_PI's word at exit names the new owner. */
static void test_pi_handoff(void **state)
{
	struct model *m = *state;
	struct ipcs_futex_rec r;
	struct fconvs l;

	for (int i = 0; i < 3; i++) {
		r = frec(20, IPCS_FUTEX_LOCK_PI, 0, 0, 0x2000, true, 0);
		r.key_flags |= IPCS_FKEY_WORD;
		r.word = 10 | IPCS_FUTEX_WAITERS;	/* owner 10 */
		feed(m, &r);	/* the waiter's record first */
		r = frec(10, IPCS_FUTEX_UNLOCK_PI, 0, 0, 0x1000, true, 0);
		r.key_flags |= IPCS_FKEY_WORD;
		r.word = 10 | IPCS_FUTEX_WAITERS;
		r.owner_hint = 20 | IPCS_FUTEX_WAITERS;	/* handed to 20 */
		feed(m, &r);
	}
	/* An unlock nobody took, an uncontended LOCK_PI, a TRYLOCK_PI: nothing. */
	r = frec(20, IPCS_FUTEX_UNLOCK_PI, 0, 0, 0x2000, true, 0);
	r.key_flags |= IPCS_FKEY_WORD;
	r.word = 20 | IPCS_FUTEX_WAITERS;
	feed(m, &r);
	r = frec(20, IPCS_FUTEX_LOCK_PI, 0, 0, 0x2000, true, 0);
	r.key_flags |= IPCS_FKEY_WORD;
	feed(m, &r);
	r = frec(20, IPCS_FUTEX_TRYLOCK_PI, 0, -EAGAIN, 0x2000, true, 0);
	feed(m, &r);
	model_flush(m);
	l = convs(m);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].a.pid, 10);
	assert_int_equal(l.v[0].b.pid, 20);
	assert_int_equal(l.v[0].a_to_b.wakes, 3);
	assert_int_equal(l.v[0].a_to_b.waits, 3);
	assert_int_equal(l.v[0].owner_tid, 10);
}

/* CMP_REQUEUE(A -> B): the moved waiter's wait on A was ended by a wake on B. */
static void test_requeue_followed(void **state)
{
	struct model *m = *state;
	struct ipcs_futex_rec r;
	struct fconvs l;

	r = frec(10, IPCS_FUTEX_CMP_REQUEUE, 1, 2, 0x1040, true, 64);	/* 1 woken, 1 moved */
	r.uaddr2 = 0x1080;
	r.key2_flags = IPCS_FKEY_SHARED;
	r.key2_dev = SHM_DEV;
	r.key2_ino = SHM_INO;
	r.key2_off = 128;
	feed(m, &r);
	wait_(m, 20, 0, 64);	/* woken by the requeue */
	wait_(m, 30, 0, 64);	/* moved: its record comes before the wake on B */
	wake(m, 40, 1, 128);
	model_flush(m);
	l = convs(m);
	assert_int_equal(l.n, 2);
	assert_int_equal(find(&l, 10, 20, 64)->a_to_b.waits, 1);
	assert_non_null(find(&l, 40, 30, 128));
	assert_int_equal(find(&l, 40, 30, 128)->a_to_b.waits, 1);
	assert_int_equal(find(&l, 40, 30, 128)->a.pid, 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test_setup_teardown(test_wake_then_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_then_wake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broadcast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pingpong_one_conv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_and_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_most_recent_wake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waitv, setup, teardown),
		cmocka_unit_test(test_decode_1_0),
		cmocka_unit_test_setup_teardown(test_pi_handoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requeue_followed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
