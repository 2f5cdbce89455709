// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * locks.bpf.c - libc locks through uprobes (--locks): pthread mutexes and
 * rwlocks, semaphores, and the mutex a condition wait gives up and retakes.
 * An uncontended lock never enters the kernel, so the syscall probes cannot
 * say who holds it; these can. One entry and one return program, attached
 * (user/collect/uprobes.c) once per function and traced process, with the
 * function as the attach cookie (enum ipcs_lock_fn). Not loaded without --locks.
 */
#include "maps.bpf.h"
#include "filter.bpf.h"
#include "emit.bpf.h"
#include "futex.bpf.h"

#define IPCS_LOCK_PENDING_MAX 16384	/* threads inside a lock call at once */

/* What the entry saw, for the return of the same thread's call. */
struct lock_call {
	__u64 ts;
	__u64 uaddr;
	__u64 key_ino, key_off;
	__u32 key_dev;
	__u16 key_flags;
	__u8 fn;
	__u8 kind;
};

/* LRU: a thread killed inside a lock call never returns to free its entry. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, IPCS_LOCK_PENDING_MAX);
	__type(key, __u32);
	__type(value, struct lock_call);
} lock_calls SEC(".maps");

static __always_inline __u8 lock_kind(__u8 fn)
{
	if (fn >= IPCS_LOCKF_RW_RDLOCK && fn <= IPCS_LOCKF_RW_UNLOCK)
		return IPCS_LOCKK_RWLOCK;
	if (fn >= IPCS_LOCKF_SEM_WAIT && fn <= IPCS_LOCKF_SEM_POST)
		return IPCS_LOCKK_SEM;
	return IPCS_LOCKK_MUTEX;
}

static __always_inline bool lock_fn_releases(__u8 fn)
{
	return fn == IPCS_LOCKF_MUTEX_UNLOCK || fn == IPCS_LOCKF_RW_UNLOCK ||
	       fn == IPCS_LOCKF_SEM_POST || fn >= IPCS_LOCKF_COND_WAIT;
}

/* Try calls never block: no ATTEMPT, and a failure says nothing. */
static __always_inline bool lock_fn_tries(__u8 fn)
{
	return fn == IPCS_LOCKF_MUTEX_TRYLOCK || fn == IPCS_LOCKF_RW_TRYRDLOCK ||
	       fn == IPCS_LOCKF_RW_TRYWRLOCK || fn == IPCS_LOCKF_SEM_TRYWAIT;
}

static __always_inline bool lock_traced(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return task_traced(bpf_get_current_task_btf(), tgid);
}

static __always_inline void lock_emit(const struct lock_call *c, __u8 phase, __s32 ret, void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ipcs_lock_rec *r = emit_reserve(sizeof(*r), IPCS_REC_LOCK);
	long n;

	if (!r)
		return;
	r->pid = pid_tgid >> 32;
	r->tid = (__u32)pid_tgid;
	r->kind = c->kind;
	r->phase = phase;
	r->fn = c->fn;
	r->ret = ret;
	r->uaddr = c->uaddr;
	r->key_ino = c->key_ino;
	r->key_off = c->key_off;
	r->key_dev = c->key_dev;
	r->key_flags = c->key_flags;
	if (phase == IPCS_LOCKP_ACQUIRED || phase == IPCS_LOCKP_FAILED)
		r->wait_ns = r->h.ts_ns - c->ts;
	if (bpf_probe_read_user(&r->word, sizeof(r->word), (void *)c->uaddr))
		r->word = 0;
	if (phase == IPCS_LOCKP_ACQUIRED) {
		n = bpf_get_stack(ctx, r->stack, sizeof(r->stack), BPF_F_USER_STACK);
		r->nstack = n > 0 ? n / sizeof(__u64) : 0;
	}
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	emit_submit(r);
}

SEC("uprobe")
int BPF_KPROBE(lock_enter, void *arg0, void *arg1)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct lock_call c = { 0 };

	if (!lock_traced())
		return 0;
	c.fn = (__u8)bpf_get_attach_cookie(ctx);
	c.kind = lock_kind(c.fn);
	c.ts = bpf_ktime_get_ns();
	c.uaddr = (__u64)(c.fn >= IPCS_LOCKF_COND_WAIT ? arg1 : arg0);
	/* Not known private (a pshared attribute lives in the lock): the mapping says. */
	c.key_flags = futex_key_of(c.uaddr, false, &c.key_ino, &c.key_dev, &c.key_off);
	if (lock_fn_releases(c.fn))
		lock_emit(&c, IPCS_LOCKP_RELEASED, 0, ctx);
	else if (!lock_fn_tries(c.fn))
		lock_emit(&c, IPCS_LOCKP_ATTEMPT, 0, ctx);
	if (c.fn != IPCS_LOCKF_MUTEX_UNLOCK && c.fn != IPCS_LOCKF_RW_UNLOCK &&
	    c.fn != IPCS_LOCKF_SEM_POST &&
	    bpf_map_update_elem(&lock_calls, &tid, &c, BPF_ANY))
		drop_count(IPCS_DROP_INFLIGHT);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(lock_exit, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct lock_call *c = bpf_map_lookup_elem(&lock_calls, &tid);
	struct lock_call copy;
	__u8 fn = (__u8)bpf_get_attach_cookie(ctx);

	/* Unlocks leave nothing; a call whose entry we missed is skipped. */
	if (!c || c->fn != fn)
		return 0;
	copy = *c;
	bpf_map_delete_elem(&lock_calls, &tid);
	/* Condition waits retake the mutex before returning, even on timeout. */
	if (fn >= IPCS_LOCKF_COND_WAIT) {
		copy.kind = IPCS_LOCKK_MUTEX;
		lock_emit(&copy, IPCS_LOCKP_ACQUIRED, (__s32)ret, ctx);
	} else if (ret == 0) {
		lock_emit(&copy, IPCS_LOCKP_ACQUIRED, 0, ctx);
	} else if (!lock_fn_tries(fn)) {
		lock_emit(&copy, IPCS_LOCKP_FAILED, (__s32)ret, ctx);
	}
	return 0;
}
