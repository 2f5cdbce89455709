/*
 * futex_pingpong shared|private N - N strict futex handoffs each way.
 *
 * shared: a parent ("fx_parent") and a child ("fx_child") share one word in
 * a POSIX shm object (shm_open + mmap MAP_SHARED), mapped at different
 * offsets: the parent maps pages 0-1 and uses page 1 + 64, the child maps
 * only page 1 and uses +64. Both are the same futex (inode, offset 4160).
 * private: two threads of one process ("fx_private"), FUTEX_PRIVATE_FLAG.
 * waitv: as shared, but the child waits with futex_waitv(2) on two futexes
 * (a word of its own that nobody wakes, then the shared word: index 1).
 * condvar: as shared, but with a process-shared pthread mutex and condition
 * variable (and a turn flag) at the start of page 1: cond_signal wakes the
 * peer blocked in cond_wait, so the cond var's futexes count exactly N each
 * way; the mutex may or may not be contended. stdout adds "cond=OFF" and
 * "cond_size=SIZE" (byte range of the cond var in the object).
 *
 * The counts are exact: a side hands over only when /proc says the peer is
 * blocked in futex(2), so every wake wakes exactly 1 and every wait blocks
 * and returns 0 (both are checked). stdout: "parent=PID", "child=PID"
 * (shared), "proc=PID" (private), "ino=INODE", "offset=4160".
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WL_NAME "futex_pingpong"
#include "wl.h"

#define PAGE 4096
#define WORD_OFF 64

static int priv_flag;
static int use_waitv;	/* waitv mode: side 1 waits with futex_waitv */
static uint32_t idle_word;
static unsigned long rounds;
static volatile uint32_t private_turn;
static pid_t peer_tid[2];	/* private: tids of the two threads */

static long fx(volatile uint32_t *w, int op, uint32_t val)
{
	return syscall(SYS_futex, w, op | priv_flag, val, NULL, NULL, 0);
}

/* Hand the turn to the peer (blocked waiting on it): the wake must wake 1. */
static void hand_over(volatile uint32_t *w, uint32_t to, pid_t pid, pid_t tid)
{
	long r;

	wl_await_futex_sleep(pid, tid);
	*w = to;
	r = fx(w, FUTEX_WAKE, 1);
	if (r != 1) {
		fprintf(stderr, "futex_pingpong: wake woke %ld, want 1\n", r);
		exit(1);
	}
}

/* struct futex_waitv (linux/futex.h, kernel 5.16) */
struct waitv_ent {
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t reserved;
};

#define FUTEX2_SIZE_U32_ 0x02
#define FUTEX2_PRIVATE_ 128

/* futex_waitv on [idle_word (private), w]: must wake on w, index 1. */
static long waitv(volatile uint32_t *w, uint32_t while_val)
{
	struct waitv_ent v[2] = {
		{ 0, (uintptr_t)&idle_word, FUTEX2_SIZE_U32_ | FUTEX2_PRIVATE_, 0 },
		{ while_val, (uintptr_t)w, FUTEX2_SIZE_U32_, 0 },
	};
	long r = syscall(449, v, 2, 0, NULL, 0);

	return r == 1 ? 0 : r < 0 ? r : -1000 - r;
}

/* Block until the turn is no longer `while_val`: exactly one futex wait. */
static void wait_turn(volatile uint32_t *w, uint32_t while_val)
{
	long r = use_waitv && while_val == 0 ? waitv(w, while_val) : fx(w, FUTEX_WAIT, while_val);

	if (r != 0 || *w == while_val) {
		fprintf(stderr, "futex_pingpong: wait returned %ld (turn %u)\n", r, *w);
		exit(1);
	}
}

/* side 0 starts with the turn and hands it over first; side 1 waits first. */
static void play(volatile uint32_t *w, int side, pid_t peer_pid, pid_t peer)
{
	for (unsigned long i = 0; i < rounds; i++) {
		if (side == 0) {
			hand_over(w, 1, peer_pid, peer);
			wait_turn(w, 1);
		} else {
			wait_turn(w, 0);
			hand_over(w, 0, peer_pid, peer);
		}
	}
}

static int run_shared(void)
{
	char name[64];
	struct stat st;
	pid_t parent = getpid(), child;
	int fd;
	char *map;

	snprintf(name, sizeof(name), "/ipcs_fx_%d", parent);
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		die("shm_open");
	if (ftruncate(fd, 2 * PAGE) || fstat(fd, &st))
		die("ftruncate");
	printf("ino=%lu\noffset=%d\n", (unsigned long)st.st_ino, PAGE + WORD_OFF);
	printf("parent=%d\n", parent);
	fflush(stdout);
	child = wl_fork("fx_child");
	if (child == 0) {
		printf("child=%d\n", getpid());
		fflush(stdout);
		map = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PAGE);
		if (map == MAP_FAILED)
			die("mmap child");
		play((volatile uint32_t *)(map + WORD_OFF), 1, parent, parent);
		_exit(0);
	}
	set_comm("fx_parent");
	map = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die("mmap parent");
	shm_unlink(name);
	play((volatile uint32_t *)(map + PAGE + WORD_OFF), 0, child, child);
	return wl_reap(child);
}

struct cv_shared {
	pthread_mutex_t mx;
	pthread_cond_t cv;
	volatile int turn;
};

static void cv_wait_turn(struct cv_shared *s, int me)
{
	pthread_mutex_lock(&s->mx);
	while (s->turn != me)
		pthread_cond_wait(&s->cv, &s->mx);
	pthread_mutex_unlock(&s->mx);
}

static void cv_hand_over(struct cv_shared *s, int to, pid_t peer)
{
	wl_await_futex_sleep(peer, peer);	/* in cond_wait: the mutex is free */
	pthread_mutex_lock(&s->mx);
	s->turn = to;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mx);
}

static void cv_play(struct cv_shared *s, int side, pid_t peer)
{
	for (unsigned long i = 0; i < rounds; i++) {
		if (side == 0) {
			cv_hand_over(s, 1, peer);
			cv_wait_turn(s, 0);
		} else {
			cv_wait_turn(s, 1);
			cv_hand_over(s, 0, peer);
		}
	}
}

static int run_condvar(void)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	struct cv_shared *s;
	pid_t parent = getpid(), child;
	char name[64], *map;
	struct stat st;
	int fd;

	snprintf(name, sizeof(name), "/ipcs_cv_%d", parent);
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		die("shm_open");
	if (ftruncate(fd, 2 * PAGE) || fstat(fd, &st))
		die("ftruncate");
	map = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die("mmap");
	shm_unlink(name);
	s = (struct cv_shared *)(map + PAGE);
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_condattr_init(&ca);
	pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	if (pthread_mutex_init(&s->mx, &ma) || pthread_cond_init(&s->cv, &ca))
		die("pthread init");
	printf("ino=%lu\ncond=%zu\ncond_size=%zu\nparent=%d\n", (unsigned long)st.st_ino,
	       PAGE + offsetof(struct cv_shared, cv), sizeof(s->cv), parent);
	fflush(stdout);
	child = wl_fork("fx_child");
	if (child == 0) {
		printf("child=%d\n", getpid());
		fflush(stdout);
		cv_play(s, 1, parent);
		_exit(0);
	}
	set_comm("fx_parent");
	cv_play(s, 0, child);
	return wl_reap(child);
}

static void *thread_b(void *arg)
{
	(void)arg;
	__atomic_store_n(&peer_tid[1], gettid(), __ATOMIC_RELEASE);
	play(&private_turn, 1, getpid(), peer_tid[0]);
	return NULL;
}

static int run_private(void)
{
	char path[64];
	struct timespec ts = { 0, 200000 };
	pthread_t t;

	priv_flag = FUTEX_PRIVATE_FLAG;
	set_comm("fx_private");
	printf("proc=%d\n", getpid());
	fflush(stdout);
	peer_tid[0] = gettid();
	if (pthread_create(&t, NULL, thread_b, NULL))
		die("pthread_create");
	while (!__atomic_load_n(&peer_tid[1], __ATOMIC_ACQUIRE))
		nanosleep(&ts, NULL);
	play(&private_turn, 0, getpid(), peer_tid[1]);
	/* Join only once the thread is gone, so join's own futex wait never blocks. */
	snprintf(path, sizeof(path), "/proc/self/task/%d", peer_tid[1]);
	while (access(path, F_OK) == 0)
		nanosleep(&ts, NULL);
	pthread_join(t, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "shared") && strcmp(argv[1], "private") &&
			  strcmp(argv[1], "condvar") && strcmp(argv[1], "waitv"))) {
		fprintf(stderr, "usage: futex_pingpong shared|private|condvar|waitv N\n");
		return 2;
	}
	rounds = strtoul(argv[2], NULL, 10);
	if (!rounds) {
		fprintf(stderr, "futex_pingpong: N must be a positive integer\n");
		return 2;
	}
	if (!strcmp(argv[1], "condvar"))
		return run_condvar();
	if (!strcmp(argv[1], "waitv")) {
		use_waitv = 1;
		return run_shared();
	}
	return strcmp(argv[1], "shared") ? run_private() : run_shared();
}
