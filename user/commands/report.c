/* report.c - `ipcscope report FILE [--json]`: the conversation table of a recording. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>
#include "commands/commands.h"
#include "commands/report_kindfields.h"
#include "commands/report_futex.h"
#include "commands/report_titles.h"
#include "commands/report_shm.h"
#include "commands/report_cgroups.h"
#include "commands/report_fdpass.h"
#include "commands/report_locks.h"
#include "commands/report_waits.h"
#include "commands/report.h"
#include "commands/report_common.h"
#include "model/model_futex.h"
#include "model/model_shm.h"
#include "log.h"
#include "model/model_waits.h"
#include "pipeline.h"
#include "record/source_replay.h"
#include "util/escape.h"
#include "util/json.h"
#include "util/texttable.h"
#include "util/units.h"
#include "util/vec.h"

/* report --json's "format_version" (docs/report-json.md): 2 = ids as strings. */
#define REPORT_JSON_VERSION 2

struct conv_list {
	struct model_conv *v;
	size_t n, cap;
};

static int collect_conv(const struct model_conv *c, void *ctx)
{
	struct conv_list *l = ctx;

	if (vec_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v), 64))
		return -ENOMEM;
	l->v[l->n++] = *c;
	return 0;
}

static int by_bytes_desc(const void *x, const void *y)
{
	const struct model_conv *a = x, *b = y;
	__u64 ta = a->a_to_b.bytes + a->b_to_a.bytes, tb = b->a_to_b.bytes + b->b_to_a.bytes;

	if (ta != tb)
		return ta < tb ? 1 : -1;
	if (a->first_ns != b->first_ns)
		return a->first_ns < b->first_ns ? -1 : 1;
	return 0;
}

/* What the model no longer holds, to bound its memory: said wherever a list is cut. */
struct left_out {
	__u64 convs;	/* conversations of closed channels folded into the totals */
	__u64 procs;	/* exited processes forgotten */
	__u64 chans;	/* closed channels forgotten */
	__u64 waits;	/* long waits past the model's cap */
};

static int count_proc(const struct model_proc *p, void *ctx)
{
	(void)p;
	(*(size_t *)ctx)++;
	return 0;
}

static int count_chan(const struct model_chan *c, void *ctx)
{
	(void)c;
	(*(size_t *)ctx)++;
	return 0;
}

static void get_left_out(const struct model *m, const struct model_totals *t, struct left_out *lo)
{
	size_t procs = 0, chans = 0;

	model_foreach_proc(m, count_proc, &procs);
	model_foreach_chan(m, count_chan, &chans);
	lo->convs = t->convs_aged_out;
	lo->procs = t->procs_seen > procs ? t->procs_seen - procs : 0;
	lo->chans = t->channels_seen > chans ? t->channels_seen - chans : 0;
	lo->waits = model_waits_lost(m);
}

static const char *fmode_str(__u16 m)
{
	switch (m & (IPCS_FMODE_READ | IPCS_FMODE_WRITE)) {
	case IPCS_FMODE_READ: return "r";
	case IPCS_FMODE_WRITE: return "w";
	case IPCS_FMODE_READ | IPCS_FMODE_WRITE: return "rw";
	}
	return "-";
}

/* ---- JSON (docs/report-json.md) ---- */

static void json_dir(struct json_writer *w, const char *key, const struct model_dir_stats *d)
{
	json_key(w, key);
	json_obj_begin(w);
	json_ku64(w, "msgs", d->msgs);
	json_ku64(w, "bytes", d->bytes);
	json_obj_end(w);
}

static void json_latency(struct json_writer *w, const struct model_latency *l)
{
	json_key(w, "latency_ns");
	json_obj_begin(w);
	json_ku64(w, "count", l->count);
	json_ku64(w, "p50", l->p50);
	json_ku64(w, "p90", l->p90);
	json_ku64(w, "p99", l->p99);
	json_ku64(w, "max", l->max);
	json_obj_end(w);
}

static int json_chan(const struct model_chan *c, void *ctx)
{
	struct json_writer *w = ctx;

	json_obj_begin(w);
	json_kstr(w, "kind", ipcs_kind_name(c->kind));
	json_kstr(w, "channel", c->channel);
	json_kid(w, "ino", c->ino);
	json_ku64(w, "bytes_written", c->bytes_written);
	json_ku64(w, "bytes_read", c->bytes_read);
	json_key(w, "holders");
	json_arr_begin(w);
	for (size_t i = 0; i < c->nholders; i++) {
		json_obj_begin(w);
		json_ku64(w, "pid", c->holders[i].proc.pid);
		json_kstr(w, "comm", c->holders[i].proc.comm);
		json_ki64(w, "fd", c->holders[i].fd);
		json_kstr(w, "mode", fmode_str(c->holders[i].fmode));
		json_obj_end(w);
	}
	json_arr_end(w);
	json_obj_end(w);
	return 0;
}

static int json_procs(const struct model_proc *p, void *ctx)
{
	struct json_writer *w = ctx;

	json_obj_begin(w);
	json_ku64(w, "pid", p->ref.pid);
	json_ku64(w, "ppid", p->ppid);
	json_kstr(w, "comm", p->ref.comm);
	/* Its title as /proc/PID/cmdline last said (NULs as spaces); null: not recorded. */
	json_key(w, "cmdline");
	if (p->cmdline[0])
		json_str(w, p->cmdline);
	else
		json_null(w);
	json_kbool(w, "cmdline_cut", p->cmdline_cut);
	json_kbool(w, "traced", !p->ref.untraced);
	json_kbool(w, "exited", p->exited);
	json_ki64(w, "exit_code", p->exit_code);
	json_kid(w, "cgroup_id", p->cgroup_id);
	json_key(w, "cgroup");
	if (p->cgroup[0])
		json_str(w, p->cgroup);
	else
		json_null(w);
	json_obj_end(w);
	return 0;
}

/* The --kind/--since/--until window the figures are of (null: all). */
static void json_window(struct json_writer *w, const struct report_opts *ro)
{
	json_key(w, "window");
	json_obj_begin(w);
	json_key(w, "kinds");
	if (ro->kinds) {
		json_arr_begin(w);
		for (__u16 k = IPCS_KIND_PIPE; k < IPCS_KIND_MAX; k++)
			if (ro->kinds & (1u << k))
				json_str(w, ipcs_kind_name(k));
		json_arr_end(w);
	} else {
		json_null(w);
	}
	json_key(w, "since_s");
	if (ro->since_s >= 0) {
		char v[32];

		snprintf(v, sizeof(v), "%.9g", ro->since_s);
		json_raw(w, v);
	} else {
		json_null(w);
	}
	json_key(w, "until_s");
	if (ro->until_s >= 0) {
		char v[32];

		snprintf(v, sizeof(v), "%.9g", ro->until_s);
		json_raw(w, v);
	} else {
		json_null(w);
	}
	json_key(w, "pids");	/* -p: and their descendants */
	if (ro->npids) {
		json_arr_begin(w);
		for (size_t i = 0; i < ro->npids; i++)
			json_u64(w, (uint64_t)ro->pids[i]);
		json_arr_end(w);
	} else {
		json_null(w);
	}
	json_key(w, "comms");	/* -c */
	if (ro->ncomms) {
		json_arr_begin(w);
		for (size_t i = 0; i < ro->ncomms; i++)
			json_str(w, ro->comms[i]);
		json_arr_end(w);
	} else {
		json_null(w);
	}
	json_obj_end(w);
}

static void report_json(const char *path, const struct ipcs_file_header *fh,
			const struct recfile_status *st, const struct model *m,
			const struct model_totals *t, struct conv_list *l,
			const struct report_opts *ro)
{
	struct left_out lo;

	struct json_writer w;
	char abi[32], when[64] = "";
	time_t secs = (time_t)(fh->start_real_ns / 1000000000ull);
	struct tm tm;

	json_init(&w, stdout, true);
	json_obj_begin(&w);
	json_kstr(&w, "ipcscope", IPCS_VERSION);
	json_ku64(&w, "format_version", REPORT_JSON_VERSION);
	json_kstr(&w, "file", path ? path : "");	/* stat: nothing was recorded */
	snprintf(abi, sizeof(abi), "%u.%u", fh->major, fh->minor);
	json_kstr(&w, "abi", abi);
	json_kstr(&w, "host", fh->host);
	/* Wall clock of the recording's start, and how long its events span. */
	json_kid(&w, "start_real_ns", fh->start_real_ns);
	if (fh->start_real_ns && gmtime_r(&secs, &tm))
		snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (unsigned)(fh->start_real_ns % 1000000000ull / 1000000));
	json_kstr(&w, "start", when);
	json_ku64(&w, "duration_ns", t->last_ns > t->first_ns ? t->last_ns - t->first_ns : 0);
	json_window(&w, ro);
	/* Payloads can hold secrets: say so wherever the file is described. */
	json_kbool(&w, "payload", fh->flags & IPCS_FILEF_PAYLOAD);
	json_ku64(&w, "capture_bytes", fh->capture_bytes);
	json_key(&w, "status");
	json_obj_begin(&w);
	json_kbool(&w, "clean", st->clean_end);
	json_kbool(&w, "truncated", st->truncated);
	json_kbool(&w, "corrupt", st->corrupt);
	json_kstr(&w, "message", st->message);
	json_ku64(&w, "skipped_blocks", st->blocks_skipped);
	json_ku64(&w, "damaged_blocks", st->blocks_damaged);
	json_ku64(&w, "skipped_bytes", st->bytes_skipped);
	json_ku64(&w, "missing_events", st->events_missing);
	json_ku64(&w, "missing_blocks", st->blocks_missing);
	json_obj_end(&w);
	/* What the lists below leave out (the model's memory bounds). */
	get_left_out(m, t, &lo);
	json_key(&w, "truncated");
	json_obj_begin(&w);
	json_ku64(&w, "conversations", lo.convs);
	json_ku64(&w, "processes", lo.procs);
	json_ku64(&w, "channels", lo.chans);
	json_ku64(&w, "waits", lo.waits);
	json_obj_end(&w);
	json_ku64(&w, "events", t->events);
	json_key(&w, "drops");
	json_obj_begin(&w);
	json_ku64(&w, "total", t->drops_total);
	for (unsigned i = 0; i < IPCS_DROP_REASON_MAX; i++)
		json_ku64(&w, ipcs_drop_name(i), t->drops[i]);
	json_obj_end(&w);
	json_key(&w, "conversations");
	json_arr_begin(&w);
	for (size_t i = 0; i < l->n; i++) {
		const struct model_conv *c = &l->v[i];

		json_obj_begin(&w);
		json_kstr(&w, "kind", ipcs_kind_name(c->kind));
		json_kstr(&w, "channel", c->channel);
		report_json_proc(&w, "a", &c->a);
		report_json_proc(&w, "b", &c->b);
		json_dir(&w, "a_to_b", &c->a_to_b);
		json_dir(&w, "b_to_a", &c->b_to_a);
		json_ku64(&w, "first_ns", c->first_ns);
		json_ku64(&w, "last_ns", c->last_ns);
		json_ku64(&w, "a_blocked_ns", c->a_blocked_ns);
		json_ku64(&w, "b_blocked_ns", c->b_blocked_ns);
		if (c->latency.count)
			json_latency(&w, &c->latency);
		report_json_kind_fields(&w, c);
		json_obj_end(&w);
	}
	report_futex_json(&w, m);
	json_arr_end(&w);
	json_key(&w, "channels");
	json_arr_begin(&w);
	model_foreach_chan(m, json_chan, &w);
	report_shm_json(&w, m);
	json_arr_end(&w);
	report_fdpass_json(&w, m);
	json_key(&w, "processes");
	json_arr_begin(&w);
	model_foreach_proc(m, json_procs, &w);
	json_arr_end(&w);
	report_waits_json(&w, m, t->last_ns);
	report_locks_json(&w, ro->locks);
	json_obj_end(&w);
}

/* ---- text ---- */

/* A conversation's row(s): a->b, b->a when it moved, latency when measured. */
static void report_text_conv(struct texttable *t, const struct model_conv *c)
{
	char chan[MODEL_NAME_MAX * 4 + 1], a[96], b[96], msgs[32], bytes[32], blk[32], note[160];

	esc_term(c->channel, sizeof(c->channel), chan, sizeof(chan));
	report_text_proc(a, sizeof(a), &c->a);
	report_text_proc(b, sizeof(b), &c->b);
	snprintf(msgs, sizeof(msgs), "%" PRIu64, (uint64_t)c->a_to_b.msgs);
	units_bytes(bytes, sizeof(bytes), c->a_to_b.bytes);
	if (c->kind == IPCS_KIND_SIGNAL && !c->a_blocked_ns && !c->b_blocked_ns)
		snprintf(blk, sizeof(blk), "-");	/* signals block nobody */
	else
		units_dur(blk, sizeof(blk), c->a_blocked_ns + c->b_blocked_ns);
	tt_add(t, (const char *const[RC_COUNT]){ ipcs_kind_name(c->kind), chan, a, b, msgs,
						 c->kind == IPCS_KIND_SIGNAL ? "-" : bytes, blk, NULL });
	if (c->b_to_a.bytes || c->b_to_a.msgs) {
		snprintf(msgs, sizeof(msgs), "%" PRIu64, (uint64_t)c->b_to_a.msgs);
		units_bytes(bytes, sizeof(bytes), c->b_to_a.bytes);
		tt_add(t, (const char *const[RC_COUNT]){ NULL, NULL, b, a, msgs, bytes, NULL, NULL });
	}
	if (c->latency.count) {
		char p50[16], p90[16], p99[16], max[16];

		snprintf(note, sizeof(note), "request->response p50 %s, p90 %s, p99 %s, max %s (%" PRIu64 ")",
			 units_dur(p50, sizeof(p50), c->latency.p50),
			 units_dur(p90, sizeof(p90), c->latency.p90),
			 units_dur(p99, sizeof(p99), c->latency.p99),
			 units_dur(max, sizeof(max), c->latency.max), (uint64_t)c->latency.count);
		tt_note(t, RC_CHANNEL, note);
	}
}

/* SIGCHLD and the like: one per exiting child, rarely what the report is read
 * for. Folded into one row per receiver unless --all. */
static bool exit_noise(const struct model_conv *c)
{
	return c->kind == IPCS_KIND_SIGNAL && c->ino == SIGCHLD;
}

static bool same_proc(const struct model_proc_ref *x, const struct model_proc_ref *y)
{
	return x->pid == y->pid && x->start_ns == y->start_ns;
}

/* The folded row of c's receiver: every exit_noise conversation to it. */
static void fold_row(struct texttable *t, const struct conv_list *l, size_t first)
{
	const struct model_conv *c = &l->v[first];
	__u64 msgs = 0, blocked = 0;
	size_t senders = 0;
	char b[96], from[48], nmsgs[32], blk[32], note[64];

	for (size_t i = first; i < l->n; i++) {
		const struct model_conv *o = &l->v[i];

		if (!exit_noise(o) || o->ino != c->ino || !same_proc(&o->b, &c->b))
			continue;
		senders++;
		msgs += o->a_to_b.msgs;
		blocked += o->a_blocked_ns + o->b_blocked_ns;
	}
	if (senders == 1) {
		report_text_conv(t, c);
		return;
	}
	report_text_proc(b, sizeof(b), &c->b);
	snprintf(from, sizeof(from), "(%zu processes)", senders);
	snprintf(nmsgs, sizeof(nmsgs), "%" PRIu64, (uint64_t)msgs);
	if (blocked)
		units_dur(blk, sizeof(blk), blocked);
	else
		snprintf(blk, sizeof(blk), "-");
	snprintf(note, sizeof(note), "folded (--all)");
	tt_add(t, (const char *const[RC_COUNT]){ ipcs_kind_name(c->kind), c->channel, from, b, nmsgs,
						 "-", blk, note });
}

/* Rows of l in order; exit noise folded per receiver unless all. */
static void conv_rows(struct texttable *t, const struct conv_list *l, bool all)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct model_conv *c = &l->v[i];
		bool seen = false;

		if (all || !exit_noise(c)) {
			report_text_conv(t, c);
			continue;
		}
		for (size_t j = 0; j < i && !seen; j++)	/* its receiver's row is out already */
			seen = exit_noise(&l->v[j]) && l->v[j].ino == c->ino && same_proc(&l->v[j].b, &c->b);
		if (!seen)
			fold_row(t, l, i);
	}
}

static int futex_pids(const struct model_futex_conv *c, void *ctx)
{
	return report_pid_add(ctx, c->a.pid) || report_pid_add(ctx, c->b.pid) ? -ENOMEM : 0;
}

static int shm_pids(const struct model_shm_seg *s, void *ctx)
{
	for (size_t i = 0; i < s->nmappers; i++)
		if (report_pid_add(ctx, s->mappers[i].proc.pid))
			return -ENOMEM;
	return 0;
}

static int shown_pids(const struct model *m, const struct conv_list *l, struct pid_set *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (report_pid_add(s, l->v[i].a.pid) || report_pid_add(s, l->v[i].b.pid))
			return -ENOMEM;
	if (model_foreach_futex_conv(m, futex_pids, s) || model_foreach_shm(m, shm_pids, s))
		return -ENOMEM;
	report_pid_sort(s);
	return 0;
}

static void report_text(const char *path, const struct ipcs_file_header *fh,
			const struct recfile_status *st, const struct model_totals *t,
			struct conv_list *l, const struct model *m,
			const struct report_opts *ro)
{
	struct left_out lo;
	char host[sizeof(fh->host) * 4 + 1], when[64] = "?", span[16];
	time_t secs = (time_t)(fh->start_real_ns / 1000000000ull);
	struct tm tm;
	struct texttable tt;
	struct pid_set pids = { 0 };
	bool filtered = ro && ro->filtered;

	esc_term(fh->host, sizeof(fh->host), host, sizeof(host));
	if (localtime_r(&secs, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if (path) {
		fputs("recording ", stdout);
		esc_term_fputs(path, stdout);
	} else {
		fputs("traced live (not recorded)", stdout);
	}
	units_dur(span, sizeof(span), t->last_ns > t->first_ns ? t->last_ns - t->first_ns : 0);
	/* the path on a line of its own: the rest fits the width whatever its length */
	printf("\nhost %s, started %s, %s of events\n", host, when, span);
	printf("events %" PRIu64 ", dropped %" PRIu64, (uint64_t)t->events, (uint64_t)t->drops_total);
	for (unsigned i = 0; i < IPCS_DROP_REASON_MAX; i++)
		printf("%s%s %" PRIu64, i ? ", " : " (", ipcs_drop_name(i), (uint64_t)t->drops[i]);
	printf(")\n");
	if (fh->flags & IPCS_FILEF_PAYLOAD)
		printf("payloads: up to %u bytes per message were captured: this file may hold "
		       "secrets (it is mode 0600; share it with care)\n", fh->capture_bytes);
	if (!st->clean_end)
		printf("warning: %s\n", st->message[0] ? st->message : "the recording did not end cleanly");
	if (ro && ro->window[0])
		printf("shown: %s\n", ro->window);
	printf("\n");
	tt_init(&tt, report_conv_cols, RC_COUNT);
	conv_rows(&tt, l, ro && ro->all);
	report_futex_text(m, &tt);
	if (tt.nrows)
		tt_print(&tt, stdout, ro ? ro->width : TT_DEFAULT_WIDTH, NULL);
	else if (ro && ro->past_end)
		printf("(no conversations: --since is past the last event, which came %s after the start)\n",
		       span);
	else if (!t->convs_aged_out)
		printf("(no conversations: nothing was written and read over a traced channel)\n");
	tt_free(&tt);
	get_left_out(m, t, &lo);
	if (lo.convs)
		printf("(%" PRIu64 " more conversations, on channels closed before the end, are not "
		       "listed: folded into the totals to bound memory)\n", (uint64_t)lo.convs);
	report_shm_text(m, ro ? ro->width : TT_DEFAULT_WIDTH);
	report_fdpass_text(m);
	if (filtered && shown_pids(m, l, &pids))
		printf("\n(cgroups not listed: out of memory)\n");
	else
		report_cgroups_text(m, filtered ? &pids : NULL, ro ? ro->width : TT_DEFAULT_WIDTH);
	report_titles_text(m, filtered ? &pids : NULL);
	free(pids.v);
	if (lo.procs)
		printf("(%" PRIu64 " exited processes are not listed: forgotten to bound memory)\n",
		       (uint64_t)lo.procs);
	report_waits_text(m, t->first_ns, t->last_ns);
	report_locks_text(ro->locks);
}

int report_model_ro(const char *path, const struct ipcs_file_header *fh,
		    const struct recfile_status *st, struct model *m, bool json,
		    struct report_opts *ro)
{
	struct model_totals t;
	struct conv_list l = { 0 };
	int err;

	model_flush(m);
	model_get_totals(m, &t);
	err = model_foreach_conv(m, collect_conv, &l);
	if (err)
		goto out;
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), by_bytes_desc);
	/* --since past the last event: say so rather than "nothing happened". */
	ro->past_end = ro->since_s > 0 && t.last_ns &&
		       fh->start_mono_ns + (__u64)(ro->since_s * 1e9) > t.last_ns;
	if (json)
		report_json(path, fh, st, m, &t, &l, ro);
	else
		report_text(path, fh, st, &t, &l, m, ro);
out:
	free(l.v);
	return err;
}

static void opts_window(struct report_opts *ro, const struct ipcs_opts *o)
{
	size_t n = 0;

	ro->all = o->all;
	ro->kinds = o->kinds;
	ro->since_s = o->since_s;
	ro->until_s = o->until_s;
	ro->pids = o->pids;
	ro->npids = o->npids;
	ro->comms = o->comms;
	ro->ncomms = o->ncomms;
	ro->filtered = o->kinds || o->since_s > 0 || o->until_s >= 0 || o->npids || o->ncomms;
	ro->window[0] = '\0';
	for (size_t i = 0; i < o->npids && n < sizeof(ro->window); i++)
		n += (size_t)snprintf(ro->window + n, sizeof(ro->window) - n, "%s%d", i ? "," : "pids ",
				      (int)o->pids[i]);
	if (o->npids && n < sizeof(ro->window))
		n += (size_t)snprintf(ro->window + n, sizeof(ro->window) - n, " and descendants");
	for (size_t i = 0; i < o->ncomms && n < sizeof(ro->window); i++)	/* 15 characters each */
		n += (size_t)snprintf(ro->window + n, sizeof(ro->window) - n, "%s%s", i ? "," :
				      n ? "; comm " : "comm ", o->comms[i]);
	if (o->kinds && n < sizeof(ro->window)) {
		size_t k0;

		unsigned kept = (unsigned)__builtin_popcount(o->kinds);
		bool but = kept > (IPCS_KIND_MAX - 1) / 2;	/* --kind -signal: say what is left out */

		n += (size_t)snprintf(ro->window + n, sizeof(ro->window) - n, "%s%s", n ? "; " : "",
				      but ? "every kind but" : "kinds");
		k0 = n;
		for (__u16 k = IPCS_KIND_PIPE; k < IPCS_KIND_MAX && n < sizeof(ro->window); k++)
			if (!(o->kinds & (1u << k)) == but)
				n += (size_t)snprintf(ro->window + n, sizeof(ro->window) - n, "%c%s",
						      n == k0 ? ' ' : ',', ipcs_kind_name(k));
	}
	if (o->since_s > 0 && n < sizeof(ro->window))
		n += (size_t)snprintf(ro->window + n, sizeof(ro->window) - n, "%sfrom %.3f s",
				      n ? "; " : "", o->since_s);
	if (o->until_s >= 0 && n < sizeof(ro->window))
		snprintf(ro->window + n, sizeof(ro->window) - n, "%sup to %.3f s", n ? "; " : "",
			 o->until_s);
}

int report_model(const char *path, const struct ipcs_file_header *fh,
		 const struct recfile_status *st, struct model *m, bool json)
{
	struct report_opts ro = { .width = tt_out_width(STDOUT_FILENO), .since_s = -1, .until_s = -1 };

	return report_model_ro(path, fh, st, m, json, &ro);
}

int report_file(const char *path, bool json, const struct ipcs_opts *filt)
{
	struct ev_filter f;
	struct replay_source *rs = NULL;
	struct recfile_status st;
	struct dl_locks locks;
	struct pipeline p;
	struct report_opts ro = { .width = tt_out_width(STDOUT_FILENO), .since_s = -1, .until_s = -1 };
	int err;

	if (filt)
		opts_window(&ro, filt);
	err = replay_open(path, &rs);
	if (err)
		return EXIT_FAIL;
	if (dl_locks_init(&locks, NULL, NULL)) {
		replay_close(rs);
		return EXIT_FAIL;
	}
	ro.locks = &locks;
	err = pipeline_init(&p, true);
	if (!err)	/* --locks recordings: the order graph, whatever --kind holds back */
		err = pipeline_add_tap(&p, (struct sink){ .on_event = report_locks_tap, .ctx = &locks });
	if (!err && filt)
		cmd_filter(filt, replay_header(rs)->start_mono_ns, &f, &p);
	if (!err)
		err = replay_with_progress(rs, &p, "report");
	st = *replay_status(rs);
	if (err) {
		log_error("%s: %s", path, err < 0 ? strerror(-err) : "reading failed");
		goto out;
	}
	if (!st.clean_end)
		log_warn("%s: %s", path, st.message[0] ? st.message : "the recording did not end cleanly");
	err = report_model_ro(path, replay_header(rs), &st, p.model, json, &ro);
out:
	pipeline_fini(&p);
	dl_locks_fini(&locks);
	replay_close(rs);
	return err ? EXIT_FAIL : EXIT_OK;
}

int cmd_report(const struct ipcs_opts *o)
{
	return report_file(o->input, o->json, o);
}
