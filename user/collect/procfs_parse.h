/*
 * procfs_parse.h - parsers of /proc text (stat, fdinfo, fd links) and the
 * bounded reader that fetches it. Parsers take a buffer, not a path, so
 * crafted and fuzzed text reaches them directly.
 */
#ifndef IPCS_PROCFS_PARSE_H
#define IPCS_PROCFS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

/* Read a small /proc file: at most size-1 bytes, NUL-terminated (size >= 1).
 * The length read, or -errno (the file vanished, access denied, a read failed). */
ssize_t procfs_read_small(const char *path, char *buf, size_t size);

/* "123" -> 123; -1 for empty, non-digits, leading zeros or > INT_MAX. */
long procfs_parse_num(const char *s);

/*
 * /proc/PID/stat text "pid (comm) state ppid ... starttime(22) ...": ppid,
 * start time in clock ticks, and comm (cut to commsz - 1). comm may hold
 * spaces and ')', so fields are counted from the last ')'. 0 or -EINVAL.
 */
int procfs_parse_stat(const char *buf, pid_t *ppid, __u64 *start, char *comm, size_t commsz);

/* /proc/PID/fdinfo/FD text: "flags:" (octal) -> IPCS_FMODE_* and O_CLOEXEC. 0 or -EINVAL. */
int procfs_parse_fdinfo(const char *buf, __u16 *fmode, bool *cloexec);

/* A fd link "pipe:[123]" exactly -> 123; 0 for anything else. */
__u64 procfs_parse_pipe_link(const char *s);

#endif
