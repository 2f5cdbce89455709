/* output.c - where an export goes: stdout ("-") or a new file, made as recordings are. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "export/output.h"
#include "log.h"

int export_output_open(const char *path, bool force, bool binary, FILE **out)
{
	int fd, flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
	FILE *f;

	*out = NULL;
	if (!path || !strcmp(path, "-")) {
		if (binary && isatty(STDOUT_FILENO)) {
			log_error("refusing to write binary output to a terminal: give -o FILE or redirect stdout");
			return -EINVAL;
		}
		*out = stdout;
		return 0;
	}
	/* Exports may hold captured payload bytes: private, and never through a symlink. */
	flags |= force ? O_TRUNC : O_EXCL;
	fd = open(path, flags, 0600);
	if (fd < 0) {
		log_create_error(path, -errno);
		return -errno;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}

int export_output_close(FILE *f, const char *path)
{
	int err = 0;

	if (!f)
		return 0;
	if (fflush(f) || ferror(f))
		err = -EIO;
	if (f != stdout && fclose(f) && !err)
		err = -EIO;
	if (err)
		log_error("writing %s failed", path && strcmp(path, "-") ? path : "stdout");
	return err;
}
