/*
 * metrics.c - per conversation class counters and histograms, written in the
 * Prometheus text format (https://prometheus.io/docs/instrumenting/exposition_formats/).
 * Pure: observations in, text out; `serve` decides what to observe and when to write.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "collect/decode.h"
#include "export/metrics.h"
#include "util/escape.h"
#include "util/hashmap.h"

const __u64 metrics_bucket_ns[METRICS_NBUCKETS] = {
	10000ull, 25000ull, 50000ull, 100000ull, 250000ull, 500000ull,
	1000000ull, 2500000ull, 5000000ull, 10000000ull, 25000000ull, 50000000ull,
	100000000ull, 250000000ull, 500000000ull,
	1000000000ull, 2500000000ull, 5000000000ull, 10000000000ull,
};

/* The same bounds as le="..." writes them (seconds). */
static const char *const bucket_le[METRICS_NBUCKETS] = {
	"1e-05", "2.5e-05", "5e-05", "0.0001", "0.00025", "0.0005",
	"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
	"0.1", "0.25", "0.5",
	"1", "2.5", "5", "10",
};

struct mhist {
	__u64 bucket[METRICS_NBUCKETS];	/* observations in (bound[i-1], bound[i]]; cumulated when written */
	__u64 count;
	__u64 sum_ns;
};

struct mclass {
	struct metrics_class_key key;
	__u64 bytes, msgs;
	struct mhist h[METRICS_NHIST];
};

struct metrics {
	size_t max_series;
	struct hashmap classes;		/* metrics_class_key -> struct mclass */
	struct mclass **order;		/* in the order first seen, for a stable text */
	size_t n, cap;
	struct mclass other;		/* what did not fit */
	bool other_used;
	struct hashmap folded;		/* hash of a folded key -> (void *)1, to count them once */
	__u64 nfolded;
};

static const char *const drop_reason[IPCS_DROP_REASON_MAX] = {
	[IPCS_DROP_RINGBUF] = "ringbuf", [IPCS_DROP_INFLIGHT] = "inflight",
	[IPCS_DROP_READ] = "read", [IPCS_DROP_TRACED] = "traced",
};

int metrics_new(struct metrics **out, size_t max_series)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->max_series = max_series < 2 ? 2 : max_series;
	if (hashmap_init(&m->classes, sizeof(struct metrics_class_key)) ||
	    hashmap_init(&m->folded, sizeof(__u64))) {
		free(m);
		return -ENOMEM;
	}
	strcpy(m->other.key.src, "other");
	strcpy(m->other.key.dst, "other");
	*out = m;
	return 0;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	hashmap_fini_free(&m->classes);
	hashmap_fini(&m->folded);
	free(m->order);
	free(m);
}

/* The class of k: found, made, or (past max_series) "other". NULL: no memory. */
static struct mclass *class_of(struct metrics *m, const struct metrics_class_key *k0)
{
	struct metrics_class_key k;
	struct mclass *c, **order;
	__u64 h;

	/* A fixed-size key compared whole: nothing after the strings' NULs. */
	memset(&k, 0, sizeof(k));
	k.kind = k0->kind;
	memcpy(k.src, k0->src, strnlen(k0->src, sizeof(k.src) - 1));
	memcpy(k.dst, k0->dst, strnlen(k0->dst, sizeof(k.dst) - 1));
	c = hashmap_get(&m->classes, &k);
	if (c)
		return c;
	if (m->n + 1 >= m->max_series) {	/* one place is kept for "other" */
		h = hashmap_hash(&k, sizeof(k));
		if (!hashmap_get(&m->folded, &h) && hashmap_len(&m->folded) < METRICS_FOLDED_MAX &&
		    !hashmap_put(&m->folded, &h, (void *)1, NULL))
			m->nfolded++;
		m->other_used = true;
		return &m->other;
	}
	if (m->n == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 64;

		order = realloc(m->order, ncap * sizeof(*order));
		if (!order)
			return NULL;
		m->order = order;
		m->cap = ncap;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->key = k;
	if (hashmap_put(&m->classes, &c->key, c, NULL)) {
		free(c);
		return NULL;
	}
	m->order[m->n++] = c;
	return c;
}

int metrics_add(struct metrics *m, const struct metrics_class_key *k, __u64 bytes, __u64 msgs)
{
	struct mclass *c = class_of(m, k);

	if (!c)
		return -ENOMEM;
	c->bytes += bytes;
	c->msgs += msgs;
	return 0;
}

int metrics_observe(struct metrics *m, const struct metrics_class_key *k, enum metrics_hist h,
		    __u64 ns)
{
	struct mclass *c;
	struct mhist *hi;
	size_t i;

	if ((unsigned)h >= METRICS_NHIST)
		return -EINVAL;
	c = class_of(m, k);
	if (!c)
		return -ENOMEM;
	hi = &c->h[h];
	for (i = 0; i < METRICS_NBUCKETS && ns > metrics_bucket_ns[i]; i++)
		;
	if (i < METRICS_NBUCKETS)
		hi->bucket[i]++;	/* past the last bound: only in +Inf (= count) */
	hi->count++;
	hi->sum_ns += ns;
	return 0;
}

size_t metrics_classes(const struct metrics *m)
{
	return m->n + (m->other_used ? 1 : 0);
}

__u64 metrics_folded(const struct metrics *m)
{
	return m->nfolded;
}

/* A component that is a container's id, after its runtime's prefix and ".scope". */
static bool id_component(const char *c, size_t len, char *out, size_t n)
{
	static const char *const prefixes[] = { "docker-", "libpod-", "cri-containerd-", "crio-",
						"containerd-", "" };
	size_t hex;

	if (len > 6 && !memcmp(c + len - 6, ".scope", 6))
		len -= 6;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t pl = strlen(prefixes[i]);

		if (len < pl || memcmp(c, prefixes[i], pl))
			continue;
		for (hex = 0; pl + hex < len && c[pl + hex] && strchr("0123456789abcdef", c[pl + hex]); hex++)
			;
		/* runtimes' ids are 64 hex digits; less than 32 is a name that looks like hex */
		if (pl + hex == len && hex >= 32) {
			snprintf(out, n, "%.12s", c + pl);
			return true;
		}
	}
	return false;
}

bool metrics_container_id(const char *cgpath, char *out, size_t n)
{
	const char *end = cgpath + strlen(cgpath), *start;

	if (n)
		out[0] = '\0';
	/* the innermost match: podman's libpod-ID.scope/container, a pod's container */
	while (end > cgpath) {
		for (start = end; start > cgpath && start[-1] != '/'; start--)
			;
		if (end > start && id_component(start, (size_t)(end - start), out, n))
			return true;
		end = start > cgpath ? start - 1 : cgpath;
	}
	return false;
}

size_t metrics_label_escape(const char *in, char *out, size_t outsz)
{
	char term[4 * METRICS_LABEL_MAX + 1];
	size_t n = 0;

	if (!outsz)
		return 0;
	esc_term(in, METRICS_LABEL_MAX, term, sizeof(term));
	for (const char *p = term; *p; p++) {
		bool esc = *p == '\\' || *p == '"';

		if (n + 1 + esc >= outsz)
			break;
		if (esc)
			out[n++] = '\\';
		out[n++] = *p;
	}
	out[n] = '\0';
	return n;
}

/* {kind="..",src="..",dst=".." without the closing brace. */
static void labels(FILE *f, const struct mclass *c, bool other)
{
	char src[8 * METRICS_LABEL_MAX + 1], dst[8 * METRICS_LABEL_MAX + 1];

	metrics_label_escape(c->key.src, src, sizeof(src));
	metrics_label_escape(c->key.dst, dst, sizeof(dst));
	fprintf(f, "{kind=\"%s\",src=\"%s\",dst=\"%s\"", other ? "other" : ipcs_kind_name(c->key.kind),
		src, dst);
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

typedef __u64 (*class_value)(const struct mclass *c);
static __u64 v_bytes(const struct mclass *c) { return c->bytes; }
static __u64 v_msgs(const struct mclass *c) { return c->msgs; }

static void counter_family(FILE *f, const struct metrics *m, const char *name, const char *help,
			   class_value v)
{
	family(f, name, "counter", help);
	for (size_t i = 0; i <= m->n; i++) {
		const struct mclass *c = i < m->n ? m->order[i] : &m->other;

		if (i == m->n && !m->other_used)
			break;
		fputs(name, f);
		labels(f, c, i == m->n);
		fprintf(f, "} %llu\n", (unsigned long long)v(c));
	}
}

/* One histogram: cumulative buckets, +Inf (= count), _sum in seconds, _count. */
static void hist_series(FILE *f, const char *name, const struct mclass *c, bool other,
			const struct mhist *h, const char *extra)
{
	__u64 cum = 0;

	for (size_t b = 0; b < METRICS_NBUCKETS; b++) {
		cum += h->bucket[b];
		fprintf(f, "%s_bucket", name);
		labels(f, c, other);
		fprintf(f, "%s,le=\"%s\"} %llu\n", extra, bucket_le[b], (unsigned long long)cum);
	}
	fprintf(f, "%s_bucket", name);
	labels(f, c, other);
	fprintf(f, "%s,le=\"+Inf\"} %llu\n", extra, (unsigned long long)h->count);
	fprintf(f, "%s_sum", name);
	labels(f, c, other);
	fprintf(f, "%s} %llu.%09llu\n", extra, (unsigned long long)(h->sum_ns / 1000000000ull),
		(unsigned long long)(h->sum_ns % 1000000000ull));
	fprintf(f, "%s_count", name);
	labels(f, c, other);
	fprintf(f, "%s} %llu\n", extra, (unsigned long long)h->count);
}

/* Classes with no observation in a histogram have no series in it. */
static void hist_family(FILE *f, const struct metrics *m, const char *name, const char *help,
			enum metrics_hist h0, enum metrics_hist h1, const char *const *extra)
{
	family(f, name, "histogram", help);
	for (size_t i = 0; i <= m->n; i++) {
		const struct mclass *c = i < m->n ? m->order[i] : &m->other;

		if (i == m->n && !m->other_used)
			break;
		for (int h = h0; h <= (int)h1; h++)
			if (c->h[h].count)
				hist_series(f, name, c, i == m->n, &c->h[h], extra[h - h0]);
	}
}

static void scalar(FILE *f, const char *name, const char *type, const char *help, __u64 v)
{
	family(f, name, type, help);
	fprintf(f, "%s %llu\n", name, (unsigned long long)v);
}

int metrics_write(const struct metrics *m, const struct metrics_globals *g, FILE *f)
{
	static const char *const no_extra[] = { "" };
	static const char *const ends[] = { ",end=\"writer\"", ",end=\"reader\"" };

	counter_family(f, m, "ipcscope_bytes_total",
		       "Bytes src wrote and dst read, per conversation class (kind, src, dst).", v_bytes);
	counter_family(f, m, "ipcscope_messages_total",
		       "Messages (write calls, signals, datagrams) from src to dst.", v_msgs);
	hist_family(f, m, "ipcscope_rpc_latency_seconds",
		    "Request (src to dst) to response (the next dst to src write) on connected sockets.",
		    METRICS_RPC_LATENCY, METRICS_RPC_LATENCY, no_extra);
	hist_family(f, m, "ipcscope_blocked_seconds",
		    "Time each writing (end=writer) or reading (end=reader) call of a class spent in the kernel.",
		    METRICS_BLOCKED_WRITER, METRICS_BLOCKED_READER, ends);
	scalar(f, "ipcscope_series", "gauge", "Conversation classes exported (other included).",
	       metrics_classes(m));
	scalar(f, "ipcscope_series_folded_total", "counter",
	       "Distinct conversation classes folded into the class other (past --max-series).",
	       m->nfolded);
	scalar(f, "ipcscope_events_total", "counter", "Records the tracer took in.", g->events);
	family(f, "ipcscope_drops_total", "counter", "Records lost in the kernel, per reason.");
	for (int r = 0; r < IPCS_DROP_REASON_MAX; r++)
		fprintf(f, "ipcscope_drops_total{reason=\"%s\"} %llu\n", drop_reason[r],
			(unsigned long long)g->drops[r]);
	scalar(f, "ipcscope_deadlocks_total", "counter", "Wait-for cycles (deadlocks) found.",
	       g->deadlocks);
	scalar(f, "ipcscope_stalls_total", "counter",
	       "Stall chains found (threads waiting past the threshold on a thread that can move).",
	       g->stalls_total);
	scalar(f, "ipcscope_stalls", "gauge", "Threads in a stall chain, still blocked.", g->stalls_now);
	scalar(f, "ipcscope_blocked_threads", "gauge", "Threads blocked past the threshold now.",
	       g->blocked_now);
	family(f, "process_cpu_seconds_total", "counter", "User and system CPU time of ipcscope.");
	fprintf(f, "process_cpu_seconds_total %.3f\n", g->cpu_seconds);
	scalar(f, "process_resident_memory_bytes", "gauge", "Resident memory of ipcscope.",
	       g->rss_bytes);
	family(f, "process_start_time_seconds", "gauge", "Start of ipcscope, seconds since the epoch.");
	fprintf(f, "process_start_time_seconds %.3f\n", g->start_time);
	return ferror(f) ? -EIO : 0;
}
