/*
 * flows.h - which read consumed which write: every byte stream (a pipe, a
 * FIFO, a socket's receive queue, one direction of a pty) is followed by
 * byte offset, so each write is paired with the reads that took its bytes,
 * across processes and whatever order the records came in. Message
 * channels (datagrams, seqpacket) pair one send with one receive.
 */
#ifndef IPCS_FLOWS_H
#define IPCS_FLOWS_H

#include "collect/decode.h"

/* One side of a transfer: the syscall's slice [start_ns, end_ns] on its thread. */
struct flow_end {
	__u64 start_ns, end_ns;
	__u32 pid, tid;
};

struct flow_pair {
	struct flow_end w, r;	/* the write (send) and the read (receive) */
	__u64 bytes;		/* of the write's bytes, how many this read took */
	__u16 kind;		/* enum ipcs_chan_kind */
};

typedef int (*flow_cb)(const struct flow_pair *p, void *ctx);

struct flows;

int flows_new(flow_cb cb, void *ctx, struct flows **out);
/* Feed every event; data transfers among them call cb once per pair. Returns 0 or cb's / -ENOMEM. */
int flows_feed(struct flows *f, const struct ipcs_event *ev);
/* Bytes written that no read took (yet), and read bytes whose write was not seen. */
void flows_unpaired(const struct flows *f, __u64 *written, __u64 *read);
void flows_free(struct flows *f);

#endif
