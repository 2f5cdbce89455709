/* commands.h - one entry point per subcommand, dispatched from main.c. */
#ifndef IPCS_COMMANDS_H
#define IPCS_COMMANDS_H

#include "opts.h"
#include "pipeline.h"
#include "record/recfile.h"
#include "record/source_replay.h"
#include "trace/target.h"

/* One entry point per command of cmdlist.h (cmd_record, cmd_live, ...); each
 * returns the process exit status (enum ipcs_exit, or a traced command's). */
#define CMD(name, id, fn, shortopts, help) int fn(const struct ipcs_opts *o);
IPCS_COMMANDS(CMD)
#undef CMD

/* merge: add shift to the record's time and, when tag is not 0 (another
 * host's recording), tag its pids, tids, channels, devices and cgroups as the
 * record table (ipcscope_rectab.h) places them. rec holds h.size bytes, 8-aligned. */
void merge_retag(void *rec, __s64 shift, __u32 tag);

/* The recording loop shared by record and demo (trace/session.c). t may be NULL (the targets).
 * *cmd_status gets the traced command's exit status (shell convention). */
int record_run(const struct ipcs_opts *o, const struct record_target *t, int *cmd_status);

/* Report on a recording, text or JSON, to stdout; filt: --kind/--since/--until (NULL: all). */
int report_file(const char *path, bool json, const struct ipcs_opts *filt);

/* (fileio.c) replay_run into p, with a progress bar on a terminal's stderr for big files. */
int replay_with_progress(struct replay_source *rs, struct pipeline *p, const char *label);

/* Point p->filter at f when o asks for -p/-c (report, replay, export), --kind or
 * --since/--until (start_ns: the recording's start). */
void cmd_filter(const struct ipcs_opts *o, __u64 start_ns, struct ev_filter *f, struct pipeline *p);
/* --force, --replace-foreign as outfile.c's OUTF_* flags. */
unsigned cmd_outf_flags(const struct ipcs_opts *o);
/* The report of a model built by the caller (path NULL: traced live, not
 * recorded). Flushes m. Returns 0 or -errno. */
int report_model(const char *path, const struct ipcs_file_header *fh,
		 const struct recfile_status *st, struct model *m, bool json);

#endif
