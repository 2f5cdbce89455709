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
#include "collect/shmnames.h"
#include "collect/titles.h"
#include "collect/source_live.h"
#include "log.h"
#include "util/clock.h"
#include "util/vec.h"

struct live_source {
	struct ipcscope_bpf *skel;
	struct ring_buffer *rb;
	bool follow_children;
	live_rec_cb cb;		/* of the live_poll/live_drain in progress */
	void *ctx;
	struct cgnames *cgn;	/* names the cgroup ids of records (NULL: out of memory) */
	struct titles *titles;	/* processes' command lines (NULL: out of memory) */
	struct shmnames *shmn;	/* shm segments' paths (NULL: out of memory) */
};

struct proc_link {
	pid_t pid;
	pid_t ppid;
	bool traced;
};

static int on_sample(void *ctx, void *data, size_t len)
{
	struct live_source *ls = ctx;
	/* A cgroup id met first is named in the stream before the record. */
	int err = cgnames_before(ls->cgn, data, len, ls->cb, ls->ctx);

	/* So is a shm segment's path; an exec's new title follows its record. */
	if (!err)
		err = shmnames_before(ls->shmn, data, len, ls->cb, ls->ctx);
	if (!err)
		err = ls->cb(data, len, ls->ctx);	/* < 0 stops the ring buffer walk */
	return err ? err : titles_after(ls->titles, data, len, mono_ns(), ls->cb, ls->ctx);
}

static int traced_put(struct live_source *ls, pid_t pid)
{
	__u32 key = pid;
	__u8 one = 1;
	int err;

	err = bpf_map__update_elem(ls->skel->maps.traced_tgids, &key, sizeof(key),
				   &one, sizeof(one), BPF_ANY);
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
	loader_opts_from(cfg, &o, ids, levels);
	err = loader_load(&o, &ls->skel);
	if (err)
		goto cleanup;
	/* Before attaching, so no early call of a wanted pid is missed. */
	err = trace_initial_pids(ls, cfg);
	if (err)
		goto cleanup;
	ls->rb = ring_buffer__new(bpf_map__fd(ls->skel->maps.events), on_sample, ls, NULL);
	if (!ls->rb) {
		err = -errno;
		log_error("cannot map the BPF ring buffer: %s", strerror(-err));
		goto cleanup;
	}
	err = loader_attach(ls->skel);
	if (err)
		goto cleanup;
	*out = ls;
	return 0;
cleanup:
	live_close(ls);
	return err;
}

int live_poll(struct live_source *ls, int timeout_ms, live_rec_cb cb, void *ctx)
{
	int n;

	if (!ls || !cb)
		return -EINVAL;
	ls->cb = cb;
	ls->ctx = ctx;
	/* The probes wake us only when the ring fills up (bpf/emit.bpf.h): wait
	 * at most LIVE_BATCH_MS, then take what came without a wake-up. */
	n = ring_buffer__poll(ls->rb, timeout_ms < LIVE_BATCH_MS ? timeout_ms : LIVE_BATCH_MS);
	if (n == 0)
		n = ring_buffer__consume(ls->rb);
	/* Titles rewritten in place (no syscall says so): read again once a second. */
	if (n >= 0) {
		int err = titles_poll(ls->titles, mono_ns(), cb, ctx);

		if (err)
			return err;
	}
	return n;
}

int live_drain(struct live_source *ls, live_rec_cb cb, void *ctx)
{
	if (!ls || !cb)
		return -EINVAL;
	ls->cb = cb;
	ls->ctx = ctx;
	return ring_buffer__consume(ls->rb);
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
	ring_buffer__free(ls->rb);
	loader_close(ls->skel);
	cgnames_free(ls->cgn);
	titles_free(ls->titles);
	shmnames_free(ls->shmn);
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
