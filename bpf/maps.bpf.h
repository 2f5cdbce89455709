/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * maps.bpf.h - maps and filter knobs shared by every .bpf.c file.
 * Defined __weak so each object file may include them and
 * `bpftool gen object` links them into one map / one variable.
 */
#ifndef IPCS_MAPS_BPF_H
#define IPCS_MAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "ipcscope_abi.h"

/* One access, in program order with the others (libbpf 1.1 has none). */
#ifndef READ_ONCE
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#endif
#define compiler_barrier() asm volatile("" ::: "memory")

#define IPCS_TRACED_MAX   65536	/* processes followed in pid-filter mode */
#define IPCS_FDCACHE_MAX  16384	/* fds whose channel is remembered (LRU) */
#define IPCS_SOCKCACHE_MAX 8192	/* sockets whose constants are remembered (LRU) */

/* Set by user space between open and load (rodata). */
const volatile __u32 targ_self_tgid __weak = 0;	/* ipcscope itself: never traced */
const volatile bool targ_filter_pid __weak = false;	/* tgids in traced_tgids are targets (filter.bpf.h) */
const volatile bool targ_follow_children __weak = true;
/* XORed into socket identities (struct sock addresses) so that recordings
 * hold no kernel addresses; top bit clear (see sock.bpf.h). */
const volatile __u64 targ_sock_salt __weak = 0;
/* Wake the reader when this many bytes wait in the ring (0: on every record,
 * the kernel's default); between wake-ups user space polls (emit.bpf.h). */
const volatile __u64 targ_wake_bytes __weak = 0;
/* bpf_find_vma exists (5.17+): else shared futex keys and shm segments stay unresolved. */
const volatile bool targ_find_vma __weak = true;

/*
 * Records to user space: one ring buffer per CPU, so the two ends of a
 * ping-pong on two CPUs never share a ring's lock and cache lines. User
 * space creates the rings (one per possible CPU, sized together from
 * --ringbuf-kb), sets the outer map's size and the inner template
 * (bpf_map__set_inner_map_fd) before load, and fills the slots after; it
 * merges the rings in time order (user/collect/reorder.c).
 */
struct ipcs_ring {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct ipcs_ring);
} rings SEC(".maps") __weak;

/* Lost records per enum ipcs_drop_reason, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IPCS_DROP_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps") __weak;

/* tgid -> 1: processes traced in pid-filter mode (user space + fork). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IPCS_TRACED_MAX);
	__type(key, __u32);
	__type(value, __u8);
} traced_tgids SEC(".maps") __weak;

/*
 * The pid filter's answer per task, so that a call does not look its tgid up
 * in traced_tgids (filter.bpf.h tgid_traced): (generation << 1) | traced,
 * one word. It holds while traced_gen is the generation it was filled in:
 * user space bumps traced_gen after every pid it adds (a task told "no"
 * asks again); the probes add only new processes (fork), which have no
 * mark yet, and remove only processes that are gone (exit).
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} traced_mark SEC(".maps") __weak;

/* Bumped by user space after each insert into traced_tgids (source_live.c). */
__u32 traced_gen __weak SEC(".bss");

/* What sys_enter saw, for sys_exit of the same thread. */
struct inflight {
	__u64 ts;		/* sys_enter time */
	__u64 arg;		/* becomes ipcs_sys_rec.arg */
	__u64 uptr;		/* user pointer: path, or int[2] of pipe */
	__s32 fd;
	__s32 fd2;
	__u16 sys;		/* enum ipcs_sys */
	__u16 flags;		/* IPCS_SYSF_* */
	__u32 exiting;		/* sys_exit is completing it (ABI: _pad) */
	struct ipcs_chan chan;	/* resolved at enter for fd-based calls */
};

/* user space reads this map as struct ipcs_inflight (the ABI) */
_Static_assert(sizeof(struct inflight) == sizeof(struct ipcs_inflight), "inflight layout");
_Static_assert(__builtin_offsetof(struct inflight, chan) == __builtin_offsetof(struct ipcs_inflight, chan) &&
	       __builtin_offsetof(struct inflight, sys) == __builtin_offsetof(struct ipcs_inflight, sys) &&
	       __builtin_offsetof(struct inflight, fd2) == __builtin_offsetof(struct ipcs_inflight, fd2) &&
	       __builtin_offsetof(struct inflight, uptr) == __builtin_offsetof(struct ipcs_inflight, uptr),
	       "inflight layout");

/*
 * Per thread, in task storage rather than a tid-keyed hash: no bucket lock
 * or element allocation per call, a miss for an untraced thread is a NULL
 * pointer test, and it goes away with the task. An entry is idle when its
 * sys is IPCS_SYS_NONE; user space sees the busy ones through the
 * `inflight_dump` task iterator (syscalls.bpf.c).
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct inflight);
} inflight SEC(".maps") __weak;

/*
 * fd -> channel, remembered per fd table (fdres.bpf.h). An entry holds for
 * as long as the same struct file is at that fd; see fdres.bpf.h for what
 * invalidates it.
 */
struct fdc_key {
	__u64 files;		/* struct files_struct * of the task */
	__s32 fd;
	__u32 _pad;
};

struct fdc_val {
	__u64 file;		/* struct file * at fd when this was filled */
	__u64 start_ns;		/* group leader's start_time: files_struct reused */
	__u64 exec_id;		/* group leader's self_exec_id: close-on-exec */
	__u32 gen;		/* fdc_gen when filled: close_range */
	__u32 tgid;
	struct ipcs_chan chan;	/* kind 0: not a followed channel */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, IPCS_FDCACHE_MAX);
	__type(key, struct fdc_key);
	__type(value, struct fdc_val);
} fdcache SEC(".maps") __weak;

/* Bumped by close_range: every fdcache entry filled before is stale. */
__u32 fdc_gen __weak SEC(".bss");

/*
 * Socket identity (chan.ino) -> what does not change while it lives
 * (sock.bpf.h). Dropped whenever an fdcache entry naming the socket is
 * filled, so a reused struct sock address never meets an older socket's
 * entry while an fd names it.
 */
struct sockc_val {
	__u64 sock_ino;		/* this socket's inode (fixed while its file is open) */
	__u16 type;		/* SOCK_* */
	__u16 family;		/* AF_*, as read when the entry was made */
	/* A connected unix stream/seqpacket socket's sock_fill result, and
	 * the kernel pointers it was read from (sock.bpf.h unix_fill_cached);
	 * peer 0 = not kept. */
	__u16 addr_len;
	__u16 flags;
	__u64 peer;		/* the peer's struct sock * (u->peer) */
	__u64 peer_so;		/* peer->sk_socket when peer_ino was read */
	__u64 peer_ino;
	__u64 own_uaddr;	/* u->addr, 0 when it was unbound */
	__u64 peer_uaddr;	/* the peer's u->addr, 0 when it was unbound */
	char addr[112];		/* = sizeof(ipcs_sock_rec.addr) */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, IPCS_SOCKCACHE_MAX);
	__type(key, __u64);
	__type(value, struct sockc_val);
} sockcache SEC(".maps") __weak;

#endif
