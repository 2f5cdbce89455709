/* source_live.c - records from the BPF ring buffer (struct live_source). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "ipcscope.skel.h"
#include "collect/cgnames.h"
#include "collect/loader.h"
#include "collect/peers.h"
#include "collect/procfs_parse.h"
#include "collect/reorder.h"
#include "collect/shmnames.h"
#include "collect/titles.h"
#include "collect/source_live.h"
#include "collect/uprobes.h"
#include "ipcscope_rectab.h"
#include "util/hashmap.h"
#include "log.h"
#include "util/clock.h"
#include "util/vec.h"

/*
 * The probes write to one ring per CPU (bpf/maps.bpf.h); records are merged
 * here by time (reorder.c), held LIVE_REORDER_MS for the other CPUs' older
 * records. At most this many bytes are held (then the oldest go out early).
 */
#define LIVE_REORDER_MS 20
#define LIVE_REORDER_BYTES (64u << 20)

struct live_source {
	struct ipcscope_bpf *skel;
	struct ring_buffer *rb;
	int *ring_fds;		/* one per CPU, for rb */
	int nrings;
	struct reorder *ro;
	bool follow_children;
	live_rec_cb cb;		/* of the live_poll/live_drain in progress */
	void *ctx;
	int delivered;		/* by this live_poll/live_drain */
	struct cgnames *cgn;	/* names the cgroup ids of records (NULL: out of memory) */
	struct titles *titles;	/* processes' command lines (NULL: out of memory) */
	struct shmnames *shmn;	/* shm segments' paths (NULL: out of memory) */
	struct peers *peers;	/* names untraced peers (NULL: every process is traced) */
	struct hashmap seen;	/* tgids the probes' records showed traced (u32 -> non-NULL) */
	bool seen_ok;
	pid_t self;
	bool filter_pid;
	char comms[IPCS_LIVE_CGROUPS][IPCS_COMM_LEN];	/* -c targets */
	size_t ncomms;
	char cgroup_dirs[IPCS_LIVE_CGROUPS][4096];	/* --cgroup targets */
	size_t ncgroups;
	struct lock_probes *locks;	/* --locks */
};

struct proc_link {
	pid_t pid;
	pid_t ppid;
	bool traced;
};

/* The probes record only traced processes: a call's or a fork's pid was traced when it ran.
 * Remembered, since a peer's holder is often looked up after it exited (and left the
 * probes' traced set). */
static void note_traced(struct live_source *ls, const void *rec, size_t len)
{
	const struct ipcs_rec_hdr *h = rec;
	const struct ipcs_rec_info *ri;
	__u32 pid;

	if (!ls->seen_ok || len < sizeof(*h) || !(ri = ipcs_rec_lookup(h->type)) ||
	    !((ri->flags & IPCS_RECI_CALL) || h->type == IPCS_REC_PROC) ||
	    ri->fields[0].role != IPCS_FLD_PID || len < ri->fields[0].off + sizeof(pid))
		return;
	memcpy(&pid, (const char *)rec + ri->fields[0].off, sizeof(pid));
	if (pid && !hashmap_get(&ls->seen, &pid) && hashmap_put(&ls->seen, &pid, ls, NULL))
		return;	/* out of memory: the probes' set alone is asked */
}

/* A record leaves the merge, in time order. */
static int deliver(const void *rec, size_t len, void *ctx)
{
	struct live_source *ls = ctx;
	int err;

	note_traced(ls, rec, len);
	/* A cgroup id met first is named in the stream before the record. */
	err = cgnames_before(ls->cgn, rec, len, ls->cb, ls->ctx);
	/* So is a shm segment's path, and an untraced process at the other end of a socket;
	 * an exec's new title follows its record. */
	if (!err)
		err = shmnames_before(ls->shmn, rec, len, ls->cb, ls->ctx);
	if (!err && ls->peers)
		err = peers_before(ls->peers, rec, len, ls->cb, ls->ctx);
	if (!err)
		err = ls->cb(rec, len, ls->ctx);
	if (err >= 0)
		ls->delivered++;
	return err ? err : titles_after(ls->titles, rec, len, mono_ns(), ls->cb, ls->ctx);
}

static int on_sample(void *ctx, void *data, size_t len)
{
	struct live_source *ls = ctx;

	return reorder_push(ls->ro, data, len, deliver, ls);	/* < 0 stops the ring buffer walk */
}

/* The probes' filter (filter.bpf.h) asked from user space: is pid traced? The targets are a
 * union: a traced pid (or a descendant), one of the command names, one of the cgroups. */
static bool pid_traced(pid_t pid, void *ctx)
{
	struct live_source *ls = ctx;
	char path[64], comm[IPCS_COMM_LEN + 2];
	__u32 key = (__u32)pid;
	__u8 v;
	ssize_t n;

	if (pid == ls->self)
		return false;
	if (!ls->filter_pid && !ls->ncomms && !ls->ncgroups)
		return true;
	if (ls->seen_ok && hashmap_get(&ls->seen, &key))
		return true;
	if (ls->filter_pid && !bpf_map__lookup_elem(ls->skel->maps.traced_tgids, &key, sizeof(key),
						    &v, sizeof(v), 0))
		return true;
	for (size_t i = 0; ls->cgn && i < ls->ncgroups; i++)
		if (cgnames_pid_under(ls->cgn, pid, ls->cgroup_dirs[i]))
			return true;
	if (!ls->ncomms)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	n = procfs_read_small(path, comm, sizeof(comm));
	if (n <= 0)
		return false;
	if (comm[n - 1] == '\n')
		comm[n - 1] = '\0';
	for (size_t i = 0; i < ls->ncomms; i++)
		if (!strcmp(comm, ls->comms[i]))
			return true;
	return false;
}

/* With targets, some peers are not traced: they are named from /proc. */
static void peers_setup(struct live_source *ls, const struct live_config *cfg)
{
	ls->self = cfg->self_pid > 0 ? cfg->self_pid : getpid();
	ls->filter_pid = cfg->npids > 0 || cfg->filter_pids;
	for (size_t i = 0; i < cfg->ncomms && ls->ncomms < IPCS_LIVE_CGROUPS; i++)
		snprintf(ls->comms[ls->ncomms++], IPCS_COMM_LEN, "%s", cfg->comms[i]);
	for (size_t i = 0; i < cfg->ncgroups && ls->ncgroups < IPCS_LIVE_CGROUPS; i++)
		snprintf(ls->cgroup_dirs[ls->ncgroups++], sizeof(ls->cgroup_dirs[0]), "%s",
			 cfg->cgroups[i].path);
	if (!ls->filter_pid && !ls->ncomms && !ls->ncgroups)
		return;
	ls->seen_ok = !hashmap_init(&ls->seen, sizeof(__u32));
	if (peers_new("/proc", pid_traced, ls, &ls->peers))
		log_warn("untraced peers are not named (out of memory)");
}

/* Every CPU's ring into the merge, one epoll set over them all. */
static int open_rings(struct live_source *ls)
{
	int n = loader_ring_count(ls->skel), err = 0;

	ls->ring_fds = calloc(n > 0 ? n : 1, sizeof(*ls->ring_fds));
	if (!ls->ring_fds)
		return -ENOMEM;
	for (int cpu = 0; cpu < n && !err; cpu++) {
		int fd = loader_ring_fd(ls->skel, (__u32)cpu);

		if (fd < 0) {
			err = fd;
			break;
		}
		ls->ring_fds[ls->nrings++] = fd;
		if (!ls->rb) {
			ls->rb = ring_buffer__new(fd, on_sample, ls, NULL);
			if (!ls->rb)
				err = -errno;
		} else {
			err = ring_buffer__add(ls->rb, fd, on_sample, ls);
		}
	}
	if (err)
		log_error("cannot map the BPF ring buffers: %s", strerror(-err));
	return err;
}

static int traced_put(struct live_source *ls, pid_t pid)
{
	__u32 key = pid;
	__u8 one = 1;
	int err;

	err = bpf_map__update_elem(ls->skel->maps.traced_tgids, &key, sizeof(key),
				   &one, sizeof(one), BPF_ANY);
	/* After the insert: every task's cached "not traced" (bpf/filter.bpf.h
	 * tgid_traced) is asked again, and finds it. */
	if (!err)
		__atomic_add_fetch(&ls->skel->bss->traced_gen, 1, __ATOMIC_RELEASE);
	if (err)
		log_error("cannot trace pid %d: %s%s", pid, strerror(-err),
			  err == -E2BIG ? " (traced-process table full)" : "");
	return err;
}

static pid_t stat_ppid(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	int ppid = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	/* comm may hold spaces and ')': the state follows the last ')'. */
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
	    sscanf(p + 1, " %*c %d", &ppid) != 1)
		ppid = -1;
	fclose(f);
	return ppid;
}

/* Every process on the host with its parent (gone ones are skipped). */
static int read_proc_links(struct proc_link **out, size_t *n)
{
	struct proc_link *v = NULL;
	size_t cap = 0, len = 0;
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		pid_t pid = atoi(de->d_name), ppid;

		if (pid <= 0 || (ppid = stat_ppid(pid)) < 0)
			continue;
		if (vec_grow((void **)&v, &cap, len + 1, sizeof(*v), 256)) {
			free(v);
			closedir(d);
			return -ENOMEM;
		}
		v[len++] = (struct proc_link){ .pid = pid, .ppid = ppid };
	}
	closedir(d);
	*out = v;
	*n = len;
	return 0;
}

static bool pid_in(const pid_t *pids, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

static int link_cmp(const void *a, const void *b)
{
	const struct proc_link *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static bool parent_traced(const struct proc_link *v, size_t n, pid_t ppid)
{
	struct proc_link key = { .pid = ppid };
	const struct proc_link *p = bsearch(&key, v, n, sizeof(*v), link_cmp);

	return p && p->traced;
}

/* Children that exist already are followed as fork would have done. */
static int trace_descendants(struct live_source *ls, const pid_t *pids, size_t npids)
{
	struct proc_link *v = NULL;
	size_t n = 0, added;
	int err;

	err = read_proc_links(&v, &n);
	if (err) {
		log_warn("cannot list /proc (%s): existing children of traced pids are not traced",
			 strerror(-err));
		return 0;
	}
	qsort(v, n, sizeof(*v), link_cmp);
	for (size_t i = 0; i < n; i++)
		v[i].traced = pid_in(pids, npids, v[i].pid);
	/* One pass per generation at most; a pass that adds nobody ends it. */
	do {
		added = 0;
		for (size_t i = 0; i < n && !err; i++) {
			if (v[i].traced || !parent_traced(v, n, v[i].ppid))
				continue;
			v[i].traced = true;
			added++;
			err = traced_put(ls, v[i].pid);
		}
	} while (added && !err);
	free(v);
	return err;
}

int live_add_pid(struct live_source *ls, pid_t pid)
{
	int err;

	if (!ls || pid <= 0)
		return -EINVAL;
	err = traced_put(ls, pid);
	if (!err && ls->follow_children)
		err = trace_descendants(ls, &pid, 1);
	return err;
}

static void loader_opts_from(const struct live_config *cfg, struct loader_opts *o, __u64 *ids,
			     __u32 *levels)
{
	memset(o, 0, sizeof(*o));
	o->self_tgid = cfg->self_pid > 0 ? (__u32)cfg->self_pid : (__u32)getpid();
	o->filter_pid = cfg->npids > 0 || cfg->filter_pids;
	o->comms = cfg->comms;
	o->ncomms = cfg->ncomms;
	o->follow_children = cfg->follow_children;
	o->ringbuf_bytes = cfg->ringbuf_bytes;
	o->capture_bytes = cfg->capture_bytes;
	o->locks = cfg->locks;
	o->ncgroups = cfg->ncgroups < IPCS_LIVE_CGROUPS ? cfg->ncgroups : IPCS_LIVE_CGROUPS;
	for (size_t i = 0; i < o->ncgroups; i++) {
		ids[i] = cfg->cgroups[i].id;
		levels[i] = cfg->cgroups[i].level;
	}
	o->cgroup_ids = ids;
	o->cgroup_levels = levels;
}

static int trace_initial_pids(struct live_source *ls, const struct live_config *cfg)
{
	int err = 0;

	for (size_t i = 0; i < cfg->npids && !err; i++)
		err = cfg->pids[i] > 0 ? traced_put(ls, cfg->pids[i]) : -EINVAL;
	if (err == -EINVAL)
		log_error("invalid pid in the pid filter: use positive process ids");
	if (!err && cfg->npids && cfg->follow_children)
		err = trace_descendants(ls, cfg->pids, cfg->npids);
	return err;
}

/* Is pid's command name one of -c's? */
static bool comm_wanted(const struct live_config *cfg, pid_t pid)
{
	char path[64], comm[IPCS_COMM_LEN + 2];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	n = procfs_read_small(path, comm, sizeof(comm));
	if (n <= 0)
		return false;
	comm[strcspn(comm, "\n")] = '\0';
	for (size_t i = 0; i < cfg->ncomms; i++)
		if (!strncmp(comm, cfg->comms[i], IPCS_COMM_LEN - 1))
			return true;
	return false;
}

/* --locks: the uprobes on every process traced by pid now (the targets and
 * their descendants) and, for -c, every process of those names running now;
 * later ones come through live_locks_add. */
static int locks_open(struct live_source *ls, const struct live_config *cfg)
{
	struct bpf_map *m = ls->skel->maps.traced_tgids;
	__u32 key, next, *prev = NULL;
	int err = lock_probes_new(ls->skel->progs.lock_enter, ls->skel->progs.lock_exit, &ls->locks);

	while (!err && !bpf_map__get_next_key(m, prev, &next, sizeof(next))) {
		key = next;
		prev = &key;
		if (lock_probes_add(ls->locks, (pid_t)key) == -ENOMEM)
			err = -ENOMEM;
	}
	if (!err && cfg->ncomms) {
		DIR *d = opendir("/proc");
		struct dirent *de;

		while (d && !err && (de = readdir(d))) {
			pid_t pid = (pid_t)atoi(de->d_name);

			if (pid > 0 && pid != getpid() && comm_wanted(cfg, pid) &&
			    lock_probes_add(ls->locks, pid) == -ENOMEM)
				err = -ENOMEM;
		}
		if (d)
			closedir(d);
	}
	if (!err && !lock_probes_count(ls->locks))
		log_warn("--locks: no traced process to attach to yet");
	return err;
}

int live_locks_add(struct live_source *ls, pid_t pid)
{
	int err;

	if (!ls || !ls->locks)
		return 0;
	err = lock_probes_add(ls->locks, pid);
	return err == -ENOMEM ? err : 0;	/* skipped or gone: said, not fatal */
}

void live_locks_del(struct live_source *ls, pid_t pid)
{
	if (ls)
		lock_probes_del(ls->locks, pid);
}

int live_open(const struct live_config *cfg, struct live_source **out)
{
	struct live_source *ls;
	struct loader_opts o;
	__u64 ids[IPCS_LIVE_CGROUPS];
	__u32 levels[IPCS_LIVE_CGROUPS];
	int err;

	if (!cfg || !out || (cfg->npids && !cfg->pids) || cfg->ncgroups > IPCS_LIVE_CGROUPS)
		return -EINVAL;
	*out = NULL;
	ls = calloc(1, sizeof(*ls));
	if (!ls)
		return -ENOMEM;
	ls->follow_children = cfg->follow_children;
	if (cgnames_new("/proc", NULL, &ls->cgn))
		log_warn("cgroups are shown by id only (out of memory)");
	if (titles_new("/proc", &ls->titles) || shmnames_new("/proc", &ls->shmn))
		log_warn("process titles or shm segment names are not read (out of memory)");
	peers_setup(ls, cfg);
	loader_opts_from(cfg, &o, ids, levels);
	err = loader_load(&o, &ls->skel);
	if (err)
		goto cleanup;
	/* Before attaching, so no early call of a wanted pid is missed. */
	err = trace_initial_pids(ls, cfg);
	if (err)
		goto cleanup;
	err = reorder_new((__u64)LIVE_REORDER_MS * 1000000, LIVE_REORDER_BYTES, &ls->ro);
	if (!err)
		err = open_rings(ls);
	if (err)
		goto cleanup;
	err = loader_attach(ls->skel);
	if (!err && cfg->locks)
		err = locks_open(ls, cfg);
	if (err)
		goto cleanup;
	/* After attaching: the bench waits for this line (tracing has begun). */
	log_info("records merged in time order from %d rings, reorder window %d ms",
		 ls->nrings, LIVE_REORDER_MS);
	*out = ls;
	return 0;
cleanup:
	live_close(ls);
	return err;
}

/* Where this poll's or drain's records go; their count starts again. */
static int live_arm(struct live_source *ls, live_rec_cb cb, void *ctx)
{
	if (!ls || !cb)
		return -EINVAL;
	ls->cb = cb;
	ls->ctx = ctx;
	ls->delivered = 0;
	return 0;
}

int live_poll(struct live_source *ls, int timeout_ms, live_rec_cb cb, void *ctx)
{
	__u64 now;
	int n = live_arm(ls, cb, ctx);

	if (n)
		return n;
	/* The probes wake us only when a ring fills up (bpf/emit.bpf.h): wait
	 * at most LIVE_BATCH_MS. A wake-up reads only the rings that woke us. */
	n = ring_buffer__poll(ls->rb, timeout_ms < LIVE_BATCH_MS ? timeout_ms : LIVE_BATCH_MS);
	if (n < 0 && n != -EINTR)
		return n;
	/* Every record committed by now is in the merge after this read of all
	 * the rings: what is older than now - window can go out in order. */
	now = mono_ns();
	n = ring_buffer__consume(ls->rb);
	if (n < 0)
		return n;
	n = reorder_release(ls->ro, now, deliver, ls);
	if (n < 0)
		return n;
	/* Titles rewritten in place (no syscall says so): read again once a second. Peers
	 * found gone are named once their wait is over, records or not. */
	n = titles_poll(ls->titles, now, cb, ctx);
	if (!n && ls->peers)
		n = peers_tick(ls->peers, cb, ctx);
	return n < 0 ? n : ls->delivered;
}

int live_drain(struct live_source *ls, live_rec_cb cb, void *ctx)
{
	int n = live_arm(ls, cb, ctx);

	if (n)
		return n;
	n = ring_buffer__consume(ls->rb);
	if (n >= 0)
		n = reorder_flush(ls->ro, deliver, ls);
	return n < 0 ? n : ls->delivered;
}

int live_get_drops(struct live_source *ls, __u64 drops[IPCS_DROP_SLOTS])
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *percpu;
	int err = 0;

	if (!ls || !drops)
		return -EINVAL;
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	percpu = calloc(ncpu, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	for (__u32 slot = 0; slot < IPCS_DROP_SLOTS; slot++) {
		err = bpf_map__lookup_elem(ls->skel->maps.drops, &slot, sizeof(slot), percpu,
					   ncpu * sizeof(*percpu), 0);
		if (err) {
			log_error("cannot read the drop counters: %s", strerror(-err));
			break;
		}
		drops[slot] = 0;
		for (int c = 0; c < ncpu; c++)
			drops[slot] += percpu[c];
	}
	free(percpu);
	/* Records that came after the reorder window: in the stream, out of order. */
	drops[IPCS_DROP_LATE] = reorder_late(ls->ro);
	return err;
}

int live_scan_inflight(struct live_source *ls, live_inflight_cb cb, void *ctx)
{
	struct ipcs_inflight_entry e[64];
	size_t have = 0;	/* bytes in e */
	struct bpf_link *link;
	ssize_t n;
	int fd, rc = 0;

	if (!ls || !cb)
		return -EINVAL;
	link = ls->skel->links.inflight_dump;
	if (!link)
		return -ENOTCONN;
	/* A fresh iterator per scan: it walks the tasks alive now. */
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0)
		return -errno;
	while (!rc && (n = read(fd, (char *)e + have, sizeof(e) - have)) > 0) {
		size_t whole;

		have += n;
		whole = have / sizeof(e[0]);
		for (size_t i = 0; !rc && i < whole; i++)
			rc = cb(e[i].tid, &e[i].in, ctx);
		/* A read may end inside an entry: keep its start for the next. */
		have -= whole * sizeof(e[0]);
		memmove(e, (char *)e + whole * sizeof(e[0]), have);
	}
	if (!rc && n < 0)
		rc = -errno;
	close(fd);
	return rc;
}

void live_close(struct live_source *ls)
{
	if (!ls)
		return;
	if (ls->ro)	/* also among the drops, as reason "late" */
		log_info("%llu records came after the %d ms reorder window (delivered at once, after newer ones)",
			 (unsigned long long)reorder_late(ls->ro), LIVE_REORDER_MS);
	ring_buffer__free(ls->rb);
	lock_probes_free(ls->locks);	/* links before their programs */
	for (int i = 0; i < ls->nrings; i++)
		close(ls->ring_fds[i]);
	free(ls->ring_fds);
	reorder_free(ls->ro);
	loader_close(ls->skel);
	cgnames_free(ls->cgn);
	titles_free(ls->titles);
	shmnames_free(ls->shmn);
	peers_free(ls->peers);
	if (ls->seen_ok)
		hashmap_fini(&ls->seen);
	free(ls);
}

void live_forget_cgroup_names(struct live_source *ls)
{
	if (!ls)
		return;
	cgnames_forget(ls->cgn);
	titles_forget(ls->titles);
	shmnames_forget(ls->shmn);
}
