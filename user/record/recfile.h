/* recfile.h - the block-structured recording file (docs/file-format.md). */
#ifndef IPCS_RECFILE_H
#define IPCS_RECFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "ipcscope_abi.h"

struct recfile_writer;
struct recfile_reader;

/* Limits (docs/file-format.md). A reader treats larger lengths as corruption. */
#define RECFILE_PAYLOAD_MAX (64u << 20)		/* block len and raw_len */
#define RECFILE_BLOCK_BYTES_MAX (16u << 20)	/* largest raw payload the writer produces */
#define RECFILE_HEADER_MAX (64u << 10)		/* file header_size */
/* Blocks are read ahead on a second thread from this many bytes of blocks on
 * (or when the size is unknown): below, starting it costs more than it saves. */
#define RECFILE_READ_AHEAD_MIN (1u << 20)

struct recfile_write_opts {
	bool force;		/* replace an existing regular file (its name: never writes into it) */
	bool foreign;		/* with force: also one owned by another user (--replace-foreign) */
	__u32 capture_bytes;	/* sets IPCS_FILEF_PAYLOAD when > 0 */
	size_t block_bytes;	/* raw bytes per event block; 0 = default (256 KiB) */
	const struct ipcs_file_header *like;	/* merge: take its clocks, host and kernel, not now's */
	__u64 size_limit;	/* record -C: buffered events go out as a block when the file with
				 * them would reach this size (0: only when the buffer is full) */
};

/*
 * Size of the record at p (from its struct ipcs_rec_hdr) when it is well
 * framed within avail bytes: >= 16, a multiple of 8, not past avail. Else 0.
 */
size_t recfile_rec_size(const void *p, size_t avail);

/* The file header a recording started now would get (stat reports with it too). */
void recfile_header_init(struct ipcs_file_header *h, const struct recfile_write_opts *o);
/* Create path 0600, O_EXCL|O_NOFOLLOW (no O_EXCL with force). Writes the file header. */
int recfile_create(const char *path, const struct recfile_write_opts *o,
		   struct recfile_writer **out);
/* One META block holding the seed records (concatenated, each with its header). */
int recfile_write_meta(struct recfile_writer *w, const void *recs, size_t len, __u32 nrecs);
/* Buffer one record; a full buffer is compressed and written as an event block. */
int recfile_append(struct recfile_writer *w, const void *rec, size_t len);
/* Write the buffered records now as a block (the recorder calls this every second). */
int recfile_flush(struct recfile_writer *w);
__u64 recfile_bytes_written(const struct recfile_writer *w);
__u64 recfile_events_written(const struct recfile_writer *w);
/* The file's size once the buffered events are written (compressed as the blocks so far were). */
__u64 recfile_bytes_estimate(const struct recfile_writer *w);
/* Flush, write the trailer, fsync, close, free. Returns the first error seen. */
int recfile_close(struct recfile_writer *w, const __u64 drops[IPCS_DROP_SLOTS]);
/* Close without trailer (error path); the file stays readable up to its last block. */
void recfile_abort(struct recfile_writer *w);

/* A run of bytes the reader skipped, and why. */
struct recfile_skip {
	__u32 blk;		/* the block number reading had reached (1-based) */
	bool damaged;		/* a damaged block (resynchronised after it); else an unknown one */
	off_t at;		/* its first byte */
	__u64 bytes;		/* skipped up to the next good block */
	char why[160];
};

#define RECFILE_SKIPS_KEPT 16	/* skips described one by one; the rest only counted */

/* How reading ended. */
struct recfile_status {
	bool clean_end;		/* trailer read, nothing after it, nothing skipped, counts agree */
	bool truncated;		/* file ends inside a block or has no trailer */
	bool corrupt;		/* bad magic, CRC, length or record inside a block */
	bool has_trailer;
	off_t stopped_at;	/* offset of the first byte not used */
	__u32 blocks_read;
	__u32 blocks_skipped;	/* unknown block types or flags, skipped by length */
	__u32 blocks_damaged;	/* damaged stretches (a block or more, or garbage) skipped by
				 * resynchronising on the next good block */
	__u64 bytes_skipped;	/* in skipped and damaged blocks */
	__u64 records;		/* records delivered */
	__u64 events_read;	/* of records: those in event blocks (what the trailer's events counts) */
	__u64 events_missing;	/* the trailer's events minus events_read, when positive */
	__u32 blocks_missing;	/* the trailer's blocks minus those read whole, when positive */
	struct ipcs_trailer trailer;	/* valid when has_trailer */
	__u32 nskips;		/* skips, described in skips[] up to RECFILE_SKIPS_KEPT */
	struct recfile_skip skips[RECFILE_SKIPS_KEPT];
	char message[512];	/* human sentence when !clean_end, e.g. "truncated at byte 1234 (block 7): ..." */
};

/* Opens and checks the file header: -EPROTO for a newer major (message logged), -EINVAL bad magic. */
int recfile_open(const char *path, struct recfile_reader **out);
/*
 * Same on an open fd (regular file, pipe, memfd) positioned at the start of
 * the recording. The reader owns fd from now on (closed on failure too); name
 * is used in messages.
 */
int recfile_open_fd(int fd, const char *name, struct recfile_reader **out);
const struct ipcs_file_header *recfile_header(const struct recfile_reader *r);

/* Called once per record, in file order; non-zero return stops reading and is returned. */
typedef int (*recfile_rec_cb)(const void *rec, size_t len, __u16 block_type, void *ctx);

/*
 * Deliver every record of every good block to cb. Returns 0 when the file was
 * read to its end or to its last good block (see recfile_get_status), or a
 * negative errno for I/O errors, or cb's non-zero return. A second thread
 * reads and inflates one block ahead (RECFILE_READ_AHEAD_MIN; the reader is
 * busy until this returns); cb runs on the caller's thread, in file order.
 */
int recfile_read_all(struct recfile_reader *r, recfile_rec_cb cb, void *ctx);
void recfile_get_status(const struct recfile_reader *r, struct recfile_status *st);
void recfile_close_reader(struct recfile_reader *r);
/* Bytes read so far and the file's size (-1 when not a regular file), for progress bars. */
void recfile_progress(const struct recfile_reader *r, off_t *done, off_t *total);

#endif
