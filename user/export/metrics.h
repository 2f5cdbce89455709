/*
 * metrics.h - per conversation class counters and histograms, and their
 * Prometheus text exposition (format 0.0.4) for `ipcscope serve`.
 *
 * A class is (kind, src, dst): bytes and messages that src wrote and dst
 * read; src and dst are comms or cgroup paths, as the caller chose. Nothing
 * here knows the model or the HTTP side: the caller adds observations and
 * asks for the text. Classes are never removed (counters stay monotonic);
 * past max_series classes, new ones fold into one class labelled "other".
 */
#ifndef IPCS_METRICS_H
#define IPCS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "ipcscope_abi.h"

#define METRICS_LABEL_MAX IPCS_PATH_MAX	/* longest src/dst kept (a cgroup path) */
#define METRICS_FOLDED_MAX 100000	/* distinct folded classes remembered (to count them) */

enum metrics_hist {
	METRICS_RPC_LATENCY,	/* request -> response; class = requester -> responder */
	METRICS_BLOCKED_WRITER,	/* time the writing call blocked */
	METRICS_BLOCKED_READER,	/* time the reading call blocked */
	METRICS_NHIST,
};

/* Upper bounds of the histogram buckets, in ns (le="..." in seconds); +Inf follows. */
#define METRICS_NBUCKETS 19
extern const __u64 metrics_bucket_ns[METRICS_NBUCKETS];

struct metrics_class_key {
	__u16 kind;				/* enum ipcs_chan_kind */
	char src[METRICS_LABEL_MAX];		/* raw bytes (escaped when written) */
	char dst[METRICS_LABEL_MAX];
};

/* What is not per class: the tracer's own state. */
struct metrics_globals {
	__u64 events;				/* records taken in */
	__u64 drops[IPCS_DROP_REASON_MAX];	/* per reason (cumulative) */
	__u64 deadlocks;			/* wait-for cycles found */
	__u64 stalls_total;			/* stall chains found */
	__u64 stalls_now;			/* threads in a stall, still blocked */
	__u64 blocked_now;			/* threads blocked past the threshold now */
	double cpu_seconds;			/* the tracer's user + system CPU time */
	__u64 rss_bytes;			/* its resident memory */
	double start_time;			/* its start, seconds since the epoch */
};

struct metrics;

/* max_series >= 2: classes kept, "other" included. 0 or -ENOMEM. */
int metrics_new(struct metrics **out, size_t max_series);
void metrics_free(struct metrics *m);

/* Bytes and messages from k->src to k->dst. 0 or -ENOMEM (then nothing counted). */
int metrics_add(struct metrics *m, const struct metrics_class_key *k, __u64 bytes, __u64 msgs);
/* One observation of ns into histogram h of class k. 0 or -ENOMEM. */
int metrics_observe(struct metrics *m, const struct metrics_class_key *k, enum metrics_hist h,
		    __u64 ns);

/* Classes held (other included) and distinct classes folded into "other". */
size_t metrics_classes(const struct metrics *m);
__u64 metrics_folded(const struct metrics *m);

/* The whole exposition to f: per class families, then g's. 0 or -EIO. */
int metrics_write(const struct metrics *m, const struct metrics_globals *g, FILE *f);

/* The container a cgroup v2 path belongs to: the first 12 hex digits of the id in
 * its last component that holds one, as `docker ps` shows it: docker-ID.scope,
 * /docker/ID, libpod-ID.scope (podman), cri-containerd-ID.scope, crio-ID.scope,
 * containerd-ID.scope, /kubepods/.../podUID/ID. false (out: "") when none. */
bool metrics_container_id(const char *cgpath, char *out, size_t n);

/* A label value for the text format: the bytes escaped as the terminal shows
 * them (esc_term: \xNN, \\), then \ and " escaped for the format. out is
 * always NUL-terminated; returns its length. */
size_t metrics_label_escape(const char *in, char *out, size_t outsz);

#endif
