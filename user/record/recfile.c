/*
 * recfile.c - the block-structured recording file: the writer, and the record
 * framing check shared with the reader (recfile_read.c).
 * Byte layout and compatibility rules: docs/file-format.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include "log.h"
#include "record/recfile.h"
#include "util/outfile.h"

/* The file is little-endian and written as native structs. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "recfile.c writes native structs: big-endian hosts need byte swapping first"
#endif

#define DEFAULT_BLOCK_BYTES (256u << 10)
#define REC_SIZE_MAX 65528u		/* largest multiple of 8 a __u16 size can hold */
/* Compression is most of the recorder's CPU: level 2 costs a third of level 6
 * for 8.9 instead of 7.6 bytes per ping-pong event (docs/performance.md). */
#define ZLIB_LEVEL 2
#define BLK_FRAME (sizeof(struct ipcs_block_hdr) + sizeof(struct ipcs_block_tail))

size_t recfile_rec_size(const void *p, size_t avail)
{
	struct ipcs_rec_hdr h;

	if (avail < sizeof(h))
		return 0;
	memcpy(&h, p, sizeof(h));	/* records may sit unaligned in a payload */
	if (h.size < sizeof(h) || h.size % 8 || h.size > avail)
		return 0;
	return h.size;
}

static void copy_str(char *dst, size_t dstsz, const char *src)
{
	size_t n = strnlen(src, dstsz - 1);

	memcpy(dst, src, n);
	memset(dst + n, 0, dstsz - n);
}

static __u64 ts_of(clockid_t clk)
{
	struct timespec t;

	if (clock_gettime(clk, &t))
		return 0;
	return (__u64)t.tv_sec * 1000000000ull + (__u64)t.tv_nsec;
}

struct recfile_writer {
	char *path;		/* for messages */
	int fd;
	int err;		/* first error; every later call returns it */
	off_t good_off;		/* end of the last complete block */
	size_t block_bytes;
	unsigned char *raw;	/* records waiting for the next event block */
	size_t raw_len, raw_cap;
	unsigned char *out;	/* block header + stored payload + tail */
	size_t out_cap;
	__u32 nrecs;		/* records in raw */
	__u64 min_ts, max_ts;	/* of the records in raw */
	__u64 events;		/* records in event blocks on disk */
	__u32 blocks;		/* blocks on disk */
	__u64 size_limit;	/* -C: flush when the file with its buffer would reach it */
	__u64 ev_raw, ev_stored;	/* event blocks' raw and stored bytes: the compression ratio */
};

static int write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * A failed block write: cut the file back to its last complete block and stop
 * writing. The one message says which file, why, what it still holds and what to do.
 */
static int writer_fail(struct recfile_writer *w, int err)
{
	if (ftruncate(w->fd, w->good_off) == 0)
		(void)lseek(w->fd, w->good_off, SEEK_SET);
	log_error("writing %s failed: %s (%s); recording stopped. The file keeps the %u blocks "
		  "(%llu bytes, %llu events) written before and replays up to them%s", w->path,
		  strerror(-err), strerrorname_np(-err) ? strerrorname_np(-err) : "?", w->blocks,
		  (unsigned long long)w->good_off, (unsigned long long)w->events,
		  err == -ENOSPC ? ": free disk space or record to another filesystem" : "");
	w->err = err;
	return err;
}

static int ensure_out(struct recfile_writer *w, size_t need)
{
	unsigned char *p;

	if (need <= w->out_cap)
		return 0;
	p = realloc(w->out, need);
	if (!p)
		return -ENOMEM;
	w->out = p;
	w->out_cap = need;
	return 0;
}

/* Compress (when it helps) and write one block. */
static int write_block(struct recfile_writer *w, __u16 type, const void *raw, size_t raw_len,
		       __u32 nrecs, __u64 first_ts, __u64 last_ts)
{
	struct ipcs_block_hdr bh = {
		.magic = IPCS_BLOCK_MAGIC, .type = type, .raw_len = (__u32)raw_len,
		.nrecs = nrecs, .first_ts_ns = first_ts, .last_ts_ns = last_ts,
	};
	struct ipcs_block_tail bt = { .magic = IPCS_BLOCK_MAGIC };
	uLongf zlen = compressBound(raw_len);
	unsigned char *payload;
	size_t total;
	int err;

	if (w->err)
		return w->err;
	err = ensure_out(w, BLK_FRAME + zlen);
	if (err)
		return err;
	payload = w->out + sizeof(bh);
	if (type != IPCS_BLK_TRAILER && raw_len &&
	    compress2(payload, &zlen, raw, raw_len, ZLIB_LEVEL) == Z_OK && zlen < raw_len) {
		bh.flags = IPCS_BLKF_ZLIB;
		bh.len = (__u32)zlen;
	} else {
		if (raw_len)	/* an empty block may come with no buffer (raw NULL) */
			memcpy(payload, raw, raw_len);	/* incompressible: stored as is */
		bh.len = (__u32)raw_len;
	}
	bh.crc32 = (__u32)crc32(0, payload, bh.len);
	total = BLK_FRAME + bh.len;
	bt.total_len = (__u32)total;
	memcpy(w->out, &bh, sizeof(bh));
	memcpy(payload + bh.len, &bt, sizeof(bt));
	/* One write per block: a crash leaves at most one partial block. */
	err = write_all(w->fd, w->out, total);
	if (err)
		return writer_fail(w, err);
	w->good_off += (off_t)total;
	w->blocks++;
	if (type == IPCS_BLK_EVENTS) {
		w->ev_raw += raw_len;
		w->ev_stored += bh.len;
	}
	return 0;
}

/* /proc/sys/kernel/random/boot_id ("8-4-4-4-12" hex) into 16 bytes; all 0 when unreadable. */
static void read_boot_id(__u8 id[16])
{
	char text[64];
	unsigned n = 0;
	ssize_t got;
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);

	memset(id, 0, 16);
	if (fd < 0)
		return;
	got = read(fd, text, sizeof(text) - 1);
	close(fd);
	for (ssize_t i = 0; i < got && n < 32; i++) {
		char c = text[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

		if (c == '-')
			continue;
		if (v < 0)
			break;
		id[n / 2] |= (__u8)(n % 2 ? v : v << 4);
		n++;
	}
	if (n != 32)
		memset(id, 0, 16);
}

void recfile_header_init(struct ipcs_file_header *h, const struct recfile_write_opts *o)
{
	struct utsname u;

	memset(h, 0, sizeof(*h));
	memcpy(h->magic, IPCS_FILE_MAGIC, sizeof(h->magic));
	h->major = IPCS_ABI_MAJOR;
	h->minor = IPCS_ABI_MINOR;
	h->header_size = sizeof(*h);
	h->capture_bytes = o->capture_bytes;
	if (o->capture_bytes)
		h->flags |= IPCS_FILEF_PAYLOAD;
	/* Read back to back so the three clocks describe the same instant. */
	h->start_mono_ns = ts_of(CLOCK_MONOTONIC);
	h->start_real_ns = ts_of(CLOCK_REALTIME);
	h->start_boot_ns = ts_of(CLOCK_BOOTTIME);
	if (uname(&u) == 0) {
		copy_str(h->host, sizeof(h->host), u.nodename);
		copy_str(h->kernel, sizeof(h->kernel), u.release);
	}
	read_boot_id(h->boot_id);
	if (o->like) {	/* merged recordings keep the time base of their first input */
		h->start_mono_ns = o->like->start_mono_ns;
		h->start_real_ns = o->like->start_real_ns;
		h->start_boot_ns = o->like->start_boot_ns;
		memcpy(h->host, o->like->host, sizeof(h->host));
		memcpy(h->kernel, o->like->kernel, sizeof(h->kernel));
		memcpy(h->boot_id, o->like->boot_id, sizeof(h->boot_id));
	}
}

/* The output, made by outfile.c: in place at once, so a killed recorder leaves a readable file. */
static int open_output(struct recfile_writer *w, const char *path, const struct recfile_write_opts *o)
{
	w->fd = outfile_create(path, (o->force ? OUTF_FORCE : 0) | (o->foreign ? OUTF_FOREIGN : 0));
	return w->fd < 0 ? w->fd : 0;	/* says why it failed */
}

static int writer_alloc(struct recfile_writer *w, const struct recfile_write_opts *o)
{
	w->block_bytes = o->block_bytes ? o->block_bytes : DEFAULT_BLOCK_BYTES;
	w->size_limit = o->size_limit;
	if (w->block_bytes > RECFILE_BLOCK_BYTES_MAX)
		w->block_bytes = RECFILE_BLOCK_BYTES_MAX;
	/* Room for one more record past block_bytes: append never reallocates. */
	w->raw_cap = w->block_bytes + REC_SIZE_MAX;
	w->raw = malloc(w->raw_cap);
	if (!w->raw)
		return -ENOMEM;
	return ensure_out(w, BLK_FRAME + compressBound(w->raw_cap));
}

static void writer_free(struct recfile_writer *w)
{
	free(w->path);
	free(w->raw);
	free(w->out);
	free(w);
}

int recfile_create(const char *path, const struct recfile_write_opts *o,
		   struct recfile_writer **out)
{
	static const struct recfile_write_opts defaults;
	struct ipcs_file_header h;
	struct recfile_writer *w;
	int err;

	*out = NULL;
	if (!o)
		o = &defaults;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->path = strdup(path);
	err = w->path ? writer_alloc(w, o) : -ENOMEM;
	if (err) {
		writer_free(w);
		return err;
	}
	err = open_output(w, path, o);
	if (err) {
		writer_free(w);
		return err;
	}
	recfile_header_init(&h, o);
	err = write_all(w->fd, &h, sizeof(h));
	if (err) {
		log_error("cannot write the header of %s: %s", path, strerror(-err));
		close(w->fd);
		unlink(path);	/* ours, new (outfile.c): holds nothing */
		writer_free(w);
		return err;
	}
	w->good_off = sizeof(h);
	*out = w;
	return 0;
}

static int check_record(const void *rec, size_t len)
{
	if (len > REC_SIZE_MAX || recfile_rec_size(rec, len) != len) {
		log_error("recording: refusing a malformed record (%zu bytes): its header size must "
			  "equal its length, be >= 16 and a multiple of 8", len);
		return -EINVAL;
	}
	return 0;
}

int recfile_append(struct recfile_writer *w, const void *rec, size_t len)
{
	struct ipcs_rec_hdr h;
	int err;

	if (w->err)
		return w->err;
	err = check_record(rec, len);
	if (err)
		return err;
	if (w->raw_len + len > w->raw_cap)
		return -ENOBUFS;	/* cannot happen while flushes succeed; guards the copy */
	memcpy(&h, rec, sizeof(h));
	if (!w->nrecs || h.ts_ns < w->min_ts)
		w->min_ts = h.ts_ns;
	if (!w->nrecs || h.ts_ns > w->max_ts)
		w->max_ts = h.ts_ns;
	memcpy(w->raw + w->raw_len, rec, len);
	w->raw_len += len;
	w->nrecs++;
	/* -C: the buffer goes out when the file would reach its size with it, so
	 * the size on disk says when to rotate; else up to 256 KiB of events wait
	 * in memory and the file passes its size unseen (issue 23 #11). Once past
	 * it, rotation is due: blocks are full-sized again until then. */
	if (w->raw_len >= w->block_bytes ||
	    (w->size_limit && (__u64)w->good_off < w->size_limit &&
	     recfile_bytes_estimate(w) >= w->size_limit))
		return recfile_flush(w);
	return 0;
}

__u64 recfile_bytes_estimate(const struct recfile_writer *w)
{
	__u64 pending = w->raw_len;

	if (!w->raw_len)
		return (__u64)w->good_off;
	/* Compressed as the event blocks so far were (none yet: as stored, an upper bound). */
	if (w->ev_raw)
		pending = pending * w->ev_stored / w->ev_raw;
	return (__u64)w->good_off + BLK_FRAME + pending;
}

int recfile_flush(struct recfile_writer *w)
{
	int err;

	if (w->err || !w->nrecs)
		return w->err;
	err = write_block(w, IPCS_BLK_EVENTS, w->raw, w->raw_len, w->nrecs, w->min_ts, w->max_ts);
	if (err)
		return err;
	w->events += w->nrecs;
	w->raw_len = 0;
	w->nrecs = 0;
	return 0;
}

/* Check the framing of a run of records before any of it is written. */
static int check_meta(const unsigned char *p, size_t len, __u32 nrecs)
{
	size_t off = 0, sz;
	__u32 n = 0;

	for (; off < len; off += sz, n++) {
		sz = recfile_rec_size(p + off, len - off);
		if (!sz) {
			log_error("recording: malformed seed record %u at offset %zu of the META "
				  "records", n + 1, off);
			return -EINVAL;
		}
	}
	if (n != nrecs) {
		log_error("recording: META block says %u records but holds %u", nrecs, n);
		return -EINVAL;
	}
	return 0;
}

/* Seed records go out at once, split at record boundaries into blocks no reader refuses. */
int recfile_write_meta(struct recfile_writer *w, const void *recs, size_t len, __u32 nrecs)
{
	const unsigned char *p = recs, *start = recs;
	struct ipcs_rec_hdr h;
	__u64 lo = 0, hi = 0;
	size_t off, sz;
	__u32 n = 0;
	int err;

	if (w->err)
		return w->err;
	err = check_meta(p, len, nrecs);
	if (err)
		return err;
	for (off = 0; off < len; off += sz) {
		sz = recfile_rec_size(p + off, len - off);
		if ((size_t)(p + off - start) + sz > RECFILE_BLOCK_BYTES_MAX) {
			err = write_block(w, IPCS_BLK_META, start, (size_t)(p + off - start), n, lo, hi);
			if (err)
				return err;
			start = p + off;
			n = 0;
		}
		memcpy(&h, p + off, sizeof(h));
		lo = (!n || h.ts_ns < lo) ? h.ts_ns : lo;
		hi = (!n || h.ts_ns > hi) ? h.ts_ns : hi;
		n++;
	}
	return write_block(w, IPCS_BLK_META, start, (size_t)(p + off - start), n, lo, hi);
}

__u64 recfile_bytes_written(const struct recfile_writer *w)
{
	return (__u64)w->good_off;
}

__u64 recfile_events_written(const struct recfile_writer *w)
{
	return w->events;
}

int recfile_close(struct recfile_writer *w, const __u64 drops[IPCS_DROP_SLOTS])
{
	struct ipcs_trailer t = { 0 };
	int err, first;

	first = recfile_flush(w);
	t.events = w->events;
	if (drops)
		memcpy(t.drops, drops, sizeof(t.drops));
	t.end_mono_ns = ts_of(CLOCK_MONOTONIC);
	t.blocks = w->blocks;
	t.clean = 1;
	err = write_block(w, IPCS_BLK_TRAILER, &t, sizeof(t), 0, t.end_mono_ns, t.end_mono_ns);
	first = first ? first : err;
	if (!first && fsync(w->fd)) {
		first = -errno;
		log_error("finishing %s failed: fsync: %s", w->path, strerror(-first));
	}
	if (close(w->fd) && !first) {
		first = -errno;
		log_error("finishing %s failed: close: %s", w->path, strerror(-first));
	}
	writer_free(w);
	return first;
}

void recfile_abort(struct recfile_writer *w)
{
	if (!w)
		return;
	close(w->fd);
	writer_free(w);
}
