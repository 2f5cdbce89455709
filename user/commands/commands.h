/* commands.h - one entry point per subcommand, dispatched from main.c. */
#ifndef IPCS_COMMANDS_H
#define IPCS_COMMANDS_H

#include "opts.h"

/* Each returns the process exit status (enum ipcs_exit, or a traced command's). */
int cmd_record(const struct ipcs_opts *o);
int cmd_replay(const struct ipcs_opts *o);
int cmd_report(const struct ipcs_opts *o);
int cmd_demo(const struct ipcs_opts *o);
int cmd_live(const struct ipcs_opts *o);

/* What record traces: a command to exec, or a function run in a forked child. */
struct record_target {
	char **argv;			/* execvp(argv[0], argv) */
	int (*fn)(void *arg);		/* or: exit(fn(arg)) in the child */
	void *arg;
	bool null_stdio;		/* stdin, stdout, stderr on /dev/null (a viewer owns the terminal) */
};

/* The recording loop shared by record and demo. t may be NULL (pids/host).
 * *cmd_status gets the traced command's exit status (shell convention). */
int record_run(const struct ipcs_opts *o, const struct record_target *t, int *cmd_status);

/* Report on a recording, text or JSON, to stdout. */
int report_file(const char *path, bool json);

#endif
