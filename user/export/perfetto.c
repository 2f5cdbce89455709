/*
 * perfetto.c - Chrome trace-event JSON (the "JSON Object Format" that
 * ui.perfetto.dev and chrome://tracing load): a track per process and
 * thread, a complete slice ("X") per traced syscall spanning the time it
 * blocked, instants for process and signal events, a counter of drops, and
 * a flow arrow ("s" -> "f") from each write to every read that took its
 * bytes (export/flows.c), and from each futex wake to every wait it ended
 * (the model's pairing, model_futex.h). A process is named by its title
 * (command line) when the recording has one. Timestamps are microseconds since the recording
 * began, with nanosecond decimals.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "export/exporter.h"
#include "export/flows.h"
#include "model/model_futex.h"
#include "util/hashmap.h"
#include "util/json.h"

struct name_ent {
	__u32 pid;		/* thread's process */
	char comm[IPCS_COMM_LEN];
	char *title;		/* processes: the last IPCS_REC_CMDLINE (NULs as spaces; malloc) */
};

struct perfetto {
	FILE *f;
	__u64 start_ns;
	const struct model *model;
	struct flows *flows;
	struct hashmap procs;	/* pid -> name_ent */
	struct hashmap threads;	/* tid -> name_ent */
	__u64 nevents;		/* trace events written (for the separator) */
	__u64 next_flow;
	__u64 futex_flows;	/* of next_flow: wake -> wait */
	struct json_writer w;
};

/* Start one trace event object. */
static struct json_writer *ev_begin(struct perfetto *p, const char *ph, const char *name,
				    const char *cat, __u32 pid, __u32 tid)
{
	if (p->nevents++)
		fputs(",\n", p->f);
	json_init(&p->w, p->f, false);
	json_obj_begin(&p->w);
	json_kstr(&p->w, "ph", ph);
	json_kstr(&p->w, "name", name);
	if (cat)
		json_kstr(&p->w, "cat", cat);
	json_ku64(&p->w, "pid", pid);
	json_ku64(&p->w, "tid", tid);
	return &p->w;
}

/* "ts" in microseconds with three decimals: exact nanoseconds. */
static void k_us(struct json_writer *w, const char *key, __u64 ns)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64 ".%03u", (uint64_t)(ns / 1000), (unsigned)(ns % 1000));
	json_key(w, key);
	json_raw(w, buf);
}

static __u64 rel(const struct perfetto *p, __u64 ts)
{
	return ts > p->start_ns ? ts - p->start_ns : 0;
}

static int remember(struct hashmap *h, __u32 id, __u32 pid, const char *comm)
{
	struct name_ent *e = hashmap_get(h, &id);
	int err;

	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		err = hashmap_put(h, &id, e, NULL);
		if (err) {
			free(e);
			return err;
		}
	}
	e->pid = pid;
	if (comm[0])	/* the latest name wins: exec renames */
		memcpy(e->comm, comm, IPCS_COMM_LEN);
	return 0;
}

static int seen(struct perfetto *p, __u32 pid, __u32 tid, const char *comm)
{
	int err = remember(&p->procs, pid, pid, comm);

	return err ? err : remember(&p->threads, tid, pid, comm);
}

/* The slice of a syscall that ended at ts after blocking blocked_ns. */
static struct json_writer *slice(struct perfetto *p, const char *name, __u16 kind,
				 __u32 pid, __u32 tid, __u64 ts, __u64 blocked)
{
	struct json_writer *w;
	__u64 end = rel(p, ts), start = blocked < end ? end - blocked : 0;

	w = ev_begin(p, "X", name, ipcs_kind_name(kind), pid, tid);
	k_us(w, "ts", start);
	k_us(w, "dur", end - start > 2 ? end - start : 2);	/* room to bind flows inside */
	json_key(w, "args");
	json_obj_begin(w);
	json_ku64(w, "blocked_ns", blocked);
	return w;
}

static void chan_args(struct perfetto *p, struct json_writer *w, const struct ipcs_chan *c)
{
	char name[MODEL_NAME_MAX];

	if (c->kind == IPCS_KIND_NONE)
		return;
	if (!p->model || model_chan_name(p->model, c->dev, c->ino, name, sizeof(name)))
		snprintf(name, sizeof(name), "%s:[%llu]", ipcs_kind_name(c->kind), (unsigned long long)c->ino);
	json_kstr(w, "channel", name);
}

static void sys_event(struct perfetto *p, const struct ipcs_event *ev)
{
	const struct ipcs_sys_rec *s = &ev->sys;
	struct json_writer *w = slice(p, ipcs_sys_name(s->sys), s->chan.kind, s->pid, s->tid,
				      s->h.ts_ns, s->blocked_ns);

	chan_args(p, w, &s->chan);
	json_ki64(w, "fd", s->fd);
	json_ki64(w, "ret", s->ret);
	if (ev->path[0])
		json_kstr(w, "path", ev->path);
	json_obj_end(w);	/* args */
	json_obj_end(w);
}

static void futex_event(struct perfetto *p, const struct ipcs_futex_rec *r)
{
	struct json_writer *w = slice(p, ipcs_sys_name(r->sys), IPCS_KIND_FUTEX, r->pid, r->tid,
				      r->h.ts_ns, r->blocked_ns);

	json_kid(w, "uaddr", r->uaddr);	/* ids as strings, as in all our JSON */
	json_ku64(w, "op", r->op);
	json_ki64(w, "ret", r->ret);
	json_obj_end(w);
	json_obj_end(w);
}

static void shm_event(struct perfetto *p, const struct ipcs_shm_rec *r)
{
	struct json_writer *w = slice(p, ipcs_sys_name(r->sys), IPCS_KIND_SHM, r->pid, r->tid,
				      r->h.ts_ns, 0);

	json_kid(w, "ino", r->ino);
	json_ku64(w, "len", r->len);
	json_ki64(w, "ret", r->ret);
	json_obj_end(w);
	json_obj_end(w);
}

/* An instant event on a thread ("s": thread scope). */
static struct json_writer *instant(struct perfetto *p, const char *name, const char *cat,
				   __u32 pid, __u32 tid, __u64 ts)
{
	struct json_writer *w = ev_begin(p, "i", name, cat, pid, tid);

	k_us(w, "ts", rel(p, ts));
	json_kstr(w, "s", "t");
	json_key(w, "args");
	json_obj_begin(w);
	return w;
}

static void proc_event(struct perfetto *p, const struct ipcs_proc_rec *r)
{
	static const char *const ops[] = { "?", "fork", "exec", "exit" };
	struct json_writer *w = instant(p, ops[r->op], "process", r->pid, r->tid, r->h.ts_ns);

	json_ku64(w, "ppid", r->ppid);
	json_kstr(w, "comm", r->comm);
	if (r->op == IPCS_PROC_EXIT)
		json_ki64(w, "exit_code", r->exit_code);
	json_obj_end(w);
	json_obj_end(w);
}

static void signal_event(struct perfetto *p, const struct ipcs_signal_rec *r)
{
	bool gen = r->op == IPCS_SIG_GENERATE;
	struct json_writer *w;
	char name[32];

	snprintf(name, sizeof(name), "%s %d", gen ? "signal" : "deliver", r->sig);
	w = instant(p, name, "signal", gen ? r->pid : r->rpid, gen ? r->tid : r->rtid, r->h.ts_ns);
	json_ku64(w, "from_pid", r->pid);
	json_ku64(w, "to_pid", r->rpid);
	json_ki64(w, "sig", r->sig);
	json_obj_end(w);
	json_obj_end(w);
}

static void drops_event(struct perfetto *p, const struct ipcs_drops_rec *d)
{
	struct json_writer *w = ev_begin(p, "C", "drops", "ipcscope", 0, 0);

	k_us(w, "ts", rel(p, d->h.ts_ns));
	json_key(w, "args");
	json_obj_begin(w);
	for (unsigned i = 0; i < IPCS_DROP_REASON_MAX; i++)
		json_ku64(w, ipcs_drop_name(i), d->drops[i]);
	json_obj_end(w);
	json_obj_end(w);
}

/* Flow v1: "s" inside the write's slice, "f" bound to the enclosing read slice. */
static void flow_point(struct perfetto *p, const char *ph, const struct flow_end *e, __u64 id,
		       __u64 bytes, __u16 kind)
{
	__u64 a = rel(p, e->start_ns), b = rel(p, e->end_ns);
	struct json_writer *w = ev_begin(p, ph, "bytes", "flow", e->pid, e->tid);

	k_us(w, "ts", b > a ? a + (b - a) / 2 : a + 1);
	json_ku64(w, "id", id);
	if (ph[0] == 'f')
		json_kstr(w, "bp", "e");
	json_key(w, "args");
	json_obj_begin(w);
	json_ku64(w, "bytes", bytes);
	json_kstr(w, "kind", ipcs_kind_name(kind));
	json_obj_end(w);
	json_obj_end(w);
}

/* A wake's slice -> the slice of the wait it ended. */
static int on_futex_pair(const struct model_futex_pair *fp, void *ctx)
{
	struct perfetto *p = ctx;
	__u64 id = ++p->next_flow;
	struct flow_end e[2] = {
		{ fp->wake_ts - (fp->wake_ns < fp->wake_ts ? fp->wake_ns : 0), fp->wake_ts,
		  fp->waker.pid, fp->waker_tid },
		{ fp->wait_ts - (fp->wait_ns < fp->wait_ts ? fp->wait_ns : 0), fp->wait_ts,
		  fp->waiter.pid, fp->waiter_tid },
	};

	p->futex_flows++;
	for (int i = 0; i < 2; i++) {
		__u64 a = rel(p, e[i].start_ns), b = rel(p, e[i].end_ns);
		struct json_writer *w = ev_begin(p, i ? "f" : "s", "wake", "flow", e[i].pid, e[i].tid);

		k_us(w, "ts", b > a ? a + (b - a) / 2 : a + 1);
		json_ku64(w, "id", id);
		if (i)
			json_kstr(w, "bp", "e");
		json_key(w, "args");
		json_obj_begin(w);
		json_kstr(w, "kind", "futex");
		json_ku64(w, "waker_tid", fp->waker_tid);
		json_ku64(w, "waiter_tid", fp->waiter_tid);
		json_ku64(w, "wait_ns", fp->wait_ns);
		json_obj_end(w);
		json_obj_end(w);
	}
	return 0;
}

/* The latest title of a process names its track. */
static int learn_title(struct perfetto *p, const struct ipcs_cmdline_rec *r)
{
	struct name_ent *e;
	size_t n = r->len;
	char *s;
	int err = remember(&p->procs, r->pid, r->pid, "");

	if (err)
		return err;
	e = hashmap_get(&p->procs, &r->pid);
	while (n && !r->cmdline[n - 1])
		n--;
	s = malloc(n + 1);
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		s[i] = r->cmdline[i] ? r->cmdline[i] : ' ';
	s[n] = '\0';
	free(e->title);
	e->title = n ? s : NULL;
	if (!n)
		free(s);
	return 0;
}

static int on_flow(const struct flow_pair *fp, void *ctx)
{
	struct perfetto *p = ctx;
	__u64 id = ++p->next_flow;

	flow_point(p, "s", &fp->w, id, fp->bytes, fp->kind);
	flow_point(p, "f", &fp->r, id, fp->bytes, fp->kind);
	return 0;
}

static int perfetto_on_event(void *ctx, const struct ipcs_event *ev, const void *raw, size_t len)
{
	struct perfetto *p = ctx;
	int err = 0;

	(void)raw;
	(void)len;
	switch (ev->type) {
	case IPCS_REC_SYS:
	case IPCS_REC_SYS_PATH:
	case IPCS_REC_SOCK:
		err = seen(p, ev->sys.pid, ev->sys.tid, ev->sys.comm);
		/* the slice first: the flows of this call bind to it */
		sys_event(p, ev);
		if (!err)
			err = flows_feed(p->flows, ev);
		break;
	case IPCS_REC_FUTEX:
		err = seen(p, ev->futex.pid, ev->futex.tid, ev->futex.comm);
		futex_event(p, &ev->futex);
		break;
	case IPCS_REC_SHM:
		err = seen(p, ev->shm.pid, ev->shm.tid, ev->shm.comm);
		shm_event(p, &ev->shm);
		break;
	case IPCS_REC_PROC:
		err = seen(p, ev->proc.pid, ev->proc.tid, ev->proc.comm);
		proc_event(p, &ev->proc);
		break;
	case IPCS_REC_SEED_PROC:
		err = seen(p, ev->seed_proc.pid, ev->seed_proc.pid, ev->seed_proc.comm);
		break;
	case IPCS_REC_SIGNAL:
		if (ev->sig.op == IPCS_SIG_GENERATE)
			err = seen(p, ev->sig.pid, ev->sig.tid, ev->sig.comm);
		else
			err = seen(p, ev->sig.rpid, ev->sig.rtid, ev->sig.rcomm);
		signal_event(p, &ev->sig);
		break;
	case IPCS_REC_DROPS:
		drops_event(p, &ev->drops);
		break;
	case IPCS_REC_CMDLINE:
		err = learn_title(p, &ev->cmdline);
		break;
	}
	if (!err && ferror(p->f))
		err = -EIO;
	return err;
}

static void names(struct perfetto *p, struct hashmap *h, const char *what)
{
	size_t it = 0;
	const void *k;
	void *v;

	while (hashmap_next(h, &it, &k, &v)) {
		const struct name_ent *e = v;
		__u32 id;
		struct json_writer *w;

		memcpy(&id, k, sizeof(id));
		w = ev_begin(p, "M", what, NULL, e->pid, id);
		json_key(w, "args");
		json_obj_begin(w);
		json_kstr(w, "name", e->title ? e->title : e->comm);
		json_obj_end(w);
		json_obj_end(w);
	}
}

static void free_titles(struct hashmap *h)
{
	size_t it = 0;
	void *v;

	while (hashmap_next(h, &it, NULL, &v))
		free(((struct name_ent *)v)->title);
}

/* A traced process's cgroup as a process label ("cgroup:/system.slice/x.scope"). */
static int cgroup_label(const struct model_proc *mp, void *ctx)
{
	struct perfetto *p = ctx;
	struct json_writer *w;
	char label[IPCS_PATH_MAX + 8];

	if (!mp->cgroup[0] || !hashmap_get(&p->procs, &mp->ref.pid))
		return 0;
	snprintf(label, sizeof(label), "cgroup:%s", mp->cgroup);
	w = ev_begin(p, "M", "process_labels", NULL, mp->ref.pid, mp->ref.pid);
	json_key(w, "args");
	json_obj_begin(w);
	json_kstr(w, "labels", label);
	json_obj_end(w);
	json_obj_end(w);
	return 0;
}

static int perfetto_finish(void *ctx)
{
	struct perfetto *p = ctx;
	__u64 unw, unr;

	names(p, &p->procs, "process_name");
	if (p->model)
		model_foreach_proc(p->model, cgroup_label, p);
	names(p, &p->threads, "thread_name");
	flows_unpaired(p->flows, &unw, &unr);
	fprintf(p->f, "\n],\n\"otherData\":{\"producer\":\"ipcscope\",\"version\":\"%s\","
		"\"futex_flows\":%" PRIu64 ",\"flows\":%" PRIu64 ",\"unpaired_write_bytes\":%" PRIu64
		",\"unpaired_read_bytes\":%" PRIu64 "}}\n",
		IPCS_VERSION, (uint64_t)p->futex_flows, (uint64_t)p->next_flow, (uint64_t)unw,
		(uint64_t)unr);
	return fflush(p->f) || ferror(p->f) ? -EIO : 0;
}

static void perfetto_destroy(void *ctx)
{
	struct perfetto *p = ctx;

	flows_free(p->flows);
	if (p->model)
		model_set_futex_pair_cb((struct model *)p->model, NULL, NULL);
	free_titles(&p->procs);
	hashmap_fini_free(&p->procs);
	hashmap_fini_free(&p->threads);
	free(p);
}

int export_perfetto_open(FILE *f, const struct export_info *info, struct exporter *out)
{
	struct perfetto *p = calloc(1, sizeof(*p));
	int err;

	if (!p)
		return -ENOMEM;
	p->f = f;
	p->start_ns = info->start_ns;
	p->model = info->model;
	err = hashmap_init(&p->procs, sizeof(__u32));
	if (!err)
		err = hashmap_init(&p->threads, sizeof(__u32));
	if (!err)
		err = flows_new(on_flow, p, &p->flows);
	if (err) {
		perfetto_destroy(p);
		return err;
	}
	/* The model pairs wakes with waits as the events go by: it tells us each
	 * pair (an observer only; export_info's model is const for reading). */
	if (p->model)
		model_set_futex_pair_cb((struct model *)p->model, on_futex_pair, p);
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", f);
	*out = (struct exporter){
		.sink = { .on_event = perfetto_on_event, .ctx = p },
		.finish = perfetto_finish,
		.destroy = perfetto_destroy,
	};
	return 0;
}
