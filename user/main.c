/* main.c - parse options once, dispatch to the command. */
#include <stdio.h>
#include "commands/commands.h"
#include "log.h"
#include "opts.h"
#include "ipcscope_abi.h"

static const struct {
	enum ipcs_cmd cmd;
	int (*run)(const struct ipcs_opts *o);
} dispatch[] = {
	{ CMD_RECORD, cmd_record },
	{ CMD_REPLAY, cmd_replay },
	{ CMD_REPORT, cmd_report },
	{ CMD_DEMO, cmd_demo },
	{ CMD_DEADLOCK, cmd_deadlock },
	{ CMD_STAT, cmd_stat },
	{ CMD_EXPORT, cmd_export },
	{ CMD_MERGE, cmd_merge },
	{ CMD_LIVE, cmd_live },
	{ CMD_SERVE, cmd_serve },
};

int main(int argc, char **argv)
{
	struct ipcs_opts o;
	int rc = opts_parse(argc, argv, &o);

	if (rc)
		return rc;
	if (o.cmd == CMD_HELP) {
		opts_usage(o.help_for, stdout);
		return EXIT_OK;
	}
	if (o.cmd == CMD_VERSION) {
		printf("ipcscope %s (ABI %d.%d)\n", IPCS_VERSION, IPCS_ABI_MAJOR, IPCS_ABI_MINOR);
		return EXIT_OK;
	}
	log_set_level(o.verbose >= 2 ? LOG_DEBUG : o.verbose ? LOG_INFO : LOG_WARN);
	for (size_t i = 0; i < sizeof(dispatch) / sizeof(dispatch[0]); i++)
		if (dispatch[i].cmd == o.cmd)
			return dispatch[i].run(&o);
	opts_usage(CMD_NONE, stderr);
	return EXIT_USAGE;
}
