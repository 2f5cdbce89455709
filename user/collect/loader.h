/* loader.h - the BPF object: open -> configure -> load, then attach. */
#ifndef IPCS_LOADER_H
#define IPCS_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct ipcscope_bpf;

#define IPCS_RINGBUF_DEFAULT (8u << 20)	/* all CPUs' rings together */

struct loader_opts {
	__u32 self_tgid;	/* never traced */
	bool filter_pid;	/* tgids put in traced_tgids are targets ... */
	const char *const *comms;	/* ... and processes with one of these command names ... */
	size_t ncomms;
	bool follow_children;	/* traced processes' new children are traced */
	size_t ringbuf_bytes;	/* power of two >= page size, shared out among the CPUs; 0: default */
	__u32 capture_bytes;	/* --capture N: payload bytes per data call, 0: off */
	bool locks;		/* --locks: load the libc lock uprobes (attached per process) */
	/* ... and tasks in one of these cgroup v2 (or below); no targets at all: the whole host */
	const __u64 *cgroup_ids;
	const __u32 *cgroup_levels;
	size_t ncgroups;
};

/* Probe features, open, configure and load; nothing runs yet. Errors are
 * logged with cause and fix (the verifier log at debug level, -v). */
int loader_load(const struct loader_opts *o, struct ipcscope_bpf **out);

/* Attach every loaded program: tracing starts. */
int loader_attach(struct ipcscope_bpf *skel);

/* Each CPU's ring: the largest power of two (at least a page) such that
 * ncpu of them fit in total bytes. */
size_t loader_ring_bytes(size_t total, int ncpu);

/* The rings of a loaded object: how many (one per possible CPU), and a new
 * fd of CPU cpu's ring (the caller closes it), or -errno. */
int loader_ring_count(const struct ipcscope_bpf *skel);
int loader_ring_fd(const struct ipcscope_bpf *skel, __u32 cpu);

void loader_close(struct ipcscope_bpf *skel);

#endif
