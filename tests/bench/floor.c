/*
 * floor.c - the benchmark's floor tracer (user side).
 *
 *   floor return|ringbuf|batched|pair-hash|pair-task -- CMD ARGS...
 *
 * Loads floor.bpf.c, traces CMD and its descendants, consumes the records
 * (counting them, nothing else) until CMD exits, then prints
 *   floor MODE records=N drops=D
 * to stderr and exits with CMD's status.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "floor.h"
#include "floor.skel.h"

#define BATCH_POLL_MS 20	/* batched mode: the longest a record waits */

static unsigned long long g_records;

static int on_rec(void *ctx, void *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	g_records++;
	return 0;
}

static int parse_mode(const char *s)
{
	if (!strcmp(s, "return"))
		return FLOOR_RETURN;
	if (!strcmp(s, "ringbuf"))
		return FLOOR_RINGBUF;
	if (!strcmp(s, "batched"))
		return FLOOR_BATCHED;
	if (!strcmp(s, "pair-hash"))
		return FLOOR_PAIR_HASH;
	if (!strcmp(s, "pair-task"))
		return FLOOR_PAIR_TASK;
	return -1;
}

static unsigned long long sum_drops(struct floor_bpf *skel)
{
	int ncpu = libbpf_num_possible_cpus();
	unsigned long long total = 0;
	__u64 *v = calloc(ncpu > 0 ? ncpu : 1, sizeof(*v));
	__u32 zero = 0;

	if (v && ncpu > 0 &&
	    !bpf_map__lookup_elem(skel->maps.drops, &zero, sizeof(zero), v, ncpu * sizeof(*v), 0))
		for (int i = 0; i < ncpu; i++)
			total += v[i];
	free(v);
	return total;
}

int main(int argc, char **argv)
{
	struct ring_buffer *rb = NULL;
	struct floor_bpf *skel;
	int mode, go[2], st = 0, rc = 1;
	__u32 key;
	__u8 one = 1;
	pid_t pid;

	if (argc < 4 || strcmp(argv[2], "--") || (mode = parse_mode(argv[1])) < 0) {
		fprintf(stderr, "usage: floor return|ringbuf|batched|pair-hash|pair-task -- CMD ARGS...\n");
		return 2;
	}
	skel = floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "floor: cannot open the BPF object: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->targ_mode = mode;
	bpf_program__set_autoload(skel->progs.sys_enter, mode >= FLOOR_PAIR_HASH);
	/* A quarter of the ring: wakes are rare, and nothing fills it unseen. */
	skel->rodata->targ_wake_bytes = bpf_map__max_entries(skel->maps.rb) / 4;
	if (floor_bpf__load(skel) || floor_bpf__attach(skel)) {
		fprintf(stderr, "floor: cannot load/attach (root? BTF?): %s\n", strerror(errno));
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.rb), on_rec, NULL, NULL);
	if (!rb || pipe(go)) {
		fprintf(stderr, "floor: ring buffer: %s\n", strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0)
		goto out;
	if (pid == 0) {
		char c;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)	/* traced from its first instruction */
			_exit(126);
		close(go[0]);
		execvp(argv[3], argv + 3);
		fprintf(stderr, "floor: cannot run %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	key = pid;
	bpf_map__update_elem(skel->maps.traced, &key, sizeof(key), &one, sizeof(one), BPF_ANY);
	close(go[0]);
	if (write(go[1], "g", 1) != 1)
		goto out;
	close(go[1]);
	for (;;) {
		if (mode != FLOOR_RINGBUF) {
			ring_buffer__poll(rb, BATCH_POLL_MS);
			ring_buffer__consume(rb);	/* no wake-up came for these */
		} else {
			ring_buffer__poll(rb, 100);
		}
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
	}
	ring_buffer__consume(rb);
	fprintf(stderr, "floor %s records=%llu drops=%llu\n", argv[1], g_records, sum_drops(skel));
	rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
out:
	ring_buffer__free(rb);
	floor_bpf__destroy(skel);
	return rc;
}
