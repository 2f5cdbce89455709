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

/* Inode number of the socket owning sk; 0 when it has none yet. */
static __always_inline __u64 sock_ino(struct sock *sk)
{
	struct socket *so = NULL;
	struct socket_alloc *sa;
	unsigned long ino = 0;

	if (!sk || bpf_core_read(&so, sizeof(so), &sk->sk_socket) || !so)
		return 0;
	sa = container_of(so, struct socket_alloc, socket);
	if (bpf_core_read(&ino, sizeof(ino), &sa->vfs_inode.i_ino))
		return 0;
	return ino;
}

/*
 * Copy the bound address of u into r; false when u has none. One read
 * covers the length and the path: struct unix_address is {refcnt, len,
 * name}, read from 2 bytes before len so the path lands 8-byte aligned.
 */
static __always_inline bool unix_addr(struct unix_sock *u, struct ipcs_sock_rec *r)
{
	struct unix_address *addr = NULL;
	__u64 buf[(8 + sizeof(r->addr)) / 8];
	int len = 0;

	if (bpf_core_read(&addr, sizeof(addr), &u->addr) || !addr ||
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
 * reused struct sock address cannot meet an older entry).
 */
static __always_inline void sock_consts(struct sock *sk, __u64 id, struct ipcs_sock_rec *r)
{
	struct sockc_val *c = bpf_map_lookup_elem(&sockcache, &id);
	struct sockc_val v = {};

	if (c) {
		r->type = c->type;
		r->sock_ino = c->sock_ino;
		return;
	}
	if (bpf_core_read(&r->type, sizeof(r->type), &sk->sk_type))
		return;
	r->sock_ino = sock_ino(sk);
	if (!r->sock_ino)
		return;
	v.type = r->type;
	v.sock_ino = r->sock_ino;
	bpf_map_update_elem(&sockcache, &id, &v, BPF_ANY);
}

/* Peer, inodes and address of the socket sk (the record's chan.ino). */
static __always_inline void sock_fill(struct ipcs_sock_rec *r)
{
	struct sock *sk = (struct sock *)(r->s.chan.ino ^ targ_sock_salt), *peer = NULL;
	struct unix_sock *u = container_of(sk, struct unix_sock, sk);

	/* Read every time: IPV6_ADDRFORM can turn an AF_INET6 socket into AF_INET. */
	bpf_core_read(&r->family, sizeof(r->family), &sk->__sk_common.skc_family);
	sock_consts(sk, r->s.chan.ino, r);
	if (r->family != IPCS_AF_UNIX) {
		inet_fill(sk, r);
		return;
	}

	if (bpf_core_read(&peer, sizeof(peer), &u->peer))
		peer = NULL;
	r->peer = peer ? (__u64)peer ^ targ_sock_salt : 0;
	r->peer_ino = sock_ino(peer);
	/* A datagram goes to the peer's name; a connection is named by its server. */
	if (r->type == IPCS_SOCK_DGRAM && peer &&
	    unix_addr(container_of(peer, struct unix_sock, sk), r)) {
		r->flags = IPCS_SOCKF_PEER_ADDR;
		return;
	}
	if (!unix_addr(u, r) && peer &&
	    unix_addr(container_of(peer, struct unix_sock, sk), r))
		r->flags = IPCS_SOCKF_PEER_ADDR;
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
