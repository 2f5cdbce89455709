/*
 * live_harness.h - helpers for tests that run the real probes: collect and
 * query decoded records, start workload children stopped so they are traced
 * from their first call, skip loudly when BPF is unavailable.
 * Include after cmocka.h.
 */
#ifndef IPCS_LIVE_HARNESS_H
#define IPCS_LIVE_HARNESS_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "collect/decode.h"
#include "collect/features.h"
#include "collect/source_live.h"

/* ---- collecting records ---- */

struct collector {
	struct ipcs_event *ev;
	size_t n, cap;
	size_t bad;		/* records ipcs_decode refused */
	/* IPCS_REC_CGROUP_NAME records the live source put before the first
	 * record of each cgroup id: counted here, not in ev */
	size_t names;
	__u64 name_id;			/* the last one's */
	char name_path[IPCS_PATH_MAX];
};

static inline int collect_cb(const void *rec, size_t len, void *ctx)
{
	struct collector *c = ctx;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct ipcs_event *v = realloc(c->ev, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->ev = v;
		c->cap = cap;
	}
	if (ipcs_decode(rec, len, &c->ev[c->n])) {
		c->bad++;
	} else if (c->ev[c->n].type == IPCS_REC_CGROUP_NAME) {
		c->names++;
		c->name_id = c->ev[c->n].cgroup_name.cgroup_id;
		memcpy(c->name_path, c->ev[c->n].cgroup_name.path, sizeof(c->name_path));
	} else {
		c->n++;
	}
	return 0;
}

static inline int count_cb(const void *rec, size_t len, void *ctx)
{
	(void)rec;
	(void)len;
	(*(size_t *)ctx)++;
	return 0;
}

/* Everything the probes have written so far. */
static inline void drain(struct live_source *ls, live_rec_cb cb, void *ctx)
{
	int n;

	do {
		n = live_drain(ls, cb, ctx);
		assert_true(n >= 0);
	} while (n > 0);
}

static inline __u32 ev_pid(const struct ipcs_event *e)
{
	return e->type == IPCS_REC_PROC ? e->proc.pid : e->sys.pid;
}

static inline bool is_sys(const struct ipcs_event *e)
{
	return e->type == IPCS_REC_SYS || e->type == IPCS_REC_SYS_PATH;
}

static inline size_t count_sys(const struct collector *c, pid_t pid, __u16 sys)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		if (is_sys(&c->ev[i]) && ev_pid(&c->ev[i]) == (__u32)pid &&
		    (!sys || c->ev[i].sys.sys == sys))
			n++;
	return n;
}

/* Generated signals from -> to of number sig (0: any of each). */
static inline size_t count_signals(const struct collector *c, pid_t from, pid_t to, int sig)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++) {
		const struct ipcs_signal_rec *s = &c->ev[i].sig;

		if (c->ev[i].type == IPCS_REC_SIGNAL && s->op == IPCS_SIG_GENERATE &&
		    (!from || s->pid == (__u32)from) && (!to || s->rpid == (__u32)to) &&
		    (!sig || s->sig == sig))
			n++;
	}
	return n;
}

static inline const struct ipcs_event *find_sys(const struct collector *c, pid_t pid, __u16 sys,
					 int fd)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct ipcs_event *e = &c->ev[i];

		if (is_sys(e) && e->sys.pid == (__u32)pid && e->sys.sys == sys &&
		    (fd < 0 || e->sys.fd == fd))
			return e;
	}
	return NULL;
}

static inline const struct ipcs_event *find_proc(const struct collector *c, pid_t pid, __u16 op,
					  size_t *count)
{
	const struct ipcs_event *found = NULL;

	*count = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct ipcs_event *e = &c->ev[i];

		if (e->type == IPCS_REC_PROC && e->proc.pid == (__u32)pid && e->proc.op == op) {
			found = found ? found : e;
			(*count)++;
		}
	}
	return found;
}

/* ---- children: started stopped, traced, then let go ---- */

#define MAX_KIDS 8
static pid_t kids[MAX_KIDS];

/* State the workload children report back (shared anonymous memory). */
struct shared {
	int rd, wr;
	__u64 ino;
	dev_t dev;
	pid_t grandchild;
	char path[64];
};

static inline struct shared *shared_new(void)
{
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	assert_true(sh != MAP_FAILED);
	memset(sh, 0, sizeof(*sh));
	return sh;
}

static inline void remember_kid(pid_t pid)
{
	for (int i = 0; i < MAX_KIDS; i++) {
		if (!kids[i]) {
			kids[i] = pid;
			return;
		}
	}
}

static inline void forget_kid(pid_t pid)
{
	for (int i = 0; i < MAX_KIDS; i++)
		if (kids[i] == pid)
			kids[i] = 0;
}

/* Fork a child that stops itself before work(); returns it stopped. */
static inline pid_t spawn_stopped(void (*work)(struct shared *), struct shared *sh)
{
	int st = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		raise(SIGSTOP);
		work(sh);
		_exit(0);
	}
	remember_kid(pid);
	assert_int_equal(waitpid(pid, &st, WUNTRACED), pid);
	assert_true(WIFSTOPPED(st));
	return pid;
}

static inline void trace_and_run(struct live_source *ls, pid_t pid)
{
	assert_int_equal(live_add_pid(ls, pid), 0);
	assert_int_equal(kill(pid, SIGCONT), 0);
}

static inline int wait_exit(pid_t pid)
{
	int st = 0;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	forget_kid(pid);
	return st;
}

/* ---- opening the probes, or skipping loudly ---- */

static inline void skip_unless_bpf(void)
{
	struct ipcs_features f;
	const char *why;

	assert_int_equal(features_probe(&f), 0);
	why = features_blocker(&f);
	if (why) {
		fprintf(stderr, "SKIPPED: BPF unavailable: %s\n", why);
		skip();
	}
}

static inline struct live_source *open_source(const struct live_config *cfg)
{
	struct live_source *ls = NULL;
	int err;

	skip_unless_bpf();
	err = live_open(cfg, &ls);
	if (err == -EPERM) {
		fprintf(stderr, "SKIPPED: BPF unavailable: live_open: %s\n", strerror(-err));
		skip();
	}
	assert_int_equal(err, 0);
	return ls;
}

static inline struct live_source *open_pid_filtered(size_t ringbuf_bytes)
{
	struct live_config cfg = {
		.filter_pids = true,
		.follow_children = true,
		.ringbuf_bytes = ringbuf_bytes,
		.self_pid = getpid(),
	};

	return open_source(&cfg);
}

static inline void assert_no_drops(struct live_source *ls)
{
	__u64 d[IPCS_DROP_SLOTS];

	assert_int_equal(live_get_drops(ls, d), 0);
	for (int i = 0; i < IPCS_DROP_SLOTS; i++)
		assert_int_equal(d[i], 0);
}

static inline int teardown_kids(void **state)
{
	(void)state;
	for (int i = 0; i < MAX_KIDS; i++) {
		if (kids[i]) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
			kids[i] = 0;
		}
	}
	return 0;
}

/* user st_dev of the kernel's s_dev encoding (major << 20 | minor) */
static inline dev_t kdev_to_user(__u32 kdev)
{
	return makedev(kdev >> 20, kdev & 0xfffff);
}

static inline void assert_chan(const struct ipcs_event *e, __u16 kind, const struct shared *sh,
			__u16 fmode)
{
	assert_int_equal(e->sys.chan.kind, kind);
	assert_int_equal(e->sys.chan.ino, sh->ino);
	assert_int_equal(kdev_to_user(e->sys.chan.dev), sh->dev);
	assert_int_equal(e->sys.chan.fmode, fmode);
}

static inline void check_exit(const struct collector *c, pid_t pid, int status)
{
	size_t n;
	const struct ipcs_event *e = find_proc(c, pid, IPCS_PROC_EXIT, &n);

	assert_int_equal(n, 1);
	assert_int_equal(e->proc.exit_code, status);
	assert_int_equal(e->h.size, sizeof(struct ipcs_proc_rec));
}

#endif
