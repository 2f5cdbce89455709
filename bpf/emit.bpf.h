/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * emit.bpf.h - reserve a record, fill it, submit it; count what is lost.
 * Every record goes through emit_reserve/emit_submit, so wake-up batching
 * (BPF_RB_NO_WAKEUP) is decided in one place.
 */
#ifndef IPCS_EMIT_BPF_H
#define IPCS_EMIT_BPF_H

#include "maps.bpf.h"

/* Slot for "traced-process table full" until the ABI names it. */
#define IPCS_DROP_TRACED_FULL 3

static __always_inline void drop_count(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &reason);

	/* Atomic: a program nested on this CPU may count at the same time. */
	if (n)
		__sync_fetch_and_add(n, 1);
}

/* Zeroed record of size bytes with its header filled, or NULL (counted). */
static __always_inline void *emit_reserve(__u32 size, __u16 type)
{
	/* This CPU's ring (maps.bpf.h); programs do not migrate while they run. */
	__u32 cpu = bpf_get_smp_processor_id();
	struct ipcs_rec_hdr *h;
	void *ring = bpf_map_lookup_elem(&rings, &cpu);

	if (!ring) {
		drop_count(IPCS_DROP_RINGBUF);
		return NULL;
	}
	h = bpf_ringbuf_reserve(ring, size, 0);
	if (!h) {
		drop_count(IPCS_DROP_RINGBUF);
		return NULL;
	}
	/* Ring memory holds older records: clear pads and string tails. */
	__builtin_memset(h, 0, size);
	h->type = type;
	h->size = size;
	h->cpu = cpu;
	h->ts_ns = bpf_ktime_get_ns();
	return h;
}

/*
 * Waking the reader costs a context switch per record when it keeps up (the
 * kernel wakes whenever the reader has caught up), which on a busy host costs
 * more than the probe itself. So records are submitted without a wake-up and
 * the reader polls on a short timer (source_live.c); the reader is woken when
 * targ_wake_bytes wait (crossing that mark), and on every record past twice
 * that, when the ring is filling faster than the timer drains it.
 */
static __always_inline __u64 emit_wakeup_flags(__u32 cpu, __u32 size)
{
	void *ring;
	__u64 avail;

	if (!targ_wake_bytes)
		return 0;
	ring = bpf_map_lookup_elem(&rings, &cpu);
	if (!ring)
		return 0;
	/* Counts this record (reserved, not yet committed) and its header. */
	avail = bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA);
	if (avail >= 2 * targ_wake_bytes ||
	    (avail >= targ_wake_bytes && avail - size - BPF_RINGBUF_HDR_SZ < targ_wake_bytes))
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline void emit_submit(void *rec)
{
	const struct ipcs_rec_hdr *h = rec;

	/* h->cpu: the ring it was reserved in (emit_reserve). */
	bpf_ringbuf_submit(rec, emit_wakeup_flags(h->cpu, h->size));
}

#endif
