/* main.c - parse options once, dispatch to the command (the table: cmdlist.h). */
#include <stdio.h>
#include "commands/commands.h"
#include "log.h"
#include "opts.h"
#include "ipcscope_abi.h"

/* From cmdlist.h: one entry per command. */
#define CMD(name, id, fn, shortopts, help) { id, fn },
static const struct {
	enum ipcs_cmd cmd;
	int (*run)(const struct ipcs_opts *o);
} dispatch[] = {
	IPCS_COMMANDS(CMD)
};
#undef CMD

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
