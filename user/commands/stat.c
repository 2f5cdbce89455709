/* stat.c - `ipcscope stat`: trace like record, keep only the model, print the report's summary. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "commands/commands.h"
#include "log.h"

/* What a recording's header would say about this run, for the report. */
static void live_header(struct ipcs_file_header *fh)
{
	struct timespec ts;
	struct utsname u;

	memset(fh, 0, sizeof(*fh));
	memcpy(fh->magic, IPCS_FILE_MAGIC, sizeof(fh->magic));
	fh->major = IPCS_ABI_MAJOR;
	fh->minor = IPCS_ABI_MINOR;
	fh->header_size = sizeof(*fh);
	clock_gettime(CLOCK_REALTIME, &ts);
	fh->start_real_ns = (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
	if (!uname(&u)) {
		snprintf(fh->host, sizeof(fh->host), "%.63s", u.nodename);
		snprintf(fh->kernel, sizeof(fh->kernel), "%.63s", u.release);
	}
}

/* -o FILE: the summary goes there; stdout stays the traced command's. */
static int summary_to(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0) {
		log_error("cannot write the summary to %s: %s", path, strerror(errno));
		return -errno;
	}
	/* The command has exited: nothing else writes to stdout any more. */
	fflush(stdout);
	if (dup2(fd, STDOUT_FILENO) < 0) {
		log_error("cannot write the summary to %s: %s", path, strerror(errno));
		close(fd);
		return -errno;
	}
	close(fd);
	return 0;
}

int cmd_stat(const struct ipcs_opts *o)
{
	struct record_target t = { .argv = o->argv };
	struct recfile_status st = { .clean_end = true };
	struct ipcs_file_header fh;
	struct pipeline p;
	int status = 0, rc;

	live_header(&fh);
	if (pipeline_init(&p, true)) {
		log_error("out of memory");
		return EXIT_FAIL;
	}
	rc = trace_run(o, o->argv ? &t : NULL, &p, &status);
	if (rc == EXIT_OK && o->output && summary_to(o->output))
		rc = EXIT_FAIL;
	if (rc == EXIT_OK && report_model(NULL, &fh, &st, p.model, o->json))
		rc = EXIT_FAIL;
	fflush(stdout);
	pipeline_fini(&p);
	if (rc != EXIT_OK)
		return rc;
	return o->argv ? status : EXIT_OK;
}
