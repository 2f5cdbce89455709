/*
 * test_locks.c - lock owners and the lock-order graph from lock records:
 * holders and waiters (a writer waiting for two readers points at the
 * blocked one), recursive takes, a semaphore turned signal or counter names
 * nobody, an ABBA inversion reported once with both orders' stacks, a
 * consistent order never, read-read orders never, try-lock failures and
 * process exits forget, shared locks are one lock across processes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "deadlock/locks.h"

static uint64_t ts;

static struct ipcs_lock_rec rec(uint32_t pid, uint32_t tid, uint8_t fn, uint8_t phase, uint64_t uaddr)
{
	struct ipcs_lock_rec r;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_LOCK;
	r.h.size = sizeof(r);
	r.h.ts_ns = ++ts;
	r.pid = pid;
	r.tid = tid;
	r.fn = fn;
	r.phase = phase;
	r.kind = fn >= IPCS_LOCKF_SEM_WAIT && fn <= IPCS_LOCKF_SEM_POST ? IPCS_LOCKK_SEM :
		 fn >= IPCS_LOCKF_RW_RDLOCK && fn <= IPCS_LOCKF_RW_UNLOCK ? IPCS_LOCKK_RWLOCK : IPCS_LOCKK_MUTEX;
	r.uaddr = uaddr;
	r.key_off = uaddr;
	if (phase == IPCS_LOCKP_ACQUIRED) {
		r.nstack = 2;
		r.stack[0] = uaddr + tid;	/* tells the takes apart */
		r.stack[1] = 0x400000;
	}
	return r;
}

static void add(struct dl_locks *s, struct ipcs_lock_rec r)
{
	assert_int_equal(dl_locks_add(s, &r), 0);
}

/* attempt + acquired, then release */
static void take(struct dl_locks *s, uint32_t pid, uint32_t tid, uint8_t fn, uint64_t a)
{
	add(s, rec(pid, tid, fn, IPCS_LOCKP_ATTEMPT, a));
	add(s, rec(pid, tid, fn, IPCS_LOCKP_ACQUIRED, a));
}

static void give(struct dl_locks *s, uint32_t pid, uint32_t tid, uint8_t fn, uint64_t a)
{
	add(s, rec(pid, tid, fn, IPCS_LOCKP_RELEASED, a));
}

static int ninv;
static struct dl_inversion last;

static void on_inv(const struct dl_inversion *inv, void *ctx)
{
	(void)ctx;
	ninv++;
	last = *inv;
}

static bool blocked_set[64];

static bool blocked(pid_t tid, void *ctx)
{
	(void)ctx;
	return tid < 64 && blocked_set[tid];
}

static void test_abba_once_with_stacks(void **state)
{
	struct dl_locks s;

	(void)state;
	ninv = 0;
	assert_int_equal(dl_locks_init(&s, on_inv, NULL), 0);
	/* thread 11: A then B; later thread 12: B then A (never overlapping) */
	take(&s, 10, 11, IPCS_LOCKF_SEM_WAIT, 0xa0);
	take(&s, 10, 11, IPCS_LOCKF_SEM_WAIT, 0xb0);
	give(&s, 10, 11, IPCS_LOCKF_SEM_POST, 0xb0);
	give(&s, 10, 11, IPCS_LOCKF_SEM_POST, 0xa0);
	assert_int_equal(ninv, 0);
	take(&s, 10, 12, IPCS_LOCKF_SEM_WAIT, 0xb0);
	take(&s, 10, 12, IPCS_LOCKF_SEM_WAIT, 0xa0);
	assert_int_equal(ninv, 1);
	assert_int_equal(last.n, 2);
	assert_int_equal(last.a.uaddr, 0xb0);	/* 12 held B ... */
	assert_int_equal(last.b.uaddr, 0xa0);	/* ... and took A */
	assert_int_equal(last.first_held.tid, 11);
	assert_int_equal(last.first_held.stack[0], 0xa0 + 11);
	assert_int_equal(last.first_taken.stack[0], 0xb0 + 11);
	assert_int_equal(last.second_held.tid, 12);
	assert_int_equal(last.second_held.stack[0], 0xb0 + 12);
	assert_int_equal(last.second_taken.stack[0], 0xa0 + 12);
	assert_int_equal(last.second_taken.nstack, 2);
	give(&s, 10, 12, IPCS_LOCKF_SEM_POST, 0xa0);
	give(&s, 10, 12, IPCS_LOCKF_SEM_POST, 0xb0);
	/* the same pair again, in either order: not again */
	take(&s, 10, 13, IPCS_LOCKF_SEM_WAIT, 0xa0);
	take(&s, 10, 13, IPCS_LOCKF_SEM_WAIT, 0xb0);
	assert_int_equal(ninv, 1);
	assert_int_equal(s.ninv, 1);
	dl_locks_fini(&s);
}

static void test_consistent_order_never(void **state)
{
	struct dl_locks s;

	(void)state;
	ninv = 0;
	assert_int_equal(dl_locks_init(&s, on_inv, NULL), 0);
	for (int i = 0; i < 1000; i++) {
		uint32_t tid = 20 + i % 3;

		take(&s, 10, tid, IPCS_LOCKF_MUTEX_LOCK, 0xa0);
		take(&s, 10, tid, IPCS_LOCKF_MUTEX_LOCK, 0xb0);
		take(&s, 10, tid, IPCS_LOCKF_MUTEX_LOCK, 0xc0);
		give(&s, 10, tid, IPCS_LOCKF_MUTEX_UNLOCK, 0xc0);
		give(&s, 10, tid, IPCS_LOCKF_MUTEX_UNLOCK, 0xb0);
		/* B released first, then taken again under A: still A before B */
		take(&s, 10, tid, IPCS_LOCKF_MUTEX_LOCK, 0xb0);
		give(&s, 10, tid, IPCS_LOCKF_MUTEX_UNLOCK, 0xb0);
		give(&s, 10, tid, IPCS_LOCKF_MUTEX_UNLOCK, 0xa0);
	}
	assert_int_equal(ninv, 0);
	/* C held while A is taken: A -> C was seen (A and B held when C was taken) */
	take(&s, 10, 30, IPCS_LOCKF_MUTEX_LOCK, 0xc0);
	take(&s, 10, 30, IPCS_LOCKF_MUTEX_LOCK, 0xa0);
	assert_int_equal(ninv, 1);
	assert_int_equal(last.n, 2);
	/* three locks, three threads: D -> E, E -> F, then F -> D closes the cycle */
	take(&s, 10, 40, IPCS_LOCKF_MUTEX_LOCK, 0xd0);
	take(&s, 10, 40, IPCS_LOCKF_MUTEX_LOCK, 0xe0);
	take(&s, 10, 41, IPCS_LOCKF_MUTEX_LOCK, 0xe8);
	give(&s, 10, 41, IPCS_LOCKF_MUTEX_UNLOCK, 0xe8);
	take(&s, 10, 42, IPCS_LOCKF_MUTEX_LOCK, 0xe0 + 0);
	assert_int_equal(ninv, 1);	/* 42 waits in real life; here it is only taken */
	take(&s, 10, 42, IPCS_LOCKF_MUTEX_LOCK, 0xf0);
	take(&s, 10, 43, IPCS_LOCKF_MUTEX_LOCK, 0xf8);
	take(&s, 10, 43, IPCS_LOCKF_MUTEX_LOCK, 0xd8);
	assert_int_equal(ninv, 1);
	give(&s, 10, 43, IPCS_LOCKF_MUTEX_UNLOCK, 0xd8);
	give(&s, 10, 43, IPCS_LOCKF_MUTEX_UNLOCK, 0xf8);
	take(&s, 10, 43, IPCS_LOCKF_MUTEX_LOCK, 0xf0);
	take(&s, 10, 43, IPCS_LOCKF_MUTEX_LOCK, 0xd0);
	assert_int_equal(ninv, 2);
	assert_int_equal(last.n, 3);
	assert_int_equal(last.a.uaddr, 0xf0);
	assert_int_equal(last.b.uaddr, 0xd0);
	assert_int_equal(last.via.uaddr, 0xe0);	/* D was held while E was taken */
	dl_locks_fini(&s);
}

static void test_read_read_is_no_inversion(void **state)
{
	struct dl_locks s;

	(void)state;
	ninv = 0;
	assert_int_equal(dl_locks_init(&s, on_inv, NULL), 0);
	take(&s, 10, 11, IPCS_LOCKF_RW_RDLOCK, 0xa0);
	take(&s, 10, 11, IPCS_LOCKF_RW_RDLOCK, 0xb0);
	give(&s, 10, 11, IPCS_LOCKF_RW_UNLOCK, 0xb0);
	give(&s, 10, 11, IPCS_LOCKF_RW_UNLOCK, 0xa0);
	take(&s, 10, 12, IPCS_LOCKF_RW_RDLOCK, 0xb0);
	take(&s, 10, 12, IPCS_LOCKF_RW_RDLOCK, 0xa0);
	assert_int_equal(ninv, 0);	/* readers never block readers */
	give(&s, 10, 12, IPCS_LOCKF_RW_UNLOCK, 0xa0);
	give(&s, 10, 12, IPCS_LOCKF_RW_UNLOCK, 0xb0);
	/* a writer in the second order: it would block the first's reader */
	take(&s, 10, 13, IPCS_LOCKF_RW_WRLOCK, 0xc0);
	take(&s, 10, 13, IPCS_LOCKF_RW_RDLOCK, 0xd0);
	give(&s, 10, 13, IPCS_LOCKF_RW_UNLOCK, 0xd0);
	give(&s, 10, 13, IPCS_LOCKF_RW_UNLOCK, 0xc0);
	take(&s, 10, 14, IPCS_LOCKF_RW_WRLOCK, 0xd0);
	take(&s, 10, 14, IPCS_LOCKF_RW_RDLOCK, 0xc0);
	assert_int_equal(ninv, 1);
	dl_locks_fini(&s);
}

static void test_holders_and_waiters(void **state)
{
	struct dl_locks s;
	const char *ev = NULL;

	(void)state;
	assert_int_equal(dl_locks_init(&s, NULL, NULL), 0);
	/* readers 21 and 22 hold L; writer 23 waits for it; 22 is blocked */
	take(&s, 10, 21, IPCS_LOCKF_RW_RDLOCK, 0x100);
	take(&s, 10, 22, IPCS_LOCKF_RW_RDLOCK, 0x100);
	add(&s, rec(10, 23, IPCS_LOCKF_RW_WRLOCK, IPCS_LOCKP_ATTEMPT, 0x100));
	memset(blocked_set, 0, sizeof(blocked_set));
	blocked_set[22] = true;
	assert_int_equal(dl_locks_holder(&s, 10, 23, &ev, blocked, NULL), 22);
	assert_string_equal(ev, DL_EVID_LOCK_HOLDER);
	blocked_set[22] = false;
	blocked_set[21] = true;
	assert_int_equal(dl_locks_holder(&s, 10, 23, &ev, blocked, NULL), 21);
	/* a reader waiting behind readers waits for nobody they know */
	add(&s, rec(10, 24, IPCS_LOCKF_RW_RDLOCK, IPCS_LOCKP_ATTEMPT, 0x100));
	assert_int_equal(dl_locks_holder(&s, 10, 24, &ev, blocked, NULL), 0);
	/* wrong process, not waiting: nobody */
	assert_int_equal(dl_locks_holder(&s, 11, 23, &ev, blocked, NULL), 0);
	assert_int_equal(dl_locks_holder(&s, 10, 21, &ev, blocked, NULL), 0);
	/* both readers gone: nobody holds it */
	give(&s, 10, 21, IPCS_LOCKF_RW_UNLOCK, 0x100);
	give(&s, 10, 22, IPCS_LOCKF_RW_UNLOCK, 0x100);
	assert_int_equal(dl_locks_holder(&s, 10, 23, &ev, blocked, NULL), 0);
	/* a timed wait that failed is no longer waiting */
	take(&s, 10, 30, IPCS_LOCKF_MUTEX_LOCK, 0x200);
	add(&s, rec(10, 31, IPCS_LOCKF_MUTEX_TIMEDLOCK, IPCS_LOCKP_ATTEMPT, 0x200));
	assert_int_equal(dl_locks_holder(&s, 10, 31, &ev, NULL, NULL), 30);
	add(&s, rec(10, 31, IPCS_LOCKF_MUTEX_TIMEDLOCK, IPCS_LOCKP_FAILED, 0x200));
	assert_int_equal(dl_locks_holder(&s, 10, 31, &ev, NULL, NULL), 0);
	/* recursive: held until the last unlock */
	take(&s, 10, 30, IPCS_LOCKF_MUTEX_LOCK, 0x200);
	give(&s, 10, 30, IPCS_LOCKF_MUTEX_UNLOCK, 0x200);
	add(&s, rec(10, 31, IPCS_LOCKF_MUTEX_LOCK, IPCS_LOCKP_ATTEMPT, 0x200));
	assert_int_equal(dl_locks_holder(&s, 10, 31, &ev, NULL, NULL), 30);
	assert_int_equal(dl_locks_thread(&s, 30)->nheld, 1);
	/* its process exits: nobody holds it */
	dl_locks_proc_exit(&s, 10);
	assert_null(dl_locks_thread(&s, 30));
	dl_locks_fini(&s);
}

static void test_semaphore_signal_or_counter(void **state)
{
	struct dl_locks s;
	struct ipcs_lock_rec r;
	const char *ev;

	(void)state;
	ninv = 0;
	assert_int_equal(dl_locks_init(&s, on_inv, NULL), 0);
	/* a lock (count 0/1): its holder is named */
	take(&s, 10, 11, IPCS_LOCKF_SEM_WAIT, 0x300);
	add(&s, rec(10, 12, IPCS_LOCKF_SEM_WAIT, IPCS_LOCKP_ATTEMPT, 0x300));
	assert_int_equal(dl_locks_holder(&s, 10, 12, &ev, NULL, NULL), 11);
	/* posted by a thread that does not hold it: a signal, nobody */
	give(&s, 10, 13, IPCS_LOCKF_SEM_POST, 0x300);
	assert_int_equal(dl_locks_holder(&s, 10, 12, &ev, NULL, NULL), 0);
	/* a semaphore whose count stays up after a wait is a counter */
	r = rec(10, 11, IPCS_LOCKF_SEM_WAIT, IPCS_LOCKP_ACQUIRED, 0x400);
	r.word = 3;
	add(&s, r);
	add(&s, rec(10, 12, IPCS_LOCKF_SEM_WAIT, IPCS_LOCKP_ATTEMPT, 0x400));
	assert_int_equal(dl_locks_holder(&s, 10, 12, &ev, NULL, NULL), 0);
	/* Python Condition: waiter W taken under C, handed over by notify, C retaken under W */
	take(&s, 10, 20, IPCS_LOCKF_SEM_TRYWAIT, 0x500);	/* C */
	take(&s, 10, 20, IPCS_LOCKF_SEM_TRYWAIT, 0x600);	/* W */
	give(&s, 10, 20, IPCS_LOCKF_SEM_POST, 0x500);
	add(&s, rec(10, 20, IPCS_LOCKF_SEM_WAIT, IPCS_LOCKP_ATTEMPT, 0x600));
	give(&s, 10, 21, IPCS_LOCKF_SEM_POST, 0x600);	/* notify */
	add(&s, rec(10, 20, IPCS_LOCKF_SEM_WAIT, IPCS_LOCKP_ACQUIRED, 0x600));
	take(&s, 10, 20, IPCS_LOCKF_SEM_TRYWAIT, 0x500);
	assert_int_equal(ninv, 0);
	dl_locks_fini(&s);
}

static void test_shared_lock_across_processes(void **state)
{
	struct dl_locks s;
	struct ipcs_lock_rec r;
	const char *ev;

	(void)state;
	ninv = 0;
	assert_int_equal(dl_locks_init(&s, on_inv, NULL), 0);
	/* process 10 maps the pair at 0x1000, process 20 at 0x9000: same keys */
	for (int i = 0; i < 2; i++) {
		uint32_t pid = i ? 20 : 10, base = i ? 0x9000 : 0x1000;
		uint64_t first = i ? 64 : 0, second = i ? 0 : 64;

		r = rec(pid, pid + 1, IPCS_LOCKF_MUTEX_LOCK, IPCS_LOCKP_ACQUIRED, base + first);
		r.key_flags = IPCS_FKEY_SHARED, r.key_dev = 5, r.key_ino = 77, r.key_off = first;
		add(&s, r);
		r = rec(pid, pid + 1, IPCS_LOCKF_MUTEX_LOCK, IPCS_LOCKP_ACQUIRED, base + second);
		r.key_flags = IPCS_FKEY_SHARED, r.key_dev = 5, r.key_ino = 77, r.key_off = second;
		add(&s, r);
		if (!i) {
			r.phase = IPCS_LOCKP_RELEASED;
			add(&s, r);
			r.key_off = 0, r.uaddr = base;
			add(&s, r);
		}
	}
	assert_int_equal(ninv, 1);
	assert_int_equal(last.first_held.pid, 10);
	assert_int_equal(last.second_held.pid, 20);
	assert_int_equal(last.a.key.pid, 0);	/* shared: no process in the key */
	/* 20's thread waits for the first lock (offset 64) that 21 holds, from process 10's side */
	r = rec(10, 11, IPCS_LOCKF_MUTEX_LOCK, IPCS_LOCKP_ATTEMPT, 0x1040);
	r.key_flags = IPCS_FKEY_SHARED, r.key_dev = 5, r.key_ino = 77, r.key_off = 64;
	add(&s, r);
	assert_int_equal(dl_locks_holder(&s, 10, 11, &ev, NULL, NULL), 21);
	dl_locks_fini(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abba_once_with_stacks),
		cmocka_unit_test(test_consistent_order_never),
		cmocka_unit_test(test_read_read_is_no_inversion),
		cmocka_unit_test(test_holders_and_waiters),
		cmocka_unit_test(test_semaphore_signal_or_counter),
		cmocka_unit_test(test_shared_lock_across_processes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
