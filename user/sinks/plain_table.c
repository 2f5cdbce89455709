/* plain_table.c - the per-interval table of live --plain --interval (see the header). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "sinks/plain_table.h"
#include "util/escape.h"
#include "snapshot.h"

/* A foreign string: escaped, and blanks escaped too so the line splits on them. */
static void put_esc(FILE *f, const char *s, size_t n)
{
	char buf[4 * MODEL_NAME_MAX + 1];

	esc_term(s, n, buf, sizeof(buf));
	for (const char *p = buf; *p; p++)
		if (*p == ' ')
			fputs("\\x20", f);
		else
			fputc(*p, f);
}

static void put_proc(FILE *f, const char *key, const struct model_proc_ref *p)
{
	fprintf(f, " %s=%u/", key, p->pid);
	put_esc(f, p->comm, IPCS_COMM_LEN);
	if (p->untraced)	/* named from /proc as a traced process's peer */
		fprintf(f, " %s_traced=0", key);
}

static int by_bytes(const void *x, const void *y)
{
	const struct model_conv *a = x, *b = y;
	__u64 ta = a->a_to_b.bytes + a->b_to_a.bytes, tb = b->a_to_b.bytes + b->b_to_a.bytes;

	if (ta != tb)
		return ta > tb ? -1 : 1;
	return a->first_ns < b->first_ns ? -1 : a->first_ns > b->first_ns;
}

int plain_table(FILE *f, const struct model *m, __u64 start_ns, __u64 now_ns, __u16 kind)
{
	struct snapshot s;
	size_t shown = 0;
	int err = snapshot_build(m, NULL, &s);

	if (err)
		return err;
	if (s.nconvs)
		qsort(s.convs, s.nconvs, sizeof(*s.convs), by_bytes);
	for (size_t i = 0; i < s.nconvs; i++)
		shown += !kind || s.convs[i].kind == kind;
	fprintf(f, "# %.3f s  events %" PRIu64 "  drops %" PRIu64 "  conversations %zu\n",
		now_ns > start_ns ? (double)(now_ns - start_ns) / 1e9 : 0.0, (uint64_t)s.totals.events,
		(uint64_t)s.totals.drops_total, shown);
	for (size_t i = 0; i < s.nconvs; i++) {
		const struct model_conv *c = &s.convs[i];

		if (kind && c->kind != kind)
			continue;
		fprintf(f, "%s", ipcs_kind_name(c->kind));
		fputs(" channel=", f);
		put_esc(f, c->channel, sizeof(c->channel));
		put_proc(f, "a", &c->a);
		put_proc(f, "b", &c->b);
		fprintf(f, " ab_bytes=%" PRIu64 " ab_msgs=%" PRIu64 " ab_rate=%" PRIu64
			" ba_bytes=%" PRIu64 " ba_msgs=%" PRIu64 " ba_rate=%" PRIu64,
			(uint64_t)c->a_to_b.bytes, (uint64_t)c->a_to_b.msgs,
			(uint64_t)model_rate_recent(&c->rate_ab, now_ns), (uint64_t)c->b_to_a.bytes,
			(uint64_t)c->b_to_a.msgs, (uint64_t)model_rate_recent(&c->rate_ba, now_ns));
		if (c->latency.count)
			fprintf(f, " p50_ns=%" PRIu64 " p99_ns=%" PRIu64, (uint64_t)c->latency.p50,
				(uint64_t)c->latency.p99);
		fputc('\n', f);
	}
	snapshot_free(&s);
	if (fflush(f) || ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}
