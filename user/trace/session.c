/* session.c - one live tracing session: command, probes, seed, polling, drops, waits, the end. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <termios.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "collect/cgroup.h"
#include "collect/source_live.h"
#include "log.h"
#include "trace/session.h"
#include "util/units.h"
#include "util/clock.h"

#define SESSION_TICK_NS 1000000000ull

static volatile sig_atomic_t stop_signal, stop_count;

static void on_stop(int sig)
{
	stop_signal = sig;
	stop_count++;
}
static void on_child(int sig) { (void)sig; }

int session_stop_signal(void) { return stop_signal; }
void session_request_stop(void) { stop_signal = SIGTERM; }

/* CPU seconds this process used so far; peak RSS in KiB. */
static double cpu_seconds(long *maxrss_kb)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	*maxrss_kb = ru.ru_maxrss;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void install_handlers(void)
{
	struct sigaction sa = { 0 };

	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;	/* no SA_RESTART: poll returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_child;	/* the command's exit ends a wait at once */
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int feed_cb(const void *rec, size_t len, void *ctx)
{
	return pipeline_feed(ctx, rec, len);
}

static int tap_waits(void *ctx, const struct ipcs_event *ev, const void *raw, size_t len)
{
	(void)raw;
	(void)len;
	return dl_watcher_see(ctx, ev);
}

/* --locks: a new or exec'd traced process gets the lock uprobes (its libc may
 * have changed), an exited one loses them. */
static int tap_locks(void *ctx, const struct ipcs_event *ev, const void *raw, size_t len)
{
	struct session *s = ctx;

	(void)raw;
	(void)len;
	if (ev->type != IPCS_REC_PROC || !s->ls)
		return 0;
	if (ev->proc.op == IPCS_PROC_EXIT) {
		live_locks_del(s->ls, (pid_t)ev->proc.pid);
		return 0;
	}
	return live_locks_add(s->ls, (pid_t)ev->proc.pid);
}

int session_wait_to_pipeline(const struct ipcs_wait_rec *r, void *ctx)
{
	return pipeline_feed(ctx, r, sizeof(*r));
}

int session_feed_drops(struct session *s, bool force)
{
	struct ipcs_drops_rec d = { .h = { .type = IPCS_REC_DROPS, .size = sizeof(d) } };

	if (!s->ls || live_get_drops(s->ls, d.drops))
		return 0;
	if (!force && !memcmp(d.drops, s->drops, sizeof(d.drops)))
		return 0;
	memcpy(s->drops, d.drops, sizeof(d.drops));
	d.h.ts_ns = mono_ns();
	return pipeline_feed(s->cfg.p, &d, sizeof(d));
}

__u64 session_drops_total(const struct session *s)
{
	return ipcs_drops_lost(s->drops);
}

/* One look at the probes' inflight map: the threads blocked now into the watcher's step. */
static int scan_waits(struct session *s)
{
	int err;

	dl_blockset_clear(&s->waits.b);
	err = live_scan_inflight(s->ls, dl_blockset_add_cb, &s->waits.b);
	if (!err) {
		dl_blockset_sort(&s->waits.b);
		err = dl_watcher_step(&s->waits, mono_ns(), &s->cfg.wait_cbs);
	}
	if (err && (err == -EINTR || stop_signal || (err != -ENOMEM && !s->cfg.waits_strict))) {
		/* /proc trouble, or a signal (we are stopping): only this look is lost */
		log_debug("long waits: %s", strerror(-err));
		err = 0;
	}
	return err;
}

/* The terminal's foreground back to our group (we are then in the background: SIGTTOU held). */
static void tty_take_back(struct session *s)
{
	sigset_t set, old;

	if (!s->tty_handed)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGTTOU);
	sigprocmask(SIG_BLOCK, &set, &old);
	tcsetpgrp(STDIN_FILENO, getpgrp());
	sigprocmask(SIG_SETMASK, &old, NULL);
	s->tty_handed = false;
}

/* Ctrl-Z on the terminal we gave the command stops its group, not us: stop too, as a shell's
 * job would, with the terminal back in our group (the shell then takes it); at `fg`, give it
 * back and continue the command. */
static void job_stop(struct session *s)
{
	siginfo_t si;

	if (!s->tty_handed)
		return;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)s->child, &si, WSTOPPED | WNOHANG) || si.si_pid != s->child)
		return;
	tty_take_back(s);
	raise(SIGTSTP);		/* default action: we stop here until SIGCONT */
	if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp() &&
	    !tcsetpgrp(STDIN_FILENO, s->child))
		s->tty_handed = true;
	kill(-s->child, SIGCONT);
}

/* Has the command ended? Its zombie is left unreaped (WNOWAIT) until the end: while it is
 * there its pid, which is its group's id, cannot be given to anyone else, so signalling the
 * group (here and from the guard) never reaches a stranger. */
static void reap_child(struct session *s)
{
	siginfo_t si;

	if (s->child <= 0 || s->child_done)
		return;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)s->child, &si, WEXITED | WNOHANG | WNOWAIT) || si.si_pid != s->child) {
		job_stop(s);
		return;
	}
	s->child_status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
	s->child_done = true;
}

/* Wait for the command (and reap it); a stop signal that comes meanwhile kills its group. */
static void reap_blocking(struct session *s)
{
	sig_atomic_t seen = stop_count;
	int st;
	pid_t r;

	if (s->child <= 0 || s->reaped)
		return;
	while ((r = waitpid(s->child, &st, 0)) < 0 && errno == EINTR)
		if (stop_count != seen) {
			log_warn("killing the traced command (process group %d)", (int)s->child);
			kill(-s->child, SIGKILL);
			seen = stop_count;
		}
	if (r == s->child && !s->child_done)
		s->child_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	s->child_done = true;
	s->reaped = true;
}

static void kill_child(struct session *s)
{
	if (s->child > 0 && !s->child_done)
		kill(-s->child, SIGKILL);
	reap_blocking(s);
	tty_take_back(s);
	target_guard_release(&s->guard);
}

/* --cgroup: each directory as the probes compare it. */
static int resolve_cgroups(struct session *s, struct live_config *cfg)
{
	const struct ipcs_opts *o = s->cfg.o;
	int err;

	if (!o->ncgroups)
		return 0;
	s->cg = calloc(o->ncgroups, sizeof(*s->cg));	/* 4 KiB paths: not on the stack */
	if (!s->cg)
		return -ENOMEM;
	for (size_t i = 0; i < o->ncgroups; i++) {
		err = cgroup_resolve(o->cgroups[i], NULL, &s->cg[i]);
		if (err)
			return err;
		s->cg_dirs[i] = s->cg[i].path;
		log_info("--cgroup %s: id %llu, level %u", s->cg[i].path,
			 (unsigned long long)s->cg[i].id, s->cg[i].level);
	}
	cfg->cgroups = s->cg;
	cfg->ncgroups = o->ncgroups;
	return 0;
}

/* Only the targets' processes (all of them without targets), as the probes trace them. */
static int seed(struct session *s)
{
	const struct ipcs_opts *o = s->cfg.o;
	struct seed_targets t = { .pids = s->pids, .npids = s->npids, .comms = o->comms,
				  .ncomms = o->ncomms, .cgroup_dirs = s->cg_dirs,
				  .ncgroups = s->cg ? o->ncgroups : 0 };
	int err;

	switch (s->cfg.seed) {
	case SESSION_SEED_PIPELINE:
		err = seed_procfs_targets("/proc", &t, mono_ns(), feed_cb, s->cfg.p);
		break;
	case SESSION_SEED_CB:
		err = seed_procfs_targets("/proc", &t, mono_ns(), s->cfg.seed_cb, s->cfg.seed_ctx);
		break;
	default:
		return 0;
	}
	if (err)
		log_error("reading the state of /proc failed: %s", strerror(-err));
	return err;
}

static void close_all(struct session *s)
{
	if (s->ls)
		live_close(s->ls);
	s->ls = NULL;
	kill_child(s);
	if (s->cfg.waits)
		dl_watcher_fini(&s->waits);
	free(s->cg);
	s->cg = NULL;
}

int session_open(struct session *s, const struct session_cfg *cfg)
{
	const struct ipcs_opts *o = cfg->o;
	struct live_config lc = { .comms = o->comms, .ncomms = o->ncomms, .follow_children = true,
				  .ringbuf_bytes = (size_t)o->ringbuf_kb * 1024,
				  .capture_bytes = o->capture, .self_pid = getpid(), .locks = o->locks };
	int err;

	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->guard.fd = -1;
	install_handlers();
	if (cfg->waits) {
		err = dl_watcher_init(&s->waits, "/proc", cfg->wait_threshold_ns);
		if (!err)
			err = pipeline_add_tap(cfg->p, (struct sink){ .on_event = tap_waits, .ctx = &s->waits });
		if (err) {
			s->cfg.waits = false;
			dl_watcher_fini(&s->waits);
			return err;
		}
	}
	if (o->locks && (err = pipeline_add_tap(cfg->p, (struct sink){ .on_event = tap_locks, .ctx = s }))) {
		close_all(s);
		return err;
	}
	if (cfg->cmd) {
		err = target_start(cfg->cmd, &s->child);
		if (err) {
			log_error("cannot start the command: %s", strerror(-err));
			goto fail;
		}
		s->pids[s->npids++] = s->child;
		err = target_guard_start(s->child, &s->guard);
		if (err) {
			log_error("cannot start the command's guard: %s", strerror(-err));
			goto fail;
		}
	}
	for (size_t i = 0; i < o->npids && s->npids < OPTS_MAX_PIDS + 1; i++) {
		if (target_pid_gone(o->pids[i])) {
			log_error(kill(o->pids[i], 0) && errno == ESRCH ? "-p %d: no such process"
									 : "-p %d: that process has exited",
				  (int)o->pids[i]);
			err = -ESRCH;
			goto fail;
		}
		s->pids[s->npids++] = o->pids[i];
	}
	lc.pids = s->pids;
	lc.npids = s->npids;
	err = resolve_cgroups(s, &lc);
	if (!err)
		err = live_open(&lc, &s->ls);
	if (!err)
		err = seed(s);
	if (err)
		goto fail;
	s->start_ns = s->last_tick = mono_ns();
	return 0;
fail:
	close_all(s);
	return err;
}

void session_go(struct session *s)
{
	long rss_kb;

	if (s->child > 0 && !s->child_running) {
		/* A command on our terminal gets its foreground, as a shell gives it: it reads
		 * the terminal, and Ctrl-C reaches its whole group (and its end ends us). */
		if (!s->cfg.cmd->null_stdio && isatty(STDIN_FILENO) &&
		    tcgetpgrp(STDIN_FILENO) == getpgrp() && !tcsetpgrp(STDIN_FILENO, s->child))
			s->tty_handed = true;
		kill(s->child, SIGCONT);
		s->child_running = true;
	}
	s->records0 = s->cfg.p->records;
	s->cpu0 = cpu_seconds(&rss_kb);
	s->last_tick = mono_ns();
}

int session_step(struct session *s, int wait_ms)
{
	int n = live_poll(s->ls, wait_ms, feed_cb, s->cfg.p), err = 0;
	bool tick;

	if (n < 0 && n != -EINTR)
		return n;
	reap_child(s);
	tick = mono_ns() - s->last_tick >= SESSION_TICK_NS;
	if (tick) {
		s->last_tick = mono_ns();
		err = session_feed_drops(s, false);
	}
	if (!err && s->cfg.waits && (tick || s->cfg.waits_every_step))
		err = scan_waits(s);
	if (!err && tick && s->cfg.on_tick)
		err = s->cfg.on_tick(s, s->cfg.tick_ctx);
	return err;
}

bool session_done(const struct session *s)
{
	const struct ipcs_opts *o = s->cfg.o;

	if (stop_signal)
		return true;
	if (o->duration_s > 0 && (double)(mono_ns() - s->start_ns) / 1e9 >= o->duration_s)
		return true;
	if (!s->cfg.until_gone)
		return false;
	if (s->child > 0)
		return s->child_done;	/* -- CMD: until it exits, whatever the other targets do */
	return s->npids && target_pids_gone(s->pids, s->npids);
}

int session_finish(struct session *s, int err)
{
	long rss_kb = 0;
	double cpu;
	int n;

	if (!err) {	/* everything the kernel already produced belongs in the output */
		n = live_drain(s->ls, feed_cb, s->cfg.p);
		if (n < 0)
			err = n;
	}
	/* What tracing itself cost, without start-up (make bench reads this). */
	cpu = cpu_seconds(&rss_kb) - s->cpu0;
	log_info("collector: %llu records, %.3f s CPU while tracing (%.2f us per record), peak RSS %ld KiB",
		 (unsigned long long)(s->cfg.p->records - s->records0), cpu,
		 s->cfg.p->records > s->records0 ?
			 cpu * 1e6 / (double)(s->cfg.p->records - s->records0) : 0.0, rss_kb);
	/* The final counters go into the stream as a record too: readers take drops from
	 * the model alone, a recording's trailer only repeats them. */
	n = session_feed_drops(s, true);
	if (!err)
		err = n;
	live_close(s->ls);
	s->ls = NULL;
	if (session_drops_total(s))
		log_warn("%llu events were dropped (ring buffer full: try --ringbuf-kb, or a narrower filter)",
			 (unsigned long long)session_drops_total(s));
	if (s->child > 0 && (!s->child_done || stop_signal)) {
		/* Still held stopped (an error came first): only SIGKILL acts. Else the signal
		 * that stopped us goes to the command's whole group (a shell waits for its
		 * child: only the group reaches both; what the command left running when it
		 * ended goes too), then we reap (its zombie kept the group's id ours). */
		if (!s->child_running) {
			kill(-s->child, SIGKILL);
		} else {
			kill(-s->child, stop_signal ? stop_signal : SIGTERM);
			kill(-s->child, SIGCONT);
		}
	}
	reap_blocking(s);
	close_all(s);
	return err;
}

void session_status(const struct session *s, const char *dest, long long bytes, __u64 unwritten,
		    bool final)
{
	char size[32] = "", lost[48] = "", units[16];

	if (s->cfg.o->quiet || (!final && !isatty(STDERR_FILENO)))
		return;
	if (bytes >= 0)
		snprintf(size, sizeof(size), " (%s)", units_bytes(units, sizeof(units), (uint64_t)bytes));
	if (unwritten)
		snprintf(lost, sizeof(lost), ", %llu not written", (unsigned long long)unwritten);
	fprintf(stderr, "%sipcscope: %llu events, %llu dropped%s -> %s%s%s", final ? "" : "\r",
		(unsigned long long)s->cfg.p->records, (unsigned long long)session_drops_total(s), lost,
		dest ? dest : "counted", size, final ? "\n" : "   ");
}
