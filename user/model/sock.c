/*
 * sock.c - unix sockets in the model.
 *
 * Every socket's receive queue is a byte stream: an mchan keyed by the
 * socket's identity (its struct sock, see bpf/sock.bpf.h). A write on a
 * socket appends to its peer's queue and a read consumes the reader's own,
 * so conv.c attributes bytes writer -> reader exactly as for pipes. The two
 * ends of a stream or seqpacket connection share `conn` (a key of its
 * own, conn_join), which puts both directions into one conversation: a = the
 * first writer, b = the other end. Datagram receivers keep conn 0: each
 * sender is its own conversation, as with a FIFO. TCP and UDP queues are
 * keyed by their (local, remote) endpoints, so (L, R) writes what (R, L)
 * reads: loopback connections pair up with no peer pointer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/model_int.h"

#define RW_RET_MAX 0x7ffff000LL	/* Linux's MAX_RW_COUNT */

static bool sys_is_send(__u16 sys)
{
	return sys == IPCS_SYS_WRITE || sys == IPCS_SYS_WRITEV ||
	       sys == IPCS_SYS_SENDTO || sys == IPCS_SYS_SENDMSG;
}

static bool kind_is_connected(__u16 kind)
{
	return kind == IPCS_KIND_UNIX_STREAM || kind == IPCS_KIND_UNIX_SEQPACKET;
}

/* "/path", "@abstract" (NULs shown as '@', as ss does) or "socketpair:[ino]". */
static void sock_set_name(struct mchan *c, const struct ipcs_sock_rec *r)
{
	char buf[IPCS_PATH_MAX];
	size_t n = r->addr_len, i;
	__u64 ino;

	if (c->path || (r->flags & IPCS_SOCKF_INET))
		return;
	if (n && r->addr[0]) {
		snprintf(buf, sizeof(buf), "%.*s", (int)strnlen(r->addr, n), r->addr);
	} else if (n > 1) {
		for (i = 0; i < n && i < sizeof(buf) - 1; i++)
			buf[i] = r->addr[i] ? r->addr[i] : '@';
		buf[i] = '\0';
	} else if (r->sock_ino && r->peer_ino && kind_is_connected(c->kind)) {
		ino = r->sock_ino < r->peer_ino ? r->sock_ino : r->peer_ino;
		snprintf(buf, sizeof(buf), "socketpair:[%llu]", (unsigned long long)ino);
	} else {
		return;
	}
	c->path = strdup(buf);	/* on failure the channel keeps its id name */
}

/* ---- sockets seeded from /proc: keyed by inode until a record names them ---- */

int sock_seed_fd(struct model *m, struct mproc *p, const struct ipcs_seed_fd_rec *r,
		 const char *path)
{
	struct mchan *c;
	int err;

	if (r->chan.kind < IPCS_KIND_UNIX_STREAM || r->chan.kind > IPCS_KIND_UDP)
		return 0;
	err = chan_get(m, &r->chan, &c);
	if (err || !c)
		return err;
	if (!c->seed_inode)
		m->seed_socks++;
	c->seed_inode = true;
	if (!c->path && path && *path)
		c->path = strdup(path);	/* on failure: named by its inode */
	err = fd_add(m, p, r->fd, c, r->chan.fmode, r->flags & IPCS_SYSF_CLOEXEC);
	chan_note_unheld(m, c);
	return err;
}

/*
 * The socket with inode ino, seeded from /proc, is the live channel `live`
 * (a record carried both): its holders hold live now, so both ends of a
 * connection made before tracing are known before either end's own call.
 */
static int sock_adopt(struct model *m, __u32 dev, __u64 ino, struct mchan *live)
{
	struct mchan *s;
	struct mfd *f;
	size_t before;
	int err = 0;

	/* Most traces seed no socket: skip a lookup that misses on every call. */
	if (!ino || !live || !m->seed_socks)
		return 0;
	s = chan_lookup(m, dev, ino);
	if (!s || !s->seed_inode || s == live)
		return 0;
	s->seed_inode = false;
	m->seed_socks--;
	if (!live->path && s->path)
		live->path = strdup(s->path);
	while (!err && (f = s->holders)) {
		before = s->nholders;
		err = fd_add(m, f->proc, f->fd, live, f->fmode, f->cloexec);
		if (!err && s->nholders == before)
			fd_remove(m, f);	/* could not move (live left the table): drop */
	}
	chan_note_unheld(m, s);
	return err;
}

static int sock_fd_learn(struct model *m, struct mproc *p, __s32 fd, struct mchan *c)
{
	struct mfd *f = fd_lookup(m, p, fd);

	if (f && f->chan == c)
		return 0;
	return fd_add(m, p, fd, c, IPCS_FMODE_READ | IPCS_FMODE_WRITE, false);
}

/*
 * *c is the queue of the socket with inode ino. The identity is a kernel
 * address, which a new socket may reuse once the old one is freed: another
 * inode under it is a new socket, so a new channel (the old one's queue goes
 * to unobserved peers), never a merge of two sockets.
 */
static int sock_same(struct model *m, struct mchan **c, __u64 ino)
{
	struct ipcs_chan id;
	int err;

	if (!ino || !*c || (*c)->sock_ino == ino)
		return 0;
	if (!(*c)->sock_ino) {
		(*c)->sock_ino = ino;
		return 0;
	}
	id = (struct ipcs_chan){ .ino = (*c)->ino, .dev = (*c)->dev, .kind = (*c)->kind };
	err = chan_renew(m, &id, c);
	if (!err && *c)
		(*c)->sock_ino = ino;
	return err;
}

/*
 * Both ends of one connection share a key that no other connection had: a
 * new socket at a reused identity (sock_same) starts a new conversation,
 * even between the same two processes.
 */
static void conn_join(struct model *m, struct mchan *a, struct mchan *b)
{
	if (!a->conn || a->conn != b->conn)
		a->conn = b->conn = IPCS_CONN_KEY_BASE | ++m->next_conn;
}

/* Who holds q when q's end is not traced (IPCS_REC_PEER), else NULL. */
static struct mproc *untraced_end(struct model *m, const struct mchan *q)
{
	if (!q || !q->untraced)
		return NULL;
	if (q->untraced_by)
		return q->untraced_by;
	return q->holders ? q->holders->proc : &m->unobserved;
}

/* The peer's receive queue, joined to c as one connection when connected. */
static int sock_peer(struct model *m, struct mchan *c, const struct ipcs_sock_rec *r,
		     struct mchan **out)
{
	struct ipcs_chan id = r->s.chan;
	int err;

	*out = NULL;
	if (!r->peer || r->peer == c->ino)
		return 0;
	id.ino = r->peer;
	err = chan_get(m, &id, out);
	if (err || !*out || !kind_is_connected(c->kind))
		return err;
	err = sock_same(m, out, r->peer_ino);
	if (err || !*out)
		return err;
	c->peer_id = r->peer;
	(*out)->peer_id = c->ino;
	conn_join(m, c, *out);
	sock_set_name(*out, r);
	return 0;
}

/* FNV-1a of a bound name; the top bit clear keeps it apart from kernel addresses. */
static __u64 name_id(const char *a, size_t n)
{
	__u64 h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)a[i]) * 0x100000001b3ull;
	h &= ~(1ull << 63);
	return h ? h : 1;
}

/*
 * The receive queue of a bound datagram socket is keyed by its name, so a
 * sendto() naming it and the receiver meet without knowing each other.
 */
static int dgram_name_queue(struct model *m, const struct ipcs_sock_rec *r,
			    struct mchan **out)
{
	struct ipcs_chan id = r->s.chan;
	int err;

	id.ino = name_id(r->addr, r->addr_len);
	err = chan_get(m, &id, out);
	if (!err && *out)
		sock_set_name(*out, r);
	return err;
}

/* Where this call's bytes come from (rq) or go to (wq); NULL: unknown. */
static int sock_queues(struct model *m, struct mchan *c, const struct ipcs_sock_rec *r,
		       bool send, struct mchan **rq, struct mchan **wq)
{
	bool dgram = c->kind == IPCS_KIND_UNIX_DGRAM;
	bool other = r->flags & (IPCS_SOCKF_PEER_ADDR | IPCS_SOCKF_DEST);

	*rq = *wq = NULL;
	if (!send) {
		if (dgram && !other && r->addr_len)
			return dgram_name_queue(m, r, rq);
		*rq = c;
		return 0;
	}
	if (dgram && other && r->addr_len)
		return dgram_name_queue(m, r, wq);
	return sock_peer(m, c, r, wq);
}

/* ---- TCP and UDP: receive queues keyed by (local, remote) endpoints ---- */

struct inet_end {
	unsigned char ip[16];
	__u16 port;	/* host order */
};

static void inet_ends(const struct ipcs_sock_rec *r, struct inet_end *l, struct inet_end *rm)
{
	__u16 p;

	memcpy(l->ip, r->addr, 16);
	memcpy(rm->ip, r->addr + 16, 16);
	memcpy(&l->port, r->addr + 32, 2);
	memcpy(&p, r->addr + 34, 2);
	rm->port = ntohs(p);
}

/*
 * A connection's id from its two ends (FNV-1a: a byte at a time, ~300 cycles,
 * and every TCP call needs both directions). The model remembers the last
 * INET_MEMO keys: a connection's calls ask for the same two over and over.
 */
static __u64 ends_id(struct model *m, const struct inet_end *a, const struct inet_end *b)
{
	struct mends_memo *e;
	char k[INET_ENDS_KEY];
	unsigned i;

	memcpy(k, a->ip, 16);
	memcpy(k + 16, b->ip, 16);
	memcpy(k + 32, &a->port, 2);
	memcpy(k + 34, &b->port, 2);
	for (i = 0; i < INET_MEMO; i++) {
		e = &m->ends_memo[i];
		if (e->id && !memcmp(e->k, k, sizeof(k)))
			return e->id;
	}
	e = &m->ends_memo[m->ends_next++ % INET_MEMO];
	memcpy(e->k, k, sizeof(k));
	e->id = name_id(k, sizeof(k));	/* never 0 */
	return e->id;
}

static void end_str(const struct ipcs_sock_rec *r, const struct inet_end *e, char *buf,
		    size_t n)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (r->family == 10) {
		inet_ntop(AF_INET6, e->ip, ip, sizeof(ip));
		snprintf(buf, n, "[%s]:%u", ip, e->port);
	} else {
		inet_ntop(AF_INET, e->ip, ip, sizeof(ip));
		snprintf(buf, n, "%s:%u", ip, e->port);
	}
}

/* "127.0.0.1:6379<->127.0.0.1:51234": the lower port (the server's, usually) first. */
static void inet_set_name(struct mchan *c, const struct ipcs_sock_rec *r,
			  const struct inet_end *l, const struct inet_end *rm)
{
	char a[64], b[64], buf[160];
	bool swap = rm->port < l->port;

	if (c->path)
		return;
	end_str(r, swap ? rm : l, a, sizeof(a));
	end_str(r, swap ? l : rm, b, sizeof(b));
	snprintf(buf, sizeof(buf), "%s<->%s", a, b);
	c->path = strdup(buf);
}

static int inet_queue(struct model *m, const struct ipcs_sock_rec *r, __u64 id,
		      struct mchan **out)
{
	struct ipcs_chan cid = r->s.chan;
	struct inet_end l, rm;
	int err;

	cid.ino = id;
	err = chan_get(m, &cid, out);
	if (!err && *out) {
		inet_ends(r, &l, &rm);
		inet_set_name(*out, r, &l, &rm);
	}
	return err;
}

/*
 * The call's bytes: read from rq, or written to wq (counted on own when no
 * destination is known). When wq's end is not traced, no call of the other
 * side will come: what is sent is read at once, what is received was
 * written at once, so both directions count as the traced side moves them.
 */
static int sock_bytes(struct model *m, struct mproc *p, const struct ipcs_sys_rec *s, bool send,
		      struct mchan *rq, struct mchan *wq, struct mchan *own)
{
	struct mproc *u = untraced_end(m, wq);
	__u64 n = (__u64)s->ret;
	int err;

	if (s->ret <= 0)
		return 0;
	if (!send) {
		if (u && rq != wq) {
			err = conv_write_unseen(m, rq, u, n, s->h.ts_ns);
			if (err)
				return err;
		}
		return conv_read(m, rq, p, n, s->h.ts_ns, s->blocked_ns);
	}
	if (!wq) {
		own->bytes_written += n;
		return 0;
	}
	err = conv_write(m, wq, p, n, s->h.ts_ns, s->blocked_ns);
	if (err || !u)
		return err;
	/* All of it: nothing on wq waits for any other reader. */
	return conv_read(m, wq, u, wq->writes.bytes, s->h.ts_ns, 0);
}

/* What a write may go to and a read comes from; conn joins two queues. */
static int inet_io(struct model *m, struct mproc *p, const struct ipcs_sock_rec *r, bool send,
		   struct mchan *rq, struct mchan *wq)
{
	const struct ipcs_sys_rec *s = &r->s;
	int err = sock_adopt(m, s->chan.dev, r->sock_ino, rq);

	if (!err)
		err = sock_fd_learn(m, p, s->fd, rq);
	if (!err)
		err = sock_bytes(m, p, s, send, rq, wq, rq);
	if (wq)
		chan_note_unheld(m, wq);
	chan_note_unheld(m, rq);
	return err;
}

/* A UDP socket's receive queue: datagrams land on the socket bound to their
 * destination port, connected or not. Top bit clear, like name_id(). */
static __u64 udp_port_id(__u16 port)
{
	char k[12] = "udp-port:";

	memcpy(k + 9, &port, 2);
	return name_id(k, sizeof(k));
}

/* "127.0.0.1:5000": an unconnected UDP socket's queue, named by its end. */
static int udp_queue(struct model *m, const struct ipcs_sock_rec *r, const struct inet_end *e,
		     struct mchan **out)
{
	struct ipcs_chan cid = r->s.chan;
	char buf[64];
	int err;

	cid.ino = udp_port_id(e->port);
	err = chan_get(m, &cid, out);
	if (!err && *out && !(*out)->path) {
		end_str(r, e, buf, sizeof(buf));
		(*out)->path = strdup(buf);
	}
	return err;
}

/*
 * UDP: the reader's queue is its port's, a write goes to the destination
 * port's (the connected peer, or sendto's address), so unconnected senders
 * meet their receiver: one conversation per (sender, receiver). A connected
 * pair shares a connection key (first pair on a port wins), so both
 * directions are one conversation named by both ends.
 */
static int udp_apply(struct model *m, struct mproc *p, const struct ipcs_sock_rec *r, bool send)
{
	struct mchan *rq = NULL, *wq = NULL;
	struct inet_end l, rm;
	bool connected;
	__u64 conn, own, other;
	int err;

	inet_ends(r, &l, &rm);
	connected = rm.port && !(r->flags & IPCS_SOCKF_DEST);
	err = connected ? inet_queue(m, r, udp_port_id(l.port), &rq) : udp_queue(m, r, &l, &rq);
	if (!err && rq && send && rm.port)
		err = connected ? inet_queue(m, r, udp_port_id(rm.port), &wq) :
				  udp_queue(m, r, &rm, &wq);
	if (err || !rq)
		return err;
	if (connected && wq) {
		own = ends_id(m, &l, &rm);
		other = ends_id(m, &rm, &l);
		conn = own < other ? own : other;
		if (!rq->conn && !wq->conn)
			rq->conn = wq->conn = conn;
	}
	return inet_io(m, p, r, send, rq, wq);
}

/* TCP: bytes written on (L, R) are read on (R, L); both share the connection key. */
/* A TCP end's receive queue (L, R) and, connected, its peer's (R, L), joined. */
static int inet_pair(struct model *m, const struct ipcs_sock_rec *r, struct mchan **rq,
		     struct mchan **wq)
{
	struct inet_end l, rm;
	__u64 own, other;
	int err;

	*rq = *wq = NULL;
	inet_ends(r, &l, &rm);
	own = ends_id(m, &l, &rm);
	other = ends_id(m, &rm, &l);
	err = inet_queue(m, r, own, rq);
	if (!err && *rq && rm.port)	/* connected: the peer's queue is known */
		err = inet_queue(m, r, other, wq);
	if (!err)
		err = sock_same(m, rq, r->sock_ino);	/* the ends came back in a new connection */
	if (err || !*rq || !*wq)
		return err;
	conn_join(m, *rq, *wq);
	(*rq)->peer_id = other;
	(*wq)->peer_id = own;
	return 0;
}

/* TCP: bytes written on (L, R) are read on (R, L); both share the connection key. */
static int inet_apply(struct model *m, struct mproc *p, const struct ipcs_sock_rec *r,
		      bool send)
{
	struct mchan *rq, *wq;
	int err;

	if (!(r->flags & IPCS_SOCKF_INET) || r->addr_len != 36)
		return 0;
	if (r->s.chan.kind == IPCS_KIND_UDP)
		return udp_apply(m, p, r, send);
	err = inet_pair(m, r, &rq, &wq);
	if (err || !rq)
		return err;
	return inet_io(m, p, r, send, rq, wq);
}

/* connect, accept on TCP: the fd is its receive queue from now on (sendfile
 * names no addresses; a socket's first data call may be one). */
static int inet_setup(struct model *m, struct mproc *p, const struct ipcs_sock_rec *r, __s32 fd)
{
	struct mchan *rq, *wq;
	int err;

	if (r->s.chan.kind != IPCS_KIND_TCP || !(r->flags & IPCS_SOCKF_INET) || r->addr_len != 36)
		return 0;
	err = inet_pair(m, r, &rq, &wq);
	if (err || !rq || !wq)
		return err;
	err = sock_fd_learn(m, p, fd, rq);
	chan_note_unheld(m, wq);
	chan_note_unheld(m, rq);
	return err;
}

static bool sys_is_data(__u16 sys)
{
	return sys == IPCS_SYS_READ || sys == IPCS_SYS_WRITE || sys == IPCS_SYS_READV ||
	       sys == IPCS_SYS_WRITEV || (sys >= IPCS_SYS_SENDTO && sys <= IPCS_SYS_RECVMSG);
}

/* socket, socketpair, accept: new fds; connect: the ends join. */
static int sock_setup(struct model *m, struct mproc *p, const struct ipcs_sock_rec *r)
{
	const struct ipcs_sys_rec *s = &r->s;
	bool cloexec = s->flags & IPCS_SYSF_CLOEXEC;
	__u16 rw = IPCS_FMODE_READ | IPCS_FMODE_WRITE;
	struct mchan *c, *q = NULL;
	int err;

	if (s->ret < 0)
		return 0;
	err = chan_get(m, &s->chan, &c);
	if (!err && !(r->flags & IPCS_SOCKF_INET))
		err = sock_same(m, &c, r->sock_ino);
	if (err || !c)
		return err;
	sock_set_name(c, r);
	err = sock_peer(m, c, r, &q);	/* unix only: inet records name no peer */
	if (err)
		goto out;
	switch (s->sys) {
	case IPCS_SYS_SOCKET:
		err = fd_add(m, p, s->fd, c, rw, cloexec);
		break;
	case IPCS_SYS_SOCKETPAIR:
		err = fd_add(m, p, s->fd, c, rw, cloexec);
		if (!err && q)
			err = fd_add(m, p, s->fd2, q, rw, cloexec);
		break;
	case IPCS_SYS_ACCEPT:
	case IPCS_SYS_ACCEPT4:
		err = fd_add(m, p, s->fd2, c, rw, cloexec);
		if (!err)
			err = inet_setup(m, p, r, s->fd2);
		break;
	case IPCS_SYS_CONNECT:
		err = inet_setup(m, p, r, s->fd);
		break;
	}
out:
	if (q)
		chan_note_unheld(m, q);
	chan_note_unheld(m, c);
	return err;
}

int sock_apply(struct model *m, struct mproc *p, const struct ipcs_sock_rec *r)
{
	const struct ipcs_sys_rec *s = &r->s;
	bool plain = s->sys == IPCS_SYS_READ || s->sys == IPCS_SYS_WRITE ||
		     s->sys == IPCS_SYS_SENDTO || s->sys == IPCS_SYS_RECVFROM;
	bool send = sys_is_send(s->sys);
	struct mchan *c, *rq = NULL, *wq = NULL;
	int err;

	if (s->ret > 0 && (s->ret > RW_RET_MAX || (plain && (__u64)s->ret > s->arg))) {
		m->ignored++;	/* more bytes than asked or possible: corrupt */
		return 0;
	}
	if (s->ret == -EBADF)
		return 0;
	if (!sys_is_data(s->sys))
		return sock_setup(m, p, r);
	if (s->chan.kind == IPCS_KIND_TCP || s->chan.kind == IPCS_KIND_UDP)
		return inet_apply(m, p, r, send);
	err = chan_get(m, &s->chan, &c);
	if (!err)
		err = sock_same(m, &c, r->sock_ino);
	if (err || !c)
		return err;
	if (!(r->flags & IPCS_SOCKF_DEST))
		sock_set_name(c, r);
	err = sock_queues(m, c, r, send, &rq, &wq);
	if (!err && kind_is_connected(c->kind) && !send)
		err = sock_peer(m, c, r, &wq);	/* joins the ends before the read */
	/* Ends seeded from /proc by inode become these channels. */
	if (!err)
		err = sock_adopt(m, s->chan.dev, r->sock_ino, rq && rq != c ? rq : c);
	if (!err && wq && kind_is_connected(c->kind))
		err = sock_adopt(m, s->chan.dev, r->peer_ino, wq);
	/* A bound datagram socket is held as its named queue. */
	if (!err)
		err = sock_fd_learn(m, p, s->fd, rq && rq != c ? rq : c);
	if (!err)
		err = sock_bytes(m, p, s, send, rq, wq, c);
	if (rq && rq != c)
		chan_note_unheld(m, rq);
	if (wq)
		chan_note_unheld(m, wq);
	chan_note_unheld(m, c);
	return err;
}

/* ---- sendfile and splice on a socket: plain records, no addresses ---- */

/*
 * Bytes that sendfile or splice moved into (or out of) a connected socket:
 * the record names no peer or addresses, so the socket's receive queue is
 * the one its fd was last seen on (its data calls put it there), and the
 * peer's is that queue's other end. nginx sends file bodies this way.
 */
int sock_splice(struct model *m, struct mproc *p, const struct ipcs_sys_rec *s, bool into)
{
	struct mfd *f = fd_lookup(m, p, s->fd);
	struct mchan *rq = f ? f->chan : chan_lookup(m, s->chan.dev, s->chan.ino);
	struct mchan *wq;
	int err;

	if (s->ret <= 0 || s->ret > RW_RET_MAX || !rq)
		return 0;
	wq = rq->peer_id ? chan_lookup(m, rq->dev, rq->peer_id) : NULL;
	if (into && !wq) {
		rq->bytes_written += (__u64)s->ret;
		return 0;
	}
	err = sock_bytes(m, p, s, into, rq, wq, rq);
	if (wq)
		chan_note_unheld(m, wq);
	chan_note_unheld(m, rq);
	return err;
}

/* ---- ends held by processes that are not traced ---- */

/* The receive queue a PEER record names: a unix identity, or a TCP end's (local, remote). */
static int peer_queue(struct model *m, const struct ipcs_peer_rec *r, struct mchan **q)
{
	struct ipcs_sock_rec t = { .s.chan = r->chan, .family = r->family,
				   .flags = IPCS_SOCKF_INET, .addr_len = 36 };
	struct inet_end l, rm;
	int err;

	*q = NULL;
	if (kind_is_connected(r->chan.kind)) {
		err = chan_get(m, &r->chan, q);
		return err ? err : sock_same(m, q, r->sock_ino);
	}
	if (r->chan.kind != IPCS_KIND_TCP || r->addr_len != 36)
		return 0;
	memcpy(t.addr, r->addr, 36);
	inet_ends(&t, &l, &rm);
	err = inet_queue(m, &t, ends_id(m, &l, &rm), q);
	if (!err && *q)
		(*q)->peer_id = ends_id(m, &rm, &l);
	return err;
}

int sock_peer_apply(struct model *m, const struct ipcs_peer_rec *r)
{
	struct mproc *p, *u;
	struct mchan *q, *o;
	int err;

	if (r->chan.kind == IPCS_KIND_PIPE)
		return conv_peer_pipe(m, r);
	err = peer_queue(m, r, &q);
	if (err || !q) {
		m->ignored += !err;
		return err;
	}
	q->untraced = true;
	if (r->pid) {
		err = proc_peer(m, r, &p);
		if (err)
			return err;
		conv_set_untraced(&q->untraced_by, p);
		err = fd_add(m, p, r->fd, q, IPCS_FMODE_READ | IPCS_FMODE_WRITE, false);
	}
	/* Named late: what the traced side moved before waits no longer; the
	 * older of the two goes first, so a = the side that spoke first. */
	u = untraced_end(m, q);
	o = q->peer_id ? chan_lookup(m, q->dev, q->peer_id) : NULL;
	if (o && !o->reads.len)
		o = NULL;
	if (!err && o && (!q->writes.len || o->reads.v[o->reads.head].ts_ns <
						q->writes.v[q->writes.head].ts_ns))
		err = conv_write_unseen(m, o, u, o->reads.bytes, o->reads.v[o->reads.head].ts_ns);
	if (!err && q->writes.bytes)
		err = conv_read(m, q, u, q->writes.bytes, r->h.ts_ns, 0);
	if (!err && o && o->reads.bytes)
		err = conv_write_unseen(m, o, u, o->reads.bytes, r->h.ts_ns);
	chan_note_unheld(m, q);
	return err;
}
