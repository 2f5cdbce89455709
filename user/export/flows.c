/*
 * flows.c - pair writes with the reads that consumed them (see flows.h).
 *
 * Each byte stream is a queue keyed as the model keys it (user/model/
 * conv.c, sock.c, pty.c): a pipe or FIFO by its inode, a unix socket's
 * receive queue by the socket's identity (a send goes to the peer's, a
 * datagram sent to a name to that name's), TCP/UDP by (local, remote) so
 * that what (L, R) writes, (R, L) reads, a pty by (tty, direction). Writes
 * queue their bytes; reads take them from the front; a read that comes
 * before its write's record (another CPU) waits and the next write pays it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "export/flows.h"
#include "util/hashmap.h"
#include "util/ring.h"

#define QUEUE_MAX 65536		/* entries per side of a queue; oldest dropped beyond */

struct qent {
	struct flow_end end;
	__u64 rem;		/* bytes not paired yet */
};

struct fifo {
	struct qent *v;
	size_t head, len, cap;
};

struct queue {
	struct fifo writes, reads;
	__u16 kind;
	bool msgs;		/* one send = one receive (datagrams, seqpacket) */
};

struct qkey {
	__u16 kind;
	__u16 sub;		/* pty: direction; inet: 1 */
	__u32 dev;
	__u64 id;
	unsigned char ends[36];	/* inet: receiver's local, remote address, ports */
	__u32 zero;
};

struct flows {
	struct hashmap queues;	/* struct qkey -> struct queue */
	flow_cb cb;
	void *ctx;
	__u64 dropped_w, dropped_r;	/* bytes pushed out of a full queue */
};

int flows_new(flow_cb cb, void *ctx, struct flows **out)
{
	struct flows *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return -ENOMEM;
	err = hashmap_init(&f->queues, sizeof(struct qkey));
	if (err) {
		free(f);
		return err;
	}
	f->cb = cb;
	f->ctx = ctx;
	*out = f;
	return 0;
}

static struct qent *front(struct fifo *q)
{
	return q->len ? &q->v[q->head] : NULL;
}

static void pop(struct fifo *q)
{
	q->head = (q->head + 1) % q->cap;
	q->len--;
}

static int push(struct fifo *q, const struct qent *e, __u64 *dropped)
{
	if (q->len >= QUEUE_MAX) {
		*dropped += front(q)->rem;
		pop(q);
	}
	if (ring_reserve((void **)&q->v, sizeof(*q->v), &q->head, q->len, &q->cap, 8))
		return -ENOMEM;
	q->v[(q->head + q->len) % q->cap] = *e;
	q->len++;
	return 0;
}

static int emit(struct flows *f, const struct queue *q, const struct flow_end *w,
		const struct flow_end *r, __u64 n)
{
	struct flow_pair p = { .w = *w, .r = *r, .bytes = n, .kind = q->kind };

	return f->cb(&p, f->ctx);
}

/*
 * n bytes of `e` meet the other side's queue `other`: pay what is there,
 * oldest first; what is left waits in `own`. is_write: e is the write.
 */
static int transfer(struct flows *f, struct queue *q, struct qent e, bool is_write)
{
	struct fifo *other = is_write ? &q->reads : &q->writes;
	struct fifo *own = is_write ? &q->writes : &q->reads;
	__u64 *dropped = is_write ? &f->dropped_w : &f->dropped_r;
	struct qent *o;
	__u64 n;
	int err;

	while (e.rem && (o = front(other))) {
		n = o->rem < e.rem ? o->rem : e.rem;
		err = emit(f, q, is_write ? &e.end : &o->end, is_write ? &o->end : &e.end, n);
		if (err)
			return err;
		if (q->msgs) {	/* a message is taken whole, even when the reader's buffer was short */
			pop(other);
			return 0;
		}
		o->rem -= n;
		e.rem -= n;
		if (!o->rem)
			pop(other);
	}
	return e.rem ? push(own, &e, dropped) : 0;
}

static bool kind_is_msgs(__u16 kind)
{
	return kind == IPCS_KIND_UDP || kind == IPCS_KIND_UNIX_DGRAM ||
	       kind == IPCS_KIND_UNIX_SEQPACKET;
}

/* FNV-1a of a unix name: the key of a bound datagram socket's queue. */
static __u64 name_hash(const char *a, size_t n)
{
	__u64 h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)a[i]) * 0x100000001b3ull;
	return h;
}

/* Reverse the endpoint layout of ipcscope_abi.h: (L, R) -> (R, L). */
static void swap_ends(const char *in, unsigned char *out)
{
	__u16 lport, rport;

	memcpy(out, in + 16, 16);
	memcpy(out + 16, in, 16);
	memcpy(&lport, in + 32, 2);	/* host order */
	memcpy(&rport, in + 34, 2);	/* network order */
	lport = htons(lport);
	rport = ntohs(rport);
	memcpy(out + 32, &rport, 2);
	memcpy(out + 34, &lport, 2);
}

/* The queue a socket call writes to or reads from; false when unknown. */
static bool sock_key(const struct ipcs_sock_rec *r, bool is_write, struct qkey *k)
{
	bool dgram = r->s.chan.kind == IPCS_KIND_UNIX_DGRAM;
	bool other = r->flags & (IPCS_SOCKF_PEER_ADDR | IPCS_SOCKF_DEST);
	__u16 rport;

	if (r->flags & IPCS_SOCKF_INET) {
		if (r->addr_len != 36)
			return false;
		memcpy(&rport, r->addr + 34, 2);
		if (is_write && !rport)
			return false;	/* unconnected UDP: no peer known */
		k->sub = 1;
		if (is_write)
			swap_ends(r->addr, k->ends);
		else
			memcpy(k->ends, r->addr, 36);
		return true;
	}
	if (dgram && r->addr_len && other == is_write) {
		k->sub = 2;
		k->id = name_hash(r->addr, r->addr_len < sizeof(r->addr) ? r->addr_len : sizeof(r->addr));
		return true;
	}
	if (!is_write) {
		k->id = r->s.chan.ino;
		return true;
	}
	if (!r->peer || r->peer == r->s.chan.ino)
		return false;
	k->id = r->peer;
	return true;
}

static bool is_data_write(__u16 sys, __u16 flags, bool *is_write)
{
	switch (sys) {
	case IPCS_SYS_WRITE: case IPCS_SYS_WRITEV: case IPCS_SYS_SENDTO: case IPCS_SYS_SENDMSG:
		*is_write = true;
		return true;
	case IPCS_SYS_READ: case IPCS_SYS_READV: case IPCS_SYS_RECVFROM: case IPCS_SYS_RECVMSG:
		*is_write = false;
		return true;
	case IPCS_SYS_SPLICE: case IPCS_SYS_TEE: case IPCS_SYS_VMSPLICE: case IPCS_SYS_SENDFILE:
		*is_write = flags & IPCS_SYSF_OUT;
		return true;
	}
	return false;
}

/* The queue of a data call, or false when the event moves no tracked bytes. */
static bool event_key(const struct ipcs_event *ev, bool *is_write, struct qkey *k)
{
	const struct ipcs_sys_rec *s = &ev->sys;

	memset(k, 0, sizeof(*k));
	if (ev->type != IPCS_REC_SYS && ev->type != IPCS_REC_SOCK)
		return false;
	if (s->ret <= 0 || !is_data_write(s->sys, s->flags, is_write))
		return false;
	k->kind = s->chan.kind;
	k->dev = s->chan.dev;
	if (ev->type == IPCS_REC_SOCK)
		return sock_key(&ev->sock, *is_write, k);
	switch (s->chan.kind) {
	case IPCS_KIND_PIPE:
	case IPCS_KIND_FIFO:
		k->id = s->chan.ino;
		return true;
	case IPCS_KIND_PTY:
		/* What the master writes the slave reads, and back. */
		k->id = s->chan.ino;
		k->sub = *is_write != !!(s->chan.fmode & IPCS_FMODE_PTY_MASTER);
		return true;
	}
	return false;
}

static int queue_get(struct flows *f, const struct qkey *k, struct queue **out)
{
	struct queue *q = hashmap_get(&f->queues, k);
	int err;

	if (!q) {
		q = calloc(1, sizeof(*q));
		if (!q)
			return -ENOMEM;
		q->kind = k->kind;
		q->msgs = kind_is_msgs(k->kind);
		err = hashmap_put(&f->queues, k, q, NULL);
		if (err) {
			free(q);
			return err;
		}
	}
	*out = q;
	return 0;
}

int flows_feed(struct flows *f, const struct ipcs_event *ev)
{
	const struct ipcs_sys_rec *s = &ev->sys;
	struct queue *q;
	struct qkey k;
	struct qent e;
	bool is_write;
	int err;

	if (!event_key(ev, &is_write, &k))
		return 0;
	err = queue_get(f, &k, &q);
	if (err)
		return err;
	e.end.end_ns = s->h.ts_ns;
	e.end.start_ns = s->h.ts_ns - (s->blocked_ns < s->h.ts_ns ? s->blocked_ns : 0);
	e.end.pid = s->pid;
	e.end.tid = s->tid;
	e.rem = (__u64)s->ret;
	return transfer(f, q, e, is_write);
}

static __u64 fifo_bytes(const struct fifo *q)
{
	__u64 n = 0;

	for (size_t i = 0; i < q->len; i++)
		n += q->v[(q->head + i) % q->cap].rem;
	return n;
}

void flows_unpaired(const struct flows *f, __u64 *written, __u64 *read)
{
	size_t it = 0;
	void *v;

	*written = f->dropped_w;
	*read = f->dropped_r;
	while (hashmap_next(&f->queues, &it, NULL, &v)) {
		const struct queue *q = v;

		*written += fifo_bytes(&q->writes);
		*read += fifo_bytes(&q->reads);
	}
}

void flows_free(struct flows *f)
{
	size_t it = 0;
	void *v;

	if (!f)
		return;
	while (hashmap_next(&f->queues, &it, NULL, &v)) {
		struct queue *q = v;

		free(q->writes.v);
		free(q->reads.v);
		free(q);
	}
	hashmap_fini(&f->queues);
	free(f);
}
