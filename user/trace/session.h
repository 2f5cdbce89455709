/*
 * session.h - one live tracing session, shared by record, stat, live and
 * deadlock --watch: the command started stopped (-- CMD), the probes loaded
 * and pointed at the targets, the state from before tracing (seed); then
 * steps: the ring polled into the caller's pipeline, drop counters and long
 * waits once a second (the watch: every step), the command reaped; at the
 * end what the kernel already produced drained, the final drop counters, the
 * command stopped and reaped.
 *
 *   session_open(s, cfg)          probes, seed; the command is still stopped
 *   session_go(s)                 the command runs
 *   while (!session_done(s))
 *       session_step(s, wait_ms)  (the viewer calls it from its feed)
 *   session_finish(s, err)
 *
 * Records reach the caller only through cfg->p (decoded once, to its sinks).
 */
#ifndef IPCS_SESSION_H
#define IPCS_SESSION_H

#include <stdbool.h>
#include "collect/seed_procfs.h"
#include "deadlock/watcher.h"
#include "opts.h"
#include "pipeline.h"
#include "trace/target.h"

struct session;
struct live_source;
struct cgroup_ref;

enum session_seed {
	SESSION_SEED_NONE,	/* events only (record --jsonl, deadlock --watch) */
	SESSION_SEED_PIPELINE,	/* seed records into cfg->p, before the events (stat, live) */
	SESSION_SEED_CB,	/* to cfg->seed_cb (record: the META block) */
};

struct session_cfg {
	const struct ipcs_opts *o;	/* targets, --ringbuf-kb, --capture, --duration */
	const struct record_target *cmd;	/* -- CMD, or a function; NULL: the targets alone */
	struct pipeline *p;		/* every record, decoded once, to the caller's sinks */
	enum session_seed seed;
	seed_rec_cb seed_cb;
	void *seed_ctx;
	/* Threads blocked past wait_threshold_ns (docs/deadlock.md): a watcher that sees every
	 * decoded event (a pipeline tap), looked at once a second, or every step with
	 * waits_every_step; wait_cbs say what becomes of what it finds (session_wait_to_pipeline
	 * puts the IPCS_REC_WAIT records into p). Scan errors other than -ENOMEM cost only that
	 * look, unless waits_strict. */
	bool waits;
	bool waits_every_step;
	bool waits_strict;
	__u64 wait_threshold_ns;
	struct dl_watch_cbs wait_cbs;
	bool until_gone;	/* session_done when the command exited, or every -p process is gone */
	/* Once a second, after the drop counters and the waits (record: flush, rotate, status). */
	int (*on_tick)(struct session *s, void *ctx);
	void *tick_ctx;
};

struct session {
	struct session_cfg cfg;
	struct live_source *ls;
	struct dl_watcher waits;	/* with cfg.waits */
	struct cgroup_ref *cg;		/* --cgroup, resolved (o->ncgroups of them) */
	const char *cg_dirs[OPTS_MAX_CGROUPS];	/* their paths, for the seed */
	pid_t pids[OPTS_MAX_PIDS + 1];	/* traced from the start: the command's, and -p */
	size_t npids;
	__u64 start_ns, last_tick;
	__u64 drops[IPCS_DROP_SLOTS];	/* as last fed */
	__u64 records0;			/* p->records when tracing began */
	double cpu0;
	pid_t child;			/* the command, 0 without one */
	int child_status;		/* its exit status, shell style, once child_done */
	bool child_done;
	bool child_running;		/* released from its start-up SIGSTOP */
	bool reaped;			/* its zombie collected (only at the end) */
	struct target_guard guard;	/* ends the command's group if we are killed */
	bool tty_handed;		/* the terminal's foreground is the command's group */
};

/* Signal handlers (SIGINT, SIGTERM, SIGHUP end the session), the command
 * started stopped, the probes opened, the seed taken. Errors are said to the
 * user; on error nothing is left open or running. 0 or -errno. */
int session_open(struct session *s, const struct session_cfg *cfg);
/* Release the command from its start-up stop; tracing is costed from here. */
void session_go(struct session *s);
/* Take in what the probes produced (waiting up to wait_ms), reap the command,
 * and once a second the drops, the waits and cfg->on_tick. 0 or -errno. */
int session_step(struct session *s, int wait_ms);
/* A signal asked to stop, --duration passed, or (until_gone) the targets ended. */
bool session_done(const struct session *s);
/* The signal that asked to stop (0: none), and asking from inside. */
int session_stop_signal(void);
void session_request_stop(void);
/* The drop counters as a record into p when they changed (force: always). */
int session_feed_drops(struct session *s, bool force);
__u64 session_drops_total(const struct session *s);
/* Finish: without err, drain the ring into p; the final drop counters; the
 * probes closed; the command's process group, if the command still runs or a
 * signal stopped us, sent that signal (else SIGTERM), the command reaped into
 * s->child_status (a second stop signal meanwhile: SIGKILL to the group).
 * Returns err, or the first error. */
int session_finish(struct session *s, int err);
/* "ipcscope: N events, M dropped[, K not written] -> DEST (size)" on stderr (-q: nothing);
 * refreshed in place on a terminal, final: the last one, always. dest NULL: "counted"; bytes < 0:
 * no size; unwritten: events the output lost after a write error (0: not said). */
void session_status(const struct session *s, const char *dest, long long bytes, __u64 unwritten,
		    bool final);

/* wait_cbs.on_wait for record and live: the wait record into the pipeline ctx. */
int session_wait_to_pipeline(const struct ipcs_wait_rec *r, void *ctx);

#endif
