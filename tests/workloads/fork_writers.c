/*
 * fork_writers - two writers share one pipe, one reader.
 *
 * The parent (comm "fw_reader") makes a pipe and forks two children that
 * write at the same time (released together by a second pipe, so their
 * writes interleave in the shared stream):
 *   "fw_writer1": 10 writes of 300 bytes of 'A' = 3000 bytes
 *   "fw_writer2": 5 writes of 1000 bytes of 'B' = 5000 bytes
 * Every write is <= PIPE_BUF, so atomic: each lands whole in the stream. The
 * parent closes its write end and reads chunks of 700 bytes until EOF,
 * counting 'A's and 'B's. Reads mix bytes of both writers, so ipcscope must
 * split them by stream offset.
 *
 * The start gate is a pipe too: the parent closes its write end and each
 * child's read() returns 0 (no bytes move, so no conversation on it).
 *
 * stdout: "reader=PID", "writer1=PID", "writer2=PID". Exit 0 only if the
 * parent read exactly 3000 'A' and 5000 'B' and nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "fork_writers"
#include "wl.h"

#define W1_WRITES 10
#define W1_SIZE 300
#define W2_WRITES 5
#define W2_SIZE 1000

static pid_t spawn_writer(const char *comm, int data[2], int gate[2], char fill,
			  int nwrites, size_t size)
{
	char buf[1000];
	pid_t pid = wl_fork(comm);

	if (pid > 0)
		return pid;
	close(data[0]);
	close(gate[1]);
	if (read(gate[0], buf, 1) != 0)	/* wait for the parent's go (EOF) */
		die("gate read");
	close(gate[0]);
	memset(buf, fill, sizeof(buf));
	for (int i = 0; i < nwrites; i++) {
		ssize_t n = write(data[1], buf, size);
		if (n != (ssize_t)size) {
			fprintf(stderr, "fork_writers: %s write returned %zd, want %zu\n",
				comm, n, size);
			_exit(1);
		}
	}
	_exit(0);
}

int main(void)
{
	unsigned long count_a = 0, count_b = 0, other = 0;
	int data[2], gate[2], status, rc = 0;
	char buf[700];
	pid_t w1, w2;
	ssize_t n;

	set_comm("fw_reader");
	if (pipe(data) != 0 || pipe(gate) != 0)
		die("pipe");
	w1 = spawn_writer("fw_writer1", data, gate, 'A', W1_WRITES, W1_SIZE);
	w2 = spawn_writer("fw_writer2", data, gate, 'B', W2_WRITES, W2_SIZE);
	close(data[1]);
	close(gate[0]);
	dprintf(1, "reader=%d\nwriter1=%d\nwriter2=%d\n", getpid(), w1, w2);
	close(gate[1]);	/* go */

	while ((n = read(data[0], buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == 'A')
				count_a++;
			else if (buf[i] == 'B')
				count_b++;
			else
				other++;
		}
	}
	for (int i = 0; i < 2; i++) {
		if (wait(&status) < 0)
			die("wait");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			rc = 1;
	}
	if (count_a != W1_WRITES * W1_SIZE || count_b != W2_WRITES * W2_SIZE || other) {
		fprintf(stderr, "fork_writers: read %lu A, %lu B, %lu other; want 3000, 5000, 0\n",
			count_a, count_b, other);
		rc = 1;
	}
	return rc;
}
