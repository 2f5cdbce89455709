/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * payload.bpf.h - --capture N: the first N bytes of each data call on a pipe,
 * FIFO or socket, as an IPCS_REC_PAYLOAD right after the call's record.
 * Read at sys_exit, when a read's bytes have arrived and a write's are still
 * in the caller's buffer. The buffer is the call's second argument, which
 * the saved registers still hold at exit (x86_64 syscalls leave them be).
 * Off (targ_capture == 0) it costs one test per record.
 */
#ifndef IPCS_PAYLOAD_BPF_H
#define IPCS_PAYLOAD_BPF_H

#include "maps.bpf.h"
#include "emit.bpf.h"
#include "sysnr.bpf.h"

/* Bytes to capture per call (user space caps it at IPCS_PAYLOAD_MAX); 0 = off. */
const volatile __u32 targ_capture __weak = 0;

static __always_inline bool payload_kind(__u16 kind)
{
	return kind == IPCS_KIND_PIPE || kind == IPCS_KIND_FIFO ||
	       (kind >= IPCS_KIND_UNIX_STREAM && kind <= IPCS_KIND_UDP);
}

/* The user buffer of the call and how much of it holds data; false: none. */
static __always_inline bool payload_buf(struct pt_regs *regs, __u16 sys, __u64 *base, __u64 *room)
{
	struct user_msghdr mh;
	struct iovec iov;
	void *iovp;

	switch (sys) {
	case IPCS_SYS_READ: case IPCS_SYS_WRITE: case IPCS_SYS_SENDTO: case IPCS_SYS_RECVFROM:
		*base = SYS_ARG1(regs);
		*room = ~0ull;	/* the return value bounds it */
		return true;
	case IPCS_SYS_READV: case IPCS_SYS_WRITEV:
		iovp = (void *)SYS_ARG1(regs);
		break;
	case IPCS_SYS_SENDMSG: case IPCS_SYS_RECVMSG:
		if (bpf_probe_read_user(&mh, sizeof(mh), (void *)SYS_ARG1(regs)))
			return false;
		iovp = mh.msg_iov;
		break;
	default:
		return false;
	}
	if (!iovp || bpf_probe_read_user(&iov, sizeof(iov), iovp))
		return false;
	*base = (__u64)iov.iov_base;
	*room = iov.iov_len;
	return true;
}

static __always_inline bool payload_is_out(__u16 sys)
{
	return sys == IPCS_SYS_WRITE || sys == IPCS_SYS_WRITEV ||
	       sys == IPCS_SYS_SENDTO || sys == IPCS_SYS_SENDMSG;
}

/* After the call's record (ts_ns = its h.ts_ns): the captured bytes. */
static __always_inline void payload_emit(struct pt_regs *regs, const struct inflight *in,
					 long ret, __u64 ts_ns)
{
	struct ipcs_payload_rec *r;
	__u64 base, room, n;
	__u64 pid_tgid;

	if (!targ_capture || ret <= 0 || !payload_kind(in->chan.kind))
		return;
	if (!payload_buf(regs, in->sys, &base, &room))
		return;
	n = targ_capture;
	if (n > (__u64)ret)
		n = ret;
	if (n > room)
		n = room;
	r = emit_reserve(sizeof(*r), IPCS_REC_PAYLOAD);
	if (!r)
		return;
	pid_tgid = bpf_get_current_pid_tgid();
	r->h.ts_ns = ts_ns;
	r->pid = pid_tgid >> 32;
	r->tid = (__u32)pid_tgid;
	r->sys = in->sys;
	r->flags = payload_is_out(in->sys) ? IPCS_PAYF_OUT : 0;
	r->len = ret > 0xffffffffL ? 0xffffffffu : (__u32)ret;
	r->chan = in->chan;
	if (n > IPCS_PAYLOAD_MAX)	/* for the verifier: the copy stays inside data[] */
		n = IPCS_PAYLOAD_MAX;
	if (n && bpf_probe_read_user(r->data, n, (void *)base)) {
		drop_count(IPCS_DROP_READ);
		n = 0;
	}
	r->cap_len = n;
	emit_submit(r);
}

#endif
