/* common.c - what several commands share: the event filter and the cgroup from the options,
 * reading with progress, one look at the threads blocked now. */
#include "commands/commands.h"
#include "collect/cgroup.h"
#include "collect/source_live.h"
#include "deadlock/watcher.h"
#include "log.h"
#include "util/progress.h"

void cmd_filter(const struct ipcs_opts *o, __u64 start_ns, struct ev_filter *f, struct pipeline *p)
{
	/* one filter per run: the commands that read a recording filter by process
	 * here (record, live and stat do it in the kernel) */
	static struct ev_procs procs;
	bool on = evfilter_setup(f, start_ns, o->since_s, o->until_s, o->kinds);

	if ((o->cmd == CMD_REPORT || o->cmd == CMD_REPLAY || o->cmd == CMD_EXPORT) &&
	    (o->npids || o->comm)) {
		evfilter_procs_fini(&procs);
		if (!evfilter_procs_init(&procs, o->pids, o->npids, o->comm)) {
			f->procs = &procs;
			on = true;
		} else {
			log_warn("-p/-c: out of memory: every process shown");
		}
	}
	if (on)
		p->filter = f;
}

int cmd_cgroup(const struct ipcs_opts *o, struct cgroup_ref *cg, struct live_config *cfg)
{
	int err;

	if (!o->cgroup)
		return 0;
	err = cgroup_resolve(o->cgroup, NULL, cg);
	if (err)
		return err;
	cfg->cgroup = cg;
	log_info("--cgroup %s: id %llu, level %u", cg->path, (unsigned long long)cg->id, cg->level);
	return 0;
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

int cmd_scan_waits(struct dl_watcher *w, struct live_source *ls, __u64 now_ns,
		   const struct dl_watch_cbs *cbs)
{
	int err;

	dl_blockset_clear(&w->b);
	err = live_scan_inflight(ls, dl_blockset_add_cb, &w->b);
	if (err)
		return err;
	dl_blockset_sort(&w->b);
	return dl_watcher_step(w, now_ns, cbs);
}
