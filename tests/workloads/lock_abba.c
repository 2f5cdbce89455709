/*
 * lock_abba - lock patterns for the --locks tests. Prints "ready pid=P" (and
 * child=C for the shm modes), waits for SIGUSR1 (so the watcher is attached
 * before any lock is taken), then:
 *   safe KIND     thread 1 takes A then B, releases; then thread 2 takes B then A:
 *                 an inversion that never hangs (they never overlap)
 *   hang KIND     thread 1 holds A, thread 2 holds B, each then wants the other's: hangs
 *   consistent N  two threads, N rounds each of A, B, unlock B, unlock A (4N calls each)
 *   rwhang        two readers hold rwlock L and want mutex M; a writer holds M and
 *                 wants L for writing (it waits for both readers): hangs
 *   shm-safe      as safe, with process-shared mutexes in shared memory, across two processes
 *   shm-hang      as hang, across two processes
 * KIND: mutex, sem, rwlock (write locks). Frame pointers kept: BPF stacks walk them.
 * After "done" it waits for a second SIGUSR1 (its stacks can still be named).
 */
#pragma GCC optimize("no-omit-frame-pointer")
#include <pthread.h>
#include <stdbool.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#define WL_NAME "lock_abba"
#include "wl.h"

enum kind { K_MUTEX, K_SEM, K_RW };

struct lk {
	pthread_mutex_t m;
	sem_t s;
	pthread_rwlock_t rw;
};

static enum kind kind;
static struct lk *A, *B;
static pthread_barrier_t bar;

static void lk_init(struct lk *l, bool shared)
{
	pthread_mutexattr_t ma;

	pthread_mutexattr_init(&ma);
	if (shared)
		pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&l->m, &ma);
	sem_init(&l->s, shared, 1);
	pthread_rwlock_init(&l->rw, NULL);
}

static __attribute__((noinline)) void take(struct lk *l)
{
	if (kind == K_MUTEX)
		pthread_mutex_lock(&l->m);
	else if (kind == K_SEM)
		while (sem_wait(&l->s))
			;
	else
		pthread_rwlock_wrlock(&l->rw);
}

static __attribute__((noinline)) void give(struct lk *l)
{
	if (kind == K_MUTEX)
		pthread_mutex_unlock(&l->m);
	else if (kind == K_SEM)
		sem_post(&l->s);
	else
		pthread_rwlock_unlock(&l->rw);
}

static void await_go(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigwait(&set, &sig);
}

static __attribute__((noinline)) void *take_a_then_b(void *hang)
{
	printf("t1=%d\n", gettid());
	fflush(stdout);
	take(A);
	if (hang)
		pthread_barrier_wait(&bar);
	take(B);
	give(B);
	give(A);
	return NULL;
}

static __attribute__((noinline)) void *take_b_then_a(void *hang)
{
	printf("t2=%d\n", gettid());
	fflush(stdout);
	take(B);
	if (hang)
		pthread_barrier_wait(&bar);
	take(A);
	give(A);
	give(B);
	return NULL;
}

static void *consistent(void *arg)
{
	unsigned long n = (unsigned long)arg;

	for (unsigned long i = 0; i < n; i++) {
		take(A);
		take(B);
		give(B);
		give(A);
	}
	return NULL;
}

static pthread_rwlock_t L;
static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;

static __attribute__((noinline)) void *reader(void *arg)
{
	printf("r%ld=%d\n", (long)arg, gettid());
	fflush(stdout);
	pthread_rwlock_rdlock(&L);
	pthread_barrier_wait(&bar);
	pthread_mutex_lock(&M);
	return NULL;
}

static __attribute__((noinline)) void *writer(void *arg)
{
	(void)arg;
	printf("w=%d\n", gettid());
	fflush(stdout);
	pthread_mutex_lock(&M);
	pthread_barrier_wait(&bar);
	pthread_rwlock_wrlock(&L);
	return NULL;
}

static void threads2(void *(*f1)(void *), void *(*f2)(void *), void *a1, void *a2, bool together)
{
	pthread_t t1, t2;

	if (pthread_create(&t1, NULL, f1, a1))
		die("pthread_create");
	if (!together)
		pthread_join(t1, NULL);
	if (pthread_create(&t2, NULL, f2, a2))
		die("pthread_create");
	if (together)
		pthread_join(t1, NULL);
	pthread_join(t2, NULL);
}

/* Two processes share A and B (and a barrier) in MAP_SHARED memory. */
static int shm_mode(bool hang)
{
	struct {
		struct lk a, b;
		pthread_barrier_t bar;
		sem_t first_done;
	} *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_barrierattr_t ba;
	pid_t child;

	if (sh == MAP_FAILED)
		die("mmap");
	lk_init(&sh->a, true);
	lk_init(&sh->b, true);
	sem_init(&sh->first_done, 1, 0);
	pthread_barrierattr_init(&ba);
	pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED);
	pthread_barrier_init(&sh->bar, &ba, 2);
	A = &sh->a;
	B = &sh->b;
	kind = K_MUTEX;
	printf("pair_gap=%zu\n", (size_t)((char *)&sh->b.m - (char *)&sh->a.m));
	fflush(stdout);	/* before fork: printed once */
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		printf("child=%d\n", getpid());
		fflush(stdout);
		await_go();
		if (!hang)	/* after the parent's A-then-B, never overlapping */
			while (sem_wait(&sh->first_done))
				;
		take(B);
		if (hang)
			pthread_barrier_wait(&sh->bar);
		take(A);
		give(A);
		give(B);
		_exit(0);
	}
	printf("ready pid=%d\n", getpid());
	fflush(stdout);
	await_go();
	take(A);
	if (hang)
		pthread_barrier_wait(&sh->bar);
	take(B);
	give(B);
	give(A);
	sem_post(&sh->first_done);
	waitpid(child, NULL, 0);
	printf("done\n");
	fflush(stdout);
	await_go();
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	const char *k = argc > 2 ? argv[2] : "mutex";
	static struct lk a, b;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);	/* every thread: only sigwait takes it */
	if (!strcmp(mode, "shm-safe") || !strcmp(mode, "shm-hang"))
		return shm_mode(!strcmp(mode, "shm-hang"));
	kind = !strcmp(k, "sem") ? K_SEM : !strcmp(k, "rwlock") ? K_RW : K_MUTEX;
	lk_init(&a, false);
	lk_init(&b, false);
	A = &a;
	B = &b;
	printf("lock_a=%p\nlock_b=%p\n", kind == K_MUTEX ? (void *)&a.m : kind == K_SEM ? (void *)&a.s : (void *)&a.rw,
	       kind == K_MUTEX ? (void *)&b.m : kind == K_SEM ? (void *)&b.s : (void *)&b.rw);
	printf("ready pid=%d\n", getpid());
	fflush(stdout);
	await_go();
	if (!strcmp(mode, "safe")) {
		threads2(take_a_then_b, take_b_then_a, NULL, NULL, false);
	} else if (!strcmp(mode, "hang")) {
		pthread_barrier_init(&bar, NULL, 2);
		threads2(take_a_then_b, take_b_then_a, &bar, &bar, true);
	} else if (!strcmp(mode, "consistent")) {
		unsigned long n = parse_num(k, "rounds");

		threads2(consistent, consistent, (void *)n, (void *)n, true);
		printf("calls=%lu\n", 2 * 4 * n);
	} else if (!strcmp(mode, "rwhang")) {
		pthread_t r1, r2, w;

		pthread_rwlock_init(&L, NULL);
		pthread_barrier_init(&bar, NULL, 3);
		pthread_create(&w, NULL, writer, NULL);
		pthread_create(&r1, NULL, reader, (void *)1L);
		pthread_create(&r2, NULL, reader, (void *)2L);
		pthread_join(w, NULL);
	} else {
		fprintf(stderr, "usage: lock_abba safe|hang KIND | consistent N | rwhang | shm-safe | shm-hang\n");
		return 2;
	}
	printf("done\n");
	fflush(stdout);
	await_go();	/* alive until told: its stacks can still be named */
	return 0;
}
