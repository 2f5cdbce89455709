/* reorder.h - records from several per-CPU rings merged into one time-ordered stream. */
#ifndef IPCS_REORDER_H
#define IPCS_REORDER_H

#include <stddef.h>
#include <linux/types.h>

struct reorder;

/* Receives each record in time order; a value < 0 stops and is returned. */
typedef int (*reorder_cb)(const void *rec, size_t len, void *ctx);

/*
 * window_ns: how long a record is held for records of other CPUs that are
 * older than it but not yet read (a record is read only once its program
 * committed it); max_bytes: the most held at once, past which the oldest go
 * out early (their followers may then arrive late). Returns 0 or -errno.
 */
int reorder_new(__u64 window_ns, size_t max_bytes, struct reorder **out);
void reorder_free(struct reorder *r);

/* Copy a record in (its struct ipcs_rec_hdr ts_ns orders it). A record
 * older than one already delivered is late: delivered at once and counted,
 * never put before what already went out. Returns 0 or the cb's error. */
int reorder_push(struct reorder *r, const void *rec, size_t len, reorder_cb cb, void *ctx);

/* Deliver, oldest first, every held record at least window_ns older than
 * now_ns (CLOCK_MONOTONIC, the probes' clock), whatever the other CPUs did:
 * a silent CPU holds nobody back. Returns records delivered or the cb's error. */
int reorder_release(struct reorder *r, __u64 now_ns, reorder_cb cb, void *ctx);

/* Deliver everything held, oldest first (the end of a session). */
int reorder_flush(struct reorder *r, reorder_cb cb, void *ctx);

__u64 reorder_late(const struct reorder *r);	/* records that arrived late */
size_t reorder_held(const struct reorder *r);	/* records held now */
__u64 reorder_window_ns(const struct reorder *r);

#endif
