/* decode.c - validate raw records and copy them into struct ipcs_event. */
#include <errno.h>
#include <string.h>
#include "collect/decode.h"
#include "ipcscope_rectab.h"

static const char *const sys_names[IPCS_SYS_MAX] = {
	[IPCS_SYS_NONE] = "?",	     [IPCS_SYS_PIPE] = "pipe",	 [IPCS_SYS_PIPE2] = "pipe2",
	[IPCS_SYS_READ] = "read",    [IPCS_SYS_WRITE] = "write", [IPCS_SYS_READV] = "readv",
	[IPCS_SYS_WRITEV] = "writev", [IPCS_SYS_CLOSE] = "close", [IPCS_SYS_DUP] = "dup",
	[IPCS_SYS_DUP2] = "dup2",    [IPCS_SYS_DUP3] = "dup3",	 [IPCS_SYS_OPENAT] = "openat",
	[IPCS_SYS_OPEN] = "open",    [IPCS_SYS_MKNODAT] = "mknodat", [IPCS_SYS_MKNOD] = "mknod",
	[IPCS_SYS_FCNTL] = "fcntl",   [IPCS_SYS_CLOSE_RANGE] = "close_range",
	[IPCS_SYS_SENDTO] = "sendto", [IPCS_SYS_RECVFROM] = "recvfrom",
	[IPCS_SYS_SENDMSG] = "sendmsg", [IPCS_SYS_RECVMSG] = "recvmsg",
	[IPCS_SYS_SOCKET] = "socket", [IPCS_SYS_SOCKETPAIR] = "socketpair",
	[IPCS_SYS_CONNECT] = "connect", [IPCS_SYS_ACCEPT] = "accept",
	[IPCS_SYS_ACCEPT4] = "accept4", [IPCS_SYS_BIND] = "bind",
	[IPCS_SYS_LISTEN] = "listen", [IPCS_SYS_SHUTDOWN] = "shutdown",
	[IPCS_SYS_EVENTFD] = "eventfd", [IPCS_SYS_EVENTFD2] = "eventfd2",
	[IPCS_SYS_MQ_OPEN] = "mq_open", [IPCS_SYS_MQ_UNLINK] = "mq_unlink",
	[IPCS_SYS_MQ_TIMEDSEND] = "mq_timedsend", [IPCS_SYS_MQ_TIMEDRECEIVE] = "mq_timedreceive",
	[IPCS_SYS_MQ_NOTIFY] = "mq_notify",
	[IPCS_SYS_SPLICE] = "splice", [IPCS_SYS_TEE] = "tee", [IPCS_SYS_VMSPLICE] = "vmsplice",
	[IPCS_SYS_SENDFILE] = "sendfile",
	[IPCS_SYS_FUTEX] = "futex",   [IPCS_SYS_FUTEX_WAKE] = "futex_wake",
	[IPCS_SYS_FUTEX_WAIT] = "futex_wait", [IPCS_SYS_SHMGET] = "shmget",
	[IPCS_SYS_SHMAT] = "shmat",   [IPCS_SYS_SHMDT] = "shmdt", [IPCS_SYS_SHMCTL] = "shmctl",
	[IPCS_SYS_MMAP] = "mmap",     [IPCS_SYS_MUNMAP] = "munmap",
	[IPCS_SYS_FUTEX_WAITV] = "futex_waitv", [IPCS_SYS_MEMFD_CREATE] = "memfd_create",
};

static const char *const kind_names[IPCS_KIND_MAX] = {
	[IPCS_KIND_NONE] = "none",
	[IPCS_KIND_PIPE] = "pipe",
	[IPCS_KIND_FIFO] = "fifo",
	[IPCS_KIND_UNIX_STREAM] = "unix-stream",
	[IPCS_KIND_UNIX_DGRAM] = "unix-dgram",
	[IPCS_KIND_UNIX_SEQPACKET] = "unix-seqpacket",
	[IPCS_KIND_TCP] = "tcp",
	[IPCS_KIND_UDP] = "udp",
	[IPCS_KIND_SHM] = "shm",
	[IPCS_KIND_FUTEX] = "futex",
	[IPCS_KIND_MQ] = "mq",
	[IPCS_KIND_SIGNAL] = "signal",
	[IPCS_KIND_PTY] = "pty",
	[IPCS_KIND_EVENTFD] = "eventfd",
};

static const char *const drop_names[IPCS_DROP_REASON_MAX] = {
	[IPCS_DROP_RINGBUF] = "ringbuf",
	[IPCS_DROP_INFLIGHT] = "inflight",
	[IPCS_DROP_READ] = "read",
	[IPCS_DROP_TRACED] = "traced",
	[IPCS_DROP_LATE] = "late",
};

static const char *const what_names[IPCS_FDW_MAX] = {
	[IPCS_FDW_OTHER] = "other",  [IPCS_FDW_CHAN] = "channel", [IPCS_FDW_MEMFD] = "memfd",
	[IPCS_FDW_SHMFILE] = "shm-file", [IPCS_FDW_FILE] = "file", [IPCS_FDW_DIR] = "directory",
	[IPCS_FDW_DEV] = "device",   [IPCS_FDW_ANON] = "anon-inode", [IPCS_FDW_SOCKET] = "socket",
};

const char *ipcs_fd_what_name(__u16 what)
{
	return what < IPCS_FDW_MAX ? what_names[what] : "?";
}

const char *ipcs_sys_name(__u16 sys)
{
	return sys < IPCS_SYS_MAX && sys_names[sys] ? sys_names[sys] : "?";
}

const char *ipcs_kind_name(__u16 kind)
{
	return kind < IPCS_KIND_MAX ? kind_names[kind] : "?";
}

const char *ipcs_drop_name(unsigned reason)
{
	return reason < IPCS_DROP_REASON_MAX ? drop_names[reason] : "other";
}

int ipcs_rec_size(const void *buf, size_t len)
{
	struct ipcs_rec_hdr h;

	if (!buf || len < sizeof(h))
		return -EINVAL;
	memcpy(&h, buf, sizeof(h));
	if (h.size < sizeof(h) || h.size % 8 || h.size > len)
		return -EINVAL;
	return h.size;
}

static void terminate(char *s, size_t n)
{
	s[n - 1] = '\0';
}

static int check_chan(const struct ipcs_chan *c)
{
	return c->kind < IPCS_KIND_MAX ? 0 : -EINVAL;
}

static int check_fdpass(struct ipcs_fdpass_rec *r)
{
	terminate(r->comm, sizeof(r->comm));
	if ((r->sys != IPCS_SYS_SENDMSG && r->sys != IPCS_SYS_RECVMSG) ||
	    r->nfds > IPCS_FDPASS_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < IPCS_FDPASS_MAX; i++) {
		terminate(r->fds[i].name, sizeof(r->fds[i].name));
		if (i < r->nfds && (r->fds[i].kind >= IPCS_KIND_MAX || r->fds[i].what >= IPCS_FDW_MAX))
			return -EINVAL;
	}
	return 0;
}

int ipcs_decode(const void *buf, size_t len, struct ipcs_event *out)
{
	const struct ipcs_rec_info *ri;
	struct ipcs_rec_hdr h;
	size_t need, full;

	if (ipcs_rec_size(buf, len) != (int)len)
		return -EINVAL;
	memcpy(&h, buf, sizeof(h));
	ri = ipcs_rec_lookup(h.type);
	if (!ri)
		return -ENOMSG;
	if (len < ipcs_rec_min_size(ri))
		return -EINVAL;

	/* A record is taken as far as this reader knows it (a newer minor may
	 * append fields); one from an older minor that lacks the trailing fields
	 * added since (futex 1.1, proc and seed_proc 1.2) reads them as zero.
	 * Records of the current size, nearly all, need no memset. */
	full = ipcs_rec_full_size(ri);
	need = len < full ? len : full;
	if (need < full)
		memset((char *)&out->h + need, 0, full - need);
	memcpy(&out->h, buf, need);
	out->type = h.type;
	out->path = "";

	switch (h.type) {
	case IPCS_REC_SOCK:
		/* addr is counted, not terminated: abstract names start with NUL. */
		if (out->sock.addr_len > sizeof(out->sock.addr))
			return -EINVAL;
		goto sys;
	case IPCS_REC_SYS_PATH:
		terminate(out->sys_path.path, sizeof(out->sys_path.path));
		out->path = out->sys_path.path;
		/* fall through */
	case IPCS_REC_SYS:
sys:
		terminate(out->sys.comm, sizeof(out->sys.comm));
		/* Numbers in a reserved range with no name are not syscalls we know. */
		if (out->sys.sys == IPCS_SYS_NONE || out->sys.sys >= IPCS_SYS_MAX ||
		    !sys_names[out->sys.sys])
			return -EINVAL;
		return check_chan(&out->sys.chan);
	case IPCS_REC_PROC:
		terminate(out->proc.comm, sizeof(out->proc.comm));
		if (out->proc.op < IPCS_PROC_FORK || out->proc.op > IPCS_PROC_EXIT)
			return -EINVAL;
		return 0;
	case IPCS_REC_SEED_PROC:
		terminate(out->seed_proc.comm, sizeof(out->seed_proc.comm));
		return 0;
	case IPCS_REC_SEED_FD:
		terminate(out->seed_fd.path, sizeof(out->seed_fd.path));
		out->path = out->seed_fd.path;
		return check_chan(&out->seed_fd.chan);
	case IPCS_REC_DROPS:
		return 0;
	case IPCS_REC_SIGNAL:
		terminate(out->sig.comm, sizeof(out->sig.comm));
		terminate(out->sig.rcomm, sizeof(out->sig.rcomm));
		if (out->sig.op < IPCS_SIG_GENERATE || out->sig.op > IPCS_SIG_DELIVER ||
		    out->sig.sig <= 0 || out->sig.sig > 64)
			return -EINVAL;
		return 0;
	case IPCS_REC_FUTEX:
		terminate(out->futex.comm, sizeof(out->futex.comm));
		if ((out->futex.sys < IPCS_SYS_FUTEX || out->futex.sys > IPCS_SYS_FUTEX_WAIT) &&
		    out->futex.sys != IPCS_SYS_FUTEX_WAITV)
			return -EINVAL;
		return 0;
	case IPCS_REC_SHM:
		terminate(out->shm.comm, sizeof(out->shm.comm));
		if (out->shm.sys < IPCS_SYS_SHMGET || out->shm.sys > IPCS_SYS_MUNMAP)
			return -EINVAL;
		return 0;
	case IPCS_REC_LOCK:
		terminate(out->lock.comm, sizeof(out->lock.comm));
		if (!out->lock.kind || out->lock.kind >= IPCS_LOCKK_MAX || !out->lock.phase ||
		    out->lock.phase >= IPCS_LOCKP_MAX || !out->lock.fn || out->lock.fn >= IPCS_LOCKF_MAX ||
		    out->lock.nstack > IPCS_LOCK_STACK || !out->lock.tid)
			return -EINVAL;
		return 0;
	case IPCS_REC_FDPASS:
		return check_fdpass(&out->fdpass);
	case IPCS_REC_WAIT:
		terminate(out->wait.comm, sizeof(out->wait.comm));
		terminate(out->wait.kind, sizeof(out->wait.kind));
		terminate(out->wait.object, sizeof(out->wait.object));
		terminate(out->wait.evidence, sizeof(out->wait.evidence));
		if (out->wait.sys >= IPCS_SYS_MAX || !out->wait.tid ||
		    (out->wait.flags & ~(IPCS_WAITF_CYCLE | IPCS_WAITF_STALL)))
			return -EINVAL;
		return check_chan(&out->wait.chan);
	case IPCS_REC_CGROUP:
		terminate(out->cgroup.comm, sizeof(out->cgroup.comm));
		return out->cgroup.cgroup_id ? 0 : -EINVAL;
	case IPCS_REC_CGROUP_NAME:
		terminate(out->cgroup_name.path, sizeof(out->cgroup_name.path));
		out->path = out->cgroup_name.path;
		return out->cgroup_name.cgroup_id ? 0 : -EINVAL;
	case IPCS_REC_CMDLINE:
		/* Consumers take len bytes: they must stay inside. */
		if (!out->cmdline.pid || out->cmdline.len > IPCS_CMDLINE_MAX ||
		    (out->cmdline.flags & ~IPCS_CMDF_CUT))
			return -EINVAL;
		return 0;
	case IPCS_REC_SHM_NAME:
		terminate(out->shm_name.path, sizeof(out->shm_name.path));
		out->path = out->shm_name.path;
		return out->shm_name.ino ? 0 : -EINVAL;
	case IPCS_REC_PEER:
		terminate(out->peer.comm, sizeof(out->peer.comm));
		if (out->peer.addr_len != 0 && out->peer.addr_len != 36)
			return -EINVAL;
		if (out->peer.chan.kind != IPCS_KIND_PIPE &&
		    (out->peer.chan.kind < IPCS_KIND_UNIX_STREAM || out->peer.chan.kind > IPCS_KIND_UDP))
			return -EINVAL;
		return 0;
	case IPCS_REC_PAYLOAD:
		/* Consumers index data[] by cap_len: it must stay inside. */
		if (out->payload.cap_len > IPCS_PAYLOAD_MAX || out->payload.cap_len > out->payload.len ||
		    out->payload.sys == IPCS_SYS_NONE || out->payload.sys >= IPCS_SYS_MAX ||
		    !sys_names[out->payload.sys])
			return -EINVAL;
		return check_chan(&out->payload.chan);
	}
	return -ENOMSG;
}
