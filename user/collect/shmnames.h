/*
 * shmnames.h - shmem segments named by their path: the probes key a POSIX
 * shm or memfd segment by its inode (mmap, shared futexes); user space
 * finds its name in the mapper's /proc/PID/maps ("/dev/shm/PostgreSQL.N",
 * "/memfd:NAME (deleted)") and puts an IPCS_REC_SHM_NAME record into the
 * stream before the first record that carries the segment, so recordings
 * name their segments wherever they are replayed.
 */
#ifndef IPCS_SHMNAMES_H
#define IPCS_SHMNAMES_H

#include <stddef.h>
#include <linux/types.h>

struct shmnames;

typedef int (*shmnames_cb)(const void *rec, size_t len, void *ctx);

/* Times a segment is looked for before it is left unnamed (its mappers may be gone). */
#define SHMNAMES_TRIES 3

/* proc_root: "/proc" (tests: a crafted tree). 0 or -ENOMEM. */
int shmnames_new(const char *proc_root, struct shmnames **out);
void shmnames_free(struct shmnames *sn);

/*
 * One line of /proc/PID/maps: its start, end, device (the kernel's dev_t
 * encoding, as the probes carry it), inode and path (points into line;
 * "" when none). 0 or -EINVAL.
 */
int shmnames_parse_maps_line(const char *line, __u64 *start, __u64 *end, __u32 *dev, __u64 *ino,
			     const char **path);

/*
 * The name a segment goes by, from a maps path: "/dev/shm/X" as it is,
 * "/memfd:X (deleted)" -> "memfd:X"; shared anonymous memory ("/dev/zero")
 * and SysV ("/SYSV...") have none. 0, or -ENOENT for no name.
 */
int shmnames_name_of(const char *path, char *out, size_t n);

/*
 * Before a probe record is delivered: a shmem segment it carries (an mmap's,
 * a shared futex's key) that is not named yet is looked up in the record's
 * process's maps, and an IPCS_REC_SHM_NAME goes to cb first. 0 or cb's error.
 */
int shmnames_before(struct shmnames *sn, const void *rec, size_t len, shmnames_cb cb, void *ctx);

/* A new recording file begins: name every segment again when next met. */
void shmnames_forget(struct shmnames *sn);

#endif
