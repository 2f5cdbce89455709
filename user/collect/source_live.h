/* source_live.h - the BPF probes as a source of raw records. */
#ifndef IPCS_SOURCE_LIVE_H
#define IPCS_SOURCE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "ipcscope_abi.h"
#include "collect/cgroup.h"

struct live_source;

#define IPCS_LIVE_CGROUPS 8	/* --cgroup targets at most (filter.bpf.h holds as many) */

struct live_config {
	/* The targets, a union; none at all: the whole host. */
	const pid_t *pids;	/* these processes and their descendants ... */
	size_t npids;
	const char *const *comms;	/* ... processes with one of these command names ... */
	size_t ncomms;
	bool follow_children;	/* descendants of traced pids are traced (default on) */
	size_t ringbuf_bytes;	/* power of two >= page size; 0 = default (8 MiB) */
	pid_t self_pid;		/* never trace this process (ipcscope itself); 0: getpid() */
	bool filter_pids;	/* trace only pids (and live_add_pid ones) even when
				 * npids == 0, e.g. for a command not started yet */
	__u32 capture_bytes;	/* --capture N (<= IPCS_PAYLOAD_MAX), 0: off */
	bool locks;		/* --locks: libc lock uprobes on the traced processes */
	const struct cgroup_ref *cgroups;	/* ... tasks in one of these cgroups or below */
	size_t ncgroups;
};

/* Checks privileges and BTF, opens, configures rodata, loads and attaches.
 * Errors are logged with the cause and the fix; returns 0 or -errno. */
int live_open(const struct live_config *cfg, struct live_source **out);

/* --locks: attach the lock uprobes to pid (a new or exec'd traced process),
 * or drop them (it exited). No-ops without --locks. 0 or -errno (logged). */
int live_locks_add(struct live_source *ls, pid_t pid);
void live_locks_del(struct live_source *ls, pid_t pid);

/* Start tracing pid (and its descendants) now, e.g. a command we forked. */
int live_add_pid(struct live_source *ls, pid_t pid);

typedef int (*live_rec_cb)(const void *rec, size_t len, void *ctx);

/* The longest a record waits in the ring before live_poll takes it. */
#define LIVE_BATCH_MS 20

/* Wait up to timeout_ms (at most LIVE_BATCH_MS) for records and deliver each
 * to cb. Returns records delivered, or -errno (-EINTR when a signal arrived). */
int live_poll(struct live_source *ls, int timeout_ms, live_rec_cb cb, void *ctx);

/* Deliver what is already in the ring buffer without waiting. */
int live_drain(struct live_source *ls, live_rec_cb cb, void *ctx);

/* Drop counters summed over CPUs, indexed by enum ipcs_drop_reason. */
int live_get_drops(struct live_source *ls, __u64 drops[IPCS_DROP_SLOTS]);

/* Every thread inside a traced syscall now (the BPF `inflight` task storage,
 * read through the `inflight_dump` task iterator): cb per thread; a non-zero
 * return stops the walk and is returned. */
typedef int (*live_inflight_cb)(__u32 tid, const struct ipcs_inflight *in, void *ctx);
int live_scan_inflight(struct live_source *ls, live_inflight_cb cb, void *ctx);

/* A new file begins (record -C/-G): cgroups, titles and shm segments are
 * named again in it when met (each file replays on its own). */
void live_forget_cgroup_names(struct live_source *ls);

void live_close(struct live_source *ls);

#endif
