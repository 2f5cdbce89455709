/* report.c - `ipcscope report FILE [--json]`: the conversation table of a recording. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "commands/commands.h"
#include "commands/report_misc.h"
#include "commands/report_futex.h"
#include "commands/report_shm.h"
#include "commands/report_cgroups.h"
#include "commands/report_fdpass.h"
#include "commands/report_locks.h"
#include "commands/report_waits.h"
#include "log.h"
#include "pipeline.h"
#include "record/source_replay.h"
#include "util/escape.h"
#include "util/json.h"

struct conv_list {
	struct model_conv *v;
	size_t n, cap;
};

static int collect_conv(const struct model_conv *c, void *ctx)
{
	struct conv_list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct model_conv *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
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

void report_json_proc(struct json_writer *w, const char *key, const struct model_proc_ref *p)
{
	json_key(w, key);
	json_obj_begin(w);
	json_ku64(w, "pid", p->pid);
	json_kstr(w, "comm", p->pid ? p->comm : "?");
	json_obj_end(w);
}

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
	json_ku64(w, "ino", c->ino);
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
	json_kbool(w, "exited", p->exited);
	json_ki64(w, "exit_code", p->exit_code);
	json_ku64(w, "cgroup_id", p->cgroup_id);
	json_key(w, "cgroup");
	if (p->cgroup[0])
		json_str(w, p->cgroup);
	else
		json_null(w);
	json_obj_end(w);
	return 0;
}

static void report_json(const struct dl_locks *locks, const char *path, const struct ipcs_file_header *fh,
			const struct recfile_status *st, const struct model *m,
			const struct model_totals *t, const struct conv_list *l)
{
	struct json_writer w;
	char abi[32];

	json_init(&w, stdout, true);
	json_obj_begin(&w);
	json_kstr(&w, "ipcscope", IPCS_VERSION);
	json_kstr(&w, "file", path ? path : "");	/* stat: nothing was recorded */
	snprintf(abi, sizeof(abi), "%u.%u", fh->major, fh->minor);
	json_kstr(&w, "abi", abi);
	json_kstr(&w, "host", fh->host);
	/* Payloads can hold secrets: say so wherever the file is described. */
	json_kbool(&w, "payload", fh->flags & IPCS_FILEF_PAYLOAD);
	json_ku64(&w, "capture_bytes", fh->capture_bytes);
	json_key(&w, "status");
	json_obj_begin(&w);
	json_kbool(&w, "clean", st->clean_end);
	json_kbool(&w, "truncated", st->truncated);
	json_kbool(&w, "corrupt", st->corrupt);
	json_kstr(&w, "message", st->message);
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
		report_json_misc_fields(&w, c);
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
	report_locks_json(&w, locks);
	json_obj_end(&w);
}

/* ---- text ---- */

void report_text_proc(char *buf, size_t n, const struct model_proc_ref *p)
{
	char comm[IPCS_COMM_LEN * 4 + 1];

	if (!p->pid) {
		snprintf(buf, n, "(not seen)");
		return;
	}
	esc_term(p->comm, IPCS_COMM_LEN, comm, sizeof(comm));
	snprintf(buf, n, "%u/%s", p->pid, comm);
}

static void report_text(const struct dl_locks *locks, const char *path, const struct ipcs_file_header *fh,
			const struct recfile_status *st, const struct model_totals *t,
			const struct conv_list *l, const struct model *m)
{
	char host[sizeof(fh->host) * 4 + 1], when[64] = "?", a[96], b[96], chan[96];
	time_t secs = (time_t)(fh->start_real_ns / 1000000000ull);
	struct tm tm;
	double span = t->last_ns > t->first_ns ? (double)(t->last_ns - t->first_ns) / 1e9 : 0;

	esc_term(fh->host, sizeof(fh->host), host, sizeof(host));
	if (localtime_r(&secs, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if (path) {
		fputs("recording ", stdout);
		esc_term_fputs(path, stdout);
	} else {
		fputs("traced live (not recorded)", stdout);
	}
	printf(": host %s, started %s, %.3f s of events\n", host, when, span);
	printf("events %" PRIu64 ", dropped %" PRIu64, (uint64_t)t->events, (uint64_t)t->drops_total);
	for (unsigned i = 0; i < IPCS_DROP_REASON_MAX; i++)
		printf("%s%s %" PRIu64, i ? ", " : " (", ipcs_drop_name(i), (uint64_t)t->drops[i]);
	printf(")\n");
	if (fh->flags & IPCS_FILEF_PAYLOAD)
		printf("payloads: up to %u bytes per message were captured: this file may hold "
		       "secrets (it is mode 0600; share it with care)\n", fh->capture_bytes);
	if (!st->clean_end)
		printf("warning: %s\n", st->message[0] ? st->message : "the recording did not end cleanly");
	printf("\n%-14s %-28s %-22s %-22s %8s %12s %10s\n", "KIND", "CHANNEL", "FROM (A)", "TO (B)",
	       "MSGS", "BYTES", "BLOCKED");
	for (size_t i = 0; i < l->n; i++) {
		const struct model_conv *c = &l->v[i];

		esc_term(c->channel, sizeof(c->channel), chan, sizeof(chan));
		report_text_proc(a, sizeof(a), &c->a);
		report_text_proc(b, sizeof(b), &c->b);
		printf("%-14s %-28s %-22s %-22s %8" PRIu64 " %12" PRIu64 " %8.1fms\n",
		       ipcs_kind_name(c->kind), chan, a, b, (uint64_t)c->a_to_b.msgs,
		       (uint64_t)c->a_to_b.bytes, (double)(c->a_blocked_ns + c->b_blocked_ns) / 1e6);
		if (c->b_to_a.bytes || c->b_to_a.msgs)
			printf("%-14s %-28s %-22s %-22s %8" PRIu64 " %12" PRIu64 "\n", "", "", b, a,
			       (uint64_t)c->b_to_a.msgs, (uint64_t)c->b_to_a.bytes);
		if (c->latency.count)
			printf("%-14s %-28s request->response p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms (%" PRIu64 ")\n",
			       "", "", (double)c->latency.p50 / 1e6, (double)c->latency.p90 / 1e6,
			       (double)c->latency.p99 / 1e6, (double)c->latency.max / 1e6,
			       (uint64_t)c->latency.count);
	}
	if (!report_futex_text(m) && !l->n)
		printf("(no conversations: nothing was written and read over a traced channel)\n");
	report_shm_text(m);
	report_fdpass_text(m);
	report_cgroups_text(m);
	report_waits_text(m, t->first_ns, t->last_ns);
	report_locks_text(locks);
}

/* report_model with the lock-order inversions of a --locks recording (locks may be NULL). */
static int report_model_locks(const struct dl_locks *locks, const char *path,
			      const struct ipcs_file_header *fh, const struct recfile_status *st,
			      struct model *m, bool json)
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
	if (json)
		report_json(locks, path, fh, st, m, &t, &l);
	else
		report_text(locks, path, fh, st, &t, &l, m);
out:
	free(l.v);
	return err;
}

int report_model(const char *path, const struct ipcs_file_header *fh,
		 const struct recfile_status *st, struct model *m, bool json)
{
	return report_model_locks(NULL, path, fh, st, m, json);
}

int report_file(const char *path, bool json, const struct ipcs_opts *filt)
{
	struct ev_filter f;
	struct replay_source *rs = NULL;
	struct recfile_status st;
	struct dl_locks locks;
	struct pipeline p;
	int err;

	err = replay_open(path, &rs);
	if (err)
		return EXIT_FAIL;
	if (dl_locks_init(&locks, NULL, NULL)) {
		replay_close(rs);
		return EXIT_FAIL;
	}
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
	err = report_model_locks(&locks, path, replay_header(rs), &st, p.model, json);
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
