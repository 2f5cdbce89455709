/* output.c - where an export goes: stdout ("-") or a new file, made as recordings are (outfile.c). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "export/output.h"
#include "log.h"
#include "util/outfile.h"

int export_output_open(const char *path, unsigned outf_flags, bool binary, FILE **out)
{
	FILE *f;
	int fd;

	*out = NULL;
	if (!path || !strcmp(path, "-")) {
		if (binary && isatty(STDOUT_FILENO)) {
			log_error("refusing to write binary output to a terminal: give -o FILE or redirect stdout");
			return -EINVAL;
		}
		*out = stdout;
		return 0;
	}
	/* Exports may hold captured payload bytes: a new private inode (outfile.c). */
	fd = outfile_create(path, outf_flags);
	if (fd < 0)
		return fd;	/* logged */
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
