/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sock.bpf.h - unix sockets: struct file -> struct socket -> struct sock.
 * A socket's identity is its struct sock address (XOR targ_sock_salt): the
 * peer (unix_sock->peer) is known from connect() on, before accept() gives it
 * an inode. The salt's top bit is clear, so identities keep the top bit of
 * kernel addresses and never meet the model's name hashes (top bit clear).
 */
#ifndef IPCS_SOCK_BPF_H
#define IPCS_SOCK_BPF_H

#include "maps.bpf.h"
#include "sysnr.bpf.h"

#define SOCKFS_MAGIC 0x534F434B
#define IPCS_AF_UNIX 1
#define IPCS_AF_INET 2
#define IPCS_AF_INET6 10
#define IPCS_SOCK_STREAM 1
#define IPCS_SOCK_DGRAM 2
#define IPCS_SOCK_SEQPACKET 5

static __always_inline __u16 unix_kind(__u16 type)
{
	switch (type) {
	case IPCS_SOCK_STREAM:    return IPCS_KIND_UNIX_STREAM;
	case IPCS_SOCK_DGRAM:     return IPCS_KIND_UNIX_DGRAM;
	case IPCS_SOCK_SEQPACKET: return IPCS_KIND_UNIX_SEQPACKET;
	}
	return IPCS_KIND_NONE;
}

/* The struct sock of a sockfs file; NULL when it has none. */
static __always_inline struct sock *file_sock(struct file *file)
{
	struct socket *so = NULL;
	struct sock *sk = NULL;

	if (bpf_core_read(&so, sizeof(so), &file->private_data) || !so ||
	    bpf_core_read(&sk, sizeof(sk), &so->sk))
		return NULL;
	return sk;
}

/* Kind of a sockfs file: a unix socket kind, or IPCS_KIND_NONE. */
static __always_inline __u16 sock_file_kind(struct file *file, __u64 *id)
{
	struct sock *sk = file_sock(file);
	__u16 family = 0, type = 0;

	if (!sk ||
	    bpf_core_read(&family, sizeof(family), &sk->__sk_common.skc_family) ||
	    bpf_core_read(&type, sizeof(type), &sk->sk_type))
		return IPCS_KIND_NONE;
	*id = (__u64)sk ^ targ_sock_salt;
	if (family == IPCS_AF_UNIX)
		return unix_kind(type);
	if (family != IPCS_AF_INET && family != IPCS_AF_INET6)
		return IPCS_KIND_NONE;
	/* SOCK_STREAM over inet is TCP (MPTCP aside), SOCK_DGRAM UDP. */
	return type == IPCS_SOCK_STREAM ? IPCS_KIND_TCP :
	       type == IPCS_SOCK_DGRAM ? IPCS_KIND_UDP : IPCS_KIND_NONE;
}

static const struct sockc_val sockc_zero;

/* c, from a sockcache lookup, is filled (sock_consts writes sock_ino last). */
static __always_inline struct sockc_val *sockc_ready(struct sockc_val *c)
{
	if (!c || !READ_ONCE(c->sock_ino))
		return NULL;
	compiler_barrier();
	return c;
}

/* Inode number of the socket owning sk, its struct socket in *so; 0 when it has none yet. */
static __always_inline __u64 sock_ino_so(struct sock *sk, __u64 *so_out)
{
	struct socket *so = NULL;
	struct socket_alloc *sa;
	unsigned long ino = 0;

	if (!sk || bpf_core_read(&so, sizeof(so), &sk->sk_socket) || !so)
		return 0;
	*so_out = (__u64)so;
	sa = container_of(so, struct socket_alloc, socket);
	if (bpf_core_read(&ino, sizeof(ino), &sa->vfs_inode.i_ino))
		return 0;
	return ino;
}

static __always_inline __u64 sock_ino(struct sock *sk)
{
	__u64 so;

	return sock_ino_so(sk, &so);
}

/*
 * Copy the bound address of u into r; false when u has none. One read
 * covers the length and the path: struct unix_address is {refcnt, len,
 * name}, read from 2 bytes before len so the path lands 8-byte aligned.
 */
static __always_inline bool unix_addr(struct unix_sock *u, struct ipcs_sock_rec *r,
				      __u64 *uaddr)
{
	struct unix_address *addr = NULL;
	__u64 buf[(8 + sizeof(r->addr)) / 8];
	int len = 0;

	if (bpf_core_read(&addr, sizeof(addr), &u->addr))
		addr = NULL;
	*uaddr = (__u64)addr;
	if (!addr ||
	    bpf_probe_read_kernel(buf, sizeof(buf), (void *)&addr->len - 2))
		return false;
	__builtin_memcpy(&len, (char *)buf + 2, sizeof(len));
	len -= 2;	/* sun_family */
	if (len <= 0)
		return false;
	if (len > (int)sizeof(r->addr))
		len = sizeof(r->addr);
	__builtin_memcpy(r->addr, &buf[1], sizeof(r->addr));
	r->addr_len = len;
	return true;
}

/* The layout inet_fill's single reads rely on (true on every kernel so far). */
#define SKC_OFF(f) bpf_core_field_offset(struct sock_common, f)
#define SKC_PAIRS_OK (SKC_OFF(skc_rcv_saddr) - SKC_OFF(skc_daddr) == 4 && \
		      SKC_OFF(skc_dport) - SKC_OFF(skc_daddr) == 12 && \
		      SKC_OFF(skc_num) - SKC_OFF(skc_daddr) == 14 && \
		      SKC_OFF(skc_v6_rcv_saddr) - SKC_OFF(skc_v6_daddr) == 16)

/* TCP/UDP: both endpoints into addr (IPCS_SOCKF_INET): two reads (IPv6: three). */
static __always_inline void inet_fill(struct sock *sk, struct ipcs_sock_rec *r)
{
	struct sock_common *c = &sk->__sk_common;
	__u32 v4[4];	/* daddr, rcv_saddr, hash, dport | num << 16 */
	__u64 v6[4];	/* v6_daddr, v6_rcv_saddr */

	if (!SKC_PAIRS_OK) {
		if (r->family == IPCS_AF_INET6) {
			if (bpf_core_read(r->addr, 16, &c->skc_v6_rcv_saddr) ||
			    bpf_core_read(r->addr + 16, 16, &c->skc_v6_daddr))
				return;
		} else if (bpf_core_read(r->addr, 4, &c->skc_rcv_saddr) ||
			   bpf_core_read(r->addr + 16, 4, &c->skc_daddr)) {
			return;
		}
		if (bpf_core_read(r->addr + 32, 2, &c->skc_num) ||
		    bpf_core_read(r->addr + 34, 2, &c->skc_dport))
			return;
		r->addr_len = 36;
		r->flags = IPCS_SOCKF_INET;
		return;
	}
	if (bpf_core_read(v4, sizeof(v4), &c->skc_daddr))
		return;
	if (r->family == IPCS_AF_INET6) {
		if (bpf_core_read(v6, sizeof(v6), &c->skc_v6_daddr))
			return;
		__builtin_memcpy(r->addr, &v6[2], 16);
		__builtin_memcpy(r->addr + 16, &v6[0], 16);
	} else {
		__builtin_memcpy(r->addr, &v4[1], 4);
		__builtin_memcpy(r->addr + 16, &v4[0], 4);
	}
	__builtin_memcpy(r->addr + 32, (char *)&v4[3] + 2, 2);	/* skc_num */
	__builtin_memcpy(r->addr + 34, &v4[3], 2);		/* skc_dport */
	r->addr_len = 36;
	r->flags = IPCS_SOCKF_INET;
}

/*
 * type and sock_ino into r: fixed while the socket's file is open (our
 * caller's call holds it), so kept in sockcache (see maps.bpf.h for why a
 * reused struct sock address cannot meet an older entry). c: the entry, or
 * NULL when there is none or it is half made (sockc_ready). Returns the
 * entry, NULL when none could be made.
 */
static __always_inline struct sockc_val *sock_consts(struct sock *sk, __u64 id,
						     struct sockc_val *c,
						     struct ipcs_sock_rec *r)
{
	if (c) {
		r->type = c->type;
		r->sock_ino = c->sock_ino;
		return c;
	}
	if (bpf_core_read(&r->type, sizeof(r->type), &sk->sk_type))
		return NULL;
	r->sock_ino = sock_ino(sk);
	if (!r->sock_ino)
		return NULL;
	/* Made from a zeroed template and filled in place: sys_exit's stack
	 * has no room for an entry. */
	bpf_map_update_elem(&sockcache, &id, &sockc_zero, BPF_ANY);
	c = bpf_map_lookup_elem(&sockcache, &id);
	if (c) {
		c->type = r->type;
		c->family = r->family;
		compiler_barrier();
		WRITE_ONCE(c->sock_ino, r->sock_ino);	/* last: sockc_ready() */
	}
	return c;
}

/*
 * A connected unix stream or seqpacket socket whose fill is in c: u->peer
 * stays until u is released (our caller's call holds it), a unix address
 * never changes once bound, so what can move is the peer's socket (accept
 * gives it one, close takes it) and an address appearing (bind after
 * connect). 1-3 reads check that, instead of 6-8 to fill. False: refill.
 */
static __always_inline bool unix_fill_cached(struct unix_sock *u, struct sockc_val *c,
					     struct ipcs_sock_rec *r)
{
	__u64 peer = READ_ONCE(c->peer), so = 0, a = 0;
	struct unix_sock *pu;

	if (!peer)
		return false;
	pu = container_of((struct sock *)peer, struct unix_sock, sk);
	if (bpf_core_read(&so, sizeof(so), &pu->sk.sk_socket) || so != c->peer_so)
		return false;
	if (!c->own_uaddr) {
		if (bpf_core_read(&a, sizeof(a), &u->addr) || a)
			return false;
		if (!c->peer_uaddr &&
		    (bpf_core_read(&a, sizeof(a), &pu->addr) || a))
			return false;
	}
	r->peer = peer ^ targ_sock_salt;
	r->peer_ino = c->peer_ino;
	r->addr_len = c->addr_len;
	r->flags = c->flags;
	if (c->addr_len)
		__builtin_memcpy(r->addr, c->addr, sizeof(r->addr));
	compiler_barrier();
	/* Refilled meanwhile by a thread sharing the socket: take no mix. */
	if (READ_ONCE(c->peer) == peer)
		return true;
	r->addr_len = 0;
	r->flags = 0;
	__builtin_memset(r->addr, 0, sizeof(r->addr));
	return false;
}

/* Keep a connected unix stream/seqpacket socket's fill (r) in c. */
static __always_inline void unix_fill_keep(struct sockc_val *c, const struct ipcs_sock_rec *r,
					   __u64 peer, __u64 peer_so, __u64 own_uaddr,
					   __u64 peer_uaddr)
{
	if (!c || !peer || (r->type != IPCS_SOCK_STREAM && r->type != IPCS_SOCK_SEQPACKET))
		return;
	WRITE_ONCE(c->peer, 0);	/* unix_fill_cached takes no half-written entry */
	compiler_barrier();
	c->peer_so = peer_so;
	c->peer_ino = r->peer_ino;
	c->own_uaddr = own_uaddr;
	c->peer_uaddr = peer_uaddr;
	c->addr_len = r->addr_len;
	c->flags = r->flags;
	__builtin_memcpy(c->addr, r->addr, sizeof(c->addr));
	compiler_barrier();
	WRITE_ONCE(c->peer, peer);
}

/*
 * The peer's process as connect() left it (sk_peer_pid, SO_PEERCRED): user
 * space names a client by it when the client's socket is gone before /proc
 * can be walked (short connections). Read on the uncached fill only: a
 * socket's first record, the one its peer is first met on.
 */
static __always_inline void unix_peer_pid(struct sock *sk, struct ipcs_sock_rec *r)
{
	struct pid *pp = NULL;

	if (!bpf_core_read(&pp, sizeof(pp), &sk->sk_peer_pid) && pp)
		bpf_core_read(&r->s.peer_pid, sizeof(r->s.peer_pid), &pp->numbers[0].nr);
}

/* Peer, inodes and address of the socket sk (the record's chan.ino). */
static __always_inline void sock_fill(struct ipcs_sock_rec *r)
{
	struct sock *sk = (struct sock *)(r->s.chan.ino ^ targ_sock_salt), *peer = NULL;
	struct unix_sock *u = container_of(sk, struct unix_sock, sk), *pu;
	struct sockc_val *c = sockc_ready(bpf_map_lookup_elem(&sockcache, &r->s.chan.ino));
	__u64 peer_so = 0, own_uaddr = 0, peer_uaddr = 0;

	/* A unix socket stays one; IPV6_ADDRFORM can turn AF_INET6 into AF_INET.
	 * (Two branches, not one call of sock_consts for both: that layout
	 * costs sys_exit 16 bytes of stack it does not have, 528 > 512.) */
	if (c && c->family == IPCS_AF_UNIX) {
		r->family = IPCS_AF_UNIX;
		r->type = c->type;
		r->sock_ino = c->sock_ino;
		if (unix_fill_cached(u, c, r))
			return;
	} else {
		bpf_core_read(&r->family, sizeof(r->family), &sk->__sk_common.skc_family);
		c = sock_consts(sk, r->s.chan.ino, c, r);
	}
	if (r->family != IPCS_AF_UNIX) {
		inet_fill(sk, r);
		return;
	}

	if (bpf_core_read(&peer, sizeof(peer), &u->peer))
		peer = NULL;
	pu = container_of(peer, struct unix_sock, sk);
	r->peer = peer ? (__u64)peer ^ targ_sock_salt : 0;
	r->peer_ino = sock_ino_so(peer, &peer_so);
	if (peer)
		unix_peer_pid(sk, r);
	/* A datagram goes to the peer's name; a connection is named by its server. */
	if (r->type == IPCS_SOCK_DGRAM && peer && unix_addr(pu, r, &peer_uaddr)) {
		r->flags = IPCS_SOCKF_PEER_ADDR;
		return;
	}
	if (!unix_addr(u, r, &own_uaddr) && peer && unix_addr(pu, r, &peer_uaddr))
		r->flags = IPCS_SOCKF_PEER_ADDR;
	unix_fill_keep(c, r, (__u64)peer, peer_so, own_uaddr, peer_uaddr);
}

/* sendto/sendmsg: where the destination address is (read at exit). */
static __always_inline void sock_enter_dest(struct pt_regs *regs, struct inflight *in)
{
	if (in->sys == IPCS_SYS_SENDTO) {
		in->uptr = SYS_ARG4(regs);
		in->fd2 = SYS_ARG5(regs);	/* addrlen */
	} else {
		in->uptr = SYS_ARG1(regs);	/* struct user_msghdr */
	}
}

/* The peer identity of the socket with identity id; 0 when it has none. */
static __always_inline __u64 sock_peer_id(__u64 id)
{
	struct sock *sk = (struct sock *)(id ^ targ_sock_salt), *peer = NULL;
	struct unix_sock *u = container_of(sk, struct unix_sock, sk);

	if (bpf_core_read(&peer, sizeof(peer), &u->peer) || !peer)
		return 0;
	return (__u64)peer ^ targ_sock_salt;
}

/*
 * UDP sendto/sendmsg on an unconnected socket: the destination is the
 * remote end (sockaddr_in: port at 2, address at 4; sockaddr_in6: address at 8).
 */
static __always_inline void inet_fill_dest(struct ipcs_sock_rec *r, void *name, int len)
{
	__u16 fam = 0, port = 0;

	if (!(r->flags & IPCS_SOCKF_INET) || r->addr[34] || r->addr[35] || len < 8 ||
	    bpf_probe_read_user(&fam, sizeof(fam), name) ||
	    bpf_probe_read_user(&port, sizeof(port), name + 2) || !port)
		return;
	if (fam == IPCS_AF_INET6 && r->family == IPCS_AF_INET6 && len >= 24) {
		if (bpf_probe_read_user(r->addr + 16, 16, name + 8))
			return;
	} else if (fam == IPCS_AF_INET && r->family == IPCS_AF_INET) {
		if (bpf_probe_read_user(r->addr + 16, 4, name + 4))
			return;
	} else {
		return;
	}
	__builtin_memcpy(r->addr + 34, &port, 2);
	r->flags |= IPCS_SOCKF_DEST;
}

/* A datagram's explicit destination replaces the address in r. */
static __always_inline void sock_fill_dest(struct ipcs_sock_rec *r,
					   const struct inflight *in)
{
	struct user_msghdr mh;
	void *name = (void *)in->uptr;
	int len = in->fd2;

	if (!name || (in->sys != IPCS_SYS_SENDTO && in->sys != IPCS_SYS_SENDMSG))
		return;
	if (in->sys == IPCS_SYS_SENDMSG) {
		if (bpf_probe_read_user(&mh, sizeof(mh), name))
			return;
		name = mh.msg_name;
		len = mh.msg_namelen;
	}
	if (!name)
		return;
	if (r->family != IPCS_AF_UNIX) {
		inet_fill_dest(r, name, len);
		return;
	}
	len -= 2;	/* sun_family */
	if (len <= 0)
		return;
	if (len > (int)sizeof(r->addr))
		len = sizeof(r->addr);
	/* A fixed size keeps the verifier simple: sun_path is 108 bytes. */
	if (bpf_probe_read_user(r->addr, 108, name + 2))
		return;
	r->addr_len = len;
	r->flags = IPCS_SOCKF_DEST;
}

#endif
