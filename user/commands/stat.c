/* stat.c - `ipcscope stat`: trace like record, keep only the model, print the report's summary. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "commands/commands.h"
#include "log.h"

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
	struct recfile_write_opts wo = { 0 };
	struct ipcs_file_header fh;
	struct pipeline p;
	int status = 0, rc;

	recfile_header_init(&fh, &wo);	/* what a recording's header would say */
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
