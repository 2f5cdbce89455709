/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ipcscope_abi.h - the whole ABI between the BPF probes, user space and the
 * recording file. Fixed-width types only; every record starts with
 * struct ipcs_rec_hdr (type + size). Any change to this file must bump
 * IPCS_ABI_MINOR (compatible: new record types, new enum values, new trailing
 * fields) or IPCS_ABI_MAJOR (incompatible), and update tests/abi.sha256:
 * `make check` fails otherwise. Where each record type's pids, tids,
 * channels, devices and cgroups sit, and its size per version, is told once,
 * in the record table next to this file (ipcscope_rectab.h, user space).
 */
#ifndef IPCSCOPE_ABI_H
#define IPCSCOPE_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define IPCS_ABI_MAJOR 1
#define IPCS_ABI_MINOR 4

#define IPCS_COMM_LEN 16
#define IPCS_PATH_MAX 256

/* ---- records: ring buffer samples, and the payload of event blocks ---- */

enum ipcs_rec_type {
	IPCS_REC_SYS = 1,	/* a traced syscall returned: struct ipcs_sys_rec */
	IPCS_REC_SYS_PATH = 2,	/* same, plus a path: struct ipcs_sys_path_rec */
	IPCS_REC_PROC = 3,	/* fork / exec / exit: struct ipcs_proc_rec */
	IPCS_REC_SEED_PROC = 4,	/* process alive at start: struct ipcs_seed_proc_rec */
	IPCS_REC_SEED_FD = 5,	/* fd open at start: struct ipcs_seed_fd_rec */
	IPCS_REC_DROPS = 6,	/* cumulative drop counters: struct ipcs_drops_rec */
	IPCS_REC_WAIT = 8,	/* a thread blocked longer than a threshold: struct ipcs_wait_rec (1.1) */
	IPCS_REC_PAYLOAD = 7,	/* first bytes of a data call (--capture): struct ipcs_payload_rec */
	IPCS_REC_SOCK = 10,	/* a syscall on a unix socket: struct ipcs_sock_rec */
	IPCS_REC_FDPASS = 11,	/* SCM_RIGHTS / SCM_CREDENTIALS sent or received: struct ipcs_fdpass_rec */
	IPCS_REC_CGROUP = 12,	/* a process moved to another cgroup v2: struct ipcs_cgroup_rec (1.2) */
	IPCS_REC_CGROUP_NAME = 13,	/* a cgroup id's path (user space): struct ipcs_cgroup_name_rec (1.2) */
	/* an untraced process holds the other end of a traced socket or pipe (user space) */
	IPCS_REC_PEER = 14,	/* struct ipcs_peer_rec (1.4) */
	/* 10..19 sockets, 20..29 futex and shared memory, 30..39 signals and others */
	IPCS_REC_SIGNAL = 30,	/* a signal generated or delivered: struct ipcs_signal_rec */
	IPCS_REC_FUTEX = 20,	/* a futex call returned: struct ipcs_futex_rec */
	IPCS_REC_SHM = 21,	/* a shared-memory call returned: struct ipcs_shm_rec */
	IPCS_REC_SHM_NAME = 22,	/* a shmem segment's path (user space): struct ipcs_shm_name_rec (1.4) */
	IPCS_REC_CMDLINE = 31,	/* a process's command line (user space): struct ipcs_cmdline_rec (1.4) */
	IPCS_REC_LOCK = 23,	/* a libc lock call seen by the uprobes (--locks): struct ipcs_lock_rec (1.4) */
	IPCS_REC_TYPE_MAX = 40
};

/* Every record is a multiple of 8 bytes; size counts the header. */
struct ipcs_rec_hdr {
	__u16 type;	/* enum ipcs_rec_type */
	__u16 size;	/* bytes, including this header */
	__u32 cpu;
	__u64 ts_ns;	/* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
};

enum ipcs_chan_kind {
	IPCS_KIND_NONE = 0,	/* not an IPC object ipcscope follows */
	IPCS_KIND_PIPE = 1,	/* anonymous pipe (pipefs) */
	IPCS_KIND_FIFO = 2,	/* named pipe on a filesystem */
	IPCS_KIND_UNIX_STREAM = 3,
	IPCS_KIND_UNIX_DGRAM = 4,
	IPCS_KIND_UNIX_SEQPACKET = 5,
	IPCS_KIND_TCP = 6,
	IPCS_KIND_UDP = 7,
	IPCS_KIND_SHM = 8,
	IPCS_KIND_FUTEX = 9,
	IPCS_KIND_MQ = 10,
	IPCS_KIND_SIGNAL = 11,
	IPCS_KIND_PTY = 12,
	IPCS_KIND_EVENTFD = 13,
	IPCS_KIND_MAX
};

/* f_mode bits copied from the kernel's struct file: which end an fd is. */
#define IPCS_FMODE_READ  0x1
#define IPCS_FMODE_WRITE 0x2
#define IPCS_FMODE_PTY_MASTER 0x4	/* kind pty: this fd is the master end (else a slave) */

/* Identity of a channel: the same object seen from any process. */
struct ipcs_chan {
	__u64 ino;	/* inode number */
	__u32 dev;	/* superblock s_dev (kernel encoding) */
	__u16 kind;	/* enum ipcs_chan_kind */
	__u16 fmode;	/* IPCS_FMODE_* of the fd this event used */
};

/* Syscalls by ipcscope's own numbers, so recordings are arch-neutral. */
enum ipcs_sys {
	IPCS_SYS_NONE = 0,
	IPCS_SYS_PIPE = 1,
	IPCS_SYS_PIPE2 = 2,
	IPCS_SYS_READ = 3,
	IPCS_SYS_WRITE = 4,
	IPCS_SYS_READV = 5,
	IPCS_SYS_WRITEV = 6,
	IPCS_SYS_CLOSE = 7,
	IPCS_SYS_DUP = 8,
	IPCS_SYS_DUP2 = 9,
	IPCS_SYS_DUP3 = 10,
	IPCS_SYS_OPENAT = 11,
	IPCS_SYS_OPEN = 12,
	IPCS_SYS_MKNODAT = 13,
	IPCS_SYS_MKNOD = 14,
	IPCS_SYS_FCNTL = 15,		/* F_DUPFD / F_DUPFD_CLOEXEC only */
	IPCS_SYS_CLOSE_RANGE = 16,
	IPCS_SYS_SENDTO = 20,		/* also send() */
	IPCS_SYS_RECVFROM = 21,		/* also recv() */
	IPCS_SYS_SENDMSG = 22,
	IPCS_SYS_RECVMSG = 23,
	IPCS_SYS_SOCKET = 24,		/* fd = ret, arg = domain */
	IPCS_SYS_SOCKETPAIR = 25,	/* fd, fd2 = the two ends; chan = fd's */
	IPCS_SYS_CONNECT = 26,
	IPCS_SYS_ACCEPT = 27,		/* fd = listener, fd2 = new fd; chan = new socket's */
	IPCS_SYS_ACCEPT4 = 28,
	IPCS_SYS_BIND = 29,
	IPCS_SYS_LISTEN = 30,		/* arg = backlog */
	IPCS_SYS_SHUTDOWN = 31,		/* arg = how */
	/* 20..49 sockets, 50..69 futex and shared memory, 70..99 signals, mq, eventfd, pty, splice */
	IPCS_SYS_EVENTFD = 70,		/* fd = ret, arg = initval; chan = the new eventfd */
	IPCS_SYS_EVENTFD2 = 71,		/* as eventfd; flags CLOEXEC from EFD_CLOEXEC */
	IPCS_SYS_MQ_OPEN = 72,		/* fd = ret, arg = oflag, path = name as passed */
	IPCS_SYS_MQ_UNLINK = 73,	/* path = name; chan NONE */
	IPCS_SYS_MQ_TIMEDSEND = 74,	/* fd, arg = msg_len, fd2 = priority, ret 0 or -errno */
	IPCS_SYS_MQ_TIMEDRECEIVE = 75,	/* fd, arg = buffer size, ret = msg length, fd2 = priority (-1 unknown) */
	IPCS_SYS_MQ_NOTIFY = 76,	/* fd, arg = 1 register, 0 unregister */
	/* One record per followed side: fd = that side, fd2 = the other, ret = bytes moved,
	 * flags IPCS_SYSF_OUT when bytes went into fd's channel (else out of it). */
	IPCS_SYS_SPLICE = 80,		/* arg = len asked */
	IPCS_SYS_TEE = 81,		/* the destination side only: tee copies, consumes nothing */
	IPCS_SYS_VMSPLICE = 82,		/* arg = iovec count; OUT when fd is a write end */
	IPCS_SYS_SENDFILE = 83,		/* arg = count asked */
	IPCS_SYS_FUTEX = 50,		/* futex(2): struct ipcs_futex_rec */
	IPCS_SYS_FUTEX_WAKE = 51,	/* futex_wake(2): op = FUTEX_WAKE_BITSET (+ private flag) */
	IPCS_SYS_FUTEX_WAIT = 52,	/* futex_wait(2): op = FUTEX_WAIT_BITSET (+ private flag) */
	IPCS_SYS_SHMGET = 53,		/* struct ipcs_shm_rec from here to MUNMAP */
	IPCS_SYS_SHMAT = 54,
	IPCS_SYS_SHMDT = 55,
	IPCS_SYS_SHMCTL = 56,		/* IPC_RMID only */
	IPCS_SYS_MMAP = 57,		/* MAP_SHARED of shmem (POSIX shm, memfd, shared anonymous) */
	IPCS_SYS_MUNMAP = 58,		/* of such a mapping */
	IPCS_SYS_FUTEX_WAITV = 59,	/* futex_waitv(2): the futex that woke it, ret = its index */
	IPCS_SYS_MEMFD_CREATE = 60,	/* sys_path_rec: fd = ret, arg = flags, path = name,
					   chan = kind SHM (dev, ino of the memfd) */
	IPCS_SYS_MAX = 100
};

/* ipcs_sys_rec.flags */
#define IPCS_SYSF_CLOEXEC 0x1	/* the fd(s) created carry O_CLOEXEC */
#define IPCS_SYSF_OUT 0x2	/* splice family: bytes went into fd's channel */
/* 1.4: made by an io_uring request, not a syscall: pid/tid = the submitter
 * (a SQPOLL ring's owner), ret = the completion's res, blocked_ns = submit
 * -> completion, fd = -1 for a fixed (registered) file; also in
 * ipcs_sock_rec.s.flags */
#define IPCS_SYSF_URING 0x4

/*
 * A syscall on an IPC object, emitted at sys_exit.
 *   read/write/readv/writev: fd, ret = bytes or -errno, arg = count asked
 *     (iovec count for readv/writev); on an eventfd, a read/write returning
 *     8 has arg = the counter value moved (read from the user buffer)
 *   pipe/pipe2: fd = read end, fd2 = write end, arg = flags
 *   close: fd; dup*: fd = old fd, fd2 = new fd; chan is the old fd's, or
 *     kind NONE when only the new fd (now closed and replaced) was followed
 *   fcntl F_DUPFD*: as dup, arg = cmd; close_range: fd = first, fd2 = last,
 *     arg = flags, chan NONE
 *   open/openat (of a followed kind): fd = ret, arg = open flags, path in sys_path_rec
 *   mknod/mknodat (S_IFIFO only): arg = mode, path in sys_path_rec
 */
struct ipcs_sys_rec {
	struct ipcs_rec_hdr h;
	__u32 pid;		/* tgid */
	__u32 tid;
	__u16 sys;		/* enum ipcs_sys */
	__u16 flags;		/* IPCS_SYSF_* */
	__u32 peer_pid;		/* 1.4, IPCS_REC_SOCK on a connected unix socket: the peer's process
				   at connect() (SO_PEERCRED), on a socket's first record; else 0 */
	__s64 ret;
	__u64 blocked_ns;	/* sys_enter -> sys_exit */
	__s32 fd;
	__s32 fd2;
	__u64 arg;
	struct ipcs_chan chan;
	char comm[IPCS_COMM_LEN];
};

struct ipcs_sys_path_rec {
	struct ipcs_sys_rec s;
	char path[IPCS_PATH_MAX];	/* NUL-terminated, as the process passed it */
};

/*
 * A data syscall on a unix socket (read, write, readv, writev, send and recv calls).
 * For sockets chan.ino is the socket's kernel identity (its struct sock
 * address XOR a per-recording salt, top bit set), not its inode, so that
 * the peer can be named before accept(): the bytes written on one socket are
 * read from its peer. sendto: fd2 = addrlen; sendto/recvfrom: arg = length;
 * sendmsg/recvmsg: arg = flags.
 */
struct ipcs_sock_rec {
	struct ipcs_sys_rec s;
	__u64 peer;		/* peer's identity (chan.ino of the other end), 0 = none */
	__u64 sock_ino;		/* this socket's inode */
	__u64 peer_ino;		/* peer socket's inode, 0 until accepted */
	__u16 family;		/* AF_UNIX, AF_INET, AF_INET6 */
	__u16 type;		/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	__u16 addr_len;		/* valid bytes of addr (sun_path; abstract starts with NUL) */
	__u16 flags;		/* IPCS_SOCKF_*: whose address addr is */
	char addr[112];		/* this socket's bound address, unless flags say otherwise */
};

#define IPCS_SOCKF_PEER_ADDR 0x1	/* addr: the peer's (this socket is unbound) */
#define IPCS_SOCKF_DEST      0x2	/* addr: the destination passed to sendto/sendmsg */
/* addr: TCP/UDP endpoints: local address [0,16), remote [16,32) (IPv4 in the
 * first 4 bytes), local port [32,34) host order, remote port [34,36) network order */
#define IPCS_SOCKF_INET      0x4
/* INET | DEST: an unconnected socket's sendto/sendmsg named a destination;
 * it is the remote end in addr (the socket itself has none). */

/* What a passed fd is (ipcs_fdpass_fd.what). */
enum ipcs_fd_what {
	IPCS_FDW_OTHER = 0,
	IPCS_FDW_CHAN = 1,	/* a channel ipcscope follows: kind says which */
	IPCS_FDW_MEMFD = 2,	/* memfd_create: kind SHM, name "memfd:NAME" */
	IPCS_FDW_SHMFILE = 3,	/* another file on tmpfs (/dev/shm): kind SHM */
	IPCS_FDW_FILE = 4,	/* a regular file; name is its base name */
	IPCS_FDW_DIR = 5,
	IPCS_FDW_DEV = 6,	/* a character or block device */
	IPCS_FDW_ANON = 7,	/* an anon inode: name "[eventpoll]", "[timerfd]", "[pidfd]" ... */
	IPCS_FDW_SOCKET = 8,	/* a socket ipcscope does not follow (netlink, packet ...) */
	IPCS_FDW_MAX = 9,
};

#define IPCS_FDPASS_MAX 8	/* fds described per record; more set IPCS_FDPF_MORE */
#define IPCS_FDPASS_NAME 32

/* One fd carried by SCM_RIGHTS, resolved in the process that holds it. */
struct ipcs_fdpass_fd {
	__u64 ino;		/* as ipcs_chan.ino for followed kinds (socket identity ...),
				   else the inode number */
	__u32 dev;
	__s32 fd;		/* sendmsg: the sender's fd; recvmsg: the new fd */
	__u16 kind;		/* enum ipcs_chan_kind, NONE when not followed */
	__u16 fmode;		/* IPCS_FMODE_* */
	__u16 what;		/* enum ipcs_fd_what */
	__u16 _pad;
	char name[IPCS_FDPASS_NAME];	/* dentry name, NUL-terminated, may be cut */
};

/* ipcs_fdpass_rec.flags */
#define IPCS_FDPF_RIGHTS 0x1	/* an SCM_RIGHTS message was found */
#define IPCS_FDPF_CREDS 0x2	/* SCM_CREDENTIALS: cred_* are valid */
#define IPCS_FDPF_MORE 0x4	/* more fds or control messages than described */
#define IPCS_FDPF_CLOEXEC 0x8	/* recvmsg with MSG_CMSG_CLOEXEC */

/*
 * Ancillary data of a sendmsg / recvmsg on a unix socket that succeeded,
 * emitted after its IPCS_REC_SOCK. A send and the receive that took it carry
 * the same fd identities (ino, dev, kind): that pairs them.
 */
struct ipcs_fdpass_rec {
	struct ipcs_rec_hdr h;
	__u32 pid;		/* tgid */
	__u32 tid;
	__u16 sys;		/* IPCS_SYS_SENDMSG or IPCS_SYS_RECVMSG */
	__u16 flags;		/* IPCS_FDPF_* */
	__s32 sock_fd;
	__u64 sock;		/* the socket's identity (chan.ino of its IPCS_REC_SOCK) */
	__u64 peer;		/* its peer's identity, 0 = none */
	__u32 sock_dev;
	__u16 nfds;		/* valid entries of fds */
	__u16 _pad;
	__u32 cred_pid;		/* SCM_CREDENTIALS */
	__u32 cred_uid;
	__u32 cred_gid;
	__u32 _pad2;
	char comm[IPCS_COMM_LEN];
	struct ipcs_fdpass_fd fds[IPCS_FDPASS_MAX];
};

#define IPCS_PAYLOAD_MAX 256	/* --capture N: N <= this */

/* ipcs_payload_rec.flags */
#define IPCS_PAYF_OUT 0x1	/* bytes went into the channel (write, send), else out of it */

/*
 * The first bytes a data call (read, write, readv, writev, send*, recv*) moved
 * on a pipe, FIFO or socket, captured at sys_exit with --capture N. Emitted
 * right after the call's IPCS_REC_SYS / IPCS_REC_SOCK record, with the same
 * h.ts_ns, pid and tid: (tid, ts_ns) names the call. readv/writev and
 * sendmsg/recvmsg: from the first iovec only. Fixed size: the ring buffer
 * reservation is a constant; data past cap_len is zero.
 */
struct ipcs_payload_rec {
	struct ipcs_rec_hdr h;
	__u32 pid;		/* tgid */
	__u32 tid;
	__u16 sys;		/* enum ipcs_sys */
	__u16 flags;		/* IPCS_PAYF_* */
	__u32 len;		/* bytes the call moved (its return value, capped at 4 GiB - 1) */
	__u32 cap_len;		/* bytes of data[] captured: <= len, <= IPCS_PAYLOAD_MAX */
	__u32 _pad;
	struct ipcs_chan chan;
	__u8 data[IPCS_PAYLOAD_MAX];
};

enum ipcs_proc_op {
	IPCS_PROC_FORK = 1,	/* pid = child tgid, ppid = parent tgid */
	IPCS_PROC_EXEC = 2,	/* pid execs; comm is the new name */
	IPCS_PROC_EXIT = 3,	/* the whole process (thread group) is gone */
};

/* futex(2) operations (low bits of op) and flags, as in linux/futex.h. */
#define IPCS_FUTEX_WAIT 0
#define IPCS_FUTEX_WAKE 1
#define IPCS_FUTEX_REQUEUE 3
#define IPCS_FUTEX_CMP_REQUEUE 4
#define IPCS_FUTEX_WAKE_OP 5
#define IPCS_FUTEX_LOCK_PI 6
#define IPCS_FUTEX_UNLOCK_PI 7
#define IPCS_FUTEX_TRYLOCK_PI 8
#define IPCS_FUTEX_WAIT_BITSET 9
#define IPCS_FUTEX_WAKE_BITSET 10
#define IPCS_FUTEX_WAIT_REQUEUE_PI 11
#define IPCS_FUTEX_CMP_REQUEUE_PI 12
#define IPCS_FUTEX_LOCK_PI2 13
#define IPCS_FUTEX_CMD_MASK 0x7f
#define IPCS_FUTEX_PRIVATE_FLAG 128
#define IPCS_FUTEX_CLOCK_REALTIME 256

/* ipcs_futex_rec.key_flags */
#define IPCS_FKEY_SHARED 0x1	/* key = (key_dev, key_ino, key_off): a file or shm page */
#define IPCS_FKEY_WORD 0x2	/* word and owner_hint were read at enter */

/*
 * A futex call, emitted at sys_exit. The key names the futex as the kernel
 * does: private (pid, uaddr) or shared (inode, byte offset in the file), so
 * the same futex mapped at two addresses in two processes has one key.
 *   ret: woken count for wakes, 0 / -errno for waits
 *   word: the futex word at enter (waits, LOCK_PI, TRYLOCK_PI, UNLOCK_PI);
 *   for PI ops its low 30 bits are the owner's TID (IPCS_FUTEX_TID_MASK);
 *   owner_hint: the u32 at uaddr + 8 (pthread_mutex_t.__owner for a glibc
 *   mutex; a hint, not a fact); for UNLOCK_PI: the lock word at exit (the
 *   TID of the waiter the kernel handed the lock to, 0 when none took it)
 */
struct ipcs_futex_rec {
	struct ipcs_rec_hdr h;
	__u32 pid;		/* tgid */
	__u32 tid;
	__u16 sys;		/* IPCS_SYS_FUTEX* */
	__u16 key_flags;	/* IPCS_FKEY_* */
	__u32 op;		/* futex op, flags included */
	__s64 ret;
	__u64 blocked_ns;	/* sys_enter -> sys_exit */
	__u64 uaddr;
	__u32 val;
	__u32 word;
	__u32 owner_hint;
	__u32 key_dev;		/* shared: superblock s_dev */
	__u64 key_ino;		/* shared: inode number, or bit 63 + the inode's sequence
				   number when it has none (SysV shm); private: 0 */
	__u64 key_off;		/* shared: byte offset in the file; private: uaddr */
	char comm[IPCS_COMM_LEN];
	/* 1.1: the second futex of REQUEUE, CMP_REQUEUE, CMP_REQUEUE_PI and
	 * WAKE_OP (uaddr2), keyed as the first; all 0 for other ops. A 1.0
	 * record ends before these fields. */
	__u64 uaddr2;
	__u64 key2_ino;
	__u64 key2_off;
	__u32 key2_dev;
	__u16 key2_flags;	/* IPCS_FKEY_SHARED */
	__u16 flags;		/* 1.4: IPCS_SYSF_URING (IORING_OP_FUTEX_WAIT/WAKE); was padding */
};

/*
 * A libc lock call seen by the uprobes (--locks, ABI 1.4): pthread mutexes,
 * rwlocks, semaphores, and the mutex a condition wait releases and retakes.
 * The lock is named by the futex key of its address (as ipcs_futex_rec):
 * a process-shared lock in shared memory is one lock in every process.
 *   ATTEMPT: a call that may block began (not for try* calls);
 *   ACQUIRED: it returned holding the lock (stack: where it was taken);
 *   FAILED: it returned without (timeout, EBUSY, EAGAIN, EDEADLK...);
 *   RELEASED: unlock / sem_post / a condition wait, at entry (before anyone
 *   else can take it).
 * ret: the call's return value (ACQUIRED, FAILED); word: the lock's first
 * 32 bits at the event (a semaphore's count).
 */
enum ipcs_lock_kind {
	IPCS_LOCKK_MUTEX = 1,
	IPCS_LOCKK_RWLOCK = 2,
	IPCS_LOCKK_SEM = 3,
	IPCS_LOCKK_MAX
};

enum ipcs_lock_phase {
	IPCS_LOCKP_ATTEMPT = 1,
	IPCS_LOCKP_ACQUIRED = 2,
	IPCS_LOCKP_FAILED = 3,
	IPCS_LOCKP_RELEASED = 4,
	IPCS_LOCKP_MAX
};

/* The libc function (also the uprobe's cookie). */
enum ipcs_lock_fn {
	IPCS_LOCKF_MUTEX_LOCK = 1,
	IPCS_LOCKF_MUTEX_TRYLOCK,
	IPCS_LOCKF_MUTEX_TIMEDLOCK,
	IPCS_LOCKF_MUTEX_CLOCKLOCK,
	IPCS_LOCKF_MUTEX_UNLOCK,
	IPCS_LOCKF_RW_RDLOCK,
	IPCS_LOCKF_RW_TRYRDLOCK,
	IPCS_LOCKF_RW_TIMEDRDLOCK,
	IPCS_LOCKF_RW_CLOCKRDLOCK,
	IPCS_LOCKF_RW_WRLOCK,
	IPCS_LOCKF_RW_TRYWRLOCK,
	IPCS_LOCKF_RW_TIMEDWRLOCK,
	IPCS_LOCKF_RW_CLOCKWRLOCK,
	IPCS_LOCKF_RW_UNLOCK,
	IPCS_LOCKF_SEM_WAIT,
	IPCS_LOCKF_SEM_TRYWAIT,
	IPCS_LOCKF_SEM_TIMEDWAIT,
	IPCS_LOCKF_SEM_CLOCKWAIT,
	IPCS_LOCKF_SEM_POST,
	IPCS_LOCKF_COND_WAIT,		/* the mutex (second argument) */
	IPCS_LOCKF_COND_TIMEDWAIT,
	IPCS_LOCKF_COND_CLOCKWAIT,
	IPCS_LOCKF_MAX
};

#define IPCS_LOCK_STACK 12	/* user frames kept (BPF walk: stops early without frame pointers) */

struct ipcs_lock_rec {
	struct ipcs_rec_hdr h;
	__u32 pid;		/* tgid */
	__u32 tid;
	__u8 kind;		/* enum ipcs_lock_kind */
	__u8 phase;		/* enum ipcs_lock_phase */
	__u8 fn;		/* enum ipcs_lock_fn */
	__u8 nstack;		/* frames in stack[] (ACQUIRED) */
	__s32 ret;
	__u64 uaddr;		/* the lock's address in pid */
	__u64 key_ino;		/* futex key, as ipcs_futex_rec */
	__u64 key_off;
	__u32 key_dev;
	__u16 key_flags;	/* IPCS_FKEY_SHARED */
	__u16 _pad;
	__u32 word;
	__u32 _pad2;
	__u64 wait_ns;		/* ACQUIRED, FAILED: since the call began */
	char comm[IPCS_COMM_LEN];
	__u64 stack[IPCS_LOCK_STACK];	/* return addresses, innermost first */
};

#define IPCS_FUTEX_REC_SIZE_1_0 104	/* ipcs_futex_rec before uaddr2 */
/* The lock word of a PI futex (futex(2)): owner TID and flag bits. */
#define IPCS_FUTEX_WAITERS 0x80000000u
#define IPCS_FUTEX_OWNER_DIED 0x40000000u
#define IPCS_FUTEX_TID_MASK 0x3fffffffu

/*
 * A call on shared memory (shmem: POSIX shm under /dev/shm, memfd, SysV shm,
 * MAP_SHARED|MAP_ANONYMOUS), emitted at sys_exit. The segment is named by its
 * inode (dev, ino), the same key as a shared futex living in it.
 *   shmget: id = ret = shmid, key = IPC key, len = size asked, ino 0
 *   shmat / mmap: ret = address, len = mapping size, pgoff = page offset
 *     in the segment; id = shmid / fd
 *   shmdt / munmap: addr, len = bytes unmapped (the whole vma for shmdt)
 *   shmctl(IPC_RMID): id = shmid
 */
struct ipcs_shm_rec {
	struct ipcs_rec_hdr h;
	__u32 pid;		/* tgid */
	__u32 tid;
	__u16 sys;		/* IPCS_SYS_SHM* / MMAP / MUNMAP */
	__u16 _pad;
	__s32 id;		/* shmid or fd */
	__s64 ret;
	__u64 addr;
	__u64 len;
	__u64 pgoff;
	__u64 key;		/* shmget: IPC key */
	__u64 ino;		/* segment inode; 0 when unknown */
	__u32 dev;
	__u32 _pad2;
	char comm[IPCS_COMM_LEN];
};

struct ipcs_proc_rec {
	struct ipcs_rec_hdr h;
	__u32 pid;
	__u32 tid;
	__u32 ppid;
	__u16 op;		/* enum ipcs_proc_op */
	__u16 _pad;
	__s32 exit_code;	/* EXIT: wait status as in waitpid() */
	__u32 _pad2;
	__u64 start_ns;		/* process start, CLOCK_BOOTTIME: (pid, start_ns) names a process */
	char comm[IPCS_COMM_LEN];
	/* 1.2: the process's cgroup v2 (kernfs id = the directory's inode
	 * number; fork: the child's), 0 = unknown. A 1.0/1.1 record ends here. */
	__u64 cgroup_id;
};

#define IPCS_PROC_REC_SIZE_1_1 64	/* ipcs_proc_rec before cgroup_id */

/* Process alive when tracing started (user space, from /proc). */
struct ipcs_seed_proc_rec {
	struct ipcs_rec_hdr h;
	__u32 pid;
	__u32 ppid;
	__u64 start_ns;		/* CLOCK_BOOTTIME, from /proc/PID/stat (tick precision) */
	char comm[IPCS_COMM_LEN];
	__u64 cgroup_id;	/* 1.2: as ipcs_proc_rec.cgroup_id, from /proc/PID/cgroup; 0 unknown */
};

#define IPCS_SEED_PROC_REC_SIZE_1_1 48	/* ipcs_seed_proc_rec before cgroup_id */

/*
 * A process (pid, or thread tid alone in threaded cgroups) was moved to the
 * cgroup v2 cgroup_id (tp cgroup_attach_task: a write to cgroup.procs,
 * systemd, container runtimes). h.ts_ns = after the move. (1.2)
 */
struct ipcs_cgroup_rec {
	struct ipcs_rec_hdr h;
	__u32 pid;		/* tgid of the task moved */
	__u32 tid;
	__u64 cgroup_id;	/* where it is now */
	__u32 threadgroup;	/* 1: the whole process moved */
	__u32 _pad;
	char comm[IPCS_COMM_LEN];
};

/*
 * The path of a cgroup v2 id below the cgroup2 mount, as /proc/PID/cgroup
 * says it ("/system.slice/docker-abc.scope", "/" for the root), written by
 * user space into the stream before the first record that carries the id,
 * so a recording names its cgroups wherever it is replayed. A later record
 * for the same id replaces the name. (1.2)
 */
struct ipcs_cgroup_name_rec {
	struct ipcs_rec_hdr h;
	__u64 cgroup_id;
	char path[IPCS_PATH_MAX];	/* NUL-terminated; may be cut */
};

/* ---- process titles and segment names (1.4): user space, from /proc ---- */

#define IPCS_CMDLINE_MAX 256

/* ipcs_cmdline_rec.flags */
#define IPCS_CMDF_CUT 0x1	/* /proc/PID/cmdline was longer than IPCS_CMDLINE_MAX */

/*
 * A process's command line as /proc/PID/cmdline gives it (arguments
 * separated by NULs; len bytes valid, the rest zero), read by user space at
 * seed time, after exec, and again while the process lives, since programs
 * rewrite it in place (PostgreSQL, nginx: no syscall says so). Written when
 * it changed; the last one is the process's title. (1.4)
 */
struct ipcs_cmdline_rec {
	struct ipcs_rec_hdr h;
	__u32 pid;
	__u16 len;		/* valid bytes of cmdline, <= IPCS_CMDLINE_MAX */
	__u16 flags;		/* IPCS_CMDF_* */
	__u64 start_ns;		/* process start (CLOCK_BOOTTIME, as ipcs_proc_rec); 0: the
				   pid's current process */
	char cmdline[IPCS_CMDLINE_MAX];
};

/*
 * The path of a shmem segment (dev, ino as ipcs_shm_rec and shared futex
 * keys carry them): "/dev/shm/NAME" for POSIX shm, "memfd:NAME" for a
 * memfd, found by user space in a mapper's /proc/PID/maps and written before
 * the first record that names the segment. (1.4)
 */
struct ipcs_shm_name_rec {
	struct ipcs_rec_hdr h;
	__u64 ino;
	__u32 dev;
	__u32 pid;		/* the mapper whose maps named it */
	char path[IPCS_PATH_MAX];	/* NUL-terminated; may be cut */
};

/* ipcs_seed_fd_rec.flags, besides IPCS_SYSF_CLOEXEC */
#define IPCS_SEEDF_SOCK_INODE 0x100	/* a socket: chan.ino is its inode (its kernel identity
					   is not in /proc), path its name; since 1.1 */

/* An IPC fd open when tracing started (user space, from /proc/PID/fd). */
struct ipcs_seed_fd_rec {
	struct ipcs_rec_hdr h;
	__u32 pid;
	__s32 fd;
	struct ipcs_chan chan;
	__u32 flags;		/* IPCS_SYSF_CLOEXEC */
	__u32 _pad;
	char path[IPCS_PATH_MAX];	/* FIFO path or "" */
};

/*
 * The other end of a traced process's socket or pipe is held by a process
 * that is not traced (user space: the peer inode or the loopback 4-tuple ->
 * the socket inode, or the pipe inode -> /proc/PID/fd), written before the
 * first record that meets that end. Its receive queue is chan as the probes
 * key it: a unix socket's identity, for TCP (chan.ino = its inode) the end
 * addr names, a pipe's inode (chan.fmode: the end held, read or write). The
 * model delivers what the traced side sends to it at once, and takes what
 * the traced side receives from it as its messages. (1.4)
 */
struct ipcs_peer_rec {
	struct ipcs_rec_hdr h;
	__u32 pid;		/* the holder; 0: none found (the end is still not traced) */
	__s32 fd;		/* its fd on the socket, -1 unknown */
	__u32 ppid;
	__u32 flags;		/* 0 (reserved) */
	__u64 start_ns;		/* CLOCK_BOOTTIME, from /proc/PID/stat (tick precision) */
	__u64 cgroup_id;	/* 0: unknown */
	struct ipcs_chan chan;	/* the end held (kind, dev, identity) */
	__u64 sock_ino;		/* a socket's inode (0 for a pipe) */
	__u16 family;		/* AF_UNIX, AF_INET, AF_INET6 */
	__u16 addr_len;		/* 36 for TCP/UDP, else 0 */
	__u32 _pad;
	char addr[40];		/* TCP/UDP: this end's local and remote as ipcs_sock_rec (IPCS_SOCKF_INET) */
	char comm[IPCS_COMM_LEN];
};

enum ipcs_signal_op {
	IPCS_SIG_GENERATE = 1,	/* tp signal_generate: sender = current */
	IPCS_SIG_DELIVER = 2,	/* tp signal_deliver: receiver = current */
};

/* ipcs_signal_rec.result for GENERATE: the kernel's TRACE_SIGNAL_* */
enum ipcs_sig_result {
	IPCS_SIGR_DELIVERED = 0,
	IPCS_SIGR_IGNORED = 1,
	IPCS_SIGR_ALREADY_PENDING = 2,
	IPCS_SIGR_OVERFLOW_FAIL = 3,
	IPCS_SIGR_LOSE_INFO = 4,
	IPCS_SIGR_MAX = 5,
};

/* ipcs_signal_rec.disp for DELIVER: the handler the signal runs */
enum ipcs_sig_disp {
	IPCS_SIGD_DEFAULT = 0,	/* SIG_DFL */
	IPCS_SIGD_IGNORE = 1,	/* SIG_IGN */
	IPCS_SIGD_HANDLER = 2,	/* a user handler (its address is not kept) */
};

/*
 * A signal. GENERATE: pid/tid/comm = sender (current; for kernel-made
 * signals such as SIGPIPE or SIGCHLD, the process in whose context it was
 * made), rpid/rtid/rcomm = the target task. DELIVER: rpid/rtid/rcomm =
 * the receiver (current), pid = si_pid from the siginfo (0 when the
 * signal carries none), comm empty.
 */
struct ipcs_signal_rec {
	struct ipcs_rec_hdr h;
	__u32 pid;
	__u32 tid;
	__u32 rpid;
	__u32 rtid;
	__s32 sig;
	__s32 result;		/* GENERATE: enum ipcs_sig_result; DELIVER: 0 */
	__s32 si_code;
	__u16 op;		/* enum ipcs_signal_op */
	__u16 disp;		/* DELIVER: enum ipcs_sig_disp */
	__u32 group;		/* GENERATE: 1 = sent to the whole thread group */
	__u32 _pad;
	char comm[IPCS_COMM_LEN];
	char rcomm[IPCS_COMM_LEN];
};

enum ipcs_drop_reason {
	IPCS_DROP_RINGBUF = 0,	/* ring buffer full: record not reserved */
	IPCS_DROP_INFLIGHT = 1,	/* too many syscalls in flight: enter not stored */
	IPCS_DROP_READ = 2,	/* kernel/user memory read failed */
	IPCS_DROP_TRACED = 3,	/* traced-process table full: a new child not followed */
	IPCS_DROP_LATE = 4,	/* not lost: read after the per-CPU rings' reorder window, so
				 * delivered after newer records (user space counts it) (1.4) */
	IPCS_DROP_REASON_MAX = 5,
};

#define IPCS_DROP_SLOTS 8	/* room for new reasons without resizing the record */

/* Cumulative drops since tracing began, summed over CPUs (user space). */
struct ipcs_drops_rec {
	struct ipcs_rec_hdr h;
	__u64 drops[IPCS_DROP_SLOTS];
};

/*
 * The value of the BPF `inflight` map (task storage): what sys_enter saw,
 * kept until sys_exit. User space scans it (deadlock --watch, the recorder)
 * for the threads blocked in IPC right now, through struct
 * ipcs_inflight_entry. (1.1)
 */
struct ipcs_inflight {
	__u64 ts;		/* sys_enter time (CLOCK_MONOTONIC) */
	__u64 arg;		/* becomes ipcs_sys_rec.arg; futex: op | (u64)val << 32 */
	__u64 uptr;		/* user pointer: path, int[2] of pipe; futex: uaddr */
	__s32 fd;		/* futex: the lock word at enter */
	__s32 fd2;		/* futex: the word 8 bytes further (glibc __owner) */
	__u16 sys;		/* enum ipcs_sys */
	__u16 flags;		/* IPCS_SYSF_*; futex: IPCS_FKEY_WORD when fd/fd2 were read */
	__u32 _pad;
	struct ipcs_chan chan;	/* resolved at enter for fd-based calls */
};

/*
 * What the `inflight_dump` task iterator writes, one per thread inside a
 * traced syscall (the `inflight` map is task storage, which user space
 * cannot walk). (1.3)
 */
struct ipcs_inflight_entry {
	__u32 tid;
	__u32 tgid;
	struct ipcs_inflight in;
};

/* ipcs_wait_rec.flags */
#define IPCS_WAITF_CYCLE 0x1	/* the thread is in a wait-for cycle (deadlock) */
#define IPCS_WAITF_STALL 0x2	/* it heads or is part of a stall chain */

/*
 * A thread found blocked in a traced syscall for longer than a threshold
 * (user space, from the `inflight` scan), with the wait-for edge the graph
 * gave it. Written once per blocked call; h.ts_ns = when it was found. (1.1)
 */
struct ipcs_wait_rec {
	struct ipcs_rec_hdr h;
	__u32 pid;		/* tgid */
	__u32 tid;
	__u64 enter_ns;		/* sys_enter time */
	__u64 uaddr;		/* futex address, else 0 */
	__u16 sys;		/* enum ipcs_sys */
	__u16 flags;		/* IPCS_WAITF_* */
	__s32 fd;
	__u32 holder_pid;	/* who can unblock it (0: unknown) */
	__u32 holder_tid;
	__u32 group;		/* cycle or stall number in this recording, 0 none */
	__u32 _pad;
	struct ipcs_chan chan;
	char kind[8];		/* "mutex", "futex", "pipe", "fifo", "socket", "mq" */
	char object[48];	/* lock address or channel name */
	char evidence[48];	/* why holder_* holds it */
	char comm[IPCS_COMM_LEN];
};

/* ---- the recording file (docs/file-format.md) ---- */

#define IPCS_FILE_MAGIC "IPCSCOPE"	/* 8 bytes, no NUL */
#define IPCS_BLOCK_MAGIC 0x4b4c4249u	/* "IBLK" little-endian */

/* ipcs_file_header.flags */
#define IPCS_FILEF_PAYLOAD 0x1	/* payload bytes captured: may hold secrets */

struct ipcs_file_header {
	char magic[8];		/* IPCS_FILE_MAGIC */
	__u16 major;		/* IPCS_ABI_MAJOR of the writer */
	__u16 minor;
	__u32 header_size;	/* sizeof(struct ipcs_file_header) of the writer */
	__u32 flags;		/* IPCS_FILEF_* */
	__u32 capture_bytes;	/* --capture N, 0 when off */
	__u64 start_mono_ns;	/* CLOCK_MONOTONIC when recording began */
	__u64 start_real_ns;	/* CLOCK_REALTIME at the same moment */
	__u64 start_boot_ns;	/* CLOCK_BOOTTIME at the same moment */
	char host[64];
	char kernel[64];
	/* 1.4: /proc/sys/kernel/random/boot_id (the UUID's 16 bytes), all 0
	 * when unknown: with host, names the boot whose clocks and pids the
	 * recording uses. A 1.3 header ends before it. */
	__u8 boot_id[16];
};

#define IPCS_FILE_HEADER_SIZE_1_3 176	/* ipcs_file_header before boot_id */

enum ipcs_block_type {
	IPCS_BLK_META = 1,	/* seed records (IPCS_REC_SEED_*) taken at start */
	IPCS_BLK_EVENTS = 2,	/* records, in arrival order */
	IPCS_BLK_TRAILER = 3,	/* struct ipcs_trailer, uncompressed; last block */
};

/* ipcs_block_hdr.flags */
#define IPCS_BLKF_ZLIB 0x1

/*
 * Block = header, payload (len bytes), tail. The tail repeats the total
 * length so a reader can walk backwards and tell truncation from EOF.
 */
struct ipcs_block_hdr {
	__u32 magic;		/* IPCS_BLOCK_MAGIC */
	__u16 type;		/* enum ipcs_block_type */
	__u16 flags;		/* IPCS_BLKF_* */
	__u32 len;		/* payload bytes as stored */
	__u32 raw_len;		/* payload bytes after decompression */
	__u32 crc32;		/* zlib crc32 of the stored payload */
	__u32 nrecs;		/* records in the payload */
	__u64 first_ts_ns;
	__u64 last_ts_ns;
};

struct ipcs_block_tail {
	__u32 total_len;	/* header + payload + tail */
	__u32 magic;		/* IPCS_BLOCK_MAGIC */
};

struct ipcs_trailer {
	__u64 events;		/* records written in event blocks */
	__u64 drops[IPCS_DROP_SLOTS];
	__u64 end_mono_ns;
	__u32 blocks;		/* blocks before the trailer */
	__u32 clean;		/* 1: the recorder finished normally */
};

#ifndef __VMLINUX_H__
_Static_assert(sizeof(struct ipcs_rec_hdr) == 16, "abi");
_Static_assert(sizeof(struct ipcs_chan) == 16, "abi");
_Static_assert(sizeof(struct ipcs_sys_rec) == 96, "abi");
_Static_assert(sizeof(struct ipcs_sys_path_rec) == 352, "abi");
_Static_assert(sizeof(struct ipcs_proc_rec) == 72, "abi");
_Static_assert(sizeof(struct ipcs_sock_rec) == 240, "abi");
_Static_assert(sizeof(struct ipcs_fdpass_fd) == 56, "abi");
_Static_assert(sizeof(struct ipcs_fdpass_rec) == 536, "abi");
_Static_assert(sizeof(struct ipcs_futex_rec) == 136, "abi");
_Static_assert(sizeof(struct ipcs_shm_rec) == 104, "abi");
_Static_assert(sizeof(struct ipcs_lock_rec) == 192, "abi");
_Static_assert(sizeof(struct ipcs_seed_proc_rec) == 56, "abi");
_Static_assert(sizeof(struct ipcs_cgroup_rec) == 56, "abi");
_Static_assert(sizeof(struct ipcs_cgroup_name_rec) == 280, "abi");
_Static_assert(sizeof(struct ipcs_seed_fd_rec) == 304, "abi");
_Static_assert(sizeof(struct ipcs_cmdline_rec) == 288, "abi");
_Static_assert(sizeof(struct ipcs_shm_name_rec) == 288, "abi");
_Static_assert(sizeof(struct ipcs_drops_rec) == 80, "abi");
_Static_assert(sizeof(struct ipcs_peer_rec) == 136, "abi");
_Static_assert(sizeof(struct ipcs_signal_rec) == 88, "abi");
_Static_assert(sizeof(struct ipcs_payload_rec) == 312, "abi");
_Static_assert(sizeof(struct ipcs_file_header) == 192, "abi");
_Static_assert(sizeof(struct ipcs_block_hdr) == 40, "abi");
_Static_assert(sizeof(struct ipcs_trailer) == 88, "abi");
#endif

#endif /* IPCSCOPE_ABI_H */
