/*
 * test_recfile_damaged.c - crafted damaged recordings: truncation at every
 * byte, bad CRC, tail and magic, lying lengths, zero-length and unknown
 * blocks, versions, malformed records, bad trailers. Each must deliver every
 * record of the good blocks before the damage, say where it stopped, and
 * never crash or allocate what the file merely claims.
 */
#include "recfile_testlib.h"

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
	quiet();
	assert_int_equal(read_path(tpath("crc.ipcs"), &g, &st), 0);
	loud();
	/* block 3 skipped; the trailer after it read (issue 23 #8) */
	assert_int_equal(g.n, 5);
	assert_memory_equal(g.buf, sf.want.buf, 96 + 288);
	assert_true(st.corrupt && !st.clean_end && !st.truncated && st.has_trailer);
	assert_int_equal(st.blocks_damaged, 1);
	assert_int_equal(st.bytes_skipped, sf.ends[3] - sf.ends[2]);
	assert_int_equal(st.events_missing, 3);
	assert_int_equal(st.blocks_missing, 1);
	assert_int_equal(st.nskips, 1);
	assert_true(st.skips[0].damaged);
	assert_int_equal(st.skips[0].at, sf.ends[2]);
	assert_string_equal(st.skips[0].why, "CRC mismatch");
	snprintf(expect, sizeof(expect), "block 3 at byte %zu, CRC mismatch", sf.ends[2]);
	assert_non_null(strstr(st.message, expect));
	assert_non_null(strstr(st.message, "the trailer says 6 events in 3 blocks; 3 events in 2 blocks were read; "
				       "missing 3 events in 1 block"));
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

	/* block 2 skipped, block 3 and the trailer read on */
	quiet();
	assert_int_equal(read_path(tpath("tail2.ipcs"), &g, &st), 0);
	assert_int_equal(g.n, 5);
	assert_true(st.corrupt && st.has_trailer && st.blocks_damaged == 1);
	assert_int_equal(st.events_missing, 3);
	assert_non_null(strstr(st.message, "tail"));
	got_reset(&g);
	assert_int_equal(read_path(tpath("magic2.ipcs"), &g, &st), 0);
	loud();
	assert_int_equal(g.n, 5);
	assert_true(st.corrupt && st.has_trailer && st.blocks_damaged == 1);
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
	got_reset(&g);

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

	got_reset(&g);
	got_reset(&want);
}

/* A zlib payload that inflates to less than its raw_len claims. */
static void test_short_inflate(void **state)
{
	static struct craft c;
	struct recfile_status st;
	struct got g = { 0 };
	unsigned char rec[96], z[512];
	uLongf zl = sizeof(z);

	(void)state;
	make_rec(rec, IPCS_REC_SYS, 96, 1);
	assert_int_equal(compress2(z, &zl, rec, 96, 6), Z_OK);
	craft_header(&c, IPCS_ABI_MAJOR, IPCS_ABI_MINOR, 0);
	craft_block_raw(&c, IPCS_BLK_EVENTS, IPCS_BLKF_ZLIB, z, (__u32)zl, 192, 1);
	assert_int_equal(read_craft(&c, "short_inflate.ipcs", &g, &st), 0);
	assert_int_equal(g.n, 0);
	assert_true(st.corrupt);
	assert_non_null(strstr(st.message, "decompress"));
	got_reset(&g);
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
	quiet();
	assert_int_equal(read_craft(&c, "unknown.ipcs", &g, &st), 0);
	loud();
	assert_int_equal(g.n, 5);
	assert_memory_equal(g.buf, want.buf, want.len);
	/* not "clean": every skipped block is said, with why (issue 23 #7) */
	assert_true(!st.clean_end && !st.corrupt && !st.truncated && st.has_trailer);
	assert_int_equal(st.blocks_skipped, 2);
	assert_int_equal(st.blocks_read, 4);
	assert_int_equal(st.nskips, 2);
	assert_false(st.skips[0].damaged);
	assert_int_equal(st.skips[0].bytes, 40 + 24 + 8);
	assert_non_null(strstr(st.skips[0].why, "type 77, flags 0x0"));
	assert_non_null(strstr(st.skips[1].why, "flags 0x4"));
	assert_int_equal(st.bytes_skipped, 40 + 24 + 8 + 40 + 16 + 8);
	assert_non_null(strstr(st.message, "skipped 2 blocks of unknown type or flags"));
	assert_non_null(strstr(st.message, "136 bytes skipped"));
	got_reset(&g);
	got_reset(&want);
}

/* A trailer alone: "clean, 0 events" was a lie when the trailer says 120,015 (issue 23 #7). */
static void test_trailer_only(void **state)
{
	static struct craft c;
	struct recfile_status st;
	struct got g = { 0 };

	(void)state;
	craft_header(&c, IPCS_ABI_MAJOR, IPCS_ABI_MINOR, 0);
	craft_trailer(&c, 120015, 46);
	quiet();
	assert_int_equal(read_craft(&c, "trailer_only.ipcs", &g, &st), 0);
	loud();
	assert_int_equal(g.n, 0);
	assert_true(st.has_trailer && !st.clean_end);
	assert_int_equal(st.events_missing, 120015);
	assert_non_null(strstr(st.message, "the trailer says 120015 events in 46 blocks; 0 events in 0 "
				       "blocks were read; missing 120015 events in 46 blocks"));
	assert_int_equal(st.blocks_missing, 46);
	/* and one that says fewer than were read */
	craft_header(&c, IPCS_ABI_MAJOR, IPCS_ABI_MINOR, 0);
	craft_events(&c, 3, 96, true, NULL);
	craft_trailer(&c, 1, 1);
	quiet();
	assert_int_equal(read_craft(&c, "trailer_low.ipcs", &g, &st), 0);
	loud();
	assert_true(!st.clean_end && st.events_missing == 0);
	assert_non_null(strstr(st.message, "the trailer says 1 events in 1 block; 3 events in 1 block were read; more than it says"));
	got_reset(&g);
}

/* More skips than are described one by one: counted, the first 16 kept (fuzz_recfile found
 * the message reading past them). */
static void test_many_skips(void **state)
{
	static struct craft c;
	struct recfile_status st;
	struct got g = { 0 };
	size_t bad;

	(void)state;
	craft_header(&c, IPCS_ABI_MAJOR, IPCS_ABI_MINOR, 0);
	for (int i = 0; i < 20; i++)
		craft_block_raw(&c, 77, 0, "future", 6, 6, 0);
	bad = c.len;
	craft_events(&c, 2, 96, true, NULL);
	c.buf[bad + 45] ^= 1;	/* its payload: CRC */
	craft_events(&c, 2, 96, true, NULL);
	craft_trailer(&c, 4, 22);
	quiet();
	assert_int_equal(read_craft(&c, "many_skips.ipcs", &g, &st), 0);
	loud();
	assert_int_equal(g.n, 2);
	assert_int_equal(st.nskips, 21);
	assert_int_equal(st.blocks_skipped, 20);
	assert_int_equal(st.blocks_damaged, 1);
	assert_non_null(strstr(st.message, "skipped 1 damaged stretch and read on"));
	assert_non_null(strstr(st.message, "skipped 20 blocks of unknown type or flags"));
	assert_non_null(strstr(st.message, "missing 2 events in 1 block"));
	got_reset(&g);
}

/* Ten event blocks of 3 records; returns the file's bytes, ends[] as in small_file. */
static unsigned char *make_ten(const char *path, size_t ends[12], struct got *want, size_t *len)
{
	struct recfile_write_opts o = { .block_bytes = 1 << 20 };
	struct recfile_writer *w;
	unsigned char rec[128];

	unlink(path);
	assert_int_equal(recfile_create(path, &o, &w), 0);
	ends[0] = recfile_bytes_written(w);
	for (int b = 0; b < 10; b++) {
		for (int i = 0; i < 3; i++) {
			make_rec(rec, IPCS_REC_SYS, 96, 100 + (__u64)(b * 3 + i));
			collect_cb(rec, 96, IPCS_BLK_EVENTS, &want[b]);
			assert_int_equal(recfile_append(w, rec, 96), 0);
		}
		assert_int_equal(recfile_flush(w), 0);
		ends[b + 1] = recfile_bytes_written(w);
	}
	assert_int_equal(recfile_close(w, NULL), 0);
	return slurp(path, len);
}

/*
 * One flipped bit anywhere in block 5 of 10: the blocks after it are read
 * (resynchronised on the next good block), and the status says what was
 * skipped and what the trailer counted there (issue 23 #8). Every bit of the
 * block's every byte is tried.
 */
static void test_resync_every_bit(void **state)
{
	struct got want[10] = { 0 };
	size_t ends[12], len;
	unsigned char *f = make_ten(tpath("ten.ipcs"), ends, want, &len);
	unsigned damaged = 0, unknown = 0, unhurt = 0;

	(void)state;
	for (size_t at = ends[4]; at < ends[5]; at++) {
		for (int bit = 0; bit < 8; bit++) {
			struct recfile_status st;
			struct got g = { 0 };
			size_t off = 0;

			f[at] ^= (unsigned char)(1u << bit);
			write_bytes(tpath("flip.ipcs"), f, len);
			f[at] ^= (unsigned char)(1u << bit);
			quiet();
			assert_int_equal(read_path(tpath("flip.ipcs"), &g, &st), 0);
			loud();
			assert_true(st.has_trailer);
			if (g.n == 30) {	/* a timestamp in the header: not covered by the CRC */
				unhurt++;
				got_reset(&g);
				continue;
			}
			/* every record of the other nine blocks, in order */
			if (g.n != 27)
				fprintf(stderr, "flip byte %zu (block offset %zu) bit %d: %s\n", at,
					at - ends[4], bit, st.message);
			assert_int_equal(g.n, 27);
			for (int b = 0; b < 10; b++) {
				if (b == 4)
					continue;
				assert_memory_equal(g.buf + off, want[b].buf, want[b].len);
				off += want[b].len;
			}
			assert_false(st.clean_end);
			assert_int_equal(st.events_missing, 3);
			assert_non_null(strstr(st.message, "missing 3 events"));
			if (st.blocks_damaged) {
				assert_int_equal(st.blocks_damaged, 1);
				assert_true(st.corrupt);
				assert_int_equal(st.skips[0].at, ends[4]);
				assert_int_equal(st.bytes_skipped, ends[5] - ends[4]);
				assert_int_equal(st.blocks_missing, 1);
				damaged++;
			} else {	/* the type or flags field: an unknown block, skipped by length */
				assert_int_equal(st.blocks_skipped, 1);
				assert_int_equal(st.blocks_missing, 0);
				unknown++;
			}
			got_reset(&g);
		}
	}
	print_message("block 5 of 10 (%zu bytes): %u flips resynchronised after, %u made it an "
		      "unknown block, %u in timestamps (not covered by the CRC)\n", ends[5] - ends[4],
		      damaged, unknown, unhurt);
	assert_true(damaged > 0 && unknown > 0);
	assert_int_equal(unhurt, 16 * 8);	/* first_ts_ns, last_ts_ns */
	free(f);
	for (int b = 0; b < 10; b++)
		got_reset(&want[b]);
}

/* A lying length in a middle block is damage when good blocks follow; garbage between blocks too. */
static void test_resync_length_and_garbage(void **state)
{
	struct got want[10] = { 0 }, g = { 0 };
	struct recfile_status st;
	size_t ends[12], len;
	unsigned char *f = make_ten(tpath("ten.ipcs"), ends, want, &len), *g2;
	struct ipcs_block_hdr bh;

	(void)state;
	memcpy(&bh, f + ends[2], sizeof(bh));
	bh.len = 1u << 24;	/* far past the end of the file */
	memcpy(f + ends[2], &bh, sizeof(bh));
	write_bytes(tpath("len.ipcs"), f, len);
	quiet();
	assert_int_equal(read_path(tpath("len.ipcs"), &g, &st), 0);
	loud();
	assert_int_equal(g.n, 27);
	assert_true(st.corrupt && !st.truncated && st.has_trailer && st.blocks_damaged == 1);
	assert_non_null(strstr(st.message, "runs past the end of the file"));
	got_reset(&g);
	free(f);

	/* 1000 bytes of garbage (with a fake magic) between blocks 6 and 7 */
	f = make_ten(tpath("ten.ipcs"), ends, want, &len);
	g2 = malloc(len + 1000);
	assert_non_null(g2);
	memcpy(g2, f, ends[6]);
	memset(g2 + ends[6], 0xa5, 1000);
	memcpy(g2 + ends[6] + 100, f + ends[6], 12);	/* a header's first bytes */
	memcpy(g2 + ends[6] + 1000, f + ends[6], len - ends[6]);
	write_bytes(tpath("garbage.ipcs"), g2, len + 1000);
	quiet();
	assert_int_equal(read_path(tpath("garbage.ipcs"), &g, &st), 0);
	loud();
	assert_int_equal(g.n, 30);
	assert_true(st.corrupt && st.has_trailer && st.blocks_damaged == 1);
	assert_int_equal(st.bytes_skipped, 1000);
	assert_int_equal(st.events_missing, 0);
	got_reset(&g);
	free(g2);
	free(f);
	for (int b = 0; b < 10; b++)
		got_reset(&want[b]);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncated_every_offset),
		cmocka_unit_test(test_bad_crc),
		cmocka_unit_test(test_bad_tail_and_magic),
		cmocka_unit_test(test_huge_lengths),
		cmocka_unit_test(test_short_inflate),
		cmocka_unit_test(test_zero_length_block),
		cmocka_unit_test(test_unknown_block_skipped),
		cmocka_unit_test(test_trailer_only),
		cmocka_unit_test(test_many_skips),
		cmocka_unit_test(test_resync_every_bit),
		cmocka_unit_test(test_resync_length_and_garbage),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_not_a_recording),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_trailer_checks),
		cmocka_unit_test(test_callback_stops),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
