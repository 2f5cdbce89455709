/* demo.c - `ipcscope demo`: record the bundled workload, then print its report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands/commands.h"
#include "commands/demo_workload.h"
#include "log.h"

int cmd_demo(const struct ipcs_opts *o)
{
	char dir[] = "/tmp/ipcscope-demo.XXXXXX", fifo[64], file[64];
	struct ipcs_opts ro = *o;
	struct record_target t = { .fn = demo_workload, .arg = fifo };
	int status = 0, rc;

	if (!mkdtemp(dir)) {
		log_error("cannot create a temporary directory: %s", strerror(errno));
		return EXIT_FAIL;
	}
	snprintf(fifo, sizeof(fifo), "%s/demo.fifo", dir);
	snprintf(file, sizeof(file), "%s/demo.ipcs", dir);
	if (!ro.output)
		ro.output = file;
	if (!o->quiet)
		printf("ipcscope demo: a pipeline over pipes, a FIFO and a message queue, RPC over a unix socketpair\n"
		       "and loopback TCP, a semaphore ping-pong in shared memory, eventfd and signals\n");
	rc = record_run(&ro, &t, &status);
	if (rc == EXIT_OK && status)
		log_warn("the demo workload failed (status %d); its report follows anyway", status);
	if (rc == EXIT_OK) {
		printf("\n");
		rc = report_file(ro.output, false, NULL);
	}
	/* Two commands, not a pipe; and the file they need must still exist. */
	if (rc == EXIT_OK && !o->quiet && (o->keep || o->output))
		printf("\nnext: ipcscope replay %s    (the viewer; --plain: one line per event)\n"
		       "      ipcscope report %s --json\n", ro.output, ro.output);
	else if (rc == EXIT_OK && !o->quiet)
		printf("\nthe recording was deleted; keep it with --keep or -o FILE, then: "
		       "ipcscope replay FILE, ipcscope report FILE --json\n");
	if (!o->keep && !o->output)
		unlink(file);
	rmdir(dir);
	return rc;
}
