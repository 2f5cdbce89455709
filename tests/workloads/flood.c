/*
 * flood N: as fast as possible, N times write one byte into a pipe and read it
 * back, in one process. Under `record -- flood N` it makes exactly 2N + 5
 * records: exec, pipe2, N writes, N reads, 2 closes, exit. Prints its pid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 0;
	int p[2];
	char c = 'x';

	if (n <= 0) {
		fprintf(stderr, "usage: flood N\n");
		return 2;
	}
	printf("flood=%d\n", (int)getpid());
	fflush(stdout);
	if (pipe2(p, 0))
		return 1;
	for (long i = 0; i < n; i++)
		if (write(p[1], &c, 1) != 1 || read(p[0], &c, 1) != 1)
			return 1;
	close(p[0]);
	close(p[1]);
	return 0;
}
