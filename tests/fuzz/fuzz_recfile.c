/*
 * fuzz_recfile.c - libFuzzer harness for the recording reader: any bytes as a
 * recording file must read without crashing, hanging or huge allocations,
 * and every record delivered must be well framed.
 *
 * Build and run (seeds from the unit test's crafted-file generator):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE \
 *     -Ibpf -Iuser tests/fuzz/fuzz_recfile.c user/record/recfile.c user/record/recfile_read.c user/util/outfile.c \
 *     user/log.c -lz -o build/fuzz_recfile
 *   build/tests/unit/test_recfile --write-corpus CORPUS_DIR
 *   build/fuzz_recfile -max_total_time=60 -malloc_limit_mb=256 CORPUS_DIR
 * Set IPCS_FUZZ_VERBOSE=1 to see the reader's log messages when reproducing.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "ipcscope_abi.h"
#include "record/recfile.h"

struct seen {
	__u64 records;
	__u64 sum;
};

static int check_cb(const void *rec, size_t len, __u16 block_type, void *ctx)
{
	struct seen *s = ctx;
	struct ipcs_rec_hdr h;

	if (len < sizeof(h) || len % 8 || (block_type != IPCS_BLK_META &&
					   block_type != IPCS_BLK_EVENTS))
		__builtin_trap();
	memcpy(&h, rec, sizeof(h));
	if (h.size != len)
		__builtin_trap();
	s->sum += ((const unsigned char *)rec)[len - 1];	/* touch the last byte */
	s->records++;
	return 0;
}

static void check_status(const struct recfile_status *st, const struct seen *s, size_t size)
{
	if (st->records != s->records)
		__builtin_trap();
	if (st->clean_end && (st->truncated || st->corrupt || !st->has_trailer))
		__builtin_trap();
	if (!st->clean_end && !st->message[0])
		__builtin_trap();
	if (st->stopped_at < 0 || (size_t)st->stopped_at > size)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int memfd = -1, devnull = -1, saved = -1;
	static int verbose;
	struct recfile_reader *r;
	struct recfile_status st;
	struct seen s = { 0 }, again = { 0 };

	if (memfd < 0) {
		memfd = memfd_create("fuzz_recfile", MFD_CLOEXEC);
		verbose = getenv("IPCS_FUZZ_VERBOSE") != NULL;
		devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (memfd < 0 || devnull < 0)
			abort();
	}
	if (ftruncate(memfd, 0) || pwrite(memfd, data, size, 0) != (ssize_t)size ||
	    lseek(memfd, 0, SEEK_SET) != 0)
		abort();
	/* The reader logs every damaged input: keep that out of libFuzzer's output. */
	if (!verbose) {
		saved = dup(2);
		dup2(devnull, 2);
	}
	if (recfile_open_fd(dup(memfd), "fuzz", &r) == 0) {
		recfile_read_all(r, check_cb, &s);
		recfile_get_status(r, &st);
		check_status(&st, &s, size);
		/* A second pass over the same bytes must see exactly the same. */
		recfile_read_all(r, check_cb, &again);
		if (again.records != s.records || again.sum != s.sum)
			__builtin_trap();
		recfile_close_reader(r);
	}
	if (!verbose) {
		dup2(saved, 2);
		close(saved);
	}
	return 0;
}
