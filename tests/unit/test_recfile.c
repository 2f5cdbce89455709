/*
 * test_recfile.c - the recording file: writer/reader round trip, safe creation,
 * and crafted damaged files (truncation at every byte, bad CRC, lying lengths,
 * unknown blocks, versions, malformed records, killed and failing writers).
 *
 * `test_recfile --write-corpus DIR` writes the crafted files as seeds for
 * tests/fuzz/fuzz_recfile.c instead of running the tests.
 */
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
#include "record/source_replay.h"

static char tmpdir[] = "/tmp/test_recfile.XXXXXX";

static const char *tpath(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

/* ---- records ---- */

static __u64 rng_state = 88172645463325252ull;

static __u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A record of size bytes with a deterministic, somewhat compressible body. */
static void make_rec(unsigned char *p, __u16 type, __u16 size, __u64 ts)
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

static int collect_cb(const void *rec, size_t len, __u16 block_type, void *ctx)
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

static void got_reset(struct got *g)
{
	free(g->buf);
	memset(g, 0, sizeof(*g));
}

/* Keep expected error messages out of the test output. */
static int saved_stderr = -1;

static void quiet(void)
{
	int fd = open("/dev/null", O_WRONLY);

	fflush(stderr);
	saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
}

static void loud(void)
{
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
}

/* Open and read path; returns recfile_open's error or read_all's result. */
static int read_path(const char *path, struct got *g, struct recfile_status *st)
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

static void write_bytes(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static unsigned char *slurp(const char *path, size_t *len)
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

static void craft_put(struct craft *c, const void *p, size_t n)
{
	assert_true(c->len + n <= sizeof(c->buf));
	memcpy(c->buf + c->len, p, n);
	c->len += n;
}

static void craft_header(struct craft *c, __u16 major, __u16 minor, __u32 extra)
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
static void craft_block_raw(struct craft *c, __u16 type, __u16 flags, const void *payload,
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
static void craft_events(struct craft *c, int n, __u16 sz, bool zlib, struct got *want)
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

static void craft_trailer(struct craft *c, __u64 events, __u32 blocks)
{
	struct ipcs_trailer t = { .events = events, .blocks = blocks, .clean = 1 };

	craft_block_raw(c, IPCS_BLK_TRAILER, 0, &t, sizeof(t), sizeof(t), 0);
}

/* Write c to name and read it. */
static int read_craft(const struct craft *c, const char *name, struct got *g,
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
static void make_small(const char *path, struct small_file *sf, bool with_trailer)
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

/* ---- tests: writing ---- */

/* Walk the blocks by hand (independently of the reader) and check their headers. */
static void check_block_headers(const char *path, __u64 *events)
{
	size_t len, off = sizeof(struct ipcs_file_header);
	unsigned char *f = slurp(path, &len), *raw = malloc(RECFILE_BLOCK_BYTES_MAX);
	struct ipcs_block_hdr bh;

	*events = 0;
	while (off < len) {
		uLongf rl = RECFILE_BLOCK_BYTES_MAX;
		__u64 lo = UINT64_MAX, hi = 0;
		size_t p = 0, n = 0;

		memcpy(&bh, f + off, sizeof(bh));
		assert_int_equal(bh.magic, IPCS_BLOCK_MAGIC);
		if (bh.type == IPCS_BLK_EVENTS) {
			assert_int_equal(bh.flags, IPCS_BLKF_ZLIB);
			assert_int_equal(uncompress(raw, &rl, f + off + sizeof(bh), bh.len), Z_OK);
			assert_int_equal(rl, bh.raw_len);
			while (p < rl) {
				struct ipcs_rec_hdr h;

				memcpy(&h, raw + p, sizeof(h));
				lo = h.ts_ns < lo ? h.ts_ns : lo;
				hi = h.ts_ns > hi ? h.ts_ns : hi;
				p += h.size;
				n++;
			}
			assert_int_equal(n, bh.nrecs);
			assert_int_equal(bh.first_ts_ns, lo);
			assert_int_equal(bh.last_ts_ns, hi);
			*events += n;
		}
		off += sizeof(bh) + bh.len + sizeof(struct ipcs_block_tail);
	}
	assert_int_equal(off, len);
	free(raw);
	free(f);
}

static void test_round_trip(void **state)
{
	static const __u16 sizes[] = { 96, 352, 64, 48, 304, 80 };
	struct recfile_write_opts o = { .block_bytes = 8192, .capture_bytes = 64 };
	__u64 drops[IPCS_DROP_SLOTS] = { 7, 2, 0, 0, 0, 0, 0, 99 }, ev;
	static unsigned char rec[65528], meta[5 * 48];
	struct got want = { 0 }, g = { 0 };
	const struct ipcs_file_header *h;
	struct recfile_reader *r;
	struct recfile_status st;
	struct recfile_writer *w;
	struct utsname u;
	struct stat sb;
	int i, nev = 3000;

	(void)state;
	assert_int_equal(recfile_create(tpath("rt.ipcs"), &o, &w), 0);
	for (i = 0; i < 5; i++) {
		make_rec(meta + i * 48, IPCS_REC_SEED_PROC, 48, 0);
		collect_cb(meta + i * 48, 48, IPCS_BLK_META, &want);
	}
	assert_int_equal(recfile_write_meta(w, meta, sizeof(meta), 5), 0);
	for (i = 0; i < nev; i++) {
		/* Timestamps go mostly up, sometimes back: blocks record min and max. */
		__u16 sz = i == 1234 ? 65528 : sizes[rnd() % 6];

		make_rec(rec, (__u16)(1 + rnd() % 6), sz, 1000000 + (__u64)i * 10 - rnd() % 25);
		collect_cb(rec, sz, IPCS_BLK_EVENTS, &want);
		assert_int_equal(recfile_append(w, rec, sz), 0);
	}
	assert_true(recfile_events_written(w) > 0 && recfile_events_written(w) <= (__u64)nev);
	assert_int_equal(recfile_close(w, drops), 0);

	assert_int_equal(stat(tpath("rt.ipcs"), &sb), 0);
	check_block_headers(tpath("rt.ipcs"), &ev);
	assert_int_equal(ev, nev);

	assert_int_equal(recfile_open(tpath("rt.ipcs"), &r), 0);
	h = recfile_header(r);
	assert_memory_equal(h->magic, IPCS_FILE_MAGIC, 8);
	assert_int_equal(h->major, IPCS_ABI_MAJOR);
	assert_int_equal(h->minor, IPCS_ABI_MINOR);
	assert_int_equal(h->header_size, sizeof(*h));
	assert_int_equal(h->flags, IPCS_FILEF_PAYLOAD);
	assert_int_equal(h->capture_bytes, 64);
	assert_int_equal(uname(&u), 0);
	assert_string_equal(h->kernel, u.release);
	assert_int_equal(strncmp(h->host, u.nodename, 63), 0);
	assert_true(h->start_mono_ns > 0 && h->start_boot_ns >= h->start_mono_ns);
	assert_true(h->start_real_ns / 1000000000ull + 60 > (__u64)time(NULL));

	assert_int_equal(recfile_read_all(r, collect_cb, &g), 0);
	recfile_get_status(r, &st);
	assert_int_equal(g.n, want.n);
	assert_int_equal(g.len, want.len);
	assert_memory_equal(g.buf, want.buf, want.len);
	assert_memory_equal(g.types, want.types, want.n * sizeof(want.types[0]));
	assert_true(st.clean_end && st.has_trailer && !st.truncated && !st.corrupt);
	assert_int_equal(st.records, nev + 5);
	assert_int_equal(st.stopped_at, sb.st_size);
	assert_int_equal(st.trailer.events, nev);
	assert_int_equal(st.trailer.clean, 1);
	assert_memory_equal(st.trailer.drops, drops, sizeof(drops));
	assert_int_equal(st.trailer.blocks + 1, st.blocks_read);
	assert_true(st.blocks_read > 10);
	assert_int_equal(st.blocks_skipped, 0);

	/* A second pass reads the same. */
	got_reset(&g);
	assert_int_equal(recfile_read_all(r, collect_cb, &g), 0);
	assert_int_equal(g.len, want.len);
	assert_memory_equal(g.buf, want.buf, want.len);
	recfile_close_reader(r);
	got_reset(&g);
	got_reset(&want);
}

static void test_mode_0600(void **state)
{
	struct recfile_write_opts force = { .force = true };
	struct recfile_writer *w;
	struct stat sb;
	mode_t old = umask(0);

	(void)state;
	assert_int_equal(recfile_create(tpath("mode.ipcs"), NULL, &w), 0);
	assert_int_equal(recfile_close(w, NULL), 0);
	assert_int_equal(stat(tpath("mode.ipcs"), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);

	/* Replacing a world-readable file makes it private. */
	write_bytes(tpath("mode2.ipcs"), "x", 1);
	assert_int_equal(chmod(tpath("mode2.ipcs"), 0644), 0);
	assert_int_equal(recfile_create(tpath("mode2.ipcs"), &force, &w), 0);
	assert_int_equal(recfile_close(w, NULL), 0);
	assert_int_equal(stat(tpath("mode2.ipcs"), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	umask(old);
}

static void test_refuses_existing(void **state)
{
	struct recfile_write_opts force = { .force = true };
	struct recfile_writer *w = (void *)1;
	size_t len;
	unsigned char *buf;

	(void)state;
	write_bytes(tpath("exists"), "keep me", 7);
	quiet();
	assert_int_equal(recfile_create(tpath("exists"), NULL, &w), -EEXIST);
	loud();
	assert_null(w);
	buf = slurp(tpath("exists"), &len);
	assert_int_equal(len, 7);
	free(buf);
	/* force replaces a regular file */
	assert_int_equal(recfile_create(tpath("exists"), &force, &w), 0);
	assert_int_equal(recfile_close(w, NULL), 0);
	buf = slurp(tpath("exists"), &len);
	assert_memory_equal(buf, IPCS_FILE_MAGIC, 8);
	free(buf);
}

static void test_refuses_symlink(void **state)
{
	struct recfile_write_opts force = { .force = true };
	struct recfile_writer *w;
	unsigned char *buf;
	size_t len;

	(void)state;
	write_bytes(tpath("target"), "victim", 6);
	assert_int_equal(symlink(tpath("target"), tpath("link")), 0);
	assert_int_equal(symlink(tpath("nowhere"), tpath("dangling")), 0);
	quiet();
	assert_int_equal(recfile_create(tpath("link"), NULL, &w), -EEXIST);
	assert_int_equal(recfile_create(tpath("link"), &force, &w), -ELOOP);
	assert_int_equal(recfile_create(tpath("dangling"), NULL, &w), -EEXIST);
	assert_int_equal(recfile_create(tpath("dangling"), &force, &w), -ELOOP);
	loud();
	buf = slurp(tpath("target"), &len);
	assert_int_equal(len, 6);
	assert_memory_equal(buf, "victim", 6);
	free(buf);
	assert_int_equal(access(tpath("nowhere"), F_OK), -1);
}

static void test_refuses_non_regular(void **state)
{
	struct recfile_write_opts force = { .force = true };
	struct recfile_writer *w;
	struct stat sb;

	(void)state;
	assert_int_equal(mkfifo(tpath("fifo"), 0600), 0);
	assert_int_equal(mkdir(tpath("dir"), 0700), 0);
	quiet();
	/* must neither block on the FIFO nor write into it */
	assert_true(recfile_create(tpath("fifo"), &force, &w) < 0);
	assert_true(recfile_create(tpath("dir"), &force, &w) < 0);
	loud();
	assert_int_equal(lstat(tpath("fifo"), &sb), 0);
	assert_true(S_ISFIFO(sb.st_mode));
}

static void test_append_rejects_malformed(void **state)
{
	unsigned char rec[96], meta[96];
	struct recfile_writer *w;

	(void)state;
	assert_int_equal(recfile_create(tpath("bad_append.ipcs"), NULL, &w), 0);
	make_rec(rec, IPCS_REC_SYS, 96, 1);
	quiet();
	assert_int_equal(recfile_append(w, rec, 88), -EINVAL);	/* size != len */
	make_rec(rec, IPCS_REC_SYS, 20, 1);
	assert_int_equal(recfile_append(w, rec, 20), -EINVAL);	/* not a multiple of 8 */
	make_rec(rec, IPCS_REC_SYS, 8, 1);
	assert_int_equal(recfile_append(w, rec, 8), -EINVAL);	/* shorter than a header */
	make_rec(meta, IPCS_REC_SEED_PROC, 48, 1);
	make_rec(meta + 48, IPCS_REC_SEED_PROC, 48, 1);
	assert_int_equal(recfile_write_meta(w, meta, 96, 3), -EINVAL);	/* count mismatch */
	meta[50] = 0xff;	/* second record's size: 0xff30 > what is left */
	meta[51] = 0xff;
	assert_int_equal(recfile_write_meta(w, meta, 96, 2), -EINVAL);
	loud();
	/* the writer is still usable: errors in input are not write errors */
	make_rec(rec, IPCS_REC_SYS, 96, 1);
	assert_int_equal(recfile_append(w, rec, 96), 0);
	assert_int_equal(recfile_close(w, NULL), 0);
}

/* ---- tests: reading damaged files ---- */

static void test_truncated_every_offset(void **state)
{
	struct small_file sf;
	unsigned char *full;
	size_t len, cut, want_bytes;
	int b, want_recs, err;

	(void)state;
	make_small(tpath("small.ipcs"), &sf, true);
	full = slurp(tpath("small.ipcs"), &len);
	assert_int_equal(len, sf.ends[4]);
	for (cut = 0; cut <= len; cut++) {
		struct recfile_status st;
		struct got g = { 0 };
		size_t good_end = sf.ends[0];

		write_bytes(tpath("cut.ipcs"), full, cut);
		quiet();
		err = read_path(tpath("cut.ipcs"), &g, &st);
		loud();
		if (cut < sf.ends[0]) {
			assert_int_equal(err, -EINVAL);
			continue;
		}
		assert_int_equal(err, 0);
		want_recs = 0;
		want_bytes = 0;
		for (b = 0; b < 3 && sf.ends[b + 1] <= cut; b++) {
			want_recs += sf.recs[b];
			want_bytes += b == 0 ? 2 * 48 : 3 * 96;
			good_end = sf.ends[b + 1];
		}
		assert_int_equal(g.n, want_recs);
		assert_int_equal(st.records, want_recs);
		assert_int_equal(g.len, want_bytes);
		if (want_bytes)
			assert_memory_equal(g.buf, sf.want.buf, want_bytes);
		assert_false(st.corrupt);
		if (cut == len) {
			assert_true(st.clean_end && !st.truncated && st.has_trailer);
		} else {
			assert_true(st.truncated && !st.clean_end);
			assert_false(st.has_trailer);
			assert_int_equal(st.stopped_at, good_end);
			assert_non_null(cut == good_end ? strstr(st.message, "no trailer")
							: strstr(st.message, "truncated at byte"));
		}
		got_reset(&g);
	}
	free(full);
	got_reset(&sf.want);
}

static void test_bad_crc(void **state)
{
	struct recfile_status st;
	struct small_file sf;
	struct got g = { 0 };
	unsigned char *f;
	size_t len;
	char expect[64];

	(void)state;
	make_small(tpath("crc.ipcs"), &sf, true);
	f = slurp(tpath("crc.ipcs"), &len);
	f[sf.ends[2] + sizeof(struct ipcs_block_hdr) + 3] ^= 0x20;	/* 3rd block's payload */
	write_bytes(tpath("crc.ipcs"), f, len);
	assert_int_equal(read_path(tpath("crc.ipcs"), &g, &st), 0);
	assert_int_equal(g.n, 5);
	assert_memory_equal(g.buf, sf.want.buf, 96 + 288);
	assert_true(st.corrupt && !st.clean_end && !st.truncated);
	assert_int_equal(st.stopped_at, sf.ends[2]);
	snprintf(expect, sizeof(expect), "corrupt block 3 at byte %zu: CRC mismatch", sf.ends[2]);
	assert_non_null(strstr(st.message, expect));
	free(f);
	got_reset(&g);
	got_reset(&sf.want);
}

static void test_bad_tail_and_magic(void **state)
{
	struct recfile_status st;
	struct small_file sf;
	struct got g = { 0 };
	unsigned char *f;
	size_t len;

	(void)state;
	make_small(tpath("tail.ipcs"), &sf, true);
	f = slurp(tpath("tail.ipcs"), &len);
	f[sf.ends[2] - 1] ^= 1;		/* 2nd block's tail magic */
	write_bytes(tpath("tail2.ipcs"), f, len);
	f[sf.ends[2] - 1] ^= 1;
	f[sf.ends[1]] ^= 1;		/* 2nd block's header magic */
	write_bytes(tpath("magic2.ipcs"), f, len);

	assert_int_equal(read_path(tpath("tail2.ipcs"), &g, &st), 0);
	assert_int_equal(g.n, 2);
	assert_true(st.corrupt);
	assert_non_null(strstr(st.message, "tail"));
	got_reset(&g);
	assert_int_equal(read_path(tpath("magic2.ipcs"), &g, &st), 0);
	assert_int_equal(g.n, 2);
	assert_true(st.corrupt);
	assert_non_null(strstr(st.message, "magic"));
	free(f);
	got_reset(&g);
	got_reset(&sf.want);
}

static void test_huge_lengths(void **state)
{
	static struct craft c;
	struct recfile_status st;
	struct got g = { 0 }, want = { 0 };
	struct ipcs_block_hdr bh = { .magic = IPCS_BLOCK_MAGIC, .type = IPCS_BLK_EVENTS };

	(void)state;
	/* len far past the 64 MiB cap: corrupt, nothing allocated for it */
	craft_header(&c, IPCS_ABI_MAJOR, IPCS_ABI_MINOR, 0);
	craft_events(&c, 3, 96, true, &want);
	bh.len = 0xfffffff0u;
	bh.raw_len = 100;
	bh.flags = IPCS_BLKF_ZLIB;
	craft_put(&c, &bh, sizeof(bh));
	craft_put(&c, "some bytes", 10);
	assert_int_equal(read_craft(&c, "huge_len.ipcs", &g, &st), 0);
	assert_int_equal(g.n, 3);
	assert_memory_equal(g.buf, want.buf, want.len);
	assert_true(st.corrupt);
	assert_non_null(strstr(st.message, "64 MiB"));
	got_reset(&g);

	/* raw_len past the cap */
	c.len -= sizeof(bh) + 10;
	bh.len = 10;
	bh.raw_len = 0xffffffffu;
	craft_put(&c, &bh, sizeof(bh));
	assert_int_equal(read_craft(&c, "huge_raw.ipcs", &g, &st), 0);
	assert_int_equal(g.n, 3);
	assert_true(st.corrupt);
	got_reset(&g);

	/* a tiny zlib payload claiming a raw size deflate cannot reach */
	got_reset(&g);
	c.len -= sizeof(bh);
	craft_block_raw(&c, IPCS_BLK_EVENTS, IPCS_BLKF_ZLIB, "0123456789", 10, 1u << 20, 1);
	assert_int_equal(read_craft(&c, "ratio.ipcs", &g, &st), 0);
	assert_int_equal(g.n, 3);
	assert_true(st.corrupt);
	assert_non_null(strstr(st.message, "impossible"));
	c.len -= sizeof(bh) + 10 + sizeof(struct ipcs_block_tail);
	craft_put(&c, &bh, sizeof(bh));

	/* under the cap but past the end of the file: truncated, still no allocation */
	c.len -= sizeof(bh);
	bh.len = 60u << 20;
	bh.raw_len = 60u << 20;
	bh.flags = 0;
	craft_put(&c, &bh, sizeof(bh));
	assert_int_equal(read_craft(&c, "long_len.ipcs", &g, &st), 0);
	assert_int_equal(g.n, 3);
	assert_true(st.truncated && !st.corrupt);
	assert_non_null(strstr(st.message, "in block 2"));

	/* uncompressed block whose raw_len disagrees with len */
	got_reset(&g);
	c.len -= sizeof(bh);
	craft_block_raw(&c, IPCS_BLK_EVENTS, 0, want.buf, 96, 192, 1);
	assert_int_equal(read_craft(&c, "len_mismatch.ipcs", &g, &st), 0);
	assert_int_equal(g.n, 3);
	assert_true(st.corrupt);

	/* zlib payload that inflates to less than raw_len claims */
	got_reset(&g);
	c.len = 0;
	craft_header(&c, IPCS_ABI_MAJOR, IPCS_ABI_MINOR, 0);
	{
		unsigned char z[512];
		uLongf zl = sizeof(z);

		assert_int_equal(compress2(z, &zl, want.buf, 96, 6), Z_OK);
		craft_block_raw(&c, IPCS_BLK_EVENTS, IPCS_BLKF_ZLIB, z, (__u32)zl, 192, 1);
	}
	assert_int_equal(read_craft(&c, "short_inflate.ipcs", &g, &st), 0);
	assert_int_equal(g.n, 0);
	assert_true(st.corrupt);
	assert_non_null(strstr(st.message, "decompress"));
	got_reset(&g);
	got_reset(&want);
}

static void test_zero_length_block(void **state)
{
	static struct craft c;
	struct recfile_status st;
	struct got g = { 0 }, want = { 0 };

	(void)state;
	craft_header(&c, IPCS_ABI_MAJOR, IPCS_ABI_MINOR, 0);
	craft_events(&c, 2, 64, true, &want);
	craft_block_raw(&c, IPCS_BLK_EVENTS, 0, "", 0, 0, 0);
	craft_events(&c, 1, 64, false, &want);
	craft_trailer(&c, 3, 3);
	assert_int_equal(read_craft(&c, "zero.ipcs", &g, &st), 0);
	assert_int_equal(g.n, 3);
	assert_memory_equal(g.buf, want.buf, want.len);
	assert_true(st.clean_end);
	assert_int_equal(st.blocks_read, 4);
	got_reset(&g);

	/* a zero-length payload flagged zlib cannot inflate to anything */
	craft_header(&c, IPCS_ABI_MAJOR, IPCS_ABI_MINOR, 0);
	craft_events(&c, 2, 64, true, NULL);
	craft_block_raw(&c, IPCS_BLK_EVENTS, IPCS_BLKF_ZLIB, "", 0, 0, 0);
	assert_int_equal(read_craft(&c, "zero_z.ipcs", &g, &st), 0);
	assert_int_equal(g.n, 2);
	assert_true(st.corrupt);
	got_reset(&g);
	got_reset(&want);
}

static void test_unknown_block_skipped(void **state)
{
	static struct craft c;
	struct recfile_status st;
	struct got g = { 0 }, want = { 0 };

	(void)state;
	craft_header(&c, IPCS_ABI_MAJOR, IPCS_ABI_MINOR, 0);
	craft_events(&c, 2, 96, true, &want);
	craft_block_raw(&c, 77, 0, "a future block type....", 24, 24, 0);
	craft_events(&c, 2, 96, false, &want);
	/* a known type with a compression flag this build does not know */
	craft_block_raw(&c, IPCS_BLK_EVENTS, 0x4, "zstd?zstd?zstd?!", 16, 4096, 9);
	craft_events(&c, 1, 96, true, &want);
	craft_trailer(&c, 5, 5);
	assert_int_equal(read_craft(&c, "unknown.ipcs", &g, &st), 0);
	assert_int_equal(g.n, 5);
	assert_memory_equal(g.buf, want.buf, want.len);
	assert_true(st.clean_end && !st.corrupt && !st.truncated);
	assert_int_equal(st.blocks_skipped, 2);
	assert_int_equal(st.blocks_read, 4);
	got_reset(&g);
	got_reset(&want);
}

static void test_versions(void **state)
{
	static struct craft c;
	struct recfile_reader *r;
	struct recfile_status st;
	struct got g = { 0 }, want = { 0 };

	(void)state;
	craft_header(&c, IPCS_ABI_MAJOR + 1, 0, 0);
	craft_events(&c, 1, 96, true, NULL);
	write_bytes(tpath("major.ipcs"), c.buf, c.len);
	quiet();
	assert_int_equal(recfile_open(tpath("major.ipcs"), &r), -EPROTO);
	assert_null(r);
	/* even when the newer header is shorter than ours */
	write_bytes(tpath("major_short.ipcs"), c.buf, 16);
	assert_int_equal(recfile_open(tpath("major_short.ipcs"), &r), -EPROTO);
	craft_header(&c, 0, 9, 0);
	write_bytes(tpath("major0.ipcs"), c.buf, c.len);
	assert_int_equal(recfile_open(tpath("major0.ipcs"), &r), -EPROTO);
	loud();

	/* newer minor: bigger header (skipped), readable */
	craft_header(&c, IPCS_ABI_MAJOR, IPCS_ABI_MINOR + 3, 40);
	craft_events(&c, 4, 96, true, &want);
	craft_trailer(&c, 4, 1);
	assert_int_equal(read_craft(&c, "minor.ipcs", &g, &st), 0);
	assert_int_equal(g.n, 4);
	assert_memory_equal(g.buf, want.buf, want.len);
	assert_true(st.clean_end);
	assert_int_equal(recfile_open(tpath("minor.ipcs"), &r), 0);
	assert_int_equal(recfile_header(r)->minor, IPCS_ABI_MINOR + 3);
	assert_string_equal(recfile_header(r)->host, "crafted");
	recfile_close_reader(r);
	got_reset(&g);
	got_reset(&want);
}

static void test_not_a_recording(void **state)
{
	static struct craft c;
	struct recfile_reader *r;

	(void)state;
	quiet();
	write_bytes(tpath("empty"), "", 0);
	assert_int_equal(recfile_open(tpath("empty"), &r), -EINVAL);
	write_bytes(tpath("text"), "hello, this is not a recording at all\n", 38);
	assert_int_equal(recfile_open(tpath("text"), &r), -EINVAL);
	craft_header(&c, IPCS_ABI_MAJOR, IPCS_ABI_MINOR, 0);
	write_bytes(tpath("short_hdr"), c.buf, 100);
	assert_int_equal(recfile_open(tpath("short_hdr"), &r), -EINVAL);
	((struct ipcs_file_header *)c.buf)->header_size = 100;
	write_bytes(tpath("small_hdrsize"), c.buf, c.len);
	assert_int_equal(recfile_open(tpath("small_hdrsize"), &r), -EINVAL);
	((struct ipcs_file_header *)c.buf)->header_size = 1u << 30;
	write_bytes(tpath("huge_hdrsize"), c.buf, c.len);
	assert_int_equal(recfile_open(tpath("huge_hdrsize"), &r), -EINVAL);
	craft_header(&c, IPCS_ABI_MAJOR, IPCS_ABI_MINOR, 64);
	write_bytes(tpath("cut_ext_hdr"), c.buf, c.len - 10);
	assert_int_equal(recfile_open(tpath("cut_ext_hdr"), &r), -EINVAL);
	assert_int_equal(recfile_open(tpath("does-not-exist"), &r), -ENOENT);
	loud();
	assert_null(r);
}

static void test_bad_records(void **state)
{
	static const struct { __u16 size; const char *name; } bad[] = {
		{ 20, "size not a multiple of 8" }, { 0, "size 0" }, { 8, "size below a header" },
		{ 200, "size past the payload" },
	};
	static struct craft c;
	struct recfile_status st;
	struct got g = { 0 }, want = { 0 };
	unsigned char payload[192];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ipcs_rec_hdr h;

		craft_header(&c, IPCS_ABI_MAJOR, IPCS_ABI_MINOR, 0);
		craft_events(&c, 2, 96, true, &want);
		make_rec(payload, IPCS_REC_SYS, 96, 1);
		make_rec(payload + 96, IPCS_REC_SYS, 96, 2);
		memcpy(&h, payload + 96, sizeof(h));
		h.size = bad[i].size;
		memcpy(payload + 96, &h, sizeof(h));
		craft_block_raw(&c, IPCS_BLK_EVENTS, 0, payload, 192, 192, 2);
		craft_trailer(&c, 4, 2);
		assert_int_equal(read_craft(&c, "badrec.ipcs", &g, &st), 0);
		/* the bad block delivers nothing, not even its good first record */
		assert_int_equal(g.n, 2);
		assert_memory_equal(g.buf, want.buf, want.len);
		assert_true(st.corrupt);
		assert_non_null(strstr(st.message, "record 2 at payload offset 96"));
		got_reset(&g);
		got_reset(&want);
	}
	/* nrecs in the header disagrees with the payload */
	craft_header(&c, IPCS_ABI_MAJOR, IPCS_ABI_MINOR, 0);
	make_rec(payload, IPCS_REC_SYS, 96, 1);
	craft_block_raw(&c, IPCS_BLK_EVENTS, 0, payload, 96, 96, 3);
	assert_int_equal(read_craft(&c, "nrecs.ipcs", &g, &st), 0);
	assert_int_equal(g.n, 0);
	assert_true(st.corrupt);
	got_reset(&g);
}

static void test_trailer_checks(void **state)
{
	static struct craft c;
	struct recfile_status st;
	struct got g = { 0 };

	(void)state;
	/* data after the trailer: every record delivered, flagged */
	craft_header(&c, IPCS_ABI_MAJOR, IPCS_ABI_MINOR, 0);
	craft_events(&c, 2, 96, true, NULL);
	craft_trailer(&c, 2, 1);
	craft_events(&c, 2, 96, true, NULL);
	assert_int_equal(read_craft(&c, "after.ipcs", &g, &st), 0);
	assert_int_equal(g.n, 2);
	assert_true(st.has_trailer && st.corrupt && !st.clean_end);
	assert_non_null(strstr(st.message, "after the trailer"));
	got_reset(&g);

	/* a trailer too short to hold struct ipcs_trailer */
	craft_header(&c, IPCS_ABI_MAJOR, IPCS_ABI_MINOR, 0);
	craft_events(&c, 2, 96, true, NULL);
	craft_block_raw(&c, IPCS_BLK_TRAILER, 0, "short", 5, 5, 0);
	assert_int_equal(read_craft(&c, "short_trailer.ipcs", &g, &st), 0);
	assert_int_equal(g.n, 2);
	assert_true(st.corrupt && !st.has_trailer);
	got_reset(&g);
}

static void test_callback_stops(void **state)
{
	struct recfile_status st;
	struct small_file sf;
	struct got g = { .stop_after = 3 };

	(void)state;
	make_small(tpath("stop.ipcs"), &sf, true);
	assert_int_equal(read_path(tpath("stop.ipcs"), &g, &st), 42);
	assert_int_equal(g.n, 3);
	assert_int_equal(st.records, 3);
	assert_false(st.clean_end);
	got_reset(&g);
	got_reset(&sf.want);
}

/* ---- tests: writers that did not finish ---- */

static void test_flush_then_abort(void **state)
{
	struct recfile_status st;
	struct small_file sf;
	struct got g = { 0 };

	(void)state;
	make_small(tpath("abort.ipcs"), &sf, false);
	assert_int_equal(read_path(tpath("abort.ipcs"), &g, &st), 0);
	assert_int_equal(g.n, 8);
	assert_memory_equal(g.buf, sf.want.buf, sf.want.len);
	assert_true(st.truncated && !st.has_trailer && !st.corrupt && !st.clean_end);
	assert_non_null(strstr(st.message, "no trailer"));
	got_reset(&g);
	got_reset(&sf.want);
}

static void test_killed_recorder(void **state)
{
	struct recfile_status st;
	struct got g = { 0 }, want = { 0 };
	unsigned char rec[96];
	int i, status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct recfile_writer *w;

		if (recfile_create(tpath("killed.ipcs"), NULL, &w))
			_exit(1);
		for (i = 0; i < 1000; i++) {
			make_rec(rec, IPCS_REC_SYS, 96, (__u64)i);
			if (recfile_append(w, rec, 96))
				_exit(1);
			if (i == 599 && recfile_flush(w))
				_exit(1);
		}
		kill(getpid(), SIGKILL);	/* records 600..999 are only in memory */
		_exit(1);
	}
	for (i = 0; i < 1000; i++) {	/* the same stream as the child's */
		make_rec(rec, IPCS_REC_SYS, 96, (__u64)i);
		if (i < 600)
			collect_cb(rec, 96, IPCS_BLK_EVENTS, &want);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(read_path(tpath("killed.ipcs"), &g, &st), 0);
	assert_int_equal(g.n, 600);
	assert_memory_equal(g.buf, want.buf, want.len);
	assert_true(st.truncated && !st.corrupt && !st.has_trailer);
	got_reset(&g);
	got_reset(&want);
}

/* A write error (here EFBIG from RLIMIT_FSIZE, as ENOSPC would be) mid-block. */
static void test_write_error_keeps_file_readable(void **state)
{
	struct recfile_write_opts o = { .block_bytes = 1024 };
	struct recfile_status st;
	struct recfile_writer *w;
	struct rlimit old, lim;
	struct got g = { 0 }, want = { 0 };
	unsigned char rec[96];
	__u64 written_ev, written_bytes;
	struct stat sb;
	int i, err = 0;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(recfile_create(tpath("efbig.ipcs"), &o, &w), 0);
	lim = old;
	lim.rlim_cur = 5000;	/* room for a few blocks; one will be cut mid-write */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	quiet();
	for (i = 0; i < 10000 && !err; i++) {
		size_t k;

		make_rec(rec, IPCS_REC_SYS, 96, (__u64)i);
		for (k = 16; k < 96; k++)
			rec[k] = (unsigned char)rnd();	/* incompressible */
		err = recfile_append(w, rec, 96);
		if (!err)
			collect_cb(rec, 96, IPCS_BLK_EVENTS, &want);
	}
	assert_int_equal(err, -EFBIG);
	assert_int_equal(recfile_append(w, rec, 96), -EFBIG);	/* sticky */
	assert_int_equal(recfile_flush(w), -EFBIG);
	written_ev = recfile_events_written(w);
	written_bytes = recfile_bytes_written(w);
	assert_int_equal(recfile_close(w, NULL), -EFBIG);
	loud();
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);

	/* the half-written block was cut off: the file ends at its last whole block */
	assert_int_equal(stat(tpath("efbig.ipcs"), &sb), 0);
	assert_int_equal(sb.st_size, written_bytes);
	assert_true(written_ev > 0);
	assert_int_equal(read_path(tpath("efbig.ipcs"), &g, &st), 0);
	assert_int_equal(g.n, written_ev);
	assert_memory_equal(g.buf, want.buf, g.len);
	assert_true(st.truncated && !st.corrupt);
	got_reset(&g);
	got_reset(&want);
}

/* ---- other ways in ---- */

static void test_read_from_pipe(void **state)
{
	struct recfile_reader *r;
	struct recfile_status st;
	struct small_file sf;
	struct got g = { 0 };
	unsigned char *f;
	size_t len;
	int p[2];

	(void)state;
	make_small(tpath("pipe.ipcs"), &sf, true);
	f = slurp(tpath("pipe.ipcs"), &len);
	assert_true(len < 65536);	/* fits in the pipe without a second writer */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], f, len), (ssize_t)len);
	close(p[1]);
	assert_int_equal(recfile_open_fd(p[0], "stdin", &r), 0);
	assert_int_equal(recfile_read_all(r, collect_cb, &g), 0);
	recfile_get_status(r, &st);
	assert_int_equal(g.n, 8);
	assert_memory_equal(g.buf, sf.want.buf, sf.want.len);
	assert_true(st.clean_end);
	assert_int_equal(recfile_read_all(r, collect_cb, &g), -ESPIPE);	/* a pipe reads once */
	recfile_close_reader(r);
	free(f);
	got_reset(&g);
	got_reset(&sf.want);
}

static void test_source_replay(void **state)
{
	struct replay_source *rs;
	struct small_file sf;
	struct got g = { 0 };

	(void)state;
	make_small(tpath("replay.ipcs"), &sf, true);
	assert_int_equal(replay_open(tpath("replay.ipcs"), &rs), 0);
	assert_int_equal(replay_header(rs)->major, IPCS_ABI_MAJOR);
	assert_int_equal(replay_run(rs, collect_cb, &g), 0);
	assert_int_equal(g.n, 8);
	assert_int_equal(g.types[0], IPCS_BLK_META);
	assert_int_equal(g.types[2], IPCS_BLK_EVENTS);
	assert_memory_equal(g.buf, sf.want.buf, sf.want.len);
	assert_true(replay_status(rs)->clean_end);
	assert_int_equal(replay_status(rs)->trailer.drops[0], 3);
	replay_close(rs);
	write_bytes(tpath("not_rec"), "#!/bin/sh\n", 10);
	quiet();
	assert_int_equal(replay_open(tpath("not_rec"), &rs), -EINVAL);
	loud();
	assert_null(rs);
	got_reset(&g);
	got_reset(&sf.want);
}

/* ---- corpus for tests/fuzz/fuzz_recfile.c ---- */

static int write_corpus(const char *dir)
{
	static struct craft c;
	struct small_file sf;
	char path[512];
	unsigned char *f;
	size_t len;

	if (!mkdtemp(tmpdir))
		return 1;
#define SEED(name) (snprintf(path, sizeof(path), "%s/%s", dir, name), path)
	make_small(SEED("writer_small.ipcs"), &sf, true);
	f = slurp(path, &len);
	f[sf.ends[2] + sizeof(struct ipcs_block_hdr) + 3] ^= 0x20;
	write_bytes(SEED("bad_crc.ipcs"), f, len);
	write_bytes(SEED("truncated.ipcs"), f, sf.ends[2] + 30);
	free(f);
	make_small(SEED("no_trailer.ipcs"), &sf, false);
	craft_header(&c, IPCS_ABI_MAJOR, IPCS_ABI_MINOR + 1, 16);
	craft_events(&c, 2, 96, true, NULL);
	craft_block_raw(&c, 77, 0, "a future block type....", 24, 24, 0);
	craft_block_raw(&c, IPCS_BLK_EVENTS, 0, "", 0, 0, 0);
	craft_events(&c, 3, 352, false, NULL);
	craft_trailer(&c, 5, 4);
	write_bytes(SEED("crafted_mix.ipcs"), c.buf, c.len);
#undef SEED
	got_reset(&sf.want);
	return 0;
}

/* ---- fixture ---- */

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_mode_0600),
		cmocka_unit_test(test_refuses_existing),
		cmocka_unit_test(test_refuses_symlink),
		cmocka_unit_test(test_refuses_non_regular),
		cmocka_unit_test(test_append_rejects_malformed),
		cmocka_unit_test(test_truncated_every_offset),
		cmocka_unit_test(test_bad_crc),
		cmocka_unit_test(test_bad_tail_and_magic),
		cmocka_unit_test(test_huge_lengths),
		cmocka_unit_test(test_zero_length_block),
		cmocka_unit_test(test_unknown_block_skipped),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_not_a_recording),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_trailer_checks),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_flush_then_abort),
		cmocka_unit_test(test_killed_recorder),
		cmocka_unit_test(test_write_error_keeps_file_readable),
		cmocka_unit_test(test_read_from_pipe),
		cmocka_unit_test(test_source_replay),
	};

	if (argc == 3 && strcmp(argv[1], "--write-corpus") == 0) {
		int ret = write_corpus(argv[2]);

		teardown(NULL);
		return ret;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
