/* opts.h - command-line options, parsed once into one struct passed down. */
#ifndef IPCS_OPTS_H
#define IPCS_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <getopt.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/types.h>
#include "cmdlist.h"

#define OPTS_MAX_PIDS 64
#define OPTS_MAX_COMMS 8	/* -c, as many as bpf/filter.bpf.h holds */
#define OPTS_MAX_CGROUPS 8	/* --cgroup, likewise */
#define OPTS_DEFAULT_LISTEN "127.0.0.1:9478"	/* serve --listen */
#define OPTS_DEFAULT_MAX_SERIES 2000		/* serve --max-series */

/* Named exit codes. A traced command's own status passes through record. */
enum ipcs_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* runtime error: no privileges, bad file, I/O */
	EXIT_USAGE = 2,		/* bad command line */
};

/* The commands of cmdlist.h, then what is not a command. */
#define CMD(name, id, fn, shortopts, help) id,
enum ipcs_cmd {
	CMD_NONE = 0,
	IPCS_COMMANDS(CMD)
	CMD_HELP,
	CMD_VERSION,
};
#undef CMD

struct ipcs_opts {
	enum ipcs_cmd cmd;
	const char *cmd_name;		/* as typed, for messages */
	const char *output;		/* -o FILE (stat: the summary, else the recording) */
	const char *input;		/* FILE argument of replay/report/export */
	char **inputs;			/* merge: the recordings, in order */
	int ninputs;
	/* The targets of a trace, each repeatable, a union (a process matching any one is traced) */
	pid_t pids[OPTS_MAX_PIDS];	/* -p PID */
	size_t npids;
	const char *comms[OPTS_MAX_COMMS];	/* -c COMM */
	size_t ncomms;
	const char *cgroups[OPTS_MAX_CGROUPS];	/* --cgroup PATH (cgroup v2) */
	size_t ncgroups;
	const char *format;		/* export --format F */
	const char *jsonl;		/* record --jsonl FILE ("-": stdout) */
	double since_s, until_s;	/* --since/--until SEC from the recording's start; -1 = unset */
	__u32 kinds;			/* --kind LIST: bit per enum ipcs_chan_kind, 0 = all */
	double duration_s;		/* --duration SEC, 0 = until stopped */
	unsigned ringbuf_kb;		/* --ringbuf-kb N, 0 = default */
	unsigned capture;		/* record --capture N: payload bytes per call, 0 = off */
	__u64 rotate_bytes;		/* record -C SIZE: a new file past SIZE bytes, 0 = off */
	double rotate_secs;		/* record -G SEC: a new file every SEC seconds, 0 = off */
	unsigned rotate_count;		/* record -W N: keep N files, 0 = all */
	bool force;			/* --force: replace an existing output file */
	bool allow_overlap;		/* merge --allow-overlap: the same threads recorded twice */
	bool replace_foreign;		/* --replace-foreign: with --force, also another user's */
	bool json;			/* --json */
	bool all;			/* report --all: no rows folded (SIGCHLD) */
	bool plain;			/* --plain */
	bool quiet;			/* -q: no status on stderr */
	bool keep;			/* demo --keep: keep the recording */
	bool no_stacks;		/* deadlock --no-stacks: no unwinding */
	bool ptrace_stacks;	/* deadlock --ptrace-stacks: unwind with ptrace (stops the process) */
	bool watch;			/* deadlock --watch: live, with the probes */
	bool locks;			/* record, deadlock --watch --locks: libc lock uprobes */
	double threshold_s;		/* deadlock --threshold SEC (default 1) */
	int max_reports;		/* deadlock --watch -n N: stop after N deadlocks (0 = never) */
	int verbose;			/* -v, repeatable */
	int frames;			/* live/replay -n/--frames N: viewer exits after N refreshes (0 = never) */
	double interval_s;		/* live --interval SEC: plain table every SEC (0 = per event) */
	const char *listen;		/* serve --listen ADDR:PORT (NULL: OPTS_DEFAULT_LISTEN) */
	enum { BY_COMM, BY_CGROUP, BY_CONTAINER } by;	/* serve --by: what labels the ends */
	size_t max_series;		/* serve --max-series N (0: OPTS_DEFAULT_MAX_SERIES) */
	char **argv;			/* -- CMD ARGS..., NULL-terminated; NULL if none */
	int argc;
	enum ipcs_cmd help_for;	/* with CMD_HELP: which command (CMD_NONE: overview) */
};

/*
 * Parse argv. Returns 0 to run o->cmd, or EXIT_USAGE after printing what
 * was wrong. "--help" sets cmd = CMD_HELP and help_for.
 */
int opts_parse(int argc, char **argv, struct ipcs_opts *o);

/* Help text of one command (or of the program with CMD_NONE) to f. */
void opts_usage(enum ipcs_cmd cmd, FILE *f);

/* What a command accepts, so a test can hold its --help and the man page to
 * it: its short options (getopt form, "o:p:"), and its i-th long option (val
 * below 256: the long name of that short option; --help left out), NULL past
 * the last. */
const char *opts_cmd_shortopts(enum ipcs_cmd cmd);
const struct option *opts_cmd_longopt(enum ipcs_cmd cmd, size_t i);

#endif
