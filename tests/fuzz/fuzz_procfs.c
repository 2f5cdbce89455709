/*
 * fuzz_procfs.c - libFuzzer harness for the /proc text parsers
 * (user/collect/procfs_parse.c, and the maps lines of user/collect/shmnames.c): the first byte picks the parser, the rest is
 * the text as a read of /proc would hand it (NUL-terminated, at most the
 * seeder's buffer size). Results must be in range.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ipcscope_abi.h"
#include "collect/procfs_parse.h"
#include "collect/shmnames.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[1024], comm[64], name[IPCS_PATH_MAX];
	const char *path;
	__u64 a, b, ino;
	__u32 dev;
	__u16 fmode = 0;
	bool cloexec;
	pid_t ppid;
	__u64 start;
	size_t n;
	long v;

	if (size < 1)
		return 0;
	n = size - 1 < sizeof(buf) - 1 ? size - 1 : sizeof(buf) - 1;
	memcpy(buf, data + 1, n);
	buf[n] = '\0';
	switch (data[0] % 6) {
	case 0:
		if (procfs_parse_stat(buf, &ppid, &start, comm, sizeof(comm)) == 0 &&
		    (ppid < 0 || strlen(comm) >= sizeof(comm)))
			__builtin_trap();
		break;
	case 1:
		if (procfs_parse_fdinfo(buf, &fmode, &cloexec) == 0 &&
		    (!fmode || fmode & ~(IPCS_FMODE_READ | IPCS_FMODE_WRITE)))
			__builtin_trap();
		break;
	case 2:
		(void)procfs_parse_pipe_link(buf);
		break;
	case 3:
		v = procfs_parse_num(buf);
		if (v < -1 || v > INT_MAX)
			__builtin_trap();
		break;
	case 4:	/* the path points into the line */
		if (shmnames_parse_maps_line(buf, &a, &b, &dev, &ino, &path) == 0 &&
		    (path < buf || path > buf + n))
			__builtin_trap();
		break;
	case 5:
		if (shmnames_name_of(buf, name, sizeof(name)) == 0 && strlen(name) >= sizeof(name))
			__builtin_trap();
		break;
	}
	return 0;
}
