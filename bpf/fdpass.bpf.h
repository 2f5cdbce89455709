/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * fdpass.bpf.h - SCM_RIGHTS and SCM_CREDENTIALS of a successful sendmsg or
 * recvmsg on a unix socket, into struct ipcs_fdpass_rec. Read at sys_exit
 * from the caller's msghdr (uptr): a send's fds are still open in the
 * sender, a receive's are installed in the receiver, and recvmsg has written
 * back msg_controllen as the bytes it filled. Bounded: FDPASS_CMSG_MAX
 * control messages, IPCS_FDPASS_MAX fds described (IPCS_FDPF_MORE beyond).
 */
#ifndef IPCS_FDPASS_BPF_H
#define IPCS_FDPASS_BPF_H

#include "maps.bpf.h"
#include "emit.bpf.h"
#include "fdres.bpf.h"

#define FDPASS_CMSG_MAX 4
#define SOL_SOCKET_ 1
#define SCM_RIGHTS_ 1
#define SCM_CREDENTIALS_ 2
#define MSG_CMSG_CLOEXEC_ 0x40000000
#define CMSG_HDR_LEN 16		/* struct cmsghdr on 64-bit */

static __always_inline bool fdpass_wanted(const struct inflight *in, long ret)
{
	return ret >= 0 && (in->sys == IPCS_SYS_SENDMSG || in->sys == IPCS_SYS_RECVMSG) &&
	       in->chan.kind >= IPCS_KIND_UNIX_STREAM && in->chan.kind <= IPCS_KIND_UNIX_SEQPACKET;
}

/* The fds of one SCM_RIGHTS message at data, n of them, into r. */
static __always_inline void fdpass_rights(struct ipcs_fdpass_rec *r, void *data, __u64 n)
{
	struct ipcs_fdpass_fd d;
	int fd, i;

	r->flags |= IPCS_FDPF_RIGHTS;
	for (i = 0; i < IPCS_FDPASS_MAX; i++) {
		if (i >= n)
			return;
		if (r->nfds >= IPCS_FDPASS_MAX) {
			r->flags |= IPCS_FDPF_MORE;
			return;
		}
		if (bpf_probe_read_user(&fd, sizeof(fd), data + i * sizeof(int))) {
			drop_count(IPCS_DROP_READ);
			return;
		}
		/* A received fd is new here: whatever was cached for it went. */
		fdc_forget(fd);
		__builtin_memset(&d, 0, sizeof(d));
		if (ipcs_fd_describe(fd, &d) < 0)
			drop_count(IPCS_DROP_READ);
		r->fds[r->nfds & (IPCS_FDPASS_MAX - 1)] = d;
		r->nfds++;
	}
	if (n > IPCS_FDPASS_MAX)
		r->flags |= IPCS_FDPF_MORE;
}

/* comm NULL: the caller is current (pid_tgid, its comm); else an io_uring
 * submitter's pid_tgid and comm (iouring.bpf.c). */
static __always_inline void fdpass_emit_as(const struct inflight *in, __u64 pid_tgid,
					   const char *comm)
{
	struct ipcs_fdpass_rec *r;
	struct user_msghdr mh;
	struct cmsghdr ch;
	struct ucred cr;
	__u64 off = 0, clen;
	void *ctrl;
	int i;

	if (bpf_probe_read_user(&mh, sizeof(mh), (void *)in->uptr))
		return;
	ctrl = mh.msg_control;
	clen = mh.msg_controllen;
	if (!ctrl || clen < CMSG_HDR_LEN)
		return;	/* no ancillary data: the common case costs one read */
	r = emit_reserve(sizeof(*r), IPCS_REC_FDPASS);
	if (!r)
		return;
	for (i = 0; i < FDPASS_CMSG_MAX; i++) {
		if (off + CMSG_HDR_LEN > clen ||
		    bpf_probe_read_user(&ch, sizeof(ch), ctrl + off) ||
		    ch.cmsg_len < CMSG_HDR_LEN || ch.cmsg_len > clen - off)
			break;
		if (ch.cmsg_level == SOL_SOCKET_ && ch.cmsg_type == SCM_RIGHTS_) {
			fdpass_rights(r, ctrl + off + CMSG_HDR_LEN,
				      (ch.cmsg_len - CMSG_HDR_LEN) / sizeof(int));
		} else if (ch.cmsg_level == SOL_SOCKET_ && ch.cmsg_type == SCM_CREDENTIALS_ &&
			   ch.cmsg_len >= CMSG_HDR_LEN + sizeof(cr) &&
			   !bpf_probe_read_user(&cr, sizeof(cr), ctrl + off + CMSG_HDR_LEN)) {
			r->flags |= IPCS_FDPF_CREDS;
			r->cred_pid = cr.pid;
			r->cred_uid = cr.uid;
			r->cred_gid = cr.gid;
		}
		off += (ch.cmsg_len + 7) & ~7ull;	/* CMSG_ALIGN */
	}
	if (i == FDPASS_CMSG_MAX && off + CMSG_HDR_LEN <= clen)
		r->flags |= IPCS_FDPF_MORE;
	if (!(r->flags & (IPCS_FDPF_RIGHTS | IPCS_FDPF_CREDS))) {
		bpf_ringbuf_discard(r, 0);
		return;
	}
	r->pid = pid_tgid >> 32;
	r->tid = (__u32)pid_tgid;
	r->sys = in->sys;
	if (in->sys == IPCS_SYS_RECVMSG && (in->arg & MSG_CMSG_CLOEXEC_))
		r->flags |= IPCS_FDPF_CLOEXEC;
	r->sock_fd = in->fd;
	r->sock = in->chan.ino;
	r->sock_dev = in->chan.dev;
	r->peer = sock_peer_id(in->chan.ino);
	if (comm)
		__builtin_memcpy(r->comm, comm, sizeof(r->comm));
	else
		bpf_get_current_comm(r->comm, sizeof(r->comm));
	emit_submit(r);
}

static __always_inline void fdpass_emit(const struct inflight *in)
{
	fdpass_emit_as(in, bpf_get_current_pid_tgid(), NULL);
}

#endif
