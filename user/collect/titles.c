/*
 * titles.c - process titles from /proc/PID/cmdline (see titles.h). The
 * processes followed are those the probe records name; a title is compared
 * by a hash of its bytes, so a second costs one small read per process and
 * a record only when a title changed.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "collect/procfs_parse.h"
#include "collect/titles.h"
#include "util/hashmap.h"

#define NS_PER_S 1000000000ull

struct tentry {
	__u32 pid;
	__u64 start_ns;		/* 0: not known yet (read from stat before the title) */
	__u64 hash;		/* of the last title sent */
	__u16 len;
	bool sent;		/* a record with hash/len went out */
	bool tried;		/* read once at least */
	bool stale;		/* sent to an earlier file only (titles_forget): `last` goes
				   into this one at the process's next record */
	struct ipcs_cmdline_rec last;	/* the last record sent (last.len 0: none) */
};

struct titles {
	char root[PATH_MAX];
	struct hashmap pids;	/* pid -> tentry (malloc) */
	size_t cursor;		/* round-robin position of titles_poll */
	__u64 last_poll_ns;
	__u64 now_sec;		/* the second of now_reads */
	unsigned now_reads;	/* reads at once (exec, a process met first) this second */
	__u32 last_pid;		/* the pid of the last record, known to be followed */
};

int titles_new(const char *proc_root, struct titles **out)
{
	struct titles *t;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	snprintf(t->root, sizeof(t->root), "%s", proc_root ? proc_root : "/proc");
	if (hashmap_init(&t->pids, sizeof(__u32))) {
		free(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

void titles_free(struct titles *t)
{
	if (!t)
		return;
	hashmap_fini_free(&t->pids);
	free(t);
}

size_t titles_count(const struct titles *t)
{
	return t ? hashmap_len(&t->pids) : 0;
}

/* FNV-1a: a changed title is told from an unchanged one without keeping it. */
static __u64 fnv1a(const char *s, size_t n)
{
	__u64 h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

int titles_read(const char *proc_root, pid_t pid, __u64 start_ns, __u64 ts_ns,
		struct ipcs_cmdline_rec *r)
{
	char path[PATH_MAX], buf[4096];
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/%d/cmdline", proc_root, pid) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	n = procfs_read_small(path, buf, sizeof(buf));
	if (n < 0)
		return n == -ESRCH ? -ENOENT : (int)n;
	/* A title padded with NULs (PostgreSQL clears the rest of its argv area). */
	while (n > 0 && !buf[n - 1])
		n--;
	if (!n)
		return -ENOENT;
	memset(r, 0, sizeof(*r));
	r->h.type = IPCS_REC_CMDLINE;
	r->h.size = sizeof(*r);
	r->h.ts_ns = ts_ns;
	r->pid = (__u32)pid;
	r->start_ns = start_ns;
	if (n > IPCS_CMDLINE_MAX) {
		r->flags |= IPCS_CMDF_CUT;
		n = IPCS_CMDLINE_MAX;
	}
	r->len = (__u16)n;
	memcpy(r->cmdline, buf, (size_t)n);
	return 0;
}

/* The start of pid from its stat, as the seed gives it (clock ticks). */
static int read_start(const struct titles *t, __u32 pid, __u64 *start_ns)
{
	char path[PATH_MAX], buf[1024], comm[64];
	long tck = sysconf(_SC_CLK_TCK);
	__u64 ticks;
	pid_t ppid;

	if (tck <= 0)
		tck = 100;
	if (snprintf(path, sizeof(path), "%s/%u/stat", t->root, pid) >= (int)sizeof(path) ||
	    procfs_read_small(path, buf, sizeof(buf)) < 0 ||
	    procfs_parse_stat(buf, &ppid, &ticks, comm, sizeof(comm)))
		return -ENOENT;
	*start_ns = ticks * (NS_PER_S / (__u64)tck);
	return 0;
}

static int follow(struct titles *t, __u32 pid, __u64 start_ns, struct tentry **out)
{
	struct tentry *e = hashmap_get(&t->pids, &pid);

	if (e && start_ns && e->start_ns && e->start_ns != start_ns) {
		/* Another process under the pid: start over. */
		memset(e, 0, sizeof(*e));
		e->pid = pid;
	}
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		e->pid = pid;
		if (hashmap_put(&t->pids, &pid, e, NULL)) {
			free(e);
			return -ENOMEM;
		}
	}
	if (start_ns)
		e->start_ns = start_ns;
	*out = e;
	return 0;
}

/* May a title be read at once rather than at the next poll? TITLES_NOW_MAX a second. */
static bool read_now(struct titles *t, __u64 now_ns)
{
	__u64 sec = now_ns / NS_PER_S;

	if (sec != t->now_sec) {
		t->now_sec = sec;
		t->now_reads = 0;
	}
	if (t->now_reads >= TITLES_NOW_MAX)
		return false;
	t->now_reads++;
	return true;
}

static void unfollow(struct titles *t, __u32 pid)
{
	free(hashmap_del(&t->pids, &pid));
	if (t->last_pid == pid)
		t->last_pid = 0;
}

/* Read e's title and send it when it changed. -ENOENT: the process is gone
 * (or cannot be read: not followed any longer); else 0 or cb's error. */
static int refresh(struct titles *t, struct tentry *e, __u64 now_ns, titles_cb cb, void *ctx)
{
	struct ipcs_cmdline_rec r;
	__u64 h;

	e->tried = true;
	if (!e->start_ns && read_start(t, e->pid, &e->start_ns))
		return -ENOENT;
	if (titles_read(t->root, (pid_t)e->pid, e->start_ns, now_ns, &r))
		return -ENOENT;
	h = fnv1a(r.cmdline, r.len);
	if (e->sent && e->hash == h && e->len == r.len)
		return 0;
	e->hash = h;
	e->len = r.len;
	e->sent = true;
	e->last = r;
	return cb(&r, sizeof(r), ctx);
}

/* A process met again in a new file: its last title from memory (it may be
 * gone from /proc already, as when the record is its exit), or read now if
 * none was sent yet. -ENOENT: gone, not followed any longer. */
static int resend(struct titles *t, struct tentry *e, __u64 now_ns, titles_cb cb, void *ctx)
{
	e->stale = false;
	if (!e->sent || !e->last.len)
		return refresh(t, e, now_ns, cb, ctx);
	e->last.h.ts_ns = now_ns;
	return cb(&e->last, sizeof(e->last), ctx);
}

/* The pids a probe record names: the caller's, and a signal's receiver. */
static size_t rec_pids(const void *rec, size_t len, __u32 pids[2])
{
	struct ipcs_rec_hdr h;
	__u32 v[3];

	if (len < sizeof(h) + sizeof(v))
		return 0;
	memcpy(&h, rec, sizeof(h));
	/* Every probe record below starts with pid, tid after the header. */
	memcpy(v, (const char *)rec + sizeof(h), sizeof(v));
	switch (h.type) {
	case IPCS_REC_SYS:
	case IPCS_REC_SYS_PATH:
	case IPCS_REC_SOCK:
	case IPCS_REC_FUTEX:
	case IPCS_REC_SHM:
	case IPCS_REC_FDPASS:
	case IPCS_REC_CGROUP:
		pids[0] = v[0];
		return 1;
	case IPCS_REC_SIGNAL: {
		struct ipcs_signal_rec s;

		if (len < sizeof(s))
			return 0;
		memcpy(&s, rec, sizeof(s));
		pids[0] = s.op == IPCS_SIG_GENERATE ? s.pid : s.rpid;
		pids[1] = s.op == IPCS_SIG_GENERATE ? s.rpid : 0;
		return 2;
	}
	}
	return 0;
}

static int after_proc(struct titles *t, const struct ipcs_proc_rec *p, __u64 now_ns,
		      titles_cb cb, void *ctx)
{
	struct tentry *e, *parent;
	int err;

	e = hashmap_get(&t->pids, &p->pid);
	/* an exit in a new file: the title it had (fork and exec make new ones) */
	if (e && e->stale && p->op == IPCS_PROC_EXIT) {
		err = resend(t, e, now_ns, cb, ctx);
		if (err && err != -ENOENT)
			return err;
	}
	switch (p->op) {
	case IPCS_PROC_EXIT:
		unfollow(t, p->pid);
		return 0;
	case IPCS_PROC_FORK:
		if (p->pid == p->ppid)
			return 0;	/* a thread */
		parent = hashmap_get(&t->pids, &p->ppid);
		err = follow(t, p->pid, p->start_ns, &e);
		if (err)
			return err;
		/* The child shows its parent's title (the model copies it) until it changes. */
		e->sent = parent && parent->sent && !parent->stale;
		e->hash = parent ? parent->hash : 0;
		e->len = parent ? parent->len : 0;
		e->stale = false;
		if (e->sent) {
			e->last = parent->last;
			e->last.pid = p->pid;
			e->last.start_ns = p->start_ns;
		}
		return 0;
	case IPCS_PROC_EXEC:
		err = follow(t, p->pid, p->start_ns, &e);
		if (err)
			return err;
		e->sent = false;	/* the model forgot the old image's title */
		e->stale = false;
		if (!read_now(t, now_ns))
			return 0;	/* the next poll reads it */
		err = refresh(t, e, now_ns, cb, ctx);
		if (err == -ENOENT)
			unfollow(t, p->pid);
		return err == -ENOENT ? 0 : err;
	}
	return 0;
}

int titles_after(struct titles *t, const void *rec, size_t len, __u64 now_ns, titles_cb cb,
		 void *ctx)
{
	struct ipcs_rec_hdr h;
	struct tentry *e;
	__u32 pids[2] = { 0, 0 };
	size_t n;
	int err;

	if (!t || !rec || len < sizeof(h))
		return 0;
	memcpy(&h, rec, sizeof(h));
	if (h.type == IPCS_REC_PROC) {
		struct ipcs_proc_rec p = { 0 };

		if (len < IPCS_PROC_REC_SIZE_1_1)
			return 0;
		memcpy(&p, rec, len < sizeof(p) ? len : sizeof(p));
		return p.pid ? after_proc(t, &p, now_ns, cb, ctx) : 0;
	}
	n = rec_pids(rec, len, pids);
	for (size_t i = 0; i < n; i++) {
		if (!pids[i] || pids[i] == t->last_pid)
			continue;
		err = follow(t, pids[i], 0, &e);
		if (err)
			return err;
		/* Met first: read now, while it lives (else at the next poll). */
		if (e->stale)
			err = resend(t, e, now_ns, cb, ctx);
		else if (!e->sent && !e->tried && read_now(t, now_ns))
			err = refresh(t, e, now_ns, cb, ctx);
		e = NULL;
		if (err == -ENOENT) {
			unfollow(t, pids[i]);
			continue;
		}
		if (err)
			return err;
		if (i == 0)
			t->last_pid = pids[i];
	}
	return 0;
}

int titles_poll(struct titles *t, __u64 now_ns, titles_cb cb, void *ctx)
{
	struct tentry *e;
	size_t done = 0, total;
	bool wrapped = false;
	int err;

	if (!t || (t->last_poll_ns && now_ns - t->last_poll_ns < NS_PER_S))
		return 0;
	t->last_poll_ns = now_ns;
	total = hashmap_len(&t->pids);
	while (done < total && done < TITLES_POLL_MAX) {
		if (!hashmap_next(&t->pids, &t->cursor, NULL, (void **)&e)) {
			if (wrapped)
				break;
			wrapped = true;
			t->cursor = 0;
			continue;
		}
		done++;
		if (e->stale)
			continue;	/* not met in this file yet */
		err = refresh(t, e, now_ns, cb, ctx);
		if (err == -ENOENT)
			unfollow(t, e->pid);	/* gone, or not ours to read */
		else if (err)
			return err;
	}
	return 0;
}

void titles_forget(struct titles *t)
{
	struct tentry *e;
	size_t it = 0;

	if (!t)
		return;
	while (hashmap_next(&t->pids, &it, NULL, (void **)&e))
		e->stale = true;
	t->last_pid = 0;	/* each pid's next record is looked at */
}
