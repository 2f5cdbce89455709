/*
 * recfile_testlib.h - helpers shared by the recording file tests: records,
 * a collecting callback, crafted files, a writer-made file with known block
 * boundaries, and a temp-dir fixture.
 */
#ifndef RECFILE_TESTLIB_H
#define RECFILE_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "ipcscope_abi.h"
#include "record/recfile.h"

static char tmpdir[] = "/tmp/test_recfile.XXXXXX";

static inline const char *tpath(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

/* ---- records ---- */

static __u64 rng_state = 88172645463325252ull;

static inline __u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A record of size bytes with a deterministic, somewhat compressible body. */
static inline void make_rec(unsigned char *p, __u16 type, __u16 size, __u64 ts)
{
	struct ipcs_rec_hdr h = { .type = type, .size = size, .cpu = (__u32)(rnd() % 2), .ts_ns = ts };
	size_t i;

	memcpy(p, &h, sizeof(h));
	for (i = sizeof(h); i < size; i++)
		p[i] = (rnd() % 4 == 0) ? (unsigned char)rnd() : (unsigned char)('a' + i % 7);
}

/* What the reader delivered: bytes concatenated, block type per record. */
struct got {
	unsigned char *buf;
	size_t len, cap;
	size_t n;
	__u16 types[8192];
	int stop_after;		/* > 0: return 42 from this call on */
};

static inline int collect_cb(const void *rec, size_t len, __u16 block_type, void *ctx)
{
	struct got *g = ctx;

	if (g->len + len > g->cap) {
		g->cap = (g->len + len) * 2;
		g->buf = realloc(g->buf, g->cap);
		assert_non_null(g->buf);
	}
	memcpy(g->buf + g->len, rec, len);
	g->len += len;
	if (g->n < sizeof(g->types) / sizeof(g->types[0]))
		g->types[g->n] = block_type;
	g->n++;
	if (g->stop_after && (int)g->n >= g->stop_after)
		return 42;
	return 0;
}

static inline void got_reset(struct got *g)
{
	free(g->buf);
	memset(g, 0, sizeof(*g));
}

/* Keep expected error messages out of the test output. */
static int saved_stderr = -1;

static inline void quiet(void)
{
	int fd = open("/dev/null", O_WRONLY);

	fflush(stderr);
	saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
}

static inline void loud(void)
{
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
}

/* Open and read path; returns recfile_open's error or read_all's result. */
static inline int read_path(const char *path, struct got *g, struct recfile_status *st)
{
	struct recfile_reader *r;
	int err;

	memset(st, 0, sizeof(*st));
	err = recfile_open(path, &r);
	if (err)
		return err;
	err = recfile_read_all(r, collect_cb, g);
	recfile_get_status(r, st);
	recfile_close_reader(r);
	return err;
}

static inline void write_bytes(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static inline unsigned char *slurp(const char *path, size_t *len)
{
	struct stat sb;
	unsigned char *buf;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	buf = malloc((size_t)sb.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)sb.st_size), sb.st_size);
	close(fd);
	*len = (size_t)sb.st_size;
	return buf;
}

/* ---- crafted files ---- */

struct craft {
	unsigned char buf[1 << 16];
	size_t len;
};

static inline void craft_put(struct craft *c, const void *p, size_t n)
{
	assert_true(c->len + n <= sizeof(c->buf));
	memcpy(c->buf + c->len, p, n);
	c->len += n;
}

static inline void craft_header(struct craft *c, __u16 major, __u16 minor, __u32 extra)
{
	struct ipcs_file_header h = { .major = major, .minor = minor };
	unsigned char pad[256] = { 0xee };

	memcpy(h.magic, IPCS_FILE_MAGIC, 8);
	h.header_size = sizeof(h) + extra;
	h.start_mono_ns = 1000;
	strcpy(h.host, "crafted");
	c->len = 0;
	craft_put(c, &h, sizeof(h));
	craft_put(c, pad, extra);
}

/* A block with the given fields; crc and tail computed unless told otherwise. */
static inline void craft_block_raw(struct craft *c, __u16 type, __u16 flags, const void *payload,
			    __u32 len, __u32 raw_len, __u32 nrecs)
{
	struct ipcs_block_hdr bh = {
		.magic = IPCS_BLOCK_MAGIC, .type = type, .flags = flags, .len = len,
		.raw_len = raw_len, .nrecs = nrecs,
		.crc32 = (__u32)crc32(0, payload, len),
	};
	struct ipcs_block_tail bt = { .total_len = sizeof(bh) + len + sizeof(bt),
				      .magic = IPCS_BLOCK_MAGIC };

	craft_put(c, &bh, sizeof(bh));
	craft_put(c, payload, len);
	craft_put(c, &bt, sizeof(bt));
}

/* An events block of n fresh records of size sz each; appends them to *want. */
static inline void craft_events(struct craft *c, int n, __u16 sz, bool zlib, struct got *want)
{
	unsigned char raw[8192], z[9000];
	uLongf zlen = sizeof(z);
	int i;

	assert_true((size_t)n * sz <= sizeof(raw));
	for (i = 0; i < n; i++) {
		make_rec(raw + (size_t)i * sz, IPCS_REC_SYS, sz, 5000 + (__u64)i);
		if (want)
			collect_cb(raw + (size_t)i * sz, sz, IPCS_BLK_EVENTS, want);
	}
	if (!zlib) {
		craft_block_raw(c, IPCS_BLK_EVENTS, 0, raw, (__u32)n * sz, (__u32)n * sz, (__u32)n);
		return;
	}
	assert_int_equal(compress2(z, &zlen, raw, (uLong)n * sz, 6), Z_OK);
	craft_block_raw(c, IPCS_BLK_EVENTS, IPCS_BLKF_ZLIB, z, (__u32)zlen, (__u32)n * sz,
			(__u32)n);
}

static inline void craft_trailer(struct craft *c, __u64 events, __u32 blocks)
{
	struct ipcs_trailer t = { .events = events, .blocks = blocks, .clean = 1 };

	craft_block_raw(c, IPCS_BLK_TRAILER, 0, &t, sizeof(t), sizeof(t), 0);
}

/* Write c to name and read it. */
static inline int read_craft(const struct craft *c, const char *name, struct got *g,
		      struct recfile_status *st)
{
	write_bytes(tpath(name), c->buf, c->len);
	return read_path(tpath(name), g, st);
}

/* ---- a writer-produced file with known block boundaries ---- */

struct small_file {
	size_t ends[8];		/* file offset after header, then after each block */
	int recs[8];		/* records in each block (ends[i+1] - ends[i]) */
	int nblocks;
	struct got want;
};

/* META(2) + EVENTS(3) + EVENTS(3) + TRAILER, or stop before the trailer. */
static inline void make_small(const char *path, struct small_file *sf, bool with_trailer)
{
	struct recfile_write_opts o = { .block_bytes = 1 << 20 };
	struct recfile_writer *w;
	unsigned char rec[128], meta[2 * 48];
	__u64 drops[IPCS_DROP_SLOTS] = { 3, 0, 1 };
	struct stat sb;
	int i, j;

	memset(sf, 0, sizeof(*sf));
	unlink(path);
	assert_int_equal(recfile_create(path, &o, &w), 0);
	sf->ends[0] = recfile_bytes_written(w);
	make_rec(meta, IPCS_REC_SEED_PROC, 48, 10);
	make_rec(meta + 48, IPCS_REC_SEED_PROC, 48, 11);
	collect_cb(meta, 48, IPCS_BLK_META, &sf->want);
	collect_cb(meta + 48, 48, IPCS_BLK_META, &sf->want);
	assert_int_equal(recfile_write_meta(w, meta, sizeof(meta), 2), 0);
	sf->ends[1] = recfile_bytes_written(w);
	sf->recs[0] = 2;
	for (j = 0; j < 2; j++) {
		for (i = 0; i < 3; i++) {
			make_rec(rec, IPCS_REC_SYS, 96, 100 + (__u64)(j * 3 + i));
			collect_cb(rec, 96, IPCS_BLK_EVENTS, &sf->want);
			assert_int_equal(recfile_append(w, rec, 96), 0);
		}
		assert_int_equal(recfile_flush(w), 0);
		sf->ends[2 + j] = recfile_bytes_written(w);
		sf->recs[1 + j] = 3;
	}
	sf->nblocks = 3;
	if (!with_trailer) {
		recfile_abort(w);
		return;
	}
	assert_int_equal(recfile_close(w, drops), 0);
	assert_int_equal(stat(path, &sb), 0);
	sf->ends[4] = (size_t)sb.st_size;
	sf->nblocks = 4;
}

/* ---- fixture ---- */

static inline int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static inline int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static inline int teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
