/*
 * test_futexseen.c - the probes' futex evidence: last acquirer (a woken
 * wait) before last waker, never the waiter itself; a shared futex found
 * from either process's address; failed waits and empty wakes teach
 * nothing; unknown addresses and futex_waitv give nobody.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "deadlock/futexseen.h"

static struct ipcs_futex_rec rec(uint32_t pid, uint32_t tid, uint32_t op, int64_t ret, uint64_t uaddr,
				 bool shared, uint64_t off)
{
	struct ipcs_futex_rec r;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_FUTEX;
	r.h.size = sizeof(r);
	r.pid = pid;
	r.tid = tid;
	r.sys = IPCS_SYS_FUTEX;
	r.op = op;
	r.ret = ret;
	r.uaddr = uaddr;
	if (shared) {
		r.key_flags = IPCS_FKEY_SHARED;
		r.key_dev = 5;
		r.key_ino = 77;
		r.key_off = off;
	} else {
		r.key_off = uaddr;
	}
	return r;
}

static void add(struct dl_futexseen *s, struct ipcs_futex_rec r)
{
	assert_int_equal(dl_futexseen_add(s, &r), 0);
}

static void test_shared_acquirer_and_waker(void **state)
{
	struct dl_futexseen s;
	const char *ev;

	(void)state;
	assert_int_equal(dl_futexseen_init(&s), 0);
	/* process 10 at 0x1000 and process 20 at 0x9000 share one word (offset 64) */
	add(&s, rec(20, 21, IPCS_FUTEX_WAKE, 1, 0x9000, true, 64));		/* 21 woke ... */
	add(&s, rec(10, 11, IPCS_FUTEX_WAIT, 0, 0x1000, true, 64));	/* 11 acquired it */
	assert_int_equal(dl_futexseen_holder(&s, 20, 22, 0x9000, &ev), 11);
	assert_string_equal(ev, DL_EVID_LAST_ACQUIRER);
	/* the acquirer itself waiting again: the last waker is who can end it */
	assert_int_equal(dl_futexseen_holder(&s, 10, 11, 0x1000, &ev), 21);
	assert_string_equal(ev, DL_EVID_LAST_WAKER);
	/* a failed wait (EAGAIN) and a wake that woke nobody change nothing */
	add(&s, rec(20, 23, IPCS_FUTEX_WAIT_BITSET, -11, 0x9000, true, 64));
	add(&s, rec(20, 24, IPCS_FUTEX_WAKE_BITSET, 0, 0x9000, true, 64));
	assert_int_equal(dl_futexseen_holder(&s, 20, 22, 0x9000, &ev), 11);
	assert_int_equal(dl_futexseen_holder(&s, 10, 11, 0x1000, &ev), 21);
	/* another offset, another address, another process: nobody */
	assert_int_equal(dl_futexseen_holder(&s, 20, 22, 0x9004, &ev), 0);
	assert_null(ev);
	assert_int_equal(dl_futexseen_holder(&s, 30, 31, 0x1000, &ev), 0);
	dl_futexseen_fini(&s);
}

static void test_private_and_pi(void **state)
{
	struct dl_futexseen s;
	struct ipcs_futex_rec d;
	const char *ev;

	(void)state;
	assert_int_equal(dl_futexseen_init(&s), 0);
	/* private futexes of two processes at one address are two futexes */
	add(&s, rec(10, 11, IPCS_FUTEX_LOCK_PI | IPCS_FUTEX_PRIVATE_FLAG, 0, 0x2000, false, 0));
	add(&s, rec(20, 21, IPCS_FUTEX_WAKE | IPCS_FUTEX_PRIVATE_FLAG, 1, 0x2000, false, 0));
	assert_int_equal(dl_futexseen_holder(&s, 10, 12, 0x2000, &ev), 11);
	assert_string_equal(ev, DL_EVID_LAST_ACQUIRER);
	assert_int_equal(dl_futexseen_holder(&s, 20, 22, 0x2000, &ev), 21);
	assert_string_equal(ev, DL_EVID_LAST_WAKER);
	assert_int_equal(dl_futexseen_holder(&s, 20, 21, 0x2000, &ev), 0);	/* only itself */
	/* futex_waitv waits on several words: it teaches nothing */
	d = rec(20, 23, IPCS_FUTEX_WAIT, 0, 0x2000, false, 0);
	d.sys = IPCS_SYS_FUTEX_WAITV;
	assert_int_equal(dl_futexseen_add(&s, &d), 0);
	assert_int_equal(dl_futexseen_holder(&s, 20, 22, 0x2000, &ev), 21);
	assert_string_equal(ev, DL_EVID_LAST_WAKER);
	dl_futexseen_fini(&s);
}

static void test_bounded(void **state)
{
	struct dl_futexseen s;
	const char *ev;

	(void)state;
	assert_int_equal(dl_futexseen_init(&s), 0);
	for (uint64_t i = 0; i <= DL_FUTEXSEEN_MAX; i++)
		add(&s, rec(10, 11, IPCS_FUTEX_WAKE, 1, 0x10000 + 4 * i, false, 0));
	assert_true(hashmap_len(&s.keys) <= DL_FUTEXSEEN_MAX);
	/* the newest is remembered, the first forgotten */
	assert_int_equal(dl_futexseen_holder(&s, 10, 12, 0x10000 + 4 * DL_FUTEXSEEN_MAX, &ev), 11);
	assert_int_equal(dl_futexseen_holder(&s, 10, 12, 0x10000, &ev), 0);
	dl_futexseen_fini(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_acquirer_and_waker),
		cmocka_unit_test(test_private_and_pi),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
