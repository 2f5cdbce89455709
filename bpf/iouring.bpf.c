// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * iouring.bpf.c - io_uring operations on followed channels become the
 * records the same syscall would make, marked IPCS_SYSF_URING.
 *
 * tp_btf/io_uring_submit_req fires in the submitting task (io_uring_enter),
 * or in the ring's SQPOLL thread, after the request's prep: it is charged
 * to the submitter (SQPOLL: the thread that set the ring up), and
 * what prep read (length, buffer) is kept in `uring_reqs`, keyed by the
 * request, until tp_btf/io_uring_complete gives the result. The channel is
 * resolved at completion from req->file (fixed files too), whichever task
 * the completion runs in (the submitter's task work, an io-wq worker).
 * CLOSE resolves its fd at submit, while the file is still there; ACCEPT
 * and SOCKET resolve the new fd at completion in the submitter's fd table.
 * The submitter is current at submit, which needs no CO-RE (req->tctx->task
 * since 6.13, req->task before, name the same task), except under SQPOLL.
 */
#include "maps.bpf.h"
#include "filter.bpf.h"
#include "fdres.bpf.h"
#include "emit.bpf.h"
#include "fdpass.bpf.h"
#include "futex.bpf.h"
#include "payload.bpf.h"

#define IPCS_URING_REQS_MAX 8192	/* requests in flight remembered (LRU) */
#define URING_SETUP_SQPOLL 0x2	/* IORING_SETUP_SQPOLL */
#define URING_CQE_F_MORE 0x2	/* IORING_CQE_F_MORE: a multishot request goes on */
#define URING_REQ_F_FIXED_FILE 0x1	/* REQ_F_FIXED_FILE (bit 0 since 5.1) */
#define URING_FLAGS_SHARED 0x10	/* kernel/futex/futex.h FLAGS_SHARED (io_futex.futex_flags) */

/* What submit knew, for complete. */
struct uring_req {
	__u64 ts;		/* submit time */
	__u64 addr;		/* user buffer of READ/WRITE/SEND/RECV (payload, an eventfd's
				   value), SENDMSG/RECVMSG's msghdr, a futex's address */
	__u64 arg;		/* becomes ipcs_sys_rec.arg: length asked */
	__u32 pid;		/* the submitter (the ring's owner for SQPOLL) */
	__u32 tid;
	__s32 fd;		/* -1 for a fixed file (a registered slot, not an fd) */
	__u16 sys;		/* enum ipcs_sys of the equivalent syscall */
	__u16 flags;		/* IPCS_SYSF_* */
	__u8 opcode;		/* IORING_OP_* */
	__u8 fkey;		/* futex: IPCS_FKEY_WORD when word was read at submit */
	__u8 fprivate;		/* futex: FUTEX2_PRIVATE */
	__u8 _pad;
	__u32 word;		/* futex: the word at submit (waits) */
	struct ipcs_chan chan;	/* CLOSE: resolved at submit */
	char comm[IPCS_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, IPCS_URING_REQS_MAX);
	__type(key, __u64);	/* struct io_kiocb * */
	__type(value, struct uring_req);
} uring_reqs SEC(".maps");

/*
 * A multishot request's CQEs but its last are posted as auxiliary CQEs
 * (io_req_post_cqe -> io_fill_cqe_aux: the tracepoint has no req): they
 * are found by the ring and user_data the submitter gave the request.
 */
struct uring_ms_key {
	__u64 ctx;		/* struct io_ring_ctx * */
	__u64 user_data;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, IPCS_URING_REQS_MAX);
	__type(key, struct uring_ms_key);
	__type(value, __u64);	/* struct io_kiocb *, the uring_reqs key */
} uring_ms SEC(".maps");

/* uring_fdpass's struct inflight: off the stack, which fd passing fills. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct inflight);
} uring_scratch SEC(".maps");

/*
 * Waits: what a thread's latest receive-side request waits on (tid ->), set
 * at submit, gone at its last CQE. When the thread then sleeps in
 * io_uring_enter for completions (tp io_uring_cqring_wait), it is written
 * into its `inflight` entry as the read it stands for (IPCS_SYSF_URING), so
 * the waits view and the deadlock scan see a reader blocked on that channel.
 */
struct uring_wait {
	__u64 req;		/* uring_reqs key */
	__s32 fd;
	__u16 sys;
	__u16 _pad;
	struct ipcs_chan chan;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, IPCS_URING_REQS_MAX);
	__type(key, __u32);	/* tid */
	__type(value, struct uring_wait);
} uring_waits SEC(".maps");

/* Opcodes whose request may post several CQEs (multishot receive and accept). */
static __always_inline bool uring_may_multishot(__u8 op)
{
	return op == IORING_OP_RECV || op == IORING_OP_RECVMSG || op == IORING_OP_ACCEPT ||
	       op == IORING_OP_READ_MULTISHOT;
}

/* The syscall an opcode stands for; IPCS_SYS_NONE: not followed. */
static __always_inline __u16 uring_sys(__u8 op)
{
	switch (op) {
	case IORING_OP_READ:
	case IORING_OP_READ_FIXED:
	case IORING_OP_READ_MULTISHOT:
		return IPCS_SYS_READ;
	case IORING_OP_WRITE:
	case IORING_OP_WRITE_FIXED:
		return IPCS_SYS_WRITE;
	case IORING_OP_READV:
		return IPCS_SYS_READV;
	case IORING_OP_WRITEV:
		return IPCS_SYS_WRITEV;
	case IORING_OP_SEND:
	case IORING_OP_SEND_ZC:
		return IPCS_SYS_SENDTO;
	case IORING_OP_RECV:
		return IPCS_SYS_RECVFROM;
	case IORING_OP_SENDMSG:
	case IORING_OP_SENDMSG_ZC:
		return IPCS_SYS_SENDMSG;
	case IORING_OP_RECVMSG:
		return IPCS_SYS_RECVMSG;
	case IORING_OP_ACCEPT:
		return IPCS_SYS_ACCEPT4;
	case IORING_OP_CONNECT:
		return IPCS_SYS_CONNECT;
	case IORING_OP_SOCKET:
		return IPCS_SYS_SOCKET;
	case IORING_OP_CLOSE:
		return IPCS_SYS_CLOSE;
	case IORING_OP_FUTEX_WAIT:
		return IPCS_SYS_FUTEX_WAIT;
	case IORING_OP_FUTEX_WAKE:
		return IPCS_SYS_FUTEX_WAKE;
	}
	return IPCS_SYS_NONE;
}

/*
 * The thread that set a SQPOLL ring up, from its poller's comm: the kernel
 * names the poller "iou-sqp-TID" after it (sq_data->task_pid is the poller's
 * own pid since 5.12, "for fdinfo"). 0 when the comm says otherwise.
 */
static __always_inline __u32 sqpoll_owner_tid(struct task_struct *task)
{
	static const char prefix[8] = "iou-sqp-";
	char comm[IPCS_COMM_LEN];
	__u32 tid = 0;
	int i;

	if (bpf_probe_read_kernel(comm, sizeof(comm), &task->comm))
		return 0;
	for (i = 0; i < 8; i++)
		if (comm[i] != prefix[i])
			return 0;
	for (i = 8; i < IPCS_COMM_LEN && comm[i] >= '0' && comm[i] <= '9'; i++)
		tid = tid * 10 + (comm[i] - '0');
	return tid;
}

/*
 * Who to charge: current, except in a SQPOLL ring's poller thread (a thread
 * of the owner's process), where it is the thread that created the ring.
 * Returns the task whose comm the filter and the record use.
 */
static __always_inline struct task_struct *uring_submitter(struct io_kiocb *req,
							    struct uring_req *r)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	unsigned int cflags = BPF_CORE_READ(req, ctx, flags);
	__u32 owner;

	r->pid = pid_tgid >> 32;
	r->tid = (__u32)pid_tgid;
	if (!(cflags & URING_SETUP_SQPOLL))
		return task;
	owner = sqpoll_owner_tid(task);
	r->tid = owner ? owner : r->pid;
	return task->group_leader;	/* the poller's comm is not the program's */
}

/* prep has read the SQE: the length (and READ/WRITE's buffer) asked. */
static __always_inline void uring_prep_args(struct io_kiocb *req, struct uring_req *r)
{
	/* The opcode's own data sits at the start of the request (io_kiocb_to_cmd). */
	switch (r->sys) {
	case IPCS_SYS_READ:
	case IPCS_SYS_WRITE: {
		struct io_rw *rw = (struct io_rw *)req;

		r->addr = BPF_CORE_READ(rw, addr);
		r->arg = BPF_CORE_READ(rw, len);
		break;
	}
	case IPCS_SYS_READV:
	case IPCS_SYS_WRITEV:
		r->arg = BPF_CORE_READ((struct io_rw *)req, len);	/* iovec count */
		break;
	case IPCS_SYS_SENDTO:
	case IPCS_SYS_RECVFROM:
		r->arg = BPF_CORE_READ((struct io_sr_msg *)req, len);
		/* NULL with a provided buffer (buffer select): no payload then */
		r->addr = (__u64)BPF_CORE_READ((struct io_sr_msg *)req, buf);
		break;
	case IPCS_SYS_SENDMSG:
	case IPCS_SYS_RECVMSG:
		r->arg = BPF_CORE_READ((struct io_sr_msg *)req, msg_flags);
		/* the user's msghdr: its control messages at completion */
		r->addr = (__u64)BPF_CORE_READ((struct io_sr_msg *)req, umsg);
		break;
	case IPCS_SYS_SOCKET:
		r->arg = BPF_CORE_READ((struct io_socket *)req, domain);
		break;
	case IPCS_SYS_FUTEX_WAIT:
	case IPCS_SYS_FUTEX_WAKE: {
		struct io_futex *f = (struct io_futex *)req;

		/* futex2 flags as prep converted them: FLAGS_SHARED (0x10) unless private */
		r->fprivate = !(BPF_CORE_READ(f, futex_flags) & URING_FLAGS_SHARED);
		r->addr = (__u64)BPF_CORE_READ(f, uaddr);
		r->arg = BPF_CORE_READ(f, futex_val);	/* wait: expected value; wake: how many */
		if (r->sys == IPCS_SYS_FUTEX_WAIT &&
		    !bpf_probe_read_user(&r->word, sizeof(r->word), (void *)r->addr))
			r->fkey = IPCS_FKEY_WORD;
		break;
	}
	}
}

static __always_inline int uring_req_fd(struct io_kiocb *req)
{
	if (bpf_core_field_exists(req->cqe.fd))
		return BPF_CORE_READ(req, cqe.fd);
	return -1;
}

/* A receive the submitting thread may wait on (its fd, in its own table). */
static __always_inline void uring_wait_note(__u64 key, const struct uring_req *r)
{
	struct uring_wait w = { .req = key, .fd = r->fd, .sys = r->sys };

	if (ipcs_fd_chan(r->fd, 0, &w.chan) > 0)
		bpf_map_update_elem(&uring_waits, &r->tid, &w, BPF_ANY);
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(io_uring_submit_req, struct io_kiocb *req)
{
	struct task_struct *task;
	struct uring_req r = {};
	__u64 key = (__u64)req;
	__u8 op = BPF_CORE_READ(req, opcode);

	r.sys = uring_sys(op);
	r.opcode = op;
	if (r.sys == IPCS_SYS_NONE)
		return 0;
	task = uring_submitter(req, &r);
	if (!task_traced(task, r.pid))
		return 0;
	r.fd = uring_req_fd(req);
	if (BPF_CORE_READ(req, flags) & URING_REQ_F_FIXED_FILE)
		r.fd = -1;
	r.flags = IPCS_SYSF_URING;
	uring_prep_args(req, &r);
	if (r.sys == IPCS_SYS_CLOSE) {
		/* CLOSE of a fixed slot (file_slot) names no fd: not followed. */
		if (BPF_CORE_READ((struct io_close *)req, file_slot))
			return 0;
		r.fd = BPF_CORE_READ((struct io_close *)req, fd);
		if (ipcs_fd_chan(r.fd, FDC_NOSTORE, &r.chan) <= 0)
			return 0;
		fdc_forget(r.fd);
	}
	bpf_probe_read_kernel(r.comm, sizeof(r.comm), &task->comm);
	r.ts = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&uring_reqs, &key, &r, BPF_ANY)) {
		drop_count(IPCS_DROP_INFLIGHT);
		return 0;
	}
	if ((r.sys == IPCS_SYS_READ || r.sys == IPCS_SYS_READV || r.sys == IPCS_SYS_RECVFROM ||
	     r.sys == IPCS_SYS_RECVMSG) && r.fd >= 0 && (__u32)bpf_get_current_pid_tgid() == r.tid)
		uring_wait_note(key, &r);
	if (uring_may_multishot(op)) {
		struct uring_ms_key mk = { (__u64)BPF_CORE_READ(req, ctx), BPF_CORE_READ(req, cqe.user_data) };

		bpf_map_update_elem(&uring_ms, &mk, &key, BPF_ANY);
	}
	return 0;
}

/* The request's file -> r->chan. Not inlined: file_to_chan's frame beside
 * uring_fdpass's and ipcs_fd_describe's would pass 512 bytes. */
static __noinline int uring_file_chan(struct file *file, struct uring_req *r)
{
	int k;

	if (!r)
		return 0;
	k = file_to_chan(file, &r->chan);
	if (k == FDRES_FAULT)
		drop_count(IPCS_DROP_READ);
	return k;
}

/* The channel the completed request used; false: not a followed one. */
static __always_inline bool uring_chan(struct io_kiocb *req, struct uring_req *r, __s32 res)
{
	struct file *file;
	int k;

	switch (r->sys) {
	case IPCS_SYS_CLOSE:
		return true;	/* resolved at submit */
	case IPCS_SYS_ACCEPT4:
	case IPCS_SYS_SOCKET:
		/* A new fd of the submitter's table: only from a task sharing it
		 * (its task work, an io-wq worker, the SQPOLL thread); a fixed
		 * slot (file_slot) is no fd. */
		if (res < 0 || (bpf_get_current_pid_tgid() >> 32) != r->pid)
			return false;
		if (r->sys == IPCS_SYS_ACCEPT4 ?
		    BPF_CORE_READ((struct io_accept *)req, file_slot) :
		    BPF_CORE_READ((struct io_socket *)req, file_slot))
			return false;
		k = ipcs_fd_chan(res, FDC_FRESH, &r->chan);
		if (k == FDRES_FAULT)
			drop_count(IPCS_DROP_READ);
		return k > 0;
	}
	file = BPF_CORE_READ(req, file);
	return file && uring_file_chan(file, r) > 0;
}

static __always_inline void uring_fill(struct ipcs_sys_rec *s, const struct uring_req *r,
				       __s32 res)
{
	s->pid = r->pid;
	s->tid = r->tid;
	s->sys = r->sys;
	s->flags = r->flags;
	s->ret = res;
	s->blocked_ns = s->h.ts_ns - r->ts;
	s->fd = r->fd;
	s->arg = r->arg;
	s->chan = r->chan;
	__builtin_memcpy(s->comm, r->comm, sizeof(s->comm));
	if (r->sys == IPCS_SYS_ACCEPT4) {
		s->fd2 = res;	/* as accept4: fd = listener, fd2 = the new fd */
	} else if (r->sys == IPCS_SYS_SOCKET) {
		s->fd = res;
	} else if (res > 0 && !s->arg &&
		   (r->sys == IPCS_SYS_READ || r->sys == IPCS_SYS_RECVFROM)) {
		s->arg = res;	/* a provided buffer (buffer select): the kernel chose its size */
	}
}

/*
 * SCM_RIGHTS / SCM_CREDENTIALS of a SENDMSG / RECVMSG on a unix socket, after
 * its record, as fdpass.bpf.h does for the syscalls: from the user's msghdr
 * and the fd table, so only in a task of the submitter's process (task work,
 * io-wq worker). A send's control data is read at completion: a program
 * that reused its buffer after the submit shows what is there now. Not
 * inlined: its frame and ipcs_fd_describe's would not fit beside the rest.
 */
static __noinline void uring_fdpass(const struct uring_req *r, __s32 res)
{
	__u32 zero = 0;
	struct inflight *in;

	if (!r || !r->addr || (bpf_get_current_pid_tgid() >> 32) != r->pid)
		return;
	in = bpf_map_lookup_elem(&uring_scratch, &zero);
	if (!in)
		return;
	__builtin_memset(in, 0, sizeof(*in));
	in->sys = r->sys;
	in->fd = r->fd;
	in->arg = r->arg;
	in->uptr = r->addr;
	in->chan = r->chan;
	if (fdpass_wanted(in, res))
		fdpass_emit_as(in, (__u64)r->pid << 32 | r->tid, r->comm);
}

/*
 * --capture N: the first bytes a READ/WRITE/SEND/RECV moved, after its
 * record (same ts_ns), from the buffer the request named, in the
 * submitter's address space (task work, io-wq worker). Not for vectored,
 * msghdr or provided-buffer requests (no one buffer known at submit).
 */
static __noinline void uring_payload(const struct uring_req *r, __s32 res, __u64 ts_ns)
{
	struct ipcs_payload_rec *p;
	__u64 n = targ_capture;

	if (!r || !n || res <= 0 || !r->addr || !payload_kind(r->chan.kind) ||
	    (bpf_get_current_pid_tgid() >> 32) != r->pid ||
	    (r->sys != IPCS_SYS_READ && r->sys != IPCS_SYS_WRITE &&
	     r->sys != IPCS_SYS_SENDTO && r->sys != IPCS_SYS_RECVFROM))
		return;
	if (n > (__u64)res)
		n = res;
	p = emit_reserve(sizeof(*p), IPCS_REC_PAYLOAD);
	if (!p)
		return;
	p->h.ts_ns = ts_ns;
	p->pid = r->pid;
	p->tid = r->tid;
	p->sys = r->sys;
	p->flags = payload_is_out(r->sys) ? IPCS_PAYF_OUT : 0;
	p->len = (__u32)res;
	p->chan = r->chan;
	if (n > IPCS_PAYLOAD_MAX)	/* for the verifier: the copy stays inside data[] */
		n = IPCS_PAYLOAD_MAX;
	if (n && bpf_probe_read_user(p->data, n, (void *)r->addr)) {
		drop_count(IPCS_DROP_READ);
		n = 0;
	}
	p->cap_len = n;
	emit_submit(p);
}

/* The record's timestamp, 0 when none was emitted. Not inlined: sock_fill's
 * frame beside ipcs_fd_chan's would pass 512 bytes. */
static __noinline __u64 uring_emit(struct uring_req *r, __s32 res)
{
	struct ipcs_sock_rec *sr;
	struct ipcs_sys_rec *s;
	__u16 kind;
	__u64 ts;

	if (!r)
		return 0;
	kind = r->chan.kind;
	if (kind >= IPCS_KIND_UNIX_STREAM && kind <= IPCS_KIND_UDP && r->sys != IPCS_SYS_CLOSE) {
		sr = emit_reserve(sizeof(*sr), IPCS_REC_SOCK);
		if (!sr)
			return 0;
		uring_fill(&sr->s, r, res);
		sock_fill(sr);
		ts = sr->s.h.ts_ns;
		emit_submit(sr);
		return ts;
	}
	s = emit_reserve(sizeof(*s), IPCS_REC_SYS);
	if (!s)
		return 0;
	uring_fill(s, r, res);
	/* An eventfd moves its 8-byte counter value: read from the buffer, in
	 * the submitter's address space (task work or an io-wq worker). */
	if (kind == IPCS_KIND_EVENTFD && res == 8 && r->addr &&
	    (bpf_get_current_pid_tgid() >> 32) == r->pid) {
		__u64 v = 0;

		if (bpf_probe_read_user(&v, sizeof(v), (void *)r->addr))
			drop_count(IPCS_DROP_READ);
		s->arg = v;
	}
	ts = s->h.ts_ns;
	emit_submit(s);
	return ts;
}

/*
 * IORING_OP_FUTEX_WAIT / WAKE (6.7+) as the futex_wait(2) / futex_wake(2)
 * records: op FUTEX_WAIT_BITSET / FUTEX_WAKE_BITSET (+ private flag), ret =
 * res. A shared futex's key needs the submitter's address space: found only
 * when the completion runs in its process (task work), else keyed by process.
 */
static __noinline void uring_futex_emit(const struct uring_req *r, __s32 res)
{
	struct ipcs_futex_rec *f;

	if (!r)
		return;
	f = emit_reserve(sizeof(*f), IPCS_REC_FUTEX);
	if (!f)
		return;
	f->pid = r->pid;
	f->tid = r->tid;
	f->sys = r->sys;
	f->flags = IPCS_SYSF_URING;
	f->key_flags = r->fkey;
	f->op = (r->sys == IPCS_SYS_FUTEX_WAKE ? IPCS_FUTEX_WAKE_BITSET : IPCS_FUTEX_WAIT_BITSET) |
		(r->fprivate ? IPCS_FUTEX_PRIVATE_FLAG : 0);
	f->val = (__u32)r->arg;
	f->ret = res;
	f->blocked_ns = f->h.ts_ns - r->ts;
	f->uaddr = r->addr;
	f->word = r->word;
	f->key_off = r->addr;
	if ((bpf_get_current_pid_tgid() >> 32) == r->pid)
		futex_key(f, r->fprivate);
	__builtin_memcpy(f->comm, r->comm, sizeof(f->comm));
	emit_submit(f);
}

/* The receive a thread waited on completed: in its own task (task work), its
 * inflight entry goes now; elsewhere at its next wait or traced syscall. */
static __always_inline void uring_wait_done(const struct uring_req *r)
{
	struct inflight *slot;

	if ((__u32)bpf_get_current_pid_tgid() != r->tid)
		return;
	slot = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, 0);
	if (slot && READ_ONCE(slot->sys) == r->sys && (slot->flags & IPCS_SYSF_URING) &&
	    slot->fd == r->fd)
		WRITE_ONCE(slot->sys, IPCS_SYS_NONE);
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(io_uring_complete, struct io_ring_ctx *ring, void *req, struct io_uring_cqe *cqe)
{
	struct uring_ms_key mk = { (__u64)ring, BPF_CORE_READ(cqe, user_data) };
	__u64 key = (__u64)req, *ms;
	struct uring_req *r;
	__u32 cflags;
	__s32 res;

	if (!req) {
		/* An auxiliary CQE: a multishot request's, or none we follow. */
		ms = bpf_map_lookup_elem(&uring_ms, &mk);
		if (!ms)
			return 0;
		key = *ms;
	}
	r = bpf_map_lookup_elem(&uring_reqs, &key);
	if (!r)
		return 0;
	res = BPF_CORE_READ(cqe, res);
	cflags = BPF_CORE_READ(cqe, flags);
	if (r->sys == IPCS_SYS_FUTEX_WAIT || r->sys == IPCS_SYS_FUTEX_WAKE)
		uring_futex_emit(r, res);
	else if (uring_chan((struct io_kiocb *)key, r, res)) {
		__u64 ts = uring_emit(r, res);

		if (ts)	/* no payload without its call's record */
			uring_payload(r, res, ts);
		uring_fdpass(r, res);	/* after the data record, as user space expects */
	}
	/* The request's own CQE, its last unless a multishot one goes on (SEND_ZC's
	 * F_MORE announces a notification CQE of another request: nothing to keep). */
	if (req && (!(cflags & URING_CQE_F_MORE) || !uring_may_multishot(r->opcode))) {
		struct uring_wait *w = bpf_map_lookup_elem(&uring_waits, &r->tid);

		if (w && w->req == key) {
			bpf_map_delete_elem(&uring_waits, &r->tid);
			uring_wait_done(r);
		}
		if (uring_may_multishot(r->opcode))
			bpf_map_delete_elem(&uring_ms, &mk);
		bpf_map_delete_elem(&uring_reqs, &key);
	}
	return 0;
}

/*
 * current sleeps in io_uring_enter until completions come: if a receive it
 * submitted is pending, it is a reader blocked on that channel (an inflight
 * entry as sys_enter writes one); else an earlier such entry goes. Only an
 * idle entry or one of ours is written: a traced syscall's is never touched.
 */
SEC("tp_btf/io_uring_cqring_wait")
int BPF_PROG(io_uring_cqring_wait, void *ring, int min_events)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct uring_wait *w = bpf_map_lookup_elem(&uring_waits, &tid);
	struct inflight *slot;
	__u16 sys;

	slot = bpf_task_storage_get(&inflight, task, 0, w ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	if (!slot)
		return 0;
	sys = READ_ONCE(slot->sys);
	if (sys != IPCS_SYS_NONE && !(slot->flags & IPCS_SYSF_URING))
		return 0;
	WRITE_ONCE(slot->sys, IPCS_SYS_NONE);
	if (!w)
		return 0;
	compiler_barrier();
	slot->ts = bpf_ktime_get_ns();
	slot->arg = 0;
	slot->uptr = 0;
	slot->fd = w->fd;
	slot->fd2 = 0;
	slot->flags = IPCS_SYSF_URING;
	slot->exiting = 0;
	slot->chan = w->chan;
	compiler_barrier();
	WRITE_ONCE(slot->sys, w->sys);
	return 0;
}
