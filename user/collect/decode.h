/* decode.h - raw records (ring buffer or file) -> validated events. */
#ifndef IPCS_DECODE_H
#define IPCS_DECODE_H

#include <stddef.h>
#include "ipcscope_abi.h"

/*
 * A decoded record: a validated copy, so callers never touch unaligned or
 * untrusted memory. Strings are NUL-terminated; for IPCS_REC_SYS, path is "".
 */
struct ipcs_event {
	__u16 type;		/* enum ipcs_rec_type */
	const char *path;	/* points into this struct (or a static "") */
	union {
		struct ipcs_rec_hdr h;
		struct ipcs_sys_rec sys;		/* IPCS_REC_SYS and _SYS_PATH */
		struct ipcs_sys_path_rec sys_path;	/* IPCS_REC_SYS_PATH */
		struct ipcs_proc_rec proc;
		struct ipcs_seed_proc_rec seed_proc;
		struct ipcs_seed_fd_rec seed_fd;
		struct ipcs_drops_rec drops;
		struct ipcs_sock_rec sock;		/* IPCS_REC_SOCK (sys is its head) */
		struct ipcs_signal_rec sig;		/* IPCS_REC_SIGNAL */
		struct ipcs_futex_rec futex;		/* IPCS_REC_FUTEX */
		struct ipcs_shm_rec shm;		/* IPCS_REC_SHM */
		struct ipcs_lock_rec lock;		/* IPCS_REC_LOCK (--locks) */
		struct ipcs_fdpass_rec fdpass;		/* IPCS_REC_FDPASS */
		struct ipcs_wait_rec wait;		/* IPCS_REC_WAIT */
		struct ipcs_payload_rec payload;	/* IPCS_REC_PAYLOAD (follows its call's record) */
		struct ipcs_cgroup_rec cgroup;		/* IPCS_REC_CGROUP */
		struct ipcs_cgroup_name_rec cgroup_name;	/* IPCS_REC_CGROUP_NAME (path too) */
		struct ipcs_cmdline_rec cmdline;	/* IPCS_REC_CMDLINE (counted bytes, not a string) */
		struct ipcs_shm_name_rec shm_name;	/* IPCS_REC_SHM_NAME (path too) */
		struct ipcs_peer_rec peer;		/* IPCS_REC_PEER */
	};
};

/*
 * Size of the record at buf (from its header), checked against len:
 * returns the size, or -EINVAL when buf cannot hold a valid header/record.
 */
int ipcs_rec_size(const void *buf, size_t len);

/*
 * Decode one record of exactly len bytes. Returns 0, -EINVAL for a malformed
 * record (short, size mismatch, bad enum), -ENOMSG for an unknown type
 * (a newer writer: skip it by its size).
 */
int ipcs_decode(const void *buf, size_t len, struct ipcs_event *out);

const char *ipcs_sys_name(__u16 sys);
const char *ipcs_kind_name(__u16 kind);	/* "pipe", "fifo", "unix-stream", ... */
/* Events lost, over every drop slot but IPCS_DROP_LATE (late records were delivered). */
static inline __u64 ipcs_drops_lost(const __u64 drops[IPCS_DROP_SLOTS])
{
	__u64 n = 0;

	for (unsigned i = 0; i < IPCS_DROP_SLOTS; i++)
		n += i == IPCS_DROP_LATE ? 0 : drops[i];
	return n;
}
const char *ipcs_drop_name(unsigned reason);	/* "ringbuf", "inflight", "read" */
const char *ipcs_fd_what_name(__u16 what);	/* "memfd", "file", "socket", ... */

#endif
