/*
 * procfs_parse.c - parsers of /proc text, and its bounded reader. The text is partly chosen by other
 * processes (comm) and changes under us: every parser is bounded by the
 * NUL-terminated buffer it gets and rejects what it does not expect.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ipcscope_abi.h"
#include "collect/procfs_parse.h"

ssize_t procfs_read_small(const char *path, char *buf, size_t size)
{
	ssize_t n, got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((size_t)got < size - 1) {
		n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			close(fd);
			return err;
		}
		if (n == 0)
			break;
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	return got;
}

long procfs_parse_num(const char *s)
{
	long v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > INT_MAX)
			return -1;
	}
	return v;
}

/* A decimal field of at most max, digits only: 0 or -EINVAL. */
static int field_u64(const char *tok, __u64 max, __u64 *out)
{
	__u64 v = 0;

	if (!*tok)
		return -EINVAL;
	for (; *tok && *tok != '\n'; tok++) {
		if (*tok < '0' || *tok > '9' || v > (max - (__u64)(*tok - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (__u64)(*tok - '0');
	}
	*out = v;
	return 0;
}

int procfs_parse_stat(const char *buf, pid_t *ppid, __u64 *start, char *comm, size_t commsz)
{
	const char *open = strchr(buf, '('), *close = strrchr(buf, ')'), *p, *end;
	__u64 v;
	int field = 3;

	if (!open || !close || close < open || close[1] != ' ' || !commsz)
		return -EINVAL;
	snprintf(comm, commsz, "%.*s", (int)(close - open - 1), open + 1);
	*ppid = -1;
	/* Fields after ") " are separated by single spaces. */
	for (p = close + 2; *p; p = *end ? end + 1 : end, field++) {
		char tok[32];
		size_t n;

		end = strchrnul(p, ' ');
		if (field != 4 && field != 22)
			continue;
		n = (size_t)(end - p);
		if (n >= sizeof(tok))
			return -EINVAL;
		memcpy(tok, p, n);
		tok[n] = '\0';
		if (field == 4) {
			if (field_u64(tok, INT_MAX, &v))
				return -EINVAL;
			*ppid = (pid_t)v;
		} else {
			if (field_u64(tok, UINT64_MAX, &v))
				return -EINVAL;
			*start = v;
			return 0;
		}
	}
	return -EINVAL;
}

int procfs_parse_fdinfo(const char *buf, __u16 *fmode, bool *cloexec)
{
	const char *l;
	char *end;
	unsigned long flags;

	for (l = buf; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, "flags:", 6))
			continue;
		flags = strtoul(l + 6, &end, 8);
		if (end == l + 6)
			return -EINVAL;
		switch (flags & O_ACCMODE) {
		case O_RDONLY: *fmode = IPCS_FMODE_READ; break;
		case O_WRONLY: *fmode = IPCS_FMODE_WRITE; break;
		default: *fmode = IPCS_FMODE_READ | IPCS_FMODE_WRITE; break;
		}
		*cloexec = flags & O_CLOEXEC;
		return 0;
	}
	return -EINVAL;
}

__u64 procfs_parse_pipe_link(const char *s)
{
	const char *p = s + 6;
	__u64 ino = 0;

	if (strncmp(s, "pipe:[", 6) || *p == ']')
		return 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (ino > (UINT64_MAX - (__u64)(*p - '0')) / 10)
			return 0;
		ino = ino * 10 + (__u64)(*p - '0');
	}
	return p[0] == ']' && p[1] == '\0' ? ino : 0;
}
