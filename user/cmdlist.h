/*
 * cmdlist.h - the commands, one line each: adding a command is a line here
 * (plus its USAGE_ help text in opts.c and its cmd_* function).
 *
 * CMD(name, id, fn, shortopts, help): the word typed, its enum ipcs_cmd
 * value, the function main.c runs, the short options it takes, the macro
 * holding its help text (defined in opts.c). opts.h makes the enum from
 * this list, commands.h the cmd_* declarations, opts.c the parser's table
 * and main.c the dispatch. An expansion that leaves out `fn` references no
 * command (opts.c: the fuzzer links it without them); one that leaves out
 * `help` needs no USAGE_ macro. The order is the one "unknown command"
 * lists them in.
 */
#ifndef IPCS_CMDLIST_H
#define IPCS_CMDLIST_H

#define IPCS_COMMANDS(CMD) \
	CMD(live, CMD_LIVE, cmd_live, "p:c:n:v", USAGE_LIVE) \
	CMD(record, CMD_RECORD, cmd_record, "o:p:c:qvC:G:W:", USAGE_RECORD) \
	CMD(replay, CMD_REPLAY, cmd_replay, "n:p:c:v", USAGE_REPLAY) \
	CMD(report, CMD_REPORT, cmd_report, "p:c:v", USAGE_REPORT) \
	CMD(stat, CMD_STAT, cmd_stat, "o:p:c:qv", USAGE_STAT) \
	CMD(export, CMD_EXPORT, cmd_export, "o:p:c:v", USAGE_EXPORT) \
	CMD(merge, CMD_MERGE, cmd_merge, "o:v", USAGE_MERGE) \
	CMD(demo, CMD_DEMO, cmd_demo, "o:qv", USAGE_DEMO) \
	CMD(deadlock, CMD_DEADLOCK, cmd_deadlock, "p:c:n:qv", USAGE_DEADLOCK) \
	CMD(serve, CMD_SERVE, cmd_serve, "p:c:qv", USAGE_SERVE)

#endif
