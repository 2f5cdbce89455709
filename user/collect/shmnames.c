/*
 * shmnames.c - shmem segment paths from /proc/PID/maps (see shmnames.h).
 * One maps read per segment met (SHMNAMES_TRIES at most when its mappers
 * are gone), none for segments already named.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipcscope_abi.h"
#include "collect/shmnames.h"
#include "util/hashmap.h"

struct segkey {
	__u64 ino;
	__u32 dev;
	__u32 _pad;
};

struct shmnames {
	char root[PATH_MAX];
	struct hashmap segs;	/* segkey -> tries + 1 (0x100 | ...: named) */
};

#define NAMED 0x100u

int shmnames_new(const char *proc_root, struct shmnames **out)
{
	struct shmnames *sn;

	*out = NULL;
	sn = calloc(1, sizeof(*sn));
	if (!sn)
		return -ENOMEM;
	snprintf(sn->root, sizeof(sn->root), "%s", proc_root ? proc_root : "/proc");
	if (hashmap_init(&sn->segs, sizeof(struct segkey))) {
		free(sn);
		return -ENOMEM;
	}
	*out = sn;
	return 0;
}

void shmnames_free(struct shmnames *sn)
{
	if (!sn)
		return;
	hashmap_fini(&sn->segs);	/* values are counters, not pointers to free */
	free(sn);
}

void shmnames_forget(struct shmnames *sn)
{
	if (!sn)
		return;
	hashmap_fini(&sn->segs);
	hashmap_init(&sn->segs, sizeof(struct segkey));
}

int shmnames_parse_maps_line(const char *line, __u64 *start, __u64 *end, __u32 *dev, __u64 *ino,
			     const char **path)
{
	unsigned long long s, e, off, i;
	unsigned maj, min;
	char perms[8];
	int used = 0;

	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu%n", &s, &e, perms, &off, &maj, &min, &i,
		   &used) != 7)
		return -EINVAL;
	line += used;
	while (*line == ' ' || *line == '\t')
		line++;
	*start = s;
	*end = e;
	*dev = (__u32)(maj << 20) | (min & 0xfffff);
	*ino = i;
	*path = line;
	return 0;
}

int shmnames_name_of(const char *path, char *out, size_t n)
{
	static const char deleted[] = " (deleted)";
	size_t len = strcspn(path, "\n");

	if (!len || path[0] != '/' || !strncmp(path, "/dev/zero", 9) || !strncmp(path, "/SYSV", 5))
		return -ENOENT;
	if (!strncmp(path, "/memfd:", 7)) {
		/* The kernel's name of a memfd, as memfd_create records give it. */
		path++, len--;
		if (len >= sizeof(deleted) - 1 &&
		    !memcmp(path + len - (sizeof(deleted) - 1), deleted, sizeof(deleted) - 1))
			len -= sizeof(deleted) - 1;
	}
	if (!n)
		return -ENOENT;
	if (len >= n)
		len = n - 1;
	memcpy(out, path, len);
	out[len] = '\0';
	return 0;
}

/* The path of segment (dev, ino) in pid's maps: 0, or -ENOENT. */
static int find_in_maps(const struct shmnames *sn, __u32 pid, __u32 dev, __u64 ino, char *out,
			size_t n)
{
	char path[PATH_MAX], line[PATH_MAX + 128];
	__u64 s, e, i;
	const char *p;
	__u32 d;
	int ret = -ENOENT;
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/%u/maps", sn->root, pid) >= (int)sizeof(path))
		return -ENOENT;
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (ret && fgets(line, sizeof(line), f)) {
		if (!shmnames_parse_maps_line(line, &s, &e, &d, &i, &p) && i == ino && d == dev)
			ret = shmnames_name_of(p, out, n);
	}
	fclose(f);
	return ret;
}

/* A futex's key may be any shared file: only shared-memory segments are named. */
static bool is_shm_name(const char *name)
{
	return !strncmp(name, "memfd:", 6) || !strncmp(name, "/dev/shm/", 9);
}

static int name_seg(struct shmnames *sn, __u32 pid, __u32 dev, __u64 ino, bool shm_only,
		    __u64 ts, shmnames_cb cb, void *ctx)
{
	struct segkey k = { .ino = ino, .dev = dev };
	uintptr_t st = (uintptr_t)hashmap_get(&sn->segs, &k);
	struct ipcs_shm_name_rec r;
	int err;

	if (!ino || !pid || (st & NAMED) || st > SHMNAMES_TRIES)
		return 0;
	memset(&r, 0, sizeof(r));
	if (find_in_maps(sn, pid, dev, ino, r.path, sizeof(r.path)) ||
	    (shm_only && !is_shm_name(r.path))) {
		/* Counted, so a segment nobody can name costs a few reads only. */
		hashmap_put(&sn->segs, &k, (void *)(st + 1), NULL);
		return 0;
	}
	if (hashmap_put(&sn->segs, &k, (void *)(uintptr_t)NAMED, NULL))
		return 0;	/* out of memory: named again next time, no harm */
	r.h.type = IPCS_REC_SHM_NAME;
	r.h.size = sizeof(r);
	r.h.ts_ns = ts;
	r.ino = ino;
	r.dev = dev;
	r.pid = pid;
	err = cb(&r, sizeof(r), ctx);
	return err;
}

int shmnames_before(struct shmnames *sn, const void *rec, size_t len, shmnames_cb cb, void *ctx)
{
	struct ipcs_rec_hdr h;

	if (!sn || !rec || len < sizeof(h))
		return 0;
	memcpy(&h, rec, sizeof(h));
	if (h.type == IPCS_REC_SHM && len >= sizeof(struct ipcs_shm_rec)) {
		struct ipcs_shm_rec r;

		memcpy(&r, rec, sizeof(r));
		if (r.sys != IPCS_SYS_MMAP || r.ret < 0)
			return 0;
		return name_seg(sn, r.pid, r.dev, r.ino, false, h.ts_ns, cb, ctx);
	}
	if (h.type == IPCS_REC_FUTEX && len >= IPCS_FUTEX_REC_SIZE_1_0) {
		struct ipcs_futex_rec r;

		memcpy(&r, rec, IPCS_FUTEX_REC_SIZE_1_0);
		/* Bit 63: an inode with no number (SysV), named by its shmid instead. */
		if (!(r.key_flags & IPCS_FKEY_SHARED) || (r.key_ino >> 63))
			return 0;
		return name_seg(sn, r.pid, r.key_dev, r.key_ino, true, h.ts_ns, cb, ctx);
	}
	return 0;
}
