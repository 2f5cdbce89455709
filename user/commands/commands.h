/* commands.h - one entry point per subcommand, dispatched from main.c. */
#ifndef IPCS_COMMANDS_H
#define IPCS_COMMANDS_H

#include "opts.h"
#include "pipeline.h"
#include "record/recfile.h"
#include "record/source_replay.h"

/* Each returns the process exit status (enum ipcs_exit, or a traced command's). */
int cmd_record(const struct ipcs_opts *o);
int cmd_replay(const struct ipcs_opts *o);
int cmd_report(const struct ipcs_opts *o);
int cmd_demo(const struct ipcs_opts *o);
int cmd_deadlock(const struct ipcs_opts *o);
int cmd_stat(const struct ipcs_opts *o);
int cmd_export(const struct ipcs_opts *o);
int cmd_merge(const struct ipcs_opts *o);
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

/* The same loop without a file (stat): records feed p, whose model the caller
 * reads afterwards. p is initialised by the caller, with a model. */
int trace_run(const struct ipcs_opts *o, const struct record_target *t, struct pipeline *p,
	      int *cmd_status);

/* Report on a recording, text or JSON, to stdout; filt: --kind/--since/--until (NULL: all). */
int report_file(const char *path, bool json, const struct ipcs_opts *filt);

/* replay_run into p, with a progress bar on a terminal's stderr for big files. */
int replay_with_progress(struct replay_source *rs, struct pipeline *p, const char *label);

/* One look at the probes' inflight map: the threads blocked now into w's
 * graph step (deadlock --watch, the recorder, the live waits view). 0 or -errno. */
struct dl_watcher;
struct dl_watch_cbs;
struct live_source;
int cmd_scan_waits(struct dl_watcher *w, struct live_source *ls, __u64 now_ns,
		   const struct dl_watch_cbs *cbs);

/* Point p->filter at f when o asks for --kind/--since/--until (start_ns: the recording's start). */
/* --force, --replace-foreign as outfile.c's OUTF_* flags. */
unsigned cmd_outf_flags(const struct ipcs_opts *o);
void cmd_filter(const struct ipcs_opts *o, __u64 start_ns, struct ev_filter *f, struct pipeline *p);
/* --cgroup: resolved into cg and set in cfg (which then points at cg); 0 without it, or -errno
 * (said to the user). */
struct cgroup_ref;
struct live_config;
int cmd_cgroup(const struct ipcs_opts *o, struct cgroup_ref *cg, struct live_config *cfg);

/* The report of a model built by the caller (path NULL: traced live, not
 * recorded). Flushes m. Returns 0 or -errno. */
int report_model(const char *path, const struct ipcs_file_header *fh,
		 const struct recfile_status *st, struct model *m, bool json);

#endif
