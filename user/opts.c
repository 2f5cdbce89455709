/* opts.c - one parser for every command's options (getopt_long, table-driven). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "collect/decode.h"
#include "opts.h"
#include "ipcscope_abi.h"
#include "evfilter.h"

/* Help lines that several commands share, word for word (joined literals). */
#define H_FORCE \
	"      --force         replace an existing regular file of yours: a new file takes\n" \
	"                      its name (the old one is never written into)\n" \
	"      --replace-foreign\n" \
	"                      with --force, also replace another user's file\n"
#define H_WINDOW \
	"      --since SEC     only events from SEC seconds after the recording began\n" \
	"      --until SEC     only events up to SEC seconds after it began\n"
#define H_PROCS \
	"  -p, --pid PID       only the events of PID and its descendants (repeatable)\n" \
	"  -c, --comm NAME     only the events of processes named NAME\n"
#define H_KIND \
	"      --kind LIST     only these channel kinds, e.g. pipe,unix,tcp (unix = its\n" \
	"                      three kinds); process records always pass\n" \
	"                      (-KIND leaves a kind out: --kind -signal)\n"
#define H_RINGBUF \
	"      --ringbuf-kb N  ring buffer size in KiB (power of two, >= 4; default 8192)\n"
#define H_VERBOSE \
	"  -v, --verbose       more diagnostics (twice: libbpf debug)\n"

/* Each command's help (the `help` column of cmdlist.h). */
#define USAGE_RECORD \
	"usage: ipcscope record -o FILE [-p PID]... [-c COMM]... [--cgroup PATH]... [--kind LIST]\n" \
	"                       [--duration SEC] [--capture N] [-C SIZE] [-G SEC] [-W COUNT]\n" \
	"                       [--jsonl OUT] [--force] [--ringbuf-kb N] [--locks] [-q] [-v]\n" \
	"                       [-- CMD ARGS...]\n" \
	"Record IPC to FILE (created 0600, never over a symlink).\n" \
	"  -o, --output FILE   recording to write (refuses an existing file without --force)\n" \
	"      --jsonl OUT     also stream one JSON object per event to OUT (\"-\": stdout),\n" \
	"                      as `export --format jsonl` writes them; -o is then optional\n" \
	"  -p, --pid PID       trace PID and its descendants (repeatable)\n" \
	"  -c, --comm NAME     trace processes whose command name is NAME (repeatable)\n" \
	"      --duration SEC  stop after SEC seconds\n" \
	H_FORCE \
	H_RINGBUF \
	"      --kind LIST     record only these channel kinds (pipe,unix,tcp,...)\n" \
	"                      (-KIND leaves a kind out: --kind -signal)\n" \
	"      --cgroup PATH   trace processes in this cgroup (v2) or below it, e.g. a\n" \
	"                      container's; PATH as under /sys/fs/cgroup or /proc/PID/cgroup\n" \
	"                      (repeatable)\n" \
	"  -C SIZE             rotate: a new file when this one reaches SIZE (megabytes,\n" \
	"                      or with a k, M, G suffix); files are FILE.0, FILE.1, ...\n" \
	"  -G SEC              rotate: a new file every SEC seconds\n" \
	"  -W COUNT            with -C/-G: keep COUNT files, replacing the oldest\n" \
	"      --locks         also the libc locks (uprobes on pthread mutexes, rwlocks,\n" \
	"                      semaphores): who holds them, lock-order inversions\n" \
	"      --capture N     keep the first N bytes (1..256) of every read, write, send\n" \
	"                      and receive on pipes, FIFOs and sockets (off by default:\n" \
	"                      payloads can hold secrets; the file says it holds them)\n" \
	"  -q, --quiet         no status line on stderr\n" \
	H_VERBOSE \
	"  -- CMD ARGS...      run CMD, trace it and its descendants from its first\n" \
	"                      instruction, stop when it exits and exit with its status\n" \
	"-p, -c, --cgroup and CMD combine: a process matching any of them is traced, and\n" \
	"only their processes are seeded. Without any, the whole host is traced. Stops\n" \
	"on Ctrl-C or SIGTERM (the file is finished cleanly; CMD's process group gets the\n" \
	"signal), at --duration, when CMD exits, or when every -p process exited.\n"

#define USAGE_LIVE \
	"usage: ipcscope [live] [-p PID]... [-c COMM]... [--cgroup PATH]... [--kind LIST]\n" \
	"                [--plain] [--interval SEC] [-n N] [--duration SEC] [--ringbuf-kb N] [-v]\n" \
	"                [-- CMD ARGS...]\n" \
	"Watch IPC as it happens in the viewer (the default command): conversations\n" \
	"with rates, latency and last activity, processes, a message sequence of one\n" \
	"conversation; ? lists the keys. Rates and the status line update once a\n" \
	"second; drops are always shown.\n" \
	"  -p, --pid PID       watch PID and its descendants (repeatable)\n" \
	"  -c, --comm NAME     watch processes whose command name is NAME (repeatable)\n" \
	"      --kind LIST     show only these channel kinds (pipe,unix,tcp,...)\n" \
	"                      (-KIND leaves a kind out: --kind -signal)\n" \
	"      --cgroup PATH   watch processes in this cgroup (v2) or below it (repeatable;\n" \
	"                      -p, -c, --cgroup and CMD combine: any of them is watched)\n" \
	"      --plain         print one line per event instead (also when stdout is not\n" \
	"                      a terminal)\n" \
	"      --interval SEC  plain output as a table of every conversation's totals\n" \
	"                      and rates every SEC seconds (and at the end)\n" \
	"  -n, --frames N      viewer: exit after N refreshes (one a second)\n" \
	"      --duration SEC  stop after SEC seconds (the viewer too)\n" \
	H_RINGBUF \
	H_VERBOSE \
	"  -- CMD ARGS...      run CMD and watch it and its descendants from its first\n" \
	"                      instruction; the viewer stays open after it exits\n" \
	"                      (in the viewer, CMD's input and output are /dev/null)\n" \
	"Without CMD, -p/-c or --cgroup the whole host is watched. Plain output stops on\n" \
	"Ctrl-C or SIGTERM, when CMD exits or when every -p process exited; the viewer\n" \
	"on q.\n"

#define USAGE_REPLAY \
	"usage: ipcscope replay FILE [--plain] [-n N] [-p PID]... [-c COMM] [--since SEC]\n" \
	"                       [--until SEC] [--kind LIST] [-v]\n" \
	"Show a recording in the viewer (on a terminal): conversations, processes and\n" \
	"the message sequence of one conversation, sortable and filterable, at a cursor\n" \
	"that starts at the end; ? lists the keys. Bytes from traced programs are\n" \
	"escaped (\\xNN).\n" \
	"      --plain         one line per event instead (also when stdout is not a\n" \
	"                      terminal): time since start, pid/comm, syscall, channel,\n" \
	"                      bytes\n" \
	"  -n, --frames N      viewer: exit after N refreshes (for scripts and tests)\n" \
	H_WINDOW \
	H_PROCS \
	H_KIND \
	H_VERBOSE \
	"keys: arrows/j/k/PgUp/PgDn/Home/End move, Tab/1-4 switch view (4 or w: long\n" \
	"waits, deadlocks highlighted), Enter opens\n" \
	"a conversation's sequence or a message, m marks processes (Enter: all their\n" \
	"traffic), s next sort column, S reverse sort,\n" \
	"/ filter (Enter keeps, Esc cancels), p play/pause, . , one event on/back,\n" \
	"] [ one second on/back, + - faster/slower, t jump to a time, ? help, q quit.\n"

#define USAGE_REPORT \
	"usage: ipcscope report FILE [--json] [--all] [-p PID]... [-c COMM] [--since SEC]\n" \
	"                       [--until SEC] [--kind LIST] [-v]\n" \
	"Print the conversations of a recording: who wrote how much to whom, over\n" \
	"which channel, plus drops and how the file ended. Text is laid out to the\n" \
	"terminal's width (COLUMNS when set; 120 when not a terminal).\n" \
	"      --json          machine-readable output (docs/report-json.md)\n" \
	"      --all           every row: SIGCHLD is not folded into one row per receiver\n" \
	H_WINDOW \
	H_PROCS \
	H_KIND \
	H_VERBOSE

#define USAGE_STAT \
	"usage: ipcscope stat [-p PID]... [-c COMM]... [--cgroup PATH]... [--kind LIST]\n" \
	"                     [--duration SEC] [--json] [-o FILE [--force]]\n" \
	"                     [--ringbuf-kb N] [-q] [-v] [-- CMD ARGS...]\n" \
	"Trace like record, but write no recording: count in memory and print the\n" \
	"summary `report` would print for it (like strace -c) when tracing ends.\n" \
	"  -p, --pid PID       trace PID and its descendants (repeatable)\n" \
	"  -c, --comm NAME     trace processes whose command name is NAME (repeatable)\n" \
	"      --kind LIST     count only these channel kinds (pipe,unix,tcp,...)\n" \
	"                      (-KIND leaves a kind out: --kind -signal)\n" \
	"      --cgroup PATH   trace processes in this cgroup (v2) or below it (repeatable)\n" \
	"      --duration SEC  stop after SEC seconds\n" \
	"      --json          machine-readable summary (docs/report-json.md)\n" \
	"  -o, --output FILE   write the summary to FILE (created 0600; refuses an existing\n" \
	"                      file without --force) instead of stdout\n" \
	H_FORCE \
	H_RINGBUF \
	"  -q, --quiet         no status line on stderr\n" \
	H_VERBOSE \
	"  -- CMD ARGS...      run CMD, trace it and its descendants, stop when it exits\n" \
	"                      and exit with its status\n" \
	"-p, -c, --cgroup and CMD combine: a process matching any of them is traced.\n" \
	"Without any, the whole host is traced. Stops on Ctrl-C or SIGTERM (the summary\n" \
	"is still printed), at --duration, when CMD exits, or when every -p process exited.\n"

#define USAGE_EXPORT \
	"usage: ipcscope export FILE --format F [-o OUT] [--force] [-p PID]... [-c COMM]\n" \
	"                       [--since SEC] [--until SEC] [--kind LIST] [-v]\n" \
	"Convert a recording for other tools. OUT is created 0600 (default: stdout).\n" \
	"  --format jsonl      one JSON object per event and line (jq, log shippers)\n" \
	"  --format dot        conversation graph for Graphviz: processes, edges by bytes\n" \
	"  --format perfetto   Chrome trace-event JSON for ui.perfetto.dev and\n" \
	"                      chrome://tracing: a track per thread, a slice per syscall\n" \
	"                      (its blocked time), flow arrows from writes to the reads\n" \
	"                      that took their bytes\n" \
	"  --format pcapng     bytes captured with record --capture, for Wireshark:\n" \
	"                      TCP/UDP as real frames (ports kept), pipes and unix\n" \
	"                      sockets as bare bytes; pid/tid on every packet\n" \
	"  -o, --output OUT    file to write (refuses an existing file without --force)\n" \
	H_FORCE \
	H_WINDOW \
	H_PROCS \
	H_KIND \
	H_VERBOSE

#define USAGE_MERGE \
	"usage: ipcscope merge FILE FILE... -o OUT [--force [--replace-foreign]] [--allow-overlap] [-v]\n" \
	"Merge recordings (of one host or several) into one, on the first one's clock.\n" \
	"Records are ordered by time; pids and local channels of another host are\n" \
	"tagged (pid + N*4194304 for the Nth file) so hosts never mix, and a TCP or UDP\n" \
	"connection recorded at both ends pairs by its addresses and ports. Drops add up.\n" \
	"Files of the same boot of one host that recorded the same thread at the same\n" \
	"time (two recorders of one workload) are refused: their events would count twice.\n" \
	"  -o, --output OUT    the merged recording (refuses an existing file without --force)\n" \
	H_FORCE \
	"      --allow-overlap merge such files anyway (a warning names the thread)\n" \
	H_VERBOSE

#define USAGE_DEMO \
	"usage: ipcscope demo [-o FILE] [--keep] [--force] [-q] [-v]\n" \
	"Record the bundled multi-process workload (pipes, a FIFO, unix and TCP\n" \
	"sockets, a message queue, a shared semaphore, eventfd, signals) and print its\n" \
	"report. The recording goes to a temporary file unless -o or --keep is given.\n" \
	"  -o, --output FILE   keep the recording in FILE\n" \
	"      --keep          keep the recording in its temporary directory (printed)\n" \
	H_FORCE \
	"  -q, --quiet         only the report: no introduction, status line or next steps\n" \
	H_VERBOSE

#define USAGE_DEADLOCK \
	"usage: ipcscope deadlock -p PID [-p PID]... [--json] [--threshold SEC]\n" \
	"                         [--no-stacks | --ptrace-stacks] [-v]\n" \
	"       ipcscope deadlock --watch [-p PID]... [-c COMM]... [--cgroup PATH]...\n" \
	"                         [--threshold SEC] [--locks]\n" \
	"                         [-n N] [--duration SEC] [--json] [--no-stacks] [-q]\n" \
	"Find who waits for whom among the threads of processes that are hung now,\n" \
	"without prior tracing: every thread, its syscall from /proc, the other end of\n" \
	"its pipe, FIFO, unix socket or message queue (or of each fd of its epoll,\n" \
	"poll or select set) and who holds it, the owner a mutex's futex word names.\n" \
	"A knot (nobody outside can wake its threads) is a deadlock: exit 1. No knot,\n" \
	"but threads waiting longer than --threshold on locks whose owners cannot be\n" \
	"read while none of them runs: suspected, exit 3. User stacks are unwound with\n" \
	"libdw from the registers /proc shows, without stopping anyone.\n" \
	"  -p, --pid PID       a process to diagnose (repeatable); with --watch: trace\n" \
	"                      it and its descendants\n" \
	"      --json          machine-readable output (docs/deadlock.md); with --watch\n" \
	"                      one line per deadlock or stall\n" \
	"      --no-stacks     do not unwind stacks\n" \
	"      --ptrace-stacks -p: unwind with ptrace (STOPS the processes; their\n" \
	"                      blocked calls are interrupted and restarted)\n" \
	"      --locks         --watch: uprobes on the libc locks too: owners of\n" \
	"                      semaphores, rwlocks and mutexes, lock-order inversions\n" \
	"      --watch         live, with the probes: report each cycle and stall\n" \
	"                      once, as soon as all its waiting threads have been\n" \
	"                      blocked for --threshold;\n" \
	"                      keep watching until Ctrl-C, -n or --duration (without\n" \
	"                      -p/-c/--cgroup: the whole host; with several, any of them)\n" \
	"  -c, --comm NAME     --watch: trace processes whose command name is NAME\n" \
	"                      (repeatable)\n" \
	"      --cgroup PATH   --watch: trace processes in this cgroup (v2) or below it\n" \
	"                      (repeatable)\n" \
	"      --threshold SEC how long a thread must wait (default 1); -p: not run for\n" \
	"                      that long, for the suspected verdict\n" \
	"  -n N                --watch: stop after N deadlocks\n" \
	"      --duration SEC  --watch: stop after SEC seconds\n" \
	"  -q, --quiet         --watch: no status lines on stderr\n" \
	"      --ringbuf-kb N  --watch: ring buffer size in KiB (default 8192)\n" \
	H_VERBOSE \
	"exit status: 0 no deadlock, 1 deadlock found, 2 error. Needs root (or\n" \
	"CAP_SYS_PTRACE; --watch: CAP_BPF + CAP_PERFMON too).\n"

#define USAGE_SERVE \
	"usage: ipcscope serve [--listen ADDR:PORT] [--by comm|cgroup|container]\n" \
	"                      [--max-series N]\n" \
	"                      [-p PID]... [-c COMM]... [--cgroup PATH]... [--kind LIST]\n" \
	"                      [--duration SEC] [--ringbuf-kb N] [-q] [-v]\n" \
	"Trace like live and serve Prometheus metrics on http://ADDR:PORT/metrics (the\n" \
	"only path): bytes and messages per conversation class (kind, src, dst),\n" \
	"request/response latency and blocked time as histograms, deadlocks, stalls,\n" \
	"drops per reason, events, ipcscope's own CPU and memory. The text is rebuilt\n" \
	"once a second; scrapes never wait for the tracer.\n" \
	"      --listen ADDR:PORT  where to listen (default 127.0.0.1:9478; [::1]:9478 for\n" \
	"                      IPv6; port 0: any free port, printed on stderr)\n" \
	"      --by comm|cgroup|container\n" \
	"                      label src and dst with the processes' command names\n" \
	"                      (default), their cgroup v2 paths (services), or their\n" \
	"                      container ids (docker, podman, containerd, CRI-O, kubepods\n" \
	"                      cgroup paths; other processes: the cgroup path)\n" \
	"      --max-series N  at most N conversation classes (default 2000, >= 2); the\n" \
	"                      rest are folded into one class \"other\" and counted\n" \
	"  -p, --pid PID       trace PID and its descendants (repeatable)\n" \
	"  -c, --comm NAME     trace processes whose command name is NAME (repeatable)\n" \
	"      --cgroup PATH   trace processes in this cgroup (v2) or below it (repeatable)\n" \
	"      --kind LIST     count only these channel kinds (pipe,unix,tcp,...)\n" \
	"      --duration SEC  stop after SEC seconds\n" \
	"      --ringbuf-kb N  ring buffer size in KiB (power of two, >= 4; default 8192)\n" \
	"  -q, --quiet         no status line on stderr\n" \
	"  -v, --verbose       more diagnostics (twice: libbpf debug)\n" \
	"Without -p, -c or --cgroup the whole host is traced. Stops on Ctrl-C or SIGTERM,\n" \
	"or at --duration. Needs root, or CAP_BPF + CAP_PERFMON (docs/ipcscope.service).\n"

struct cmd_desc {
	const char *name;
	enum ipcs_cmd cmd;
	const char *shortopts;	/* which short options it takes */
	const char *usage;
};

/* From cmdlist.h; `fn` is not used here, so the fuzzer links opts.c alone. */
#define CMD(name, id, fn, shortopts, help) { #name, id, shortopts, help },
static const struct cmd_desc cmds[] = {
	IPCS_COMMANDS(CMD)
};
#undef CMD

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

enum { OPT_DURATION = 256, OPT_FORCE, OPT_RINGBUF, OPT_JSON, OPT_PLAIN, OPT_KEEP, OPT_HELP, OPT_FRAMES,
       OPT_NO_STACKS, OPT_PTRACE_STACKS, OPT_WATCH, OPT_THRESHOLD, OPT_FORMAT, OPT_JSONL, OPT_CAPTURE,
       OPT_SINCE, OPT_UNTIL, OPT_KIND, OPT_CGROUP, OPT_INTERVAL, OPT_ALLOW_OVERLAP, OPT_FOREIGN, OPT_ALL,
       OPT_LOCKS, OPT_LISTEN, OPT_BY, OPT_MAX_SERIES };

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
	{ "no-stacks", no_argument, NULL, OPT_NO_STACKS },
	{ "ptrace-stacks", no_argument, NULL, OPT_PTRACE_STACKS },
	{ "watch", no_argument, NULL, OPT_WATCH },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "jsonl", required_argument, NULL, OPT_JSONL },
	{ "capture", required_argument, NULL, OPT_CAPTURE },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "kind", required_argument, NULL, OPT_KIND },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "allow-overlap", no_argument, NULL, OPT_ALLOW_OVERLAP },
	{ "replace-foreign", no_argument, NULL, OPT_FOREIGN },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "locks", no_argument, NULL, OPT_LOCKS },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "by", required_argument, NULL, OPT_BY },
	{ "max-series", required_argument, NULL, OPT_MAX_SERIES },
	{ NULL, 0, NULL, 0 },
};

/* Which long options each command accepts (beyond its short ones). */
static bool long_allowed(enum ipcs_cmd cmd, int opt)
{
	switch (opt) {
	case OPT_HELP: return true;
	case OPT_DURATION:
		return cmd == CMD_RECORD || cmd == CMD_DEADLOCK || cmd == CMD_STAT || cmd == CMD_LIVE ||
		       cmd == CMD_SERVE;
	case OPT_RINGBUF:
		return cmd == CMD_RECORD || cmd == CMD_DEADLOCK || cmd == CMD_STAT || cmd == CMD_LIVE ||
		       cmd == CMD_SERVE;
	case OPT_LISTEN: case OPT_BY: case OPT_MAX_SERIES: return cmd == CMD_SERVE;
	case OPT_FORCE: case OPT_FOREIGN:
		return cmd == CMD_RECORD || cmd == CMD_DEMO || cmd == CMD_EXPORT || cmd == CMD_MERGE ||
		       cmd == CMD_STAT;
	case OPT_JSON: return cmd == CMD_REPORT || cmd == CMD_DEADLOCK || cmd == CMD_STAT;
	case OPT_NO_STACKS: case OPT_PTRACE_STACKS: case OPT_WATCH: case OPT_THRESHOLD: return cmd == CMD_DEADLOCK;
	case OPT_FORMAT: return cmd == CMD_EXPORT;
	case OPT_JSONL: case OPT_CAPTURE: return cmd == CMD_RECORD;
	case OPT_CGROUP:
		return cmd == CMD_RECORD || cmd == CMD_STAT || cmd == CMD_LIVE || cmd == CMD_DEADLOCK ||
		       cmd == CMD_SERVE;
	case OPT_SINCE: case OPT_UNTIL: return cmd == CMD_REPORT || cmd == CMD_REPLAY || cmd == CMD_EXPORT;
	case OPT_KIND:
		return cmd == CMD_REPORT || cmd == CMD_REPLAY || cmd == CMD_EXPORT || cmd == CMD_RECORD ||
		       cmd == CMD_STAT || cmd == CMD_LIVE || cmd == CMD_SERVE;
	case OPT_PLAIN: case OPT_FRAMES: return cmd == CMD_REPLAY || cmd == CMD_LIVE;
	case OPT_INTERVAL: return cmd == CMD_LIVE;
	case OPT_ALL: return cmd == CMD_REPORT;
	case OPT_KEEP: return cmd == CMD_DEMO;
	case OPT_ALLOW_OVERLAP: return cmd == CMD_MERGE;
	case OPT_LOCKS: return cmd == CMD_RECORD || cmd == CMD_DEADLOCK;
	}
	return false;
}

static const char *const overview =
	"usage: ipcscope [COMMAND] [OPTIONS]\n"
	"Show how processes on this host talk to each other (pipes, FIFOs, sockets,\n"
	"futexes, shared memory, message queues, signals, ptys, eventfd).\n"
	"\n"
	"commands:\n"
	"  live     watch IPC now (the default command)  ipcscope [live] [-- CMD]\n"
	"  record   trace IPC into a recording file      ipcscope record -o t.ipcs -- CMD\n"
	"  replay   view a recording (--plain: lines)    ipcscope replay t.ipcs\n"
	"  report   conversations of a recording         ipcscope report t.ipcs [--json]\n"
	"  stat     trace, count, print report's summary ipcscope stat -- CMD\n"
	"  export   a recording for other tools          ipcscope export t.ipcs --format perfetto\n"
	"  merge    recordings into one, on one clock    ipcscope merge a.ipcs b.ipcs -o all.ipcs\n"
	"  demo     record a bundled workload and report it\n"
	"  deadlock who waits for whom in hung processes ipcscope deadlock -p PID\n"
	"  serve    trace, serve Prometheus /metrics      ipcscope serve --listen 127.0.0.1:9478\n"
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

/* "10" = 10 MB (as tcpdump -C), "500k", "2M", "1G" (powers of 1024 with a suffix). */
static int parse_size(const char *s, __u64 *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !(v > 0))
		return -EINVAL;
	switch (*end) {
	case '\0': v *= 1e6; break;
	case 'k': case 'K': v *= 1024; end++; break;
	case 'm': case 'M': v *= 1024 * 1024; end++; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
	default: return -EINVAL;
	}
	if (*end || v < 65536 || v > 1e15)
		return -EINVAL;
	*out = (__u64)v;
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
		if (o->ncomms >= OPTS_MAX_COMMS)
			return usage_error(o, "too many -c options (at most 8)", arg);
		o->comms[o->ncomms++] = arg;
		return 0;
	case 'p':
		if (o->npids >= OPTS_MAX_PIDS)
			return usage_error(o, "too many -p options (at most 64)", arg);
		if (parse_long(arg, 1, INT_MAX, &v))
			return usage_error(o, "-p needs a process id (a positive number)", arg);
		o->pids[o->npids++] = (pid_t)v;
		return 0;
	case 'n':
		if (o->cmd == CMD_DEADLOCK) {
			if (parse_long(arg, 1, 1000000, &v))
				return usage_error(o, "-n needs a number of deadlocks (1..1000000)", arg);
			o->max_reports = (int)v;
			return 0;
		}
		/* fall through */
	case OPT_FRAMES:
		if (parse_long(arg, 1, 1000000, &v))
			return usage_error(o, "-n/--frames needs a number of refreshes (1..1000000)", arg);
		o->frames = (int)v;
		return 0;
	case 'C':
		if (parse_size(arg, &o->rotate_bytes))
			return usage_error(o, "-C needs a size: megabytes, or a number with k, M or G (at least 64k)", arg);
		return 0;
	case 'G':
		errno = 0;
		o->rotate_secs = strtod(arg, &end);
		if (errno || end == arg || *end || !(o->rotate_secs >= 1) || o->rotate_secs > 1e7)
			return usage_error(o, "-G needs a number of seconds (>= 1)", arg);
		return 0;
	case 'W':
		if (parse_long(arg, 1, 1000000, &v))
			return usage_error(o, "-W needs a number of files (1..1000000)", arg);
		o->rotate_count = (unsigned)v;
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
	case OPT_FORCE: o->force = true; return 0;
	case OPT_FOREIGN: o->replace_foreign = true; return 0;
	case OPT_JSON: o->json = true; return 0;
	case OPT_ALL: o->all = true; return 0;
	case OPT_PLAIN: o->plain = true; return 0;
	case OPT_KEEP: o->keep = true; return 0;
	case OPT_ALLOW_OVERLAP: o->allow_overlap = true; return 0;
	case OPT_LISTEN: o->listen = arg; return 0;
	case OPT_BY:
		if (!strcmp(arg, "comm"))
			o->by = BY_COMM;
		else if (!strcmp(arg, "cgroup"))
			o->by = BY_CGROUP;
		else if (!strcmp(arg, "container"))
			o->by = BY_CONTAINER;
		else
			return usage_error(o, "--by needs comm, cgroup or container", arg);
		return 0;
	case OPT_MAX_SERIES:
		if (parse_long(arg, 2, 10000000, &v))
			return usage_error(o, "--max-series needs a number of classes (2..10000000)", arg);
		o->max_series = (size_t)v;
		return 0;
	case OPT_NO_STACKS: o->no_stacks = true; return 0;
	case OPT_PTRACE_STACKS: o->ptrace_stacks = true; return 0;
	case OPT_WATCH: o->watch = true; return 0;
	case OPT_LOCKS: o->locks = true; return 0;
	case OPT_THRESHOLD:
		errno = 0;
		o->threshold_s = strtod(arg, &end);
		if (errno || end == arg || *end || !(o->threshold_s >= 0.01) || o->threshold_s > 1e6)
			return usage_error(o, "--threshold needs seconds (0.01 or more)", arg);
		return 0;
	case OPT_FORMAT: o->format = arg; return 0;
	case OPT_JSONL: o->jsonl = arg; return 0;
	case OPT_CGROUP:
		if (o->ncgroups >= OPTS_MAX_CGROUPS)
			return usage_error(o, "too many --cgroup options (at most 8)", arg);
		o->cgroups[o->ncgroups++] = arg;
		return 0;
	case OPT_SINCE:
	case OPT_UNTIL: {
		double *t = c == OPT_SINCE ? &o->since_s : &o->until_s;

		errno = 0;
		*t = strtod(arg, &end);
		if (errno || end == arg || *end || !(*t >= 0) || *t > 1e9)
			return usage_error(o, c == OPT_SINCE ? "--since needs seconds from the recording's start (>= 0)"
							     : "--until needs seconds from the recording's start (>= 0)", arg);
		return 0;
	}
	case OPT_KIND: {
		const char *bad;

		if (evfilter_parse_kinds(arg, &o->kinds, &bad))
			return usage_error(o, "--kind: unknown kind (pipe, fifo, unix, unix-stream, unix-dgram, "
					   "unix-seqpacket, tcp, udp, shm, futex, mq, signal, pty, eventfd)", bad);
		return 0;
	}
	case OPT_CAPTURE:
		if (parse_long(arg, 1, IPCS_PAYLOAD_MAX, &v))
			return usage_error(o, "--capture needs a number of bytes between 1 and 256", arg);
		o->capture = (unsigned)v;
		return 0;
	}
	return usage_error(o, "unknown option", NULL);
}

/* "unknown command (live, record, ...)": every command of cmdlist.h. */
static int unknown_cmd(const struct ipcs_opts *o, const char *arg)
{
	char msg[256] = "unknown command (";
	size_t n = strlen(msg);

	for (size_t i = 0; i < NCMDS && n < sizeof(msg); i++)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%s%s", i ? ", " : "", cmds[i].name);
	if (n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ")");
	return usage_error(o, msg, arg);
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
	if (o->since_s >= 0 && o->until_s >= 0 && o->until_s < o->since_s)
		return usage_error(o, "--until is before --since", NULL);
	switch (o->cmd) {
	case CMD_RECORD:
		if (!o->output && !o->jsonl)
			return usage_error(o, "missing -o FILE (where to write the recording) or --jsonl OUT", NULL);
		if (nargs > 0 && !o->argv)
			return usage_error(o, "unexpected argument (put a command after --)", args[0]);
		if ((o->rotate_bytes || o->rotate_secs > 0) && !o->output)
			return usage_error(o, "-C/-G rotate the -o FILE: give -o", NULL);
		if (o->rotate_count && !o->rotate_bytes && !(o->rotate_secs > 0))
			return usage_error(o, "-W counts rotated files: use it with -C or -G", NULL);
		if (o->locks && !o->argv && !o->npids && !o->ncomms)
			return usage_error(o, "--locks attaches to the traced processes: give -p PID, -c COMM or -- CMD", NULL);
		return 0;
	case CMD_STAT:
	case CMD_LIVE:
		if (o->interval_s > 0 && o->frames)
			return usage_error(o, "--interval is for plain output; -n is for the viewer", NULL);
		if (nargs > 0 && !o->argv)
			return usage_error(o, "unexpected argument (put a command after --)", args[0]);
		return 0;
	case CMD_REPLAY:
	case CMD_REPORT:
		if (nargs != 1)
			return usage_error(o, nargs ? "exactly one recording file expected" : "missing FILE (a recording)", nargs > 1 ? args[1] : NULL);
		o->input = args[0];
		return 0;
	case CMD_DEADLOCK:
		if (nargs)
			return usage_error(o, "unexpected argument (give processes with -p PID)", args[0]);
		if (!o->watch && !o->npids)
			return usage_error(o, "missing -p PID (the hung process), or --watch", NULL);
		if (!o->watch && (o->ncomms || o->ncgroups || o->max_reports || o->duration_s > 0 ||
				  o->ringbuf_kb || o->quiet || o->locks))
			return usage_error(o, "-c, --cgroup, -n, -q, --duration, --locks and --ringbuf-kb go with --watch", NULL);
		if (o->locks && !o->npids && !o->ncomms)
			return usage_error(o, "--locks attaches to the traced processes: give -p PID or -c COMM", NULL);
		if (o->no_stacks && o->ptrace_stacks)
			return usage_error(o, "--no-stacks and --ptrace-stacks exclude each other", NULL);
		if (o->watch && o->ptrace_stacks)
			return usage_error(o, "--ptrace-stacks goes with -p alone (--watch never stops anyone)", NULL);
		if (!o->threshold_s)
			o->threshold_s = 1.0;
		return 0;
	case CMD_EXPORT:
		if (nargs != 1)
			return usage_error(o, nargs ? "exactly one recording file expected" : "missing FILE (a recording)", nargs > 1 ? args[1] : NULL);
		if (!o->format)
			return usage_error(o, "missing --format (jsonl, dot, perfetto, pcapng)", NULL);
		o->input = args[0];
		return 0;
	case CMD_MERGE:
		if (nargs < 2)
			return usage_error(o, "merge needs two or more recordings", NULL);
		if (!o->output)
			return usage_error(o, "missing -o OUT (the merged recording)", NULL);
		o->inputs = args;
		o->ninputs = nargs;
		return 0;
	case CMD_DEMO:
	case CMD_SERVE:
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
	o->since_s = -1;
	o->until_s = -1;
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
		return unknown_cmd(o, argv[1]);
	o->cmd = d->cmd;
	o->cmd_name = d->name;

	/* Everything after "--" belongs to the traced command. */
	for (int i = base + 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			dashdash = i;
			break;
		}
	if (dashdash >= 0) {
		if (o->cmd != CMD_RECORD && o->cmd != CMD_STAT && o->cmd != CMD_LIVE)
			return usage_error(o, "only record, stat and live run a command after --", NULL);
		if (dashdash + 1 >= argc)
			return usage_error(o, "missing command after --", NULL);
		o->argv = &argv[dashdash + 1];
		o->argc = argc - dashdash - 1;
		argc = dashdash;
	}

	optind = 0;	/* 0, not 1: glibc then also forgets a half-parsed "-abc" of an earlier call */
	opterr = 0;
	while ((c = getopt_long(argc - base, argv + base, d->shortopts, long_opts, &li)) != -1) {
		/* A long name of a short option (--pid for -p) passes getopt_long
		 * whatever the command's short options are: hold it to them. */
		bool long_of_short = li >= 0 && c > 0 && c < 256 && !strchr(d->shortopts, c);


		if (c == '?' || c == ':') {
			char shortopt[3] = { '-', (char)optopt, '\0' };
			bool known = optopt && optopt < 256 && strchr(d->shortopts, optopt);

			/* tcpdump's and strace's habits, said where they differ */
			if (!known && optopt == 'w' && strchr(d->shortopts, 'o'))
				return usage_error(o, "unknown option -w (the output file is -o FILE)", NULL);
			return usage_error(o, known ? "option needs an argument" : "unknown option",
					   optopt && optopt < 256 ? shortopt : argv[base + optind - 1]);
		}
		if ((c >= 256 && !long_allowed(o->cmd, c)) || long_of_short) {
			char name[40];

			snprintf(name, sizeof(name), "--%s", li >= 0 ? long_opts[li].name : "?");
			return usage_error(o, "option not valid for this command", name);
		}
		li = -1;
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

const char *opts_cmd_shortopts(enum ipcs_cmd cmd)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (cmds[i].cmd == cmd)
			return cmds[i].shortopts;
	return NULL;
}

const struct option *opts_cmd_longopt(enum ipcs_cmd cmd, size_t i)
{
	const char *shortopts = opts_cmd_shortopts(cmd);

	if (!shortopts)
		return NULL;
	for (const struct option *lo = long_opts; lo->name; lo++) {
		bool takes = lo->val < 256 ? strchr(shortopts, lo->val) != NULL : long_allowed(cmd, lo->val);

		if (lo->val != OPT_HELP && takes && i-- == 0)
			return lo;
	}
	return NULL;
}
