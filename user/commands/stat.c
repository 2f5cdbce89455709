/* stat.c - `ipcscope stat`: trace like record, keep only the model, print the report's summary. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "commands/commands.h"
#include "log.h"
#include "util/outfile.h"

/* -o FILE: the summary goes to fd (made before tracing); stdout stays the traced command's. */
static int summary_to(const char *path, int fd)
{
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
	int status = 0, rc, out_fd;

	recfile_header_init(&fh, &wo);	/* what a recording's header would say */
	if (pipeline_init(&p, true)) {
		log_error("out of memory");
		return EXIT_FAIL;
	}
	/* Made before tracing: a path we cannot or may not write fails at once (outfile.c). */
	out_fd = o->output ? outfile_create(o->output, cmd_outf_flags(o)) : -1;
	if (o->output && out_fd < 0) {
		pipeline_fini(&p);
		return EXIT_FAIL;
	}
	rc = trace_run(o, o->argv ? &t : NULL, &p, &status);
	if (out_fd >= 0 && rc == EXIT_OK && summary_to(o->output, out_fd))
		rc = EXIT_FAIL;
	else if (out_fd >= 0 && rc != EXIT_OK)
		close(out_fd);
	if (rc == EXIT_OK && report_model(NULL, &fh, &st, p.model, o->json))
		rc = EXIT_FAIL;
	fflush(stdout);
	pipeline_fini(&p);
	if (rc != EXIT_OK)
		return rc;
	return o->argv ? status : EXIT_OK;
}
