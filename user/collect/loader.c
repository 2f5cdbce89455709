/* loader.c - open -> configure rodata and ring size -> load -> attach. */
#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <time.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "ipcscope.skel.h"
#include "collect/features.h"
#include "collect/loader.h"
#include "log.h"

/* Random, top bit clear (bpf/sock.bpf.h); a weak salt beats none. */
static __u64 sock_salt(void)
{
	__u64 v = 0;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (__u64)time(NULL) * 0x9e3779b97f4a7c15ull;
	return v & ~(1ull << 63);
}

/* libbpf speaks through log.h: its warnings as warnings, the rest (and
 * the verifier's log, which can run to thousands of lines) as debug. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum log_level lvl = LOG_DEBUG;
	char *msg = NULL;
	size_t n;

	if (level == LIBBPF_WARN && !strstr(fmt, "PROG LOAD LOG"))
		lvl = LOG_WARN;
	if (lvl > log_get_level())
		return 0;
	if (vasprintf(&msg, fmt, ap) < 0)
		return 0;
	n = strlen(msg);
	if (n && msg[n - 1] == '\n')
		msg[n - 1] = '\0';
	log_msg(lvl, "%s", msg);	/* libbpf prefixes "libbpf: " */
	free(msg);
	return 0;
}

static int check_ringbuf_size(size_t bytes)
{
	long page = sysconf(_SC_PAGESIZE);

	if (bytes < (size_t)page || bytes & (bytes - 1) || bytes > (1u << 30)) {
		log_error("ring buffer size %zu is invalid: use a power of two between "
			  "the page size (%ld) and 1 GiB", bytes, page);
		return -EINVAL;
	}
	return 0;
}

/* Programs this kernel cannot attach are switched off, not fatal: one notice says what is lost. */
static void select_programs(struct ipcscope_bpf *skel, const struct ipcs_features *f)
{
	char lost[512];

	bpf_program__set_autoload(skel->progs.sched_process_fork, f->tp_fork);
	bpf_program__set_autoload(skel->progs.sched_process_exec, f->tp_exec);
	bpf_program__set_autoload(skel->progs.sched_process_exit,
				  f->tp_exit && f->exit_group_dead);
	bpf_program__set_autoload(skel->progs.sched_process_exit_legacy,
				  f->tp_exit && !f->exit_group_dead);
	bpf_program__set_autoload(skel->progs.signal_generate, f->tp_signal);
	bpf_program__set_autoload(skel->progs.signal_deliver, f->tp_signal);
	bpf_program__set_autoload(skel->progs.cgroup_attach_task, f->tp_cgroup_attach);
	bpf_program__set_autoload(skel->progs.io_uring_submit_req, f->tp_uring);
	bpf_program__set_autoload(skel->progs.io_uring_complete, f->tp_uring);
	bpf_program__set_autoload(skel->progs.io_uring_cqring_wait, f->tp_uring);
	/* rodata: the verifier then never sees the helper calls (dead code). */
	skel->rodata->targ_find_vma = f->find_vma;
	if (features_notice(f, lost, sizeof(lost)))
		log_warn("%s", lost);
}

/* -c and --cgroup into the filter's arrays (filter.bpf.h); more than they hold is an error. */
static int set_targets(struct ipcscope_bpf *skel, const struct loader_opts *o)
{
	const size_t max_comms = sizeof(skel->rodata->targ_comms) / sizeof(skel->rodata->targ_comms[0]);
	const size_t max_cgroups = sizeof(skel->rodata->targ_cgroup_ids) / sizeof(skel->rodata->targ_cgroup_ids[0]);
	size_t n = 0;

	if (o->ncomms > max_comms || o->ncgroups > max_cgroups) {
		log_error("at most %zu -c and %zu --cgroup targets", max_comms, max_cgroups);
		return -E2BIG;
	}
	for (size_t i = 0; i < o->ncomms; i++) {
		if (!o->comms[i] || !o->comms[i][0])
			continue;
		/* The kernel keeps 15 characters of a command name; the rest of the slot stays 0. */
		memset(skel->rodata->targ_comms[n], 0, sizeof(skel->rodata->targ_comms[n]));
		snprintf(skel->rodata->targ_comms[n], sizeof(skel->rodata->targ_comms[n]), "%s", o->comms[i]);
		n++;
	}
	skel->rodata->targ_ncomms = (__u32)n;
	for (size_t i = 0; i < o->ncgroups; i++) {
		skel->rodata->targ_cgroup_ids[i] = o->cgroup_ids[i];
		skel->rodata->targ_cgroup_levels[i] = o->cgroup_levels[i];
	}
	skel->rodata->targ_ncgroups = (__u32)o->ncgroups;
	return 0;
}

size_t loader_ring_bytes(size_t total, int ncpu)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), per = page;

	/* The largest power of two that lets every CPU's ring fit in total. */
	while (ncpu > 0 && per * 2 <= total / (size_t)ncpu)
		per *= 2;
	return per;
}

static int configure(struct ipcscope_bpf *skel, const struct loader_opts *o,
		     const struct ipcs_features *f, size_t *ring_bytes)
{
	size_t ring = o->ringbuf_bytes ? o->ringbuf_bytes : IPCS_RINGBUF_DEFAULT;
	int ncpu = libbpf_num_possible_cpus();
	int err;

	err = check_ringbuf_size(ring);
	if (err)
		return err;
	if (ncpu <= 0) {
		log_error("cannot count the CPUs: %s", strerror(ncpu ? -ncpu : EINVAL));
		return ncpu ? ncpu : -EINVAL;
	}
	/* One ring per CPU (bpf/maps.bpf.h), made after load (make_rings). */
	err = bpf_map__set_max_entries(skel->maps.rings, (__u32)ncpu);
	if (err) {
		log_error("cannot size the ring buffer table: %s", strerror(-err));
		return err;
	}
	ring = loader_ring_bytes(ring, ncpu);
	*ring_bytes = ring;
	skel->rodata->targ_self_tgid = o->self_tgid;
	skel->rodata->targ_filter_pid = o->filter_pid;
	skel->rodata->targ_follow_children = o->follow_children;
	skel->rodata->targ_sock_salt = sock_salt();
	/* Batched wake-ups (bpf/emit.bpf.h): woken at a quarter of a CPU's ring, polled between. */
	skel->rodata->targ_wake_bytes = ring / 4;
	skel->rodata->targ_capture = o->capture_bytes;
	err = set_targets(skel, o);
	if (err)
		return err;
	select_programs(skel, f);
	/* --locks: loaded here, attached per process (collect/uprobes.c); else absent. */
	bpf_program__set_autoload(skel->progs.lock_enter, o->locks);
	bpf_program__set_autoload(skel->progs.lock_exit, o->locks);
	return 0;
}

/*
 * The rings a loaded object's table holds, by object. Their fds are kept: getting them back
 * from the table by id (BPF_MAP_GET_FD_BY_ID) needs CAP_SYS_ADMIN, which the service unit
 * does not grant (CAP_BPF and CAP_PERFMON are enough for everything else).
 */
struct ring_set {
	const struct ipcscope_bpf *skel;
	int *fds;
	__u32 n;
	struct ring_set *next;
};
static struct ring_set *ring_sets;

static struct ring_set *rings_of(const struct ipcscope_bpf *skel)
{
	for (struct ring_set *r = ring_sets; r; r = r->next)
		if (r->skel == skel)
			return r;
	return NULL;
}

static void rings_forget(const struct ipcscope_bpf *skel)
{
	for (struct ring_set **p = &ring_sets; *p; p = &(*p)->next) {
		struct ring_set *r = *p;

		if (r->skel != skel)
			continue;
		for (__u32 i = 0; i < r->n; i++)
			close(r->fds[i]);
		*p = r->next;
		free(r->fds);
		free(r);
		return;
	}
}

/* A ring of bytes for every possible CPU in the `rings` table. */
static int make_rings(struct ipcscope_bpf *skel, size_t bytes)
{
	int outer = bpf_map__fd(skel->maps.rings);
	__u32 n = bpf_map__max_entries(skel->maps.rings);
	struct ring_set *set = calloc(1, sizeof(*set));
	int err = 0;

	if (!set || !(set->fds = calloc(n ? n : 1, sizeof(*set->fds)))) {
		free(set);
		return -ENOMEM;
	}
	set->skel = skel;
	set->next = ring_sets;
	ring_sets = set;
	for (__u32 cpu = 0; cpu < n && !err; cpu++) {
		int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0, (__u32)bytes, NULL);

		if (fd < 0) {
			err = -errno;
			log_error("cannot make the ring buffer of CPU %u (%zu bytes): %s", cpu, bytes,
				  strerror(-err));
			break;
		}
		set->fds[set->n++] = fd;
		if (bpf_map_update_elem(outer, &cpu, &fd, BPF_ANY)) {
			err = -errno;
			log_error("cannot install the ring buffer of CPU %u: %s", cpu, strerror(-err));
		}
	}
	if (!err)
		log_info("%u ring buffers of %zu KiB, one per CPU", n, bytes >> 10);
	return err;
}

int loader_ring_count(const struct ipcscope_bpf *skel)
{
	return (int)bpf_map__max_entries(skel->maps.rings);
}

int loader_ring_fd(const struct ipcscope_bpf *skel, __u32 cpu)
{
	const struct ring_set *set = rings_of(skel);
	int fd;

	if (!set || cpu >= set->n)
		return -ENOENT;
	fd = fcntl(set->fds[cpu], F_DUPFD_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

static int blocked_errno(const struct ipcs_features *f)
{
	return f->privileged ? -EOPNOTSUPP : -EPERM;
}

int loader_load(const struct loader_opts *o, struct ipcscope_bpf **out)
{
	struct ipcscope_bpf *skel = NULL;
	struct ipcs_features f;
	size_t ring_bytes = 0;
	const char *why;
	int err;

	*out = NULL;
	libbpf_set_print(libbpf_print);
	err = features_probe(&f);
	if (err)
		return err;
	why = features_blocker(&f);
	if (why) {
		log_error("%s", why);
		return blocked_errno(&f);
	}
	skel = ipcscope_bpf__open();
	if (!skel) {
		err = -errno;
		log_error("cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	err = configure(skel, o, &f, &ring_bytes);
	if (err)
		goto cleanup;
	err = ipcscope_bpf__load(skel);
	if (err) {
		log_error("the kernel rejected the BPF programs: %s%s", strerror(-err),
			  log_get_level() < LOG_DEBUG ? " (run with -vv to see the verifier log)" : "");
		goto cleanup;
	}
	err = make_rings(skel, ring_bytes);
	if (err)
		goto cleanup;
	*out = skel;
	return 0;
cleanup:
	rings_forget(skel);
	ipcscope_bpf__destroy(skel);
	return err;
}

int loader_attach(struct ipcscope_bpf *skel)
{
	int err = ipcscope_bpf__attach(skel);

	if (err)
		log_error("cannot attach the BPF programs: %s%s", strerror(-err),
			  err == -EPERM ? " (needs root or CAP_BPF+CAP_PERFMON)" : "");
	return err;
}

void loader_close(struct ipcscope_bpf *skel)
{
	rings_forget(skel);
	ipcscope_bpf__destroy(skel);
}
