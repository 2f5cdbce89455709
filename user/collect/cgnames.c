/*
 * cgnames.c - cgroup v2 ids -> paths (see cgnames.h). The id is the cgroup
 * directory's inode number (kernfs id), so a path names an id when stat()
 * of the mount + path gives that inode. The cheap way is the process's own
 * /proc/PID/cgroup; a process gone (or moved again) by the time its record
 * is read is found by walking the cgroup2 tree, at most once a second.
 */
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <limits.h>
#include <mntent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "ipcscope_abi.h"
#include "ipcscope_rectab.h"
#include "collect/cgnames.h"
#include "log.h"
#include "util/hashmap.h"
#include "util/clock.h"

#define WALK_EVERY_NS 1000000000ull

struct cgnames {
	char proc_root[PATH_MAX];
	char cg_root[PATH_MAX];	/* "" when no cgroup2 is mounted */
	struct hashmap sent;	/* id -> (void *)1: its name record went out */
	struct hashmap walked;	/* id -> path (malloc), from the last walk of the tree */
	struct hashmap failed;	/* id -> (void *)1: not found even by a walk */
	__u64 last_walk_ns;	/* 0: never walked */
};

static void *const YES = (void *)1;

/* The first cgroup2 mount (on hybrid hosts /sys/fs/cgroup/unified). */
static void find_mount(char *out, size_t n)
{
	FILE *f = setmntent("/proc/self/mounts", "r");
	struct mntent *e;

	out[0] = '\0';
	if (!f)
		return;
	while ((e = getmntent(f)))
		if (!strcmp(e->mnt_type, "cgroup2")) {
			snprintf(out, n, "%s", e->mnt_dir);
			break;
		}
	endmntent(f);
}

int cgnames_new(const char *proc_root, const char *cg_root, struct cgnames **out)
{
	struct cgnames *cn = calloc(1, sizeof(*cn));

	*out = NULL;
	if (!cn)
		return -ENOMEM;
	snprintf(cn->proc_root, sizeof(cn->proc_root), "%s", proc_root ? proc_root : "/proc");
	if (cg_root)
		snprintf(cn->cg_root, sizeof(cn->cg_root), "%s", cg_root);
	else
		find_mount(cn->cg_root, sizeof(cn->cg_root));
	if (hashmap_init(&cn->sent, sizeof(__u64)) || hashmap_init(&cn->walked, sizeof(__u64)) ||
	    hashmap_init(&cn->failed, sizeof(__u64))) {
		free(cn);
		return -ENOMEM;
	}
	*out = cn;
	return 0;
}

void cgnames_free(struct cgnames *cn)
{
	if (!cn)
		return;
	hashmap_fini(&cn->sent);
	hashmap_fini_free(&cn->walked);
	hashmap_fini(&cn->failed);
	free(cn);
}

void cgnames_forget(struct cgnames *cn)
{
	if (!cn)
		return;
	hashmap_fini(&cn->sent);
	hashmap_init(&cn->sent, sizeof(__u64));	/* allocates nothing: cannot fail */
}

int cgnames_parse_proc(const char *text, char *path, size_t n)
{
	static const char deleted[] = " (deleted)";
	const char *line = text, *end;
	size_t len, dl = sizeof(deleted) - 1;

	for (; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		len = end ? (size_t)(end - line) : strlen(line);
		if (len < 4 || strncmp(line, "0::/", 4))
			continue;	/* a cgroup v1 hierarchy's line */
		line += 3, len -= 3;
		if (len > dl && !strncmp(line + len - dl, deleted, dl))
			len -= dl;
		if (len >= n)
			return -ENAMETOOLONG;
		memcpy(path, line, len);
		path[len] = '\0';
		return 0;
	}
	return -ENOENT;
}

/* mount + path ("/" is the mount itself) -> its inode, the cgroup id. */
static int stat_id(const struct cgnames *cn, const char *path, __u64 *id)
{
	char full[PATH_MAX * 2];
	struct stat st;

	if (!cn->cg_root[0])
		return -ENOENT;
	snprintf(full, sizeof(full), "%s%s", cn->cg_root, strcmp(path, "/") ? path : "");
	if (stat(full, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*id = st.st_ino;
	return 0;
}

int cgnames_of_pid(struct cgnames *cn, pid_t pid, __u64 *id, char *path, size_t n)
{
	char file[PATH_MAX + 32], buf[8192];
	ssize_t got, r;
	int fd, err;

	*id = 0;
	if (!cn->cg_root[0])
		return -ENOENT;
	snprintf(file, sizeof(file), "%s/%d/cgroup", cn->proc_root, pid);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (got = 0; (size_t)got < sizeof(buf) - 1; got += r) {
		r = read(fd, buf + got, sizeof(buf) - 1 - (size_t)got);
		if (r < 0 && errno == EINTR) {
			r = 0;
			continue;
		}
		if (r <= 0)
			break;
	}
	close(fd);
	buf[got] = '\0';
	err = cgnames_parse_proc(buf, path, n);
	return err ? err : stat_id(cn, path, id);
}

bool cgnames_pid_under(struct cgnames *cn, pid_t pid, const char *dir)
{
	char path[PATH_MAX], full[PATH_MAX * 2];
	size_t n = strlen(dir);
	__u64 id;

	if (cgnames_of_pid(cn, pid, &id, path, sizeof(path)))
		return false;
	snprintf(full, sizeof(full), "%s%s", cn->cg_root, strcmp(path, "/") ? path : "");
	return !strncmp(full, dir, n) && (full[n] == '\0' || full[n] == '/');
}

/* Every directory of the cgroup2 tree into walked (what there was is dropped). */
static void walk(struct cgnames *cn)
{
	char *roots[] = { cn->cg_root, NULL };
	size_t rl = strlen(cn->cg_root);
	FTSENT *e;
	FTS *fts;

	cn->last_walk_ns = mono_ns();
	hashmap_fini_free(&cn->walked);
	hashmap_init(&cn->walked, sizeof(__u64));
	fts = fts_open(roots, FTS_PHYSICAL | FTS_XDEV | FTS_NOCHDIR, NULL);
	if (!fts)
		return;
	while ((e = fts_read(fts))) {
		__u64 id;
		char *p;

		if (e->fts_info != FTS_D || !e->fts_statp)
			continue;
		id = e->fts_statp->st_ino;
		p = strdup(e->fts_pathlen > rl ? e->fts_path + rl : "/");
		if (!p || hashmap_put(&cn->walked, &id, p, NULL)) {
			free(p);
			break;	/* out of memory: what was found so far */
		}
	}
	fts_close(fts);
}

/* A path for id, from pid's /proc entry or the tree: 0 or -ENOENT. */
static int name_of(struct cgnames *cn, __u64 id, pid_t pid, char *path, size_t n)
{
	const char *w;
	__u64 got;

	if (pid > 0 && !cgnames_of_pid(cn, pid, &got, path, n) && got == id)
		return 0;
	w = hashmap_get(&cn->walked, &id);
	if (!w && cn->cg_root[0] && (!cn->last_walk_ns || mono_ns() - cn->last_walk_ns >= WALK_EVERY_NS)) {
		walk(cn);
		w = hashmap_get(&cn->walked, &id);
		if (!w && hashmap_put(&cn->failed, &id, YES, NULL))
			return -ENOENT;
	}
	if (!w)
		return -ENOENT;
	snprintf(path, n, "%s", w);
	return 0;
}

static int send_name(struct cgnames *cn, __u64 id, const char *path, __u64 ts_ns,
		     cgnames_cb cb, void *ctx)
{
	struct ipcs_cgroup_name_rec r;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_CGROUP_NAME;
	r.h.size = sizeof(r);
	r.h.ts_ns = ts_ns;
	r.cgroup_id = id;
	snprintf(r.path, sizeof(r.path), "%s", path);
	if (hashmap_put(&cn->sent, &id, YES, NULL))
		return -ENOMEM;
	return cb(&r, sizeof(r), ctx);
}

int cgnames_seed(struct cgnames *cn, pid_t pid, __u64 ts_ns, __u64 *id, cgnames_cb cb, void *ctx)
{
	char path[PATH_MAX];

	if (cgnames_of_pid(cn, pid, id, path, sizeof(path)))
		return 0;	/* gone, or no cgroup v2: unknown */
	if (hashmap_get(&cn->sent, id))
		return 0;
	return send_name(cn, *id, path, ts_ns, cb, ctx);
}

/* The cgroup a record says its process is in, and that process (the
 * record's first pid), as the record table places them: 0 when none. */
static __u64 rec_cgroup(const void *rec, size_t len, const struct ipcs_rec_info *ri, pid_t *pid)
{
	__u64 id = 0;
	__u32 p = 0;
	bool have_pid = false;

	IPCS_REC_FOREACH_FIELD(f, ri) {
		if (!ipcs_field_present(f, 0, len))
			continue;
		if (f->role == IPCS_FLD_PID && !have_pid) {
			memcpy(&p, (const char *)rec + f->off, sizeof(p));
			have_pid = true;
		} else if (f->role == IPCS_FLD_CGROUP) {
			memcpy(&id, (const char *)rec + f->off, sizeof(id));
		}
	}
	*pid = (pid_t)p;
	return id;
}

int cgnames_before(struct cgnames *cn, const void *rec, size_t len, cgnames_cb cb, void *ctx)
{
	const struct ipcs_rec_info *ri;
	struct ipcs_rec_hdr h;
	char path[PATH_MAX];
	__u64 id;
	pid_t pid;

	if (!cn || len < sizeof(h))
		return 0;
	memcpy(&h, rec, sizeof(h));
	/* Seeds are named as they are taken (cgnames_seed). */
	ri = h.type == IPCS_REC_SEED_PROC ? NULL : ipcs_rec_lookup(h.type);
	if (!ri || len < ipcs_rec_full_size(ri))
		return 0;
	id = rec_cgroup(rec, len, ri, &pid);
	if (!id || hashmap_get(&cn->sent, &id) || hashmap_get(&cn->failed, &id))
		return 0;
	if (name_of(cn, id, pid, path, sizeof(path))) {
		log_debug("cgroup id %llu: no path found (gone before it was named)",
			  (unsigned long long)id);
		return 0;
	}
	return send_name(cn, id, path, h.ts_ns, cb, ctx);
}
