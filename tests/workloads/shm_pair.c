/*
 * shm_pair sysv|posix|memfd - two processes map one shared segment.
 *
 * The parent ("shm_parent") creates the segment and maps it, forks a child
 * ("shm_child") that maps it itself, writes a message and unmaps; the parent
 * checks the message, unmaps (and for sysv removes the segment).
 *   sysv:  shmget(IPC_PRIVATE, 12288); both shmat the whole segment
 *   posix: shm_open + ftruncate(20480); parent maps 8192 bytes at offset
 *          4096, the child maps all 20480
 *   memfd: memfd_create + ftruncate(16384); both map all of it
 * stdout: "parent=PID", "child=PID", and "shmid=ID" (sysv) or "ino=INODE".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "shm_pair"
#include "wl.h"

#define MSG "hello through shared memory"

static int finish(pid_t child, const char *seen)
{
	int status;

	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) || strcmp(seen, MSG)) {
		fprintf(stderr, "shm_pair: child failed or message lost\n");
		return 1;
	}
	return 0;
}

static int run_sysv(void)
{
	int id = shmget(IPC_PRIVATE, 12288, IPC_CREAT | 0600), rc;
	char *p, *c;
	pid_t child;

	if (id < 0)
		die("shmget");
	printf("parent=%d\nshmid=%d\n", getpid(), id);
	fflush(stdout);
	set_comm("shm_parent");
	p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		die("shmat");
	child = wl_fork("shm_child");
	if (!child) {
		printf("child=%d\n", getpid());
		fflush(stdout);
		c = shmat(id, NULL, 0);
		if (c == (void *)-1)
			die("shmat child");
		strcpy(c + 8192, MSG);
		if (shmdt(c))
			die("shmdt child");
		_exit(0);
	}
	rc = finish(child, p + 8192);
	if (shmdt(p) || shmctl(id, IPC_RMID, NULL))
		die("shmdt/shmctl");
	return rc;
}

/* posix and memfd: fd of size bytes; the parent maps plen at poff. */
static int run_fd(int fd, size_t size, size_t poff, size_t plen)
{
	struct stat st;
	char *p, *c;
	pid_t child;
	int rc;

	if (ftruncate(fd, size) || fstat(fd, &st))
		die("ftruncate");
	printf("parent=%d\nino=%lu\n", getpid(), (unsigned long)st.st_ino);
	fflush(stdout);
	set_comm("shm_parent");
	p = mmap(NULL, plen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, poff);
	if (p == MAP_FAILED)
		die("mmap");
	child = wl_fork("shm_child");
	if (!child) {
		printf("child=%d\n", getpid());
		fflush(stdout);
		c = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (c == MAP_FAILED)
			die("mmap child");
		strcpy(c + poff + 100, MSG);
		if (munmap(c, size))
			die("munmap child");
		_exit(0);
	}
	rc = finish(child, p + 100);
	if (munmap(p, plen))
		die("munmap");
	return rc;
}

int main(int argc, char **argv)
{
	char n[64];
	int fd;

	if (argc == 2 && !strcmp(argv[1], "sysv"))
		return run_sysv();
	if (argc == 2 && !strcmp(argv[1], "posix")) {
		snprintf(n, sizeof(n), "/ipcs_shm_%d", getpid());
		fd = shm_open(n, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (fd < 0)
			die("shm_open");
		shm_unlink(n);
		return run_fd(fd, 20480, 4096, 8192);
	}
	if (argc == 2 && !strcmp(argv[1], "memfd")) {
		fd = memfd_create("ipcs_memfd", 0);
		if (fd < 0)
			die("memfd_create");
		return run_fd(fd, 16384, 0, 16384);
	}
	fprintf(stderr, "usage: shm_pair sysv|posix|memfd\n");
	return 2;
}
