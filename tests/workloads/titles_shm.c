/*
 * titles_shm [N] PADDING... - two processes that rewrite their titles as
 * PostgreSQL does (the argv area overwritten in place, the rest cleared to
 * NULs; no syscall) and hand a futex back and forth in a POSIX shm segment.
 *
 * The parent creates /dev/shm/ipcs_ttl_PID, maps it, forks the child; both
 * set an "idle" title, print ino=, name=, parent=, child=, and sleep until
 * SIGUSR1 (blocked before fork: an early signal stays pending). Then the
 * child maps the segment again, both set a "busy" title and play N strict
 * futex handoffs on a word of the segment (each wake wakes exactly one
 * sleeping waiter: N wakes and N waits each way), and both sleep until a
 * second SIGUSR1 before exiting (the test lets them go once it saw their
 * titles). The PADDING arguments make room for the titles.
 */

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#define WL_NAME "titles_shm"
#include "wl.h"
#include "wl_sig.h"

#define WORD_OFF 128

static char *title_area;
static size_t title_len;

/* As PostgreSQL's set_ps_display: the title, then NULs to the area's end. */
static void set_title(const char *fmt, ...)
{
	va_list ap;

	memset(title_area, 0, title_len);
	va_start(ap, fmt);
	vsnprintf(title_area, title_len - 1, fmt, ap);
	va_end(ap);
}

static long fx(volatile uint32_t *w, int op, uint32_t val)
{
	return syscall(SYS_futex, w, op, val, NULL, NULL, 0);
}

static void hand_over(volatile uint32_t *w, uint32_t to, pid_t peer)
{
	long r;

	wl_await_futex_sleep(peer, peer);
	*w = to;
	r = fx(w, FUTEX_WAKE, 1);
	if (r != 1) {
		fprintf(stderr, WL_NAME ": wake woke %ld, want 1\n", r);
		exit(1);
	}
}

static void wait_turn(volatile uint32_t *w, uint32_t while_val)
{
	long r = fx(w, FUTEX_WAIT, while_val);

	if (r != 0 || *w == while_val) {
		fprintf(stderr, WL_NAME ": wait returned %ld (turn %u)\n", r, *w);
		exit(1);
	}
}

static void play(volatile uint32_t *w, int side, pid_t peer, unsigned long rounds)
{
	for (unsigned long i = 0; i < rounds; i++) {
		if (side == 0) {
			hand_over(w, 1, peer);
			wait_turn(w, 1);
		} else {
			wait_turn(w, 0);
			hand_over(w, 0, peer);
		}
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 10) : 25;
	sigset_t block, unblocked;
	char name[64], *map;
	pid_t parent = getpid(), child;
	struct stat st;
	int fd, rc;

	title_area = argv[0];
	title_len = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) + 1 - argv[0]);
	if (argc < 3 || title_len < 64 || !rounds) {
		fprintf(stderr, "usage: titles_shm N PADDING... (64 bytes of arguments at least)\n");
		return 2;
	}
	set_comm("ttl_parent");
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &block, &unblocked) || sigaction(SIGUSR1, &sa, NULL))
		die("signals");
	sigdelset(&unblocked, SIGUSR1);
	snprintf(name, sizeof(name), "/ipcs_ttl_%d", parent);
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		die("shm_open");
	if (ftruncate(fd, 4096) || fstat(fd, &st))
		die("ftruncate");
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die("mmap");
	dprintf(1, "ino=%lu\nname=/dev/shm%s\nparent=%d\n", (unsigned long)st.st_ino, name, parent);
	child = wl_fork("ttl_child");
	if (child == 0) {
		char *again;

		set_title("ttl_child: idle");
		dprintf(1, "child=%d\n", getpid());
		wait_usr1(&unblocked);
		got_usr1 = 0;
		again = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (again == MAP_FAILED)
			die("mmap child");
		set_title("ttl_child: client of %d", parent);
		play((volatile uint32_t *)(again + WORD_OFF), 1, parent, rounds);
		wait_usr1(&unblocked);
		_exit(0);
	}
	set_title("ttl_parent: idle");
	wait_usr1(&unblocked);
	got_usr1 = 0;
	set_title("ttl_parent: serving %lu rounds", rounds);
	play((volatile uint32_t *)(map + WORD_OFF), 0, child, rounds);
	wait_usr1(&unblocked);
	rc = wl_reap(child);
	shm_unlink(name);
	return rc;
}
