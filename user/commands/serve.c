/*
 * serve.c - `ipcscope serve`: a tracing session (trace/session.c) into a
 * model whose flows (model_set_flow_cb) feed per-class counters and
 * histograms (export/metrics.c); once a second the tracing thread writes the
 * Prometheus text into a new buffer and swaps it in under a mutex, and
 * libmicrohttpd's thread serves the last buffer on /metrics. The HTTP side
 * never touches the model, so a slow or stuck scraper never blocks tracing.
 */
#include <errno.h>
#include <stdarg.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>
#include "commands/commands.h"
#include "export/metrics.h"
#include "log.h"
#include "model/model_futex.h"
#include "model/model_waits.h"
#include "trace/session.h"
#include "util/hashmap.h"

#define SERVE_WAIT_THRESHOLD_NS 1000000000ull	/* live's and the recorder's long wait */
#define SERVE_MAX_CONNECTIONS 32
#define SERVE_CONN_TIMEOUT_S 10

struct serve_run {
	const struct ipcs_opts *o;
	struct session ss;
	struct pipeline p;
	struct metrics *mx;
	int err;			/* the first error a flow callback met (-ENOMEM) */
	struct hashmap pid_cg;		/* --by cgroup|container: pid -> cgroup id + 1, for futex pairs */
	__u64 deadlocks, stalls;	/* found by the watcher */
	double start_time;
	/* The exposition the HTTP thread serves: swapped under mu, never edited in place. */
	pthread_mutex_t mu;
	char *text;
	size_t len;
};

/* ---- classes ---- */

static void end_label(struct serve_run *s, const struct model_proc_ref *p, __u64 cg, char *out,
		      size_t n)
{
	const char *path;

	if (s->o->by != BY_COMM) {
		path = cg ? model_cgroup_path(s->p.model, cg) : NULL;
		if (path && s->o->by == BY_CONTAINER && metrics_container_id(path, out, n))
			return;	/* else the path: a service, or the host */
		if (path)
			snprintf(out, n, "%s", path);
		else if (cg)
			snprintf(out, n, "cgroup:%llu", (unsigned long long)cg);
		else
			snprintf(out, n, "?");
		return;
	}
	snprintf(out, n, "%s", p->pid ? p->comm : "?");
}

static void class_key(struct serve_run *s, __u16 kind, const struct model_proc_ref *src,
		      __u64 src_cg, const struct model_proc_ref *dst, __u64 dst_cg,
		      struct metrics_class_key *k)
{
	k->kind = kind;
	end_label(s, src, src_cg, k->src, sizeof(k->src));
	end_label(s, dst, dst_cg, k->dst, sizeof(k->dst));
}

static void note(struct serve_run *s, int err)
{
	if (err && !s->err)
		s->err = err;
}

static void on_flow(const struct model_flow *f, void *ctx)
{
	struct serve_run *s = ctx;
	struct metrics_class_key k;

	class_key(s, f->kind, f->src, f->src_cgroup, f->dst, f->dst_cgroup, &k);
	if (f->bytes || f->msg)
		note(s, metrics_add(s->mx, &k, f->bytes, f->msg ? 1 : 0));
	if (f->src_blocked_ns)
		note(s, metrics_observe(s->mx, &k, METRICS_BLOCKED_WRITER, f->src_blocked_ns));
	if (f->dst_blocked_ns)
		note(s, metrics_observe(s->mx, &k, METRICS_BLOCKED_READER, f->dst_blocked_ns));
	if (f->has_latency) {	/* dst asked, src answered: the requester's class */
		class_key(s, f->kind, f->dst, f->dst_cgroup, f->src, f->src_cgroup, &k);
		note(s, metrics_observe(s->mx, &k, METRICS_RPC_LATENCY, f->latency_ns));
	}
}

static __u64 pid_cgroup(struct serve_run *s, __u32 pid)
{
	void *v = hashmap_get(&s->pid_cg, &pid);

	return v ? (__u64)(uintptr_t)v - 1 : 0;
}

/* A wake that ended a wait: a message from waker to waiter, the wait's time blocked. */
static int on_futex_pair(const struct model_futex_pair *fp, void *ctx)
{
	struct serve_run *s = ctx;
	struct metrics_class_key k;

	class_key(s, IPCS_KIND_FUTEX, &fp->waker, pid_cgroup(s, fp->waker.pid), &fp->waiter,
		  pid_cgroup(s, fp->waiter.pid), &k);
	note(s, metrics_add(s->mx, &k, 0, 1));
	if (fp->wait_ns)
		note(s, metrics_observe(s->mx, &k, METRICS_BLOCKED_READER, fp->wait_ns));
	return 0;
}

static int learn_cgroup(const struct model_proc *p, void *ctx)
{
	struct serve_run *s = ctx;
	__u32 pid = p->ref.pid;

	if (!pid || !p->cgroup_id || p->exited)
		return 0;
	return hashmap_put(&s->pid_cg, &pid, (void *)(uintptr_t)(p->cgroup_id + 1), NULL);
}

/* ---- the text ---- */

static int count_stalled(const struct model_wait *w, void *ctx)
{
	if (!w->end_ns && (w->flags & IPCS_WAITF_STALL))
		++*(__u64 *)ctx;
	return 0;
}

static void own_usage(struct metrics_globals *g)
{
	struct rusage ru;
	char buf[128];
	unsigned long long size, rss;
	FILE *f;

	if (!getrusage(RUSAGE_SELF, &ru))
		g->cpu_seconds = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
				 (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	f = fopen("/proc/self/statm", "re");
	if (f) {
		if (fgets(buf, sizeof(buf), f) && sscanf(buf, "%llu %llu", &size, &rss) == 2)
			g->rss_bytes = rss * (unsigned long long)sysconf(_SC_PAGESIZE);
		fclose(f);
	}
}

/* The exposition from the model's state now, swapped in for the HTTP thread. */
static int publish(struct serve_run *s)
{
	struct metrics_globals g = { .start_time = s->start_time };
	char *text = NULL, *old;
	size_t len = 0;
	FILE *f;
	int err;

	g.events = s->p.records;
	for (int r = 0; r < IPCS_DROP_REASON_MAX; r++)
		g.drops[r] = s->ss.drops[r];
	g.deadlocks = s->deadlocks;
	g.stalls_total = s->stalls;
	g.blocked_now = model_waits_blocked(s->p.model);
	model_foreach_wait(s->p.model, count_stalled, &g.stalls_now);
	own_usage(&g);
	f = open_memstream(&text, &len);
	if (!f)
		return -errno;
	err = metrics_write(s->mx, &g, f);
	if (fclose(f) && !err)
		err = -EIO;
	if (err) {
		free(text);
		return err;
	}
	pthread_mutex_lock(&s->mu);
	old = s->text;
	s->text = text;
	s->len = len;
	pthread_mutex_unlock(&s->mu);
	free(old);
	return 0;
}

static int serve_tick(struct session *ss, void *ctx)
{
	struct serve_run *s = ctx;
	int err = s->err;

	(void)ss;
	if (!err && s->o->by != BY_COMM) {
		/* rebuilt, not updated: exited pids leave it */
		hashmap_fini(&s->pid_cg);
		err = hashmap_init(&s->pid_cg, sizeof(__u32));
		if (!err)
			err = model_foreach_proc(s->p.model, learn_cgroup, s);
	}
	if (!err)
		err = publish(s);
	if (!err && !s->o->quiet)
		session_status(&s->ss, "served", -1, 0, false);
	return err;
}

/* ---- the watcher's findings ---- */

static int on_wait(const struct ipcs_wait_rec *r, void *ctx)
{
	return session_wait_to_pipeline(r, &((struct serve_run *)ctx)->p);
}

static void on_cycle(struct dl_graph *g, struct dl_chain *c, void *ctx)
{
	(void)g;
	(void)c;
	((struct serve_run *)ctx)->deadlocks++;
}

static void on_stall(struct dl_graph *g, struct dl_chain *c, void *ctx)
{
	(void)g;
	(void)c;
	((struct serve_run *)ctx)->stalls++;
}

/* ---- HTTP (libmicrohttpd's thread) ---- */

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *body)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
								 MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow", "GET, HEAD");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct serve_run *s = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *copy;
	size_t len;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)con_cls;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET /metrics\n");
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, "not found: ipcscope serves /metrics only\n");
	pthread_mutex_lock(&s->mu);
	len = s->len;
	copy = malloc(len ? len : 1);
	if (copy)
		memcpy(copy, s->text, len);
	pthread_mutex_unlock(&s->mu);
	if (!copy)
		return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory\n");
	r = MHD_create_response_from_buffer(len, copy, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(copy);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* "127.0.0.1:9478", "[::1]:9478", "0.0.0.0:0" (port 0: any free one). */
static int parse_listen(const char *spec, struct sockaddr_storage *sa, socklen_t *salen)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai;
	char host[128];
	const char *colon = strrchr(spec, ':');
	size_t hl;

	if (!colon || colon == spec || !colon[1] || (size_t)(colon - spec) >= sizeof(host))
		return -EINVAL;
	hl = (size_t)(colon - spec);
	if (spec[0] == '[') {
		if (spec[hl - 1] != ']' || hl < 3)
			return -EINVAL;
		memcpy(host, spec + 1, hl - 2);
		host[hl - 2] = '\0';
	} else {
		memcpy(host, spec, hl);
		host[hl] = '\0';
	}
	if (getaddrinfo(host, colon + 1, &hints, &ai) || !ai)
		return -EINVAL;
	memcpy(sa, ai->ai_addr, ai->ai_addrlen);
	*salen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* libmicrohttpd's own messages (a client that went away, a bind that failed) through our log:
 * -v shows them. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_info("libmicrohttpd: %s", msg);
}

/* Listen on sa (spec as the user gave it, for messages); url gets where it serves. */
static struct MHD_Daemon *http_start(struct serve_run *s, const char *spec,
				     const struct sockaddr_storage *sa, socklen_t salen, char *url, size_t n)
{
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	char host[INET6_ADDRSTRLEN + 2], port[8];
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	int err;

	errno = 0;
	if (sa->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
			     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,	/* first, as it asks */
			     MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)sa,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVE_MAX_CONNECTIONS,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVE_CONN_TIMEOUT_S,
			     MHD_OPTION_END);
	if (!d) {
		err = errno;
		log_error("serve: cannot listen on %s: %s", spec,
			  err ? strerror(err) : "in use, or not an address of this host?");
		return NULL;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (getnameinfo((const struct sockaddr *)sa, salen, host + 1, sizeof(host) - 2, NULL, 0,
			NI_NUMERICHOST))
		snprintf(host, sizeof(host), "?");
	else if (sa->ss_family == AF_INET6)
		host[0] = '[', strcat(host, "]");
	else
		memmove(host, host + 1, strlen(host + 1) + 1);
	snprintf(port, sizeof(port), "%u", info ? info->port : 0);
	snprintf(url, n, "http://%s:%s/metrics", host, port);
	return d;
}

int cmd_serve(const struct ipcs_opts *o)
{
	static struct serve_run s;
	struct ev_filter f;
	struct session_cfg cfg = {
		.o = o, .p = &s.p, .seed = SESSION_SEED_PIPELINE,
		.waits = true, .wait_threshold_ns = SERVE_WAIT_THRESHOLD_NS,
		.wait_cbs = { .on_wait = on_wait, .on_cycle = on_cycle, .on_stall = on_stall, .ctx = &s },
		.on_tick = serve_tick, .tick_ctx = &s,
	};
	const char *listen = o->listen ? o->listen : OPTS_DEFAULT_LISTEN;
	struct MHD_Daemon *d = NULL;
	struct sockaddr_storage sa;
	socklen_t salen;
	char url[160];
	int err, rc = EXIT_FAIL;

	/* A malformed address is a usage error, found before anything starts. */
	if (parse_listen(listen, &sa, &salen)) {
		log_error("serve: --listen %s: expected ADDRESS:PORT with a numeric address "
			  "(127.0.0.1:9478, [::1]:9478, 0.0.0.0:9478)", listen);
		return EXIT_USAGE;
	}
	memset(&s, 0, sizeof(s));
	s.o = o;
	s.start_time = (double)time(NULL);
	pthread_mutex_init(&s.mu, NULL);
	if (hashmap_init(&s.pid_cg, sizeof(__u32)) || pipeline_init(&s.p, true) ||
	    metrics_new(&s.mx, o->max_series ? o->max_series : OPTS_DEFAULT_MAX_SERIES)) {
		log_error("out of memory");
		goto out;
	}
	model_set_flow_cb(s.p.model, on_flow, &s);
	model_set_futex_pair_cb(s.p.model, on_futex_pair, &s);
	cmd_filter(o, 0, &f, &s.p);	/* --kind: only those kinds are counted */
	if (publish(&s))	/* a scrape before the first second gets the zeros */
		goto out;
	/* Listening first: a taken port fails before the probes are loaded. */
	d = http_start(&s, listen, &sa, salen, url, sizeof(url));
	if (!d)
		goto out;
	if (session_open(&s.ss, &cfg))
		goto out;
	if (!o->quiet)
		fprintf(stderr, "ipcscope: serving %s; Ctrl-C or SIGTERM to stop\n", url);
	session_go(&s.ss);
	err = 0;
	while (!err && !session_done(&s.ss))
		err = session_step(&s.ss, 100);
	err = session_finish(&s.ss, err);
	if (!err && s.err)
		err = s.err;
	if (err)
		log_error("serve: %s", strerror(-err));
	else
		rc = EXIT_OK;
	session_status(&s.ss, "served", -1, 0, true);
out:
	if (d)
		MHD_stop_daemon(d);	/* joins the HTTP thread: nothing reads s.text after this */
	s.p.filter = NULL;
	pipeline_fini(&s.p);
	metrics_free(s.mx);
	hashmap_fini(&s.pid_cg);
	free(s.text);
	pthread_mutex_destroy(&s.mu);
	return rc;
}
