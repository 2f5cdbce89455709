/*
 * recfile_read.c - the recording reader: checks the file header, walks the
 * blocks without trusting their lengths, and hands every record of every good
 * block to a callback. Byte layout and compatibility rules: docs/file-format.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>
#include "log.h"
#include "record/recfile.h"

#define BLK_FRAME (sizeof(struct ipcs_block_hdr) + sizeof(struct ipcs_block_tail))
#define ZLIB_MAX_RATIO 1040u	/* deflate's limit is 1032:1 */
#define NSLOTS 4	/* blocks in flight: some delivered while the next are inflated */
/* A thread that waits for a slot (the reading one for a free slot, the
 * caller's for a filled one) is woken when this many are ready: a wake-up per
 * block was 9% of report on unix sockets here. */
#define WAKE_AT (NSLOTS / 2)

/* What the reading thread hands to the delivering one. */
enum slot_kind {
	SLOT_RECORDS,	/* a good block's records, checked */
	SLOT_END,	/* reading stopped: r->st says why (0 returned) */
	SLOT_IOERR,	/* an I/O error (err; r->st says where) */
};

/* One block in flight, with its own buffers (reused). */
struct rslot {
	enum slot_kind kind;
	int err;
	__u32 blk;
	off_t start, end;	/* its bytes in the file */
	struct ipcs_block_hdr bh;
	const unsigned char *p;	/* its raw payload: zbuf or raw */
	__u32 blocks_read, blocks_skipped;	/* r->st's, before this block */
	unsigned char *zbuf;	/* stored payload */
	size_t zcap;
	unsigned char *raw;	/* decompressed payload */
	size_t rcap;
};

struct recfile_reader {
	int fd;
	char *name;
	off_t size;		/* regular files: size when reading began; else -1 */
	off_t data_off;		/* first block */
	off_t off;		/* next byte to read */
	off_t done;		/* end of the last block delivered (progress) */
	bool started;
	struct ipcs_file_header hdr;
	struct libdeflate_decompressor *inflater;	/* made on the first compressed block */
	/*
	 * While recfile_read_all runs, a reading thread owns fd, off, inflater and st
	 * (the records it counts are those of the blocks it handed over) and
	 * fills the slots; the caller's thread takes them in order and delivers
	 * their records. Inflating is a third of reading (a 240-byte unix
	 * socket record inflates in ~60 ns), so it overlaps with the model.
	 */
	struct rslot slot[NSLOTS];
	pthread_mutex_t mu;
	pthread_cond_t filled, freed;	/* a slot was filled / freed (or stop) */
	bool reader_waits, caller_waits;	/* on freed / on filled: signal only then */
	unsigned head, count;	/* filled slots: slot[head] first */
	__u32 next_blk;		/* the reading thread's next block number (1-based) */
	bool stop;		/* the caller stopped: the reading thread ends */
	struct recfile_status st;
	/* The last block found damaged, until resynchronising skips it. */
	bool damaged;
	char why[160];
};

/* Read up to len bytes; fewer only at end of file. */
static ssize_t read_full(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int grow(unsigned char **buf, size_t *cap, size_t need)
{
	unsigned char *p;

	if (!need)
		need = 1;	/* an empty payload still gets a buffer */
	if (need <= *cap)
		return 0;
	p = realloc(*buf, need);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = need;
	return 0;
}

static void reader_free(struct recfile_reader *r)
{
	libdeflate_free_decompressor(r->inflater);
	free(r->name);
	for (unsigned i = 0; i < NSLOTS; i++) {
		free(r->slot[i].zbuf);
		free(r->slot[i].raw);
	}
	free(r);
}

static int open_fail(struct recfile_reader *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int open_fail(struct recfile_reader *r, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("%s", msg);
	close(r->fd);
	reader_free(r);
	return err;
}

/* Skip the fields a newer minor appended to the header (the reader may be a pipe). */
static int skip_bytes(int fd, size_t n)
{
	unsigned char buf[512];

	while (n) {
		size_t chunk = n < sizeof(buf) ? n : sizeof(buf);
		ssize_t got = read_full(fd, buf, chunk);

		if (got < 0)
			return (int)got;
		if ((size_t)got < chunk)
			return -ENODATA;
		n -= chunk;
	}
	return 0;
}

static int read_header(struct recfile_reader *r)
{
	struct ipcs_file_header *h = &r->hdr;
	const char *f = r->name;
	/* The oldest header first: a 1.3 writer's ends before boot_id. */
	ssize_t n = read_full(r->fd, h, IPCS_FILE_HEADER_SIZE_1_3);
	size_t have;
	int err;

	memset((char *)h + IPCS_FILE_HEADER_SIZE_1_3, 0, sizeof(*h) - IPCS_FILE_HEADER_SIZE_1_3);
	if (n < 0)
		return open_fail(r, (int)n, "cannot read %s: %s", f, strerror((int)-n));
	if (n == 0)
		return open_fail(r, -EINVAL, "%s is empty: not an ipcscope recording", f);
	if ((size_t)n < sizeof(h->magic) || memcmp(h->magic, IPCS_FILE_MAGIC, sizeof(h->magic)))
		return open_fail(r, -EINVAL, "%s is not an ipcscope recording", f);
	if ((size_t)n >= offsetof(struct ipcs_file_header, header_size) &&
	    h->major != IPCS_ABI_MAJOR) {
		if (h->major > IPCS_ABI_MAJOR)
			return open_fail(r, -EPROTO, "%s was written by ipcscope ABI %u.%u; this build "
					 "reads up to major %u: upgrade ipcscope", f, h->major,
					 h->minor, IPCS_ABI_MAJOR);
		return open_fail(r, -EPROTO, "%s was written by ipcscope ABI %u.%u; this build reads "
				 "major %u only", f, h->major, h->minor, IPCS_ABI_MAJOR);
	}
	if ((size_t)n < IPCS_FILE_HEADER_SIZE_1_3)
		return open_fail(r, -EINVAL, "%s ends inside its file header (%zd of %u bytes): the "
				 "recording holds no data", f, n, IPCS_FILE_HEADER_SIZE_1_3);
	if (h->header_size < IPCS_FILE_HEADER_SIZE_1_3 || h->header_size > RECFILE_HEADER_MAX)
		return open_fail(r, -EINVAL, "%s has a damaged file header (header_size %u): not a "
				 "readable ipcscope recording", f, h->header_size);
	/* The fields this reader knows past the 1.3 header, as far as the writer's goes. */
	have = h->header_size < sizeof(*h) ? h->header_size : sizeof(*h);
	if (have > IPCS_FILE_HEADER_SIZE_1_3) {
		n = read_full(r->fd, (char *)h + IPCS_FILE_HEADER_SIZE_1_3, have - IPCS_FILE_HEADER_SIZE_1_3);
		if (n < 0)
			return open_fail(r, (int)n, "cannot read %s: %s", f, strerror((int)-n));
		if ((size_t)n < have - IPCS_FILE_HEADER_SIZE_1_3)
			return open_fail(r, -EINVAL, "%s ends inside its file header (%u bytes "
					 "expected): the recording holds no data", f, h->header_size);
	}
	err = skip_bytes(r->fd, h->header_size - have);
	if (err)
		return open_fail(r, err == -ENODATA ? -EINVAL : err, "%s ends inside its file header "
				 "(%u bytes expected): the recording holds no data", f,
				 h->header_size);
	if (h->minor > IPCS_ABI_MINOR)
		log_info("%s was written by a newer ipcscope (ABI %u.%u); what this build does not "
			 "know is skipped", f, h->major, h->minor);
	h->host[sizeof(h->host) - 1] = '\0';
	h->kernel[sizeof(h->kernel) - 1] = '\0';
	r->data_off = r->off = r->done = h->header_size;
	return 0;
}

int recfile_open_fd(int fd, const char *name, struct recfile_reader **out)
{
	struct recfile_reader *r;
	int err;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r || !(r->name = strdup(name ? name : "recording"))) {
		free(r);
		close(fd);
		return -ENOMEM;
	}
	r->fd = fd;
	err = read_header(r);	/* frees r and closes fd on failure */
	if (err)
		return err;
	*out = r;
	return 0;
}

int recfile_open(const char *path, struct recfile_reader **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	*out = NULL;
	if (fd < 0) {
		int err = -errno;

		log_error("cannot open %s: %s", path, strerror(-err));
		return err;
	}
	return recfile_open_fd(fd, path, out);
}

const struct ipcs_file_header *recfile_header(const struct recfile_reader *r)
{
	return &r->hdr;
}

static void stop_msg(struct recfile_reader *r, off_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void stop_msg(struct recfile_reader *r, off_t at, const char *fmt, ...)
{
	va_list ap;

	r->st.stopped_at = at;
	va_start(ap, fmt);
	vsnprintf(r->st.message, sizeof(r->st.message), fmt, ap);
	va_end(ap);
}

/* Block blk (1-based) starting at start ends at byte `end` of the file, `more` bytes short. */
static int stop_truncated(struct recfile_reader *r, __u32 blk, off_t start, off_t end,
			  unsigned long long more, bool at_least)
{
	r->st.truncated = true;
	stop_msg(r, start, "truncated at byte %lld in block %u (expected %s%llu more bytes); "
		 "read %u blocks, %llu records", (long long)end, blk, at_least ? "at least " : "",
		 more, blk - 1, (unsigned long long)r->st.records);
	return 0;
}

static int stop_corrupt(struct recfile_reader *r, __u32 blk, off_t start, const char *why)
{
	r->damaged = true;	/* try_resync may skip it and read on */
	snprintf(r->why, sizeof(r->why), "%s", why);
	r->st.corrupt = true;
	stop_msg(r, start, "corrupt block %u at byte %lld: %s; read %u blocks, %llu records",
		 blk, (long long)start, why, blk - 1, (unsigned long long)r->st.records);
	return 0;
}

/* End of file at a block boundary: clean after a trailer, truncated before one. */
static int stop_eof(struct recfile_reader *r)
{
	if (r->st.has_trailer) {
		r->st.clean_end = true;
		r->st.stopped_at = r->off;
		return 0;
	}
	r->st.truncated = true;
	stop_msg(r, r->off, "no trailer at byte %lld: the recorder did not finish (killed, or "
		 "out of disk space?); read %u blocks, %llu records", (long long)r->off,
		 r->st.blocks_read, (unsigned long long)r->st.records);
	return 0;
}

static int stop_io(struct recfile_reader *r, int err)
{
	/* Logged by the caller's thread when it gets there (a caller's stop first says nothing). */
	stop_msg(r, r->off, "read error at byte %lld: %s", (long long)r->off, strerror(-err));
	return err;
}

/* Validate a header's lengths before trusting them with a read or an allocation. */
static const char *check_block_hdr(const struct ipcs_block_hdr *bh)
{
	if (bh->magic != IPCS_BLOCK_MAGIC)
		return "bad block magic";
	if (bh->len > RECFILE_PAYLOAD_MAX || bh->raw_len > RECFILE_PAYLOAD_MAX)
		return "block length beyond the 64 MiB limit";
	if (!bh->flags && bh->raw_len != bh->len)
		return "stored and raw lengths differ in an uncompressed block";
	/* Deflate expands at most ~1032:1: a larger claim is a lie, refused before allocating. */
	if ((bh->flags & IPCS_BLKF_ZLIB) && bh->raw_len > (__u64)bh->len * ZLIB_MAX_RATIO + 64)
		return "raw length impossible for its compressed length";
	return NULL;
}

/*
 * Read and check the framing and CRC of block blk at r->off, leaving its stored
 * payload in s->zbuf. Returns 1 when the block is whole, 0 when reading stops
 * here (status set), -errno on I/O errors.
 */
static int read_block(struct recfile_reader *r, __u32 blk, struct ipcs_block_hdr *bh,
		      struct rslot *s)
{
	off_t start = r->off;
	struct ipcs_block_tail bt;
	const char *why;
	ssize_t n;
	size_t total;
	int err;

	n = read_full(r->fd, bh, sizeof(*bh));
	if (n < 0)
		return stop_io(r, (int)n);
	if (n == 0)
		return stop_eof(r);
	if (r->st.has_trailer) {
		r->st.corrupt = true;
		stop_msg(r, start, "unexpected data after the trailer at byte %lld; ignored",
			 (long long)start);
		return 0;
	}
	if ((size_t)n < sizeof(*bh))
		return stop_truncated(r, blk, start, start + n, sizeof(*bh) - (size_t)n + sizeof(bt),
				      true);
	why = check_block_hdr(bh);
	if (why)
		return stop_corrupt(r, blk, start, why);
	total = BLK_FRAME + bh->len;
	/* A regular file's size bounds what a lying length can make us allocate. */
	if (r->size >= 0 && (off_t)total > r->size - start) {
		/* A damaged length, when a good block follows (try_resync); else the end is cut. */
		r->damaged = true;
		snprintf(r->why, sizeof(r->why), "its length (%u bytes) runs past the end of the file",
			 bh->len);
		return stop_truncated(r, blk, start, r->size,
				      (unsigned long long)((off_t)total - (r->size - start)), false);
	}
	err = grow(&s->zbuf, &s->zcap, bh->len);
	if (err)
		return stop_io(r, err);
	n = read_full(r->fd, s->zbuf, bh->len);
	if (n >= 0 && (size_t)n == bh->len) {
		n = read_full(r->fd, &bt, sizeof(bt));
		n = n < 0 ? n : n + (ssize_t)bh->len;
	}
	if (n < 0)
		return stop_io(r, (int)n);
	if ((size_t)n < bh->len + sizeof(bt))
		return stop_truncated(r, blk, start, start + (off_t)sizeof(*bh) + n,
				      total - sizeof(*bh) - (size_t)n, false);
	if (bt.magic != IPCS_BLOCK_MAGIC || bt.total_len != total)
		return stop_corrupt(r, blk, start, "block tail does not match its header");
	if (bh->crc32 != (__u32)libdeflate_crc32(0, s->zbuf, bh->len))
		return stop_corrupt(r, blk, start, "CRC mismatch");
	r->off = start + (off_t)total;
	return 1;
}

/*
 * A zlib stream (RFC 1950) is a 2-byte header, raw deflate and a 4-byte
 * Adler-32 of the output. The block's CRC-32 already covers every stored byte,
 * so the Adler-32 (a second pass over the much larger inflated bytes: 11-18%
 * of `report`) is skipped: the header is checked by hand, the deflate data is
 * inflated raw, and the 4 trailer bytes must be exactly what is left.
 */
#define ZHDR_LEN 2u
#define ZTRAILER_LEN 4u

static bool zlib_header_ok(const unsigned char *z, size_t len)
{
	if (len < ZHDR_LEN + ZTRAILER_LEN)
		return false;
	/* deflate (CM 8), window <= 32 KiB (CINFO <= 7), check bits, no preset dictionary */
	return (z[0] & 0x0f) == 8 && (z[0] >> 4) <= 7 && ((z[0] << 8) | z[1]) % 31 == 0 &&
	       !(z[1] & 0x20);
}

/* Inflate the block's zlib payload into exactly raw_len bytes: 0, or -1 when it does not.
 * libdeflate, not zlib: it inflates a whole buffer at once about twice as fast, and
 * inflating is the largest part of reading a recording. */
static int inflate_block(struct recfile_reader *r, const struct ipcs_block_hdr *bh,
			 struct rslot *s)
{
	size_t in_used, out_len;

	if (!zlib_header_ok(s->zbuf, bh->len))
		return -1;
	if (!r->inflater && !(r->inflater = libdeflate_alloc_decompressor()))
		return -1;
	if (libdeflate_deflate_decompress_ex(r->inflater, s->zbuf + ZHDR_LEN, bh->len - ZHDR_LEN,
					     s->raw, bh->raw_len, &in_used, &out_len) !=
	    LIBDEFLATE_SUCCESS)
		return -1;
	return out_len == bh->raw_len && in_used == bh->len - ZHDR_LEN - ZTRAILER_LEN ? 0 : -1;
}

/* The block's raw payload: decompressed into s->raw, or the stored bytes. */
static const unsigned char *block_payload(struct recfile_reader *r, const struct ipcs_block_hdr *bh,
					  struct rslot *s)
{
	if (!(bh->flags & IPCS_BLKF_ZLIB))
		return s->zbuf;
	if (grow(&s->raw, &s->rcap, bh->raw_len))
		return NULL;
	return inflate_block(r, bh, s) ? NULL : s->raw;
}

/* Check every record's framing first, so a bad block delivers nothing. */
static int check_records(struct recfile_reader *r, __u32 blk, off_t start,
			 const unsigned char *p, const struct ipcs_block_hdr *bh)
{
	size_t off = 0, sz;
	__u32 n = 0;
	char why[160];

	while (off < bh->raw_len) {
		sz = recfile_rec_size(p + off, bh->raw_len - off);
		if (!sz) {
			snprintf(why, sizeof(why), "record %u at payload offset %zu is malformed "
				 "(size must be >= 16, a multiple of 8, within the payload)", n + 1, off);
			return stop_corrupt(r, blk, start, why);
		}
		off += sz;
		n++;
	}
	if (n != bh->nrecs) {
		snprintf(why, sizeof(why), "holds %u records, its header says %u", n, bh->nrecs);
		return stop_corrupt(r, blk, start, why);
	}
	return 1;
}

static void add_skip(struct recfile_reader *r, __u32 blk, bool damaged, off_t at, __u64 bytes,
		     const char *why)
{
	if (r->st.nskips < RECFILE_SKIPS_KEPT) {
		struct recfile_skip *k = &r->st.skips[r->st.nskips];

		k->blk = blk;
		k->damaged = damaged;
		k->at = at;
		k->bytes = bytes;
		snprintf(k->why, sizeof(k->why), "%s", why);
	}
	r->st.nskips++;
	r->st.bytes_skipped += bytes;
}

/* A whole block at byte at: header, lengths, tail and CRC all agree (s->zbuf is scratch). */
static bool block_at(struct recfile_reader *r, struct rslot *s, off_t at)
{
	struct ipcs_block_hdr bh;
	struct ipcs_block_tail bt;
	off_t total;

	if (pread(r->fd, &bh, sizeof(bh), at) != (ssize_t)sizeof(bh) || check_block_hdr(&bh))
		return false;
	total = (off_t)(BLK_FRAME + bh.len);
	if (total > r->size - at ||
	    pread(r->fd, &bt, sizeof(bt), at + total - (off_t)sizeof(bt)) != (ssize_t)sizeof(bt) ||
	    bt.magic != IPCS_BLOCK_MAGIC || bt.total_len != (__u32)total)
		return false;
	if (grow(&s->zbuf, &s->zcap, bh.len) ||
	    pread(r->fd, s->zbuf, bh.len, at + (off_t)sizeof(bh)) != (ssize_t)bh.len)
		return false;
	return bh.crc32 == (__u32)libdeflate_crc32(0, s->zbuf, bh.len);
}

/* The first whole block at or after byte from, or -1. */
static off_t find_block(struct recfile_reader *r, struct rslot *s, off_t from)
{
	static const __u32 magic = IPCS_BLOCK_MAGIC;	/* the file is little-endian, as we are */
	unsigned char buf[64 << 10];
	off_t pos = from;

	while (pos + (off_t)BLK_FRAME <= r->size) {
		ssize_t n = pread(r->fd, buf, sizeof(buf), pos);
		const unsigned char *p = buf, *hit;

		if (n < (ssize_t)sizeof(magic))
			return -1;
		while ((hit = memmem(p, (size_t)(buf + n - p), &magic, sizeof(magic)))) {
			if (block_at(r, s, pos + (hit - buf)))
				return pos + (hit - buf);
			p = hit + 1;
		}
		pos += n - (ssize_t)sizeof(magic) + 1;	/* a magic may straddle two reads */
	}
	return -1;
}

/*
 * Block blk at start is damaged (r->why): blocks are framed, so look for the
 * next whole one and read on from there, noting what was skipped. 0: reading
 * goes on; -1: no good block follows (or a pipe, which cannot look ahead):
 * reading stops here as the status already says.
 */
static int try_resync(struct recfile_reader *r, struct rslot *s, __u32 blk, off_t start)
{
	off_t next;

	if (!r->damaged || r->size < 0)
		return -1;
	r->damaged = false;
	next = find_block(r, s, start + 1);
	if (next < 0 || lseek(r->fd, next, SEEK_SET) < 0)
		return -1;
	add_skip(r, blk, true, start, (__u64)(next - start), r->why);
	r->st.blocks_damaged++;
	r->st.corrupt = r->st.truncated = false;	/* said again by finish_status */
	r->st.message[0] = '\0';
	r->off = next;
	return 0;
}

/*
 * Reading thread: read, check and inflate block blk into s. Returns 1 when s
 * holds records to deliver, 0 when the block was used here (a trailer, a
 * newer type) and reading goes on, -1 when s ends reading (SLOT_END or
 * SLOT_IOERR).
 */
static int produce(struct recfile_reader *r, __u32 blk, struct rslot *s)
{
	struct ipcs_block_hdr *bh = &s->bh;
	off_t start = r->off;
	int ret;

	s->blk = blk;
	s->start = start;
	s->blocks_read = r->st.blocks_read;
	s->blocks_skipped = r->st.blocks_skipped;
	ret = read_block(r, blk, bh, s);
	if (ret < 0) {
		s->kind = SLOT_IOERR;
		s->err = ret;
		return -1;
	}
	s->kind = SLOT_END;
	if (ret == 0)
		return try_resync(r, s, blk, start);
	s->end = r->off;
	if ((bh->type != IPCS_BLK_META && bh->type != IPCS_BLK_EVENTS &&
	     bh->type != IPCS_BLK_TRAILER) || (bh->flags & ~IPCS_BLKF_ZLIB)) {
		char why[160];

		snprintf(why, sizeof(why), "type %u, flags 0x%x: unknown to this build (a newer "
			 "ipcscope's?)", bh->type, bh->flags);
		add_skip(r, blk, false, start, (__u64)(r->off - start), why);
		r->st.blocks_skipped++;
		return 0;
	}
	s->p = block_payload(r, bh, s);
	if (!s->p) {
		stop_corrupt(r, blk, start, "payload does not decompress to its raw length");
		return try_resync(r, s, blk, start);
	}
	if (bh->type == IPCS_BLK_TRAILER) {
		if (bh->raw_len < sizeof(r->st.trailer)) {
			stop_corrupt(r, blk, start, "trailer too short");
			return try_resync(r, s, blk, start);
		}
		/* Written stored, without records: anything else is another block's damaged type. */
		if (bh->flags || bh->nrecs) {
			stop_corrupt(r, blk, start, "a trailer that is compressed or holds records");
			return try_resync(r, s, blk, start);
		}
		memcpy(&r->st.trailer, s->p, sizeof(r->st.trailer));
		r->st.has_trailer = true;
		r->st.blocks_read++;
		return 0;
	}
	if (check_records(r, blk, start, s->p, bh) <= 0)
		return try_resync(r, s, blk, start);
	/* Counted as read now: a later stop's message counts them, as it would
	 * after delivering them; a caller's stop rewrites the status. */
	r->st.records += bh->nrecs;
	if (bh->type == IPCS_BLK_EVENTS)
		r->st.events_read += bh->nrecs;
	r->st.blocks_read++;
	s->kind = SLOT_RECORDS;
	return 1;
}

/* Fill s with the next block that has records, or with the end of reading. */
static int fill_slot(struct recfile_reader *r, struct rslot *s)
{
	int ret;

	do
		ret = produce(r, r->next_blk++, s);
	while (ret == 0);
	return ret;
}

/* The reading thread: fill slots until reading ends or the caller stops. */
static void *reader_main(void *arg)
{
	struct recfile_reader *r = arg;
	struct rslot *s;
	int ret;

	for (;;) {
		pthread_mutex_lock(&r->mu);
		while (r->count == NSLOTS && !r->stop) {
			r->reader_waits = true;
			pthread_cond_wait(&r->freed, &r->mu);
		}
		r->reader_waits = false;
		if (r->stop) {
			pthread_mutex_unlock(&r->mu);
			break;
		}
		s = &r->slot[(r->head + r->count) % NSLOTS];
		pthread_mutex_unlock(&r->mu);
		ret = fill_slot(r, s);
		pthread_mutex_lock(&r->mu);
		r->count++;
		if (r->caller_waits && (ret < 0 || r->count >= WAKE_AT))
			pthread_cond_signal(&r->filled);
		pthread_mutex_unlock(&r->mu);
		if (ret < 0)
			break;
	}
	return NULL;
}

/* Deliver s's records to cb; cb's first non-zero return, or 0. */
static int deliver(const struct rslot *s, recfile_rec_cb cb, void *ctx, __u64 *records)
{
	const unsigned char *p = s->p;
	size_t off = 0, sz;
	int ret;

	while (off < s->bh.raw_len) {
		sz = recfile_rec_size(p + off, s->bh.raw_len - off);
		ret = cb(p + off, sz, s->bh.type, ctx);
		(*records)++;	/* delivered, whatever cb then asks */
		if (ret)
			return ret;
		off += sz;
	}
	return 0;
}

static void msg_add(struct recfile_status *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void msg_add(struct recfile_status *st, const char *fmt, ...)
{
	size_t n = strlen(st->message);
	va_list ap;

	if (n && n + 2 < sizeof(st->message)) {
		memcpy(st->message + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(st->message + n, sizeof(st->message) - n, fmt, ap);
	va_end(ap);
}

/*
 * Reading ended: what was skipped, and what the trailer says was there but was
 * not read, make the end not clean and go into the message.
 */
static void finish_status(struct recfile_reader *r)
{
	struct recfile_status *st = &r->st;
	/* blocks before the trailer read whole: the trailer counts them all (unknown ones too) */
	__u32 whole = st->has_trailer ? st->blocks_read - 1 + st->blocks_skipped : 0;
	bool mismatch = st->has_trailer &&
			(st->trailer.events != st->events_read || st->trailer.blocks != whole);
	const struct recfile_skip *k;

	if (mismatch && st->trailer.events > st->events_read)
		st->events_missing = st->trailer.events - st->events_read;
	if (mismatch && st->trailer.blocks > whole)
		st->blocks_missing = st->trailer.blocks - whole;
	if (!st->nskips && !mismatch)
		return;
	st->clean_end = false;
	if (st->blocks_damaged) {
		st->corrupt = true;
		__u32 i, kept = st->nskips < RECFILE_SKIPS_KEPT ? st->nskips : RECFILE_SKIPS_KEPT;

		for (i = 0; i < kept && !st->skips[i].damaged; i++)
			;
		k = &st->skips[i < kept ? i : 0];
		if (i < kept)
			msg_add(st, "skipped %u damaged stretch%s (the first: block %u at byte %lld, %s) "
				"and read on from the next good block", st->blocks_damaged,
				st->blocks_damaged == 1 ? "" : "es", k->blk, (long long)k->at, k->why);
		else
			msg_add(st, "skipped %u damaged stretch%s and read on from the next good block",
				st->blocks_damaged, st->blocks_damaged == 1 ? "" : "es");
	}
	if (st->blocks_skipped)
		msg_add(st, "skipped %u block%s of unknown type or flags", st->blocks_skipped,
			st->blocks_skipped == 1 ? "" : "s");
	if (st->nskips)
		msg_add(st, "%llu bytes skipped in all", (unsigned long long)st->bytes_skipped);
	if (!mismatch)
		return;
	msg_add(st, "the trailer says %llu events in %u block%s; %llu events in %u block%s were read",
		(unsigned long long)st->trailer.events, st->trailer.blocks,
		st->trailer.blocks == 1 ? "" : "s", (unsigned long long)st->events_read, whole,
		whole == 1 ? "" : "s");
	if (st->events_read > st->trailer.events || whole > st->trailer.blocks)
		msg_add(st, "more than it says");
	else
		msg_add(st, "missing %llu events%s%.0u%s", (unsigned long long)st->events_missing,
			st->blocks_missing ? " in " : "", st->blocks_missing,
			st->blocks_missing ? (st->blocks_missing == 1 ? " block" : " blocks") : "");
}

/* Every skip, said on stderr (the first RECFILE_SKIPS_KEPT one by one). */
static void log_skips(const struct recfile_reader *r)
{
	const struct recfile_status *st = &r->st;

	for (__u32 i = 0; i < st->nskips && i < RECFILE_SKIPS_KEPT; i++) {
		const struct recfile_skip *k = &st->skips[i];

		log_warn("%s: skipped %s at byte %lld, block %u (%llu bytes): %s", r->name,
			 k->damaged ? "a damaged stretch" : "an unknown block", (long long)k->at, k->blk,
			 (unsigned long long)k->bytes, k->why);
	}
	if (st->nskips > RECFILE_SKIPS_KEPT)
		log_warn("%s: and %u more skipped blocks", r->name, st->nskips - RECFILE_SKIPS_KEPT);
}

int recfile_read_all(struct recfile_reader *r, recfile_rec_cb cb, void *ctx)
{
	struct rslot *s, stopped = { 0 };
	bool threaded, last = false;
	sigset_t all, old;
	__u64 records = 0;
	pthread_t th;
	struct stat sb;
	int cb_ret = 0, err = 0;

	if (r->started) {
		if (lseek(r->fd, r->data_off, SEEK_SET) < 0)
			return -errno;	/* a pipe reads once */
		r->off = r->done = r->data_off;
	}
	r->started = true;
	memset(&r->st, 0, sizeof(r->st));
	r->size = (fstat(r->fd, &sb) == 0 && S_ISREG(sb.st_mode)) ? sb.st_size : -1;
	r->head = r->count = 0;
	r->next_blk = 1;
	r->stop = false;
	r->reader_waits = r->caller_waits = false;
	if (pthread_mutex_init(&r->mu, NULL))
		return -ENOMEM;
	if (pthread_cond_init(&r->filled, NULL)) {
		pthread_mutex_destroy(&r->mu);
		return -ENOMEM;
	}
	if (pthread_cond_init(&r->freed, NULL)) {
		pthread_cond_destroy(&r->filled);
		pthread_mutex_destroy(&r->mu);
		return -ENOMEM;
	}
	/* Signals stay with the caller's thread. Without a thread (a small file,
	 * or none left), the caller's fills and empties the same slots in turn. */
	threaded = r->size < 0 || r->size - r->data_off >= (off_t)RECFILE_READ_AHEAD_MIN;
	if (threaded) {
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		threaded = pthread_create(&th, NULL, reader_main, r) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	while (!last) {
		pthread_mutex_lock(&r->mu);
		while (threaded && !r->count) {
			r->caller_waits = true;
			pthread_cond_wait(&r->filled, &r->mu);
		}
		r->caller_waits = false;
		pthread_mutex_unlock(&r->mu);
		s = &r->slot[r->head];
		if (!threaded) {
			fill_slot(r, s);
			r->count++;
		}
		last = s->kind != SLOT_RECORDS;
		if (s->kind == SLOT_IOERR) {
			err = s->err;
			log_error("%s: %s", r->name, r->st.message);
		}
		if (s->kind == SLOT_RECORDS) {
			cb_ret = deliver(s, cb, ctx, &records);
			r->done = s->end;
			if (cb_ret) {
				stopped = *s;
				last = true;
			}
		}
		pthread_mutex_lock(&r->mu);
		if (threaded)	/* alone, the caller's thread reuses slot 0's buffers */
			r->head = (r->head + 1) % NSLOTS;
		r->count--;
		if (last)
			r->stop = true;
		if (r->reader_waits && (last || NSLOTS - r->count >= WAKE_AT))
			pthread_cond_signal(&r->freed);
		pthread_mutex_unlock(&r->mu);
	}
	if (threaded)
		pthread_join(th, NULL);
	pthread_cond_destroy(&r->freed);
	pthread_cond_destroy(&r->filled);
	pthread_mutex_destroy(&r->mu);
	if (cb_ret) {
		/* As if reading had stopped in that block: nothing after it was read. */
		memset(&r->st, 0, sizeof(r->st));
		r->st.blocks_read = stopped.blocks_read;
		r->st.blocks_skipped = stopped.blocks_skipped;
		r->st.records = records;
		stop_msg(r, stopped.start, "reading stopped by the caller in block %u", stopped.blk);
		return cb_ret;
	}
	r->done = r->off;
	finish_status(r);
	log_skips(r);
	if (!r->st.clean_end)
		log_debug("%s: %s", r->name, r->st.message);
	return err;	/* an I/O error: status says where */
}

void recfile_get_status(const struct recfile_reader *r, struct recfile_status *st)
{
	*st = r->st;
}

void recfile_close_reader(struct recfile_reader *r)
{
	if (!r)
		return;
	close(r->fd);
	reader_free(r);
}

void recfile_progress(const struct recfile_reader *r, off_t *done, off_t *total)
{
	*done = r->done;
	*total = r->size;
}
