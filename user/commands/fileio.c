/*
 * fileio.c - what the commands that read or write files share: the filter of
 * a recording's events from the options (-p/-c, --kind, --since/--until),
 * reading a recording with a progress bar, the flags of the files they write
 * (--force, --replace-foreign).
 */
#include "commands/commands.h"
#include "log.h"
#include "util/outfile.h"
#include "util/progress.h"

void cmd_filter(const struct ipcs_opts *o, __u64 start_ns, struct ev_filter *f, struct pipeline *p)
{
	/* one filter per run: the commands that read a recording filter by process
	 * here (record, live and stat do it in the kernel) */
	static struct ev_procs procs;
	bool on = evfilter_setup(f, start_ns, o->since_s, o->until_s, o->kinds);

	if ((o->cmd == CMD_REPORT || o->cmd == CMD_REPLAY || o->cmd == CMD_EXPORT) &&
	    (o->npids || o->ncomms)) {
		evfilter_procs_fini(&procs);
		if (!evfilter_procs_init(&procs, o->pids, o->npids, o->comms, o->ncomms)) {
			f->procs = &procs;
			on = true;
		} else {
			log_warn("-p/-c: out of memory: every process shown");
		}
	}
	if (on)
		p->filter = f;
}

struct feed_progress {
	struct pipeline *p;
	struct replay_source *rs;
	struct progress bar;
	unsigned n;
};

static int feed_cb(const void *rec, size_t len, __u16 block_type, void *ctx)
{
	struct feed_progress *fp = ctx;
	off_t done, total;

	(void)block_type;
	if (!(++fp->n & 4095)) {
		replay_progress(fp->rs, &done, &total);
		progress_update(&fp->bar, done > 0 ? (uint64_t)done : 0);
	}
	return pipeline_feed(fp->p, rec, len);
}

int replay_with_progress(struct replay_source *rs, struct pipeline *p, const char *label)
{
	struct feed_progress fp = { .p = p, .rs = rs };
	off_t done, total;
	int err;

	replay_progress(rs, &done, &total);
	progress_init(&fp.bar, label, total, 16u << 20);	/* files under 16 MiB read in a blink */
	err = replay_run(rs, feed_cb, &fp);
	progress_done(&fp.bar);
	return err;
}

unsigned cmd_outf_flags(const struct ipcs_opts *o)
{
	return (o->force ? OUTF_FORCE : 0) | (o->replace_foreign ? OUTF_FOREIGN : 0);
}
