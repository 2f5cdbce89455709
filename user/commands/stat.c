/* stat.c - `ipcscope stat`: a tracing session (trace/session.c) into a model only, then the
 * report's summary. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "commands/commands.h"
#include "log.h"
#include "trace/session.h"
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

static int stat_tick(struct session *ss, void *ctx)
{
	(void)ctx;
	session_status(ss, NULL, -1, 0, false);
	return 0;
}

/* Probes -> p (with its model) until the command exits, the -p processes are gone, or a signal. */
static int trace(const struct ipcs_opts *o, const struct record_target *t, struct pipeline *p,
		 int *cmd_status)
{
	struct session_cfg cfg = { .o = o, .cmd = t, .p = p, .seed = SESSION_SEED_PIPELINE,
				   .until_gone = true, .on_tick = stat_tick };
	struct session ss;
	struct ev_filter f;
	int err;

	cmd_filter(o, 0, &f, p);	/* --kind: only those events are kept */
	err = session_open(&ss, &cfg);
	if (err)
		return EXIT_FAIL;
	if (!o->quiet)
		fprintf(stderr, "ipcscope: tracing (counting only)%s\n",
			ss.child > 0 ? "" : "; Ctrl-C to stop and print the summary");
	session_go(&ss);
	while (!err && !session_done(&ss))
		err = session_step(&ss, 100);
	err = session_finish(&ss, err);
	session_status(&ss, NULL, -1, 0, true);
	if (t)
		*cmd_status = ss.child_status;
	p->filter = NULL;	/* f ends here */
	return err ? EXIT_FAIL : EXIT_OK;
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
	rc = trace(o, o->argv ? &t : NULL, &p, &status);
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
