/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ipcscope_rectab.h - the record-type table: for every record type of
 * ipcscope_abi.h, its sizes per ABI version and where the host-local ids
 * (pids, tids, channels, devices, cgroups) sit, as libscap's event table
 * does for its events. Every reader that needs a record's layout without
 * decoding it (decode's size checks, merge's retagging, cgroup naming)
 * reads it here, so a new record type is described once.
 *
 * This is code derived from the ABI (offsets are offsetof() its structs),
 * not ABI itself: it may change without an ABI version bump. User space only.
 */
#ifndef IPCSCOPE_RECTAB_H
#define IPCSCOPE_RECTAB_H

#include <stddef.h>
#include "ipcscope_abi.h"

/* What a field of a record holds, and so how merge tags it for another host. */
enum ipcs_field_role {
	IPCS_FLD_NONE = 0,	/* end of a record's field list */
	IPCS_FLD_PID,		/* __u32 process id (tgid), 0 = none */
	IPCS_FLD_TID,		/* __u32 thread id, 0 = none */
	IPCS_FLD_CHAN,		/* struct ipcs_chan: dev is host-local unless kind is TCP/UDP/NONE */
	IPCS_FLD_FDID,		/* struct ipcs_fdpass_fd: dev as a channel's, by its kind */
	IPCS_FLD_DEV,		/* __u32 device number of a host-local object (futex key, shm) */
	IPCS_FLD_CGROUP,	/* __u64 cgroup v2 id the record's process is in, 0 = unknown */
	IPCS_FLD_CGROUP_KEY,	/* __u64 cgroup v2 id a record names (IPCS_REC_CGROUP_NAME) */
	IPCS_FLD_ROLE_MAX
};

#define IPCS_REC_MAX_FIELDS 8
#define IPCS_REC_MAX_VERSIONS 3

struct ipcs_rec_field {
	__u8 role;		/* enum ipcs_field_role */
	__u8 count;		/* entries of an array (fdpass fds); 1 otherwise */
	__u16 off;		/* byte offset of the (first) entry in the record */
	__u16 stride;		/* bytes between array entries */
	const char *name;
};

/* A record's size as of one ABI version (a record grows by trailing fields only). */
struct ipcs_rec_version {
	__u8 major, minor;	/* the version that gave the record this size */
	__u16 size;
};

/* ipcs_rec_info.flags */
#define IPCS_RECI_CALL 0x1	/* a call its first tid (and pid) made: that thread was traced */

struct ipcs_rec_info {
	const char *name;	/* NULL: no such record type */
	unsigned flags;		/* IPCS_RECI_* */
	/* sizes, oldest first: versions[0].size is the smallest valid record,
	 * the last one this reader's struct (a larger record comes from a newer
	 * writer: its extra tail is ignored) */
	struct ipcs_rec_version versions[IPCS_REC_MAX_VERSIONS];
	/* A field is present in a record only when the record is long enough
	 * to hold it (fields added by a later version sit past an older size). */
	struct ipcs_rec_field fields[IPCS_REC_MAX_FIELDS];
};

/* Width in bytes of one entry of a field of this role. */
static inline size_t ipcs_field_width(__u8 role)
{
	switch (role) {
	case IPCS_FLD_PID: case IPCS_FLD_TID: case IPCS_FLD_DEV: return 4;
	case IPCS_FLD_CGROUP: case IPCS_FLD_CGROUP_KEY: return 8;
	case IPCS_FLD_CHAN: return sizeof(struct ipcs_chan);
	case IPCS_FLD_FDID: return sizeof(struct ipcs_fdpass_fd);
	default: return 0;
	}
}

#define IPCS_V(maj, min, sz) { maj, min, sz }
#define IPCS_F(role, type, member) { role, 1, offsetof(type, member), 0, #member }
#define IPCS_FA(role, type, member, n) \
	{ role, n, offsetof(type, member), sizeof(((type *)0)->member[0]), #member }
/* struct ipcs_sock_rec and _sys_path_rec start with a struct ipcs_sys_rec */
#define IPCS_SYS_FIELDS \
	IPCS_F(IPCS_FLD_PID, struct ipcs_sys_rec, pid), \
	IPCS_F(IPCS_FLD_TID, struct ipcs_sys_rec, tid), \
	IPCS_F(IPCS_FLD_PID, struct ipcs_sys_rec, peer_pid), \
	IPCS_F(IPCS_FLD_CHAN, struct ipcs_sys_rec, chan)

static const struct ipcs_rec_info ipcs_rec_table[IPCS_REC_TYPE_MAX] __attribute__((unused)) = {
	[IPCS_REC_SYS] = { "sys", IPCS_RECI_CALL, { IPCS_V(1, 0, sizeof(struct ipcs_sys_rec)) },
		{ IPCS_SYS_FIELDS } },
	[IPCS_REC_SYS_PATH] = { "sys_path", IPCS_RECI_CALL,
		{ IPCS_V(1, 0, sizeof(struct ipcs_sys_path_rec)) },
		{ IPCS_SYS_FIELDS } },
	[IPCS_REC_SOCK] = { "sock", IPCS_RECI_CALL, { IPCS_V(1, 0, sizeof(struct ipcs_sock_rec)) },
		/* peer is a salted kernel address, paired with the peer's chan.ino under the same dev */
		{ IPCS_SYS_FIELDS } },
	[IPCS_REC_PROC] = { "proc", 0,
		{ IPCS_V(1, 0, IPCS_PROC_REC_SIZE_1_1), IPCS_V(1, 2, sizeof(struct ipcs_proc_rec)) },
		{ IPCS_F(IPCS_FLD_PID, struct ipcs_proc_rec, pid),
		  IPCS_F(IPCS_FLD_TID, struct ipcs_proc_rec, tid),
		  IPCS_F(IPCS_FLD_PID, struct ipcs_proc_rec, ppid),
		  IPCS_F(IPCS_FLD_CGROUP, struct ipcs_proc_rec, cgroup_id) } },
	[IPCS_REC_SEED_PROC] = { "seed_proc", 0,
		{ IPCS_V(1, 0, IPCS_SEED_PROC_REC_SIZE_1_1),
		  IPCS_V(1, 2, sizeof(struct ipcs_seed_proc_rec)) },
		{ IPCS_F(IPCS_FLD_PID, struct ipcs_seed_proc_rec, pid),
		  IPCS_F(IPCS_FLD_PID, struct ipcs_seed_proc_rec, ppid),
		  IPCS_F(IPCS_FLD_CGROUP, struct ipcs_seed_proc_rec, cgroup_id) } },
	[IPCS_REC_SEED_FD] = { "seed_fd", 0, { IPCS_V(1, 0, sizeof(struct ipcs_seed_fd_rec)) },
		{ IPCS_F(IPCS_FLD_PID, struct ipcs_seed_fd_rec, pid),
		  IPCS_F(IPCS_FLD_CHAN, struct ipcs_seed_fd_rec, chan) } },
	[IPCS_REC_DROPS] = { "drops", 0, { IPCS_V(1, 0, sizeof(struct ipcs_drops_rec)) }, { { 0 } } },
	[IPCS_REC_WAIT] = { "wait", 0, { IPCS_V(1, 1, sizeof(struct ipcs_wait_rec)) },
		{ IPCS_F(IPCS_FLD_PID, struct ipcs_wait_rec, pid),
		  IPCS_F(IPCS_FLD_TID, struct ipcs_wait_rec, tid),
		  IPCS_F(IPCS_FLD_PID, struct ipcs_wait_rec, holder_pid),
		  IPCS_F(IPCS_FLD_TID, struct ipcs_wait_rec, holder_tid),
		  IPCS_F(IPCS_FLD_CHAN, struct ipcs_wait_rec, chan) } },
	[IPCS_REC_PAYLOAD] = { "payload", IPCS_RECI_CALL,
		{ IPCS_V(1, 1, sizeof(struct ipcs_payload_rec)) },
		{ IPCS_F(IPCS_FLD_PID, struct ipcs_payload_rec, pid),
		  IPCS_F(IPCS_FLD_TID, struct ipcs_payload_rec, tid),
		  IPCS_F(IPCS_FLD_CHAN, struct ipcs_payload_rec, chan) } },
	[IPCS_REC_FDPASS] = { "fdpass", IPCS_RECI_CALL, { IPCS_V(1, 1, sizeof(struct ipcs_fdpass_rec)) },
		{ IPCS_F(IPCS_FLD_PID, struct ipcs_fdpass_rec, pid),
		  IPCS_F(IPCS_FLD_TID, struct ipcs_fdpass_rec, tid),
		  IPCS_F(IPCS_FLD_PID, struct ipcs_fdpass_rec, cred_pid),
		  /* a unix socket (sock, peer: identities under this dev, as a sock record's chan) */
		  IPCS_F(IPCS_FLD_DEV, struct ipcs_fdpass_rec, sock_dev),
		  IPCS_FA(IPCS_FLD_FDID, struct ipcs_fdpass_rec, fds, IPCS_FDPASS_MAX) } },
	[IPCS_REC_CGROUP] = { "cgroup", 0, { IPCS_V(1, 2, sizeof(struct ipcs_cgroup_rec)) },
		{ IPCS_F(IPCS_FLD_PID, struct ipcs_cgroup_rec, pid),
		  IPCS_F(IPCS_FLD_TID, struct ipcs_cgroup_rec, tid),
		  IPCS_F(IPCS_FLD_CGROUP, struct ipcs_cgroup_rec, cgroup_id) } },
	[IPCS_REC_CGROUP_NAME] = { "cgroup_name", 0, { IPCS_V(1, 2, sizeof(struct ipcs_cgroup_name_rec)) },
		{ IPCS_F(IPCS_FLD_CGROUP_KEY, struct ipcs_cgroup_name_rec, cgroup_id) } },
	[IPCS_REC_FUTEX] = { "futex", IPCS_RECI_CALL,
		{ IPCS_V(1, 0, IPCS_FUTEX_REC_SIZE_1_0), IPCS_V(1, 1, sizeof(struct ipcs_futex_rec)) },
		/* key_dev is tagged whatever key_flags say: a private key has no dev
		 * and is (pid, uaddr), so the tag does no harm there */
		{ IPCS_F(IPCS_FLD_PID, struct ipcs_futex_rec, pid),
		  IPCS_F(IPCS_FLD_TID, struct ipcs_futex_rec, tid),
		  IPCS_F(IPCS_FLD_DEV, struct ipcs_futex_rec, key_dev),
		  IPCS_F(IPCS_FLD_DEV, struct ipcs_futex_rec, key2_dev) } },
	[IPCS_REC_SHM] = { "shm", IPCS_RECI_CALL, { IPCS_V(1, 0, sizeof(struct ipcs_shm_rec)) },
		{ IPCS_F(IPCS_FLD_PID, struct ipcs_shm_rec, pid),
		  IPCS_F(IPCS_FLD_TID, struct ipcs_shm_rec, tid),
		  IPCS_F(IPCS_FLD_DEV, struct ipcs_shm_rec, dev) } },
	[IPCS_REC_LOCK] = { "lock", IPCS_RECI_CALL, { IPCS_V(1, 4, sizeof(struct ipcs_lock_rec)) },
		/* key_dev as a futex record's: harmless for a private key (pid, uaddr) */
		{ IPCS_F(IPCS_FLD_PID, struct ipcs_lock_rec, pid),
		  IPCS_F(IPCS_FLD_TID, struct ipcs_lock_rec, tid),
		  IPCS_F(IPCS_FLD_DEV, struct ipcs_lock_rec, key_dev) } },
	[IPCS_REC_SIGNAL] = { "signal", 0, { IPCS_V(1, 0, sizeof(struct ipcs_signal_rec)) },
		{ IPCS_F(IPCS_FLD_PID, struct ipcs_signal_rec, pid),
		  IPCS_F(IPCS_FLD_TID, struct ipcs_signal_rec, tid),
		  IPCS_F(IPCS_FLD_PID, struct ipcs_signal_rec, rpid),
		  IPCS_F(IPCS_FLD_TID, struct ipcs_signal_rec, rtid) } },
	[IPCS_REC_PEER] = { "peer", 0, { IPCS_V(1, 4, sizeof(struct ipcs_peer_rec)) },
		{ IPCS_F(IPCS_FLD_PID, struct ipcs_peer_rec, pid),
		  IPCS_F(IPCS_FLD_PID, struct ipcs_peer_rec, ppid),
		  IPCS_F(IPCS_FLD_CGROUP, struct ipcs_peer_rec, cgroup_id),
		  IPCS_F(IPCS_FLD_CHAN, struct ipcs_peer_rec, chan) } },
	[IPCS_REC_CMDLINE] = { "cmdline", 0, { IPCS_V(1, 4, sizeof(struct ipcs_cmdline_rec)) },
		{ IPCS_F(IPCS_FLD_PID, struct ipcs_cmdline_rec, pid) } },
	[IPCS_REC_SHM_NAME] = { "shm_name", 0, { IPCS_V(1, 4, sizeof(struct ipcs_shm_name_rec)) },
		{ IPCS_F(IPCS_FLD_PID, struct ipcs_shm_name_rec, pid),
		  IPCS_F(IPCS_FLD_DEV, struct ipcs_shm_name_rec, dev) } },
};

#undef IPCS_SYS_FIELDS
#undef IPCS_FA
#undef IPCS_F
#undef IPCS_V

/* The table's entry for type, or NULL for a type this reader does not know. */
static inline const struct ipcs_rec_info *ipcs_rec_lookup(__u16 type)
{
	return type < IPCS_REC_TYPE_MAX && ipcs_rec_table[type].name ? &ipcs_rec_table[type] : NULL;
}

/* Smallest valid size of a known record type; this reader's full size. */
static inline size_t ipcs_rec_min_size(const struct ipcs_rec_info *ri)
{
	return ri->versions[0].size;
}

static inline size_t ipcs_rec_full_size(const struct ipcs_rec_info *ri)
{
	size_t n = 0;

	for (unsigned i = 0; i < IPCS_REC_MAX_VERSIONS && ri->versions[i].size; i++)
		n = ri->versions[i].size;
	return n;
}

/* Every field of a record type: IPCS_REC_FOREACH_FIELD(f, ri) { f->role ... } */
#define IPCS_REC_FOREACH_FIELD(f, ri) \
	for (const struct ipcs_rec_field *f = (ri)->fields; \
	     f < (ri)->fields + IPCS_REC_MAX_FIELDS && f->role; f++)

/* Whether entry i of field f lies inside a record of size bytes. */
static inline int ipcs_field_present(const struct ipcs_rec_field *f, unsigned i, size_t size)
{
	return (size_t)f->off + (size_t)i * f->stride + ipcs_field_width(f->role) <= size;
}

#endif /* IPCSCOPE_RECTAB_H */
