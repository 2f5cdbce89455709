/* opts.c - one parser for every command's options (getopt_long, table-driven). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "collect/decode.h"
#include "opts.h"

struct cmd_desc {
	const char *name;
	enum ipcs_cmd cmd;
	const char *shortopts;	/* which short options it takes */
	const char *usage;
};

static const struct cmd_desc cmds[] = {
	{ "record", CMD_RECORD, "o:p:c:qv",
	  "usage: ipcscope record -o FILE [-p PID]... [-c COMM] [--duration SEC]\n"
	  "                       [--force] [--ringbuf-kb N] [-q] [-v] [-- CMD ARGS...]\n"
	  "Record IPC (pipes, FIFOs) to FILE (created 0600, never over a symlink).\n"
	  "  -o, --output FILE   recording to write (refuses an existing file without --force)\n"
	  "  -p, --pid PID       trace PID and its descendants (repeatable)\n"
	  "  -c, --comm NAME     trace processes whose command name is NAME\n"
	  "      --duration SEC  stop after SEC seconds\n"
	  "      --force         replace an existing regular file\n"
	  "      --ringbuf-kb N  ring buffer size in KiB (power of two, >= 4; default 8192)\n"
	  "  -q, --quiet         no status line on stderr\n"
	  "  -v, --verbose       more diagnostics (twice: libbpf debug)\n"
	  "  -- CMD ARGS...      run CMD, trace it and its descendants from its first\n"
	  "                      instruction, stop when it exits and exit with its status\n"
	  "Without CMD or -p/-c the whole host is traced. Stops on Ctrl-C or SIGTERM\n"
	  "(the file is finished cleanly), at --duration, or when every -p process exited.\n" },
	{ "live", CMD_LIVE, "p:c:n:qv",
	  "usage: ipcscope [live] [-p PID]... [-c COMM] [--kind KIND] [--plain]\n"
	  "                [--interval SEC] [-n N] [--ringbuf-kb N] [-v] [-- CMD ARGS...]\n"
	  "Watch IPC as it happens in the viewer (the default command): conversations\n"
	  "with rates, latency and last activity, processes, a message sequence of one\n"
	  "conversation; ? lists the keys. Rates and the status line update once a\n"
	  "second; drops are always shown.\n"
	  "  -p, --pid PID       watch PID and its descendants (repeatable)\n"
	  "  -c, --comm NAME     watch processes whose command name is NAME\n"
	  "      --kind KIND     show only channels of KIND (pipe, fifo, unix-stream, tcp, ...)\n"
	  "      --plain         print one line per event instead (also when stdout is not\n"
	  "                      a terminal)\n"
	  "      --interval SEC  plain output as a table of every conversation's totals\n"
	  "                      and rates every SEC seconds (and at the end)\n"
	  "  -n, --frames N      viewer: exit after N refreshes (one a second)\n"
	  "      --ringbuf-kb N  ring buffer size in KiB (power of two, >= 4; default 8192)\n"
	  "  -v, --verbose       more diagnostics (twice: libbpf debug)\n"
	  "  -- CMD ARGS...      run CMD and watch it and its descendants from its first\n"
	  "                      instruction; the viewer stays open after it exits\n"
	  "                      (in the viewer, CMD's input and output are /dev/null)\n"
	  "Without CMD or -p/-c the whole host is watched. Plain output stops on Ctrl-C or\n"
	  "SIGTERM, when CMD exits or when every -p process exited; the viewer on q.\n" },
	{ "replay", CMD_REPLAY, "n:v",
	  "usage: ipcscope replay FILE [--plain] [-n N] [-v]\n"
	  "Show a recording in the viewer (on a terminal): conversations, processes and\n"
	  "the message sequence of one conversation, sortable and filterable, at a cursor\n"
	  "that starts at the end; ? lists the keys. Bytes from traced programs are\n"
	  "escaped (\\xNN).\n"
	  "  --plain          one line per event instead (also when stdout is not a\n"
	  "                   terminal): time since start, pid/comm, syscall, channel, bytes\n"
	  "  -n, --frames N   viewer: exit after N refreshes (for scripts and tests)\n"
	  "keys: arrows/j/k/PgUp/PgDn/Home/End move, Tab/1/2/3 switch view, Enter opens\n"
	  "a conversation's sequence or a message, m marks processes (Enter: all their\n"
	  "traffic), s next sort column, S reverse sort,\n"
	  "/ filter (Enter keeps, Esc cancels), p play/pause, . , one event on/back,\n"
	  "] [ one second on/back, + - faster/slower, t jump to a time, ? help, q quit.\n" },
	{ "report", CMD_REPORT, "v",
	  "usage: ipcscope report FILE [--json] [-v]\n"
	  "Print the conversations of a recording: who wrote how much to whom, over\n"
	  "which channel, plus drops and how the file ended.\n"
	  "  --json     machine-readable output (docs/report-json.md)\n" },
	{ "demo", CMD_DEMO, "o:qv",
	  "usage: ipcscope demo [-o FILE] [--keep] [--force] [-q] [-v]\n"
	  "Record the bundled multi-process workload (pipes, a FIFO, unix and TCP\n"
	  "sockets, a message queue, a shared semaphore, eventfd, signals) and print its\n"
	  "report. The recording goes to a temporary file unless -o or --keep is given.\n" },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

enum { OPT_DURATION = 256, OPT_FORCE, OPT_RINGBUF, OPT_JSON, OPT_PLAIN, OPT_KEEP, OPT_HELP, OPT_FRAMES,
       OPT_INTERVAL, OPT_KIND };

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 'c' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "ringbuf-kb", required_argument, NULL, OPT_RINGBUF },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "plain", no_argument, NULL, OPT_PLAIN },
	{ "keep", no_argument, NULL, OPT_KEEP },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "frames", required_argument, NULL, OPT_FRAMES },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "kind", required_argument, NULL, OPT_KIND },
	{ NULL, 0, NULL, 0 },
};

/* Which long options each command accepts (beyond its short ones). */
static bool long_allowed(enum ipcs_cmd cmd, int opt)
{
	switch (opt) {
	case OPT_HELP: return true;
	case OPT_DURATION: return cmd == CMD_RECORD;
	case OPT_RINGBUF: return cmd == CMD_RECORD || cmd == CMD_LIVE;
	case OPT_FORCE: return cmd == CMD_RECORD || cmd == CMD_DEMO;
	case OPT_JSON: return cmd == CMD_REPORT;
	case OPT_PLAIN: case OPT_FRAMES: return cmd == CMD_REPLAY || cmd == CMD_LIVE;
	case OPT_INTERVAL: case OPT_KIND: return cmd == CMD_LIVE;
	case OPT_KEEP: return cmd == CMD_DEMO;
	}
	return false;
}

static const char *const overview =
	"usage: ipcscope [COMMAND] [OPTIONS]\n"
	"Show how processes on this host talk to each other (pipes, FIFOs, sockets,\n"
	"futexes, shared memory, message queues, signals, ptys, eventfd).\n"
	"\n"
	"commands:\n"
	"  live     watch IPC now (the default command)   ipcscope [live] [-- CMD]\n"
	"  record   trace IPC into a recording file     ipcscope record -o t.ipcs -- CMD\n"
	"  replay   view a recording (--plain: lines)    ipcscope replay t.ipcs\n"
	"  report   conversations of a recording         ipcscope report t.ipcs [--json]\n"
	"  demo     record a bundled workload and report it\n"
	"\n"
	"ipcscope COMMAND --help for a command's options; ipcscope --version.\n"
	"Tracing needs root, or CAP_BPF + CAP_PERFMON, and a kernel with BTF.\n";

void opts_usage(enum ipcs_cmd cmd, FILE *f)
{
	for (size_t i = 0; i < NCMDS; i++) {
		if (cmds[i].cmd == cmd) {
			fputs(cmds[i].usage, f);
			return;
		}
	}
	fputs(overview, f);
}

static int usage_error(const struct ipcs_opts *o, const char *what, const char *arg)
{
	fprintf(stderr, "ipcscope%s%s: %s%s%s\n", o->cmd_name ? " " : "", o->cmd_name ? o->cmd_name : "", what,
		arg ? ": " : "", arg ? arg : "");
	if (o->cmd_name)
		fprintf(stderr, "Try 'ipcscope %s --help'.\n", o->cmd_name);
	else
		fprintf(stderr, "Try 'ipcscope --help'.\n");
	return EXIT_USAGE;
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_opt(struct ipcs_opts *o, int c, const char *arg)
{
	long v;
	char *end;

	switch (c) {
	case 'o': o->output = arg; return 0;
	case 'c':
		if (!*arg || strlen(arg) > 15)
			return usage_error(o, "command name must be 1..15 characters (the kernel's comm)", arg);
		o->comm = arg;
		return 0;
	case 'p':
		if (o->npids >= OPTS_MAX_PIDS)
			return usage_error(o, "too many -p options (at most 64)", arg);
		if (parse_long(arg, 1, INT_MAX, &v))
			return usage_error(o, "-p needs a process id (a positive number)", arg);
		o->pids[o->npids++] = (pid_t)v;
		return 0;
	case 'n':
	case OPT_FRAMES:
		if (parse_long(arg, 1, 1000000, &v))
			return usage_error(o, "-n/--frames needs a number of refreshes (1..1000000)", arg);
		o->frames = (int)v;
		return 0;
	case 'q': o->quiet = true; return 0;
	case 'v': o->verbose++; return 0;
	case OPT_DURATION:
		errno = 0;
		o->duration_s = strtod(arg, &end);
		if (errno || end == arg || *end || !(o->duration_s > 0) || o->duration_s > 1e7)
			return usage_error(o, "--duration needs a positive number of seconds", arg);
		return 0;
	case OPT_RINGBUF:
		if (parse_long(arg, 4, 1 << 20, &v) || (v & (v - 1)))
			return usage_error(o, "--ringbuf-kb needs a power of two between 4 and 1048576", arg);
		o->ringbuf_kb = (unsigned)v;
		return 0;
	case OPT_INTERVAL:
		errno = 0;
		o->interval_s = strtod(arg, &end);
		if (errno || end == arg || *end || !(o->interval_s >= 0.1) || o->interval_s > 1e6)
			return usage_error(o, "--interval needs a number of seconds, at least 0.1", arg);
		return 0;
	case OPT_KIND:
		for (int k = 1; k < IPCS_KIND_MAX; k++)
			if (!strcmp(arg, ipcs_kind_name((__u16)k))) {
				o->kind = k;
				return 0;
			}
		return usage_error(o, "unknown --kind (pipe, fifo, unix-stream, unix-dgram, "
				   "unix-seqpacket, tcp, udp, shm, futex, mq, signal, pty, eventfd)", arg);
	case OPT_FORCE: o->force = true; return 0;
	case OPT_JSON: o->json = true; return 0;
	case OPT_PLAIN: o->plain = true; return 0;
	case OPT_KEEP: o->keep = true; return 0;
	}
	return usage_error(o, "unknown option", NULL);
}

static const struct cmd_desc *find_cmd(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

/* After parsing: what each command requires. */
static int validate(struct ipcs_opts *o, int nargs, char **args)
{
	switch (o->cmd) {
	case CMD_RECORD:
	case CMD_LIVE:
		if (o->cmd == CMD_RECORD && !o->output)
			return usage_error(o, "missing -o FILE (where to write the recording)", NULL);
		if (o->interval_s > 0 && o->frames)
			return usage_error(o, "--interval is for plain output; -n is for the viewer", NULL);
		if (nargs > 0 && !o->argv)
			return usage_error(o, "unexpected argument (put a command after --)", args[0]);
		if (o->argv && o->npids)
			return usage_error(o, "use either -p PID or -- CMD, not both", NULL);
		return 0;
	case CMD_REPLAY:
	case CMD_REPORT:
		if (nargs != 1)
			return usage_error(o, nargs ? "exactly one recording file expected" : "missing FILE (a recording)", nargs > 1 ? args[1] : NULL);
		o->input = args[0];
		return 0;
	case CMD_DEMO:
		if (nargs)
			return usage_error(o, "unexpected argument", args[0]);
		return 0;
	default:
		return 0;
	}
}

int opts_parse(int argc, char **argv, struct ipcs_opts *o)
{
	const struct cmd_desc *d;
	int c, rc, nargs, li = -1, dashdash = -1, base = 1;	/* argv[base]: getopt's argv[0] */

	memset(o, 0, sizeof(*o));
	if (argc < 2) {	/* plain `ipcscope`: the live viewer on the whole host */
		o->cmd = CMD_LIVE;
		o->cmd_name = "live";
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		o->cmd = CMD_HELP;
		if (argc > 2 && (d = find_cmd(argv[2])))
			o->help_for = d->cmd;
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		o->cmd = CMD_VERSION;
		return 0;
	}
	d = find_cmd(argv[1]);
	/* Options first (`ipcscope -p 42`, `ipcscope -- CMD`): the live viewer. */
	if (!d && argv[1][0] == '-') {
		d = find_cmd("live");
		base = 0;
	}
	if (!d)
		return usage_error(o, "unknown command (live, record, replay, report, demo)", argv[1]);
	o->cmd = d->cmd;
	o->cmd_name = d->name;

	/* Everything after "--" belongs to the traced command. */
	for (int i = base + 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			dashdash = i;
			break;
		}
	if (dashdash >= 0) {
		if (o->cmd != CMD_RECORD && o->cmd != CMD_LIVE)
			return usage_error(o, "only record and live run a command after --", NULL);
		if (dashdash + 1 >= argc)
			return usage_error(o, "missing command after --", NULL);
		o->argv = &argv[dashdash + 1];
		o->argc = argc - dashdash - 1;
		argc = dashdash;
	}

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc - base, argv + base, d->shortopts, long_opts, &li)) != -1) {
		if (c == '?' || c == ':') {
			char shortopt[3] = { '-', (char)optopt, '\0' };
			bool known = optopt && optopt < 256 && strchr(d->shortopts, optopt);

			return usage_error(o, known ? "option needs an argument" : "unknown option",
					   optopt && optopt < 256 ? shortopt : argv[base + optind - 1]);
		}
		if (c >= 256 && !long_allowed(o->cmd, c)) {
			char name[40];

			snprintf(name, sizeof(name), "--%s", li >= 0 ? long_opts[li].name : "?");
			return usage_error(o, "option not valid for this command", name);
		}
		if (c == OPT_HELP) {
			o->help_for = o->cmd;
			o->cmd = CMD_HELP;
			return 0;
		}
		rc = parse_opt(o, c, optarg);
		if (rc)
			return rc;
	}
	nargs = argc - base - optind;
	return validate(o, nargs, argv + base + optind);
}
