/* test_merge.c - merge: clocks aligned, order by time, other hosts tagged, drops summed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands/commands.h"
#include "record/recfile.h"

static char dir[] = "/tmp/test_merge.XXXXXX";

static struct ipcs_sys_rec sys_rec(__u64 ts, __u32 pid, __u16 kind)
{
	struct ipcs_sys_rec r;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_SYS;
	r.h.size = sizeof(r);
	r.h.ts_ns = ts;
	r.pid = r.tid = pid;
	r.sys = IPCS_SYS_WRITE;
	r.ret = 1;
	r.chan.kind = kind;
	r.chan.dev = 15;
	r.chan.ino = 7;
	return r;
}

static void write_file(const char *path, const char *host, __u64 mono, __u64 real,
		       const __u64 *ts, const __u32 *pid, int n, __u64 drop)
{
	struct ipcs_file_header like;
	struct recfile_write_opts wo = { .like = &like };
	struct ipcs_drops_rec d = { .h = { .type = IPCS_REC_DROPS, .size = sizeof(d) } };
	struct recfile_writer *w;
	__u64 drops[IPCS_DROP_SLOTS] = { drop };

	memset(&like, 0, sizeof(like));
	like.start_mono_ns = mono;
	like.start_real_ns = real;
	snprintf(like.host, sizeof(like.host), "%s", host);
	assert_int_equal(recfile_create(path, &wo, &w), 0);
	for (int i = 0; i < n; i++) {
		struct ipcs_sys_rec r = sys_rec(ts[i], pid[i], i ? IPCS_KIND_TCP : IPCS_KIND_PIPE);

		assert_int_equal(recfile_append(w, &r, sizeof(r)), 0);
	}
	d.h.ts_ns = ts[n - 1] + 1;
	d.drops[0] = drop;
	assert_int_equal(recfile_append(w, &d, sizeof(d)), 0);
	assert_int_equal(recfile_close(w, drops), 0);
}

struct got {
	unsigned char recs[16][sizeof(struct ipcs_sys_rec)];
	int n;
};

static int collect(const void *rec, size_t len, __u16 block_type, void *ctx)
{
	struct got *g = ctx;

	(void)block_type;
	assert_true(g->n < 16 && len <= sizeof(g->recs[0]));
	memcpy(g->recs[g->n++], rec, len);
	return 0;
}

static void test_merge_two_hosts(void **state)
{
	char a[64], b[64], out[64];
	char *inputs[2] = { a, b };
	struct ipcs_opts o;
	struct recfile_reader *r;
	struct recfile_status st;
	struct got g = { 0 };
	const struct ipcs_sys_rec *s;
	const struct ipcs_drops_rec *d;
	__u64 ta[2] = { 100, 300 }, tb[2] = { 150, 250 };
	__u32 pa[2] = { 10, 11 }, pb[2] = { 20, 21 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a.ipcs", dir);
	snprintf(b, sizeof(b), "%s/b.ipcs", dir);
	snprintf(out, sizeof(out), "%s/m.ipcs", dir);
	/* b's clocks: real - mono is 20 ns more than a's: its times move 20 ns later */
	write_file(a, "hosta", 1000, 5000, ta, pa, 2, 2);
	write_file(b, "hostb", 2000, 6020, tb, pb, 2, 3);
	memset(&o, 0, sizeof(o));
	o.inputs = inputs;
	o.ninputs = 2;
	o.output = out;
	assert_int_equal(cmd_merge(&o), EXIT_OK);

	assert_int_equal(recfile_open(out, &r), 0);
	assert_int_equal(recfile_header(r)->start_mono_ns, 1000);
	assert_string_equal(recfile_header(r)->host, "hosta+hostb");
	assert_int_equal(recfile_read_all(r, collect, &g), 0);
	recfile_get_status(r, &st);
	recfile_close_reader(r);
	assert_true(st.clean_end);
	assert_int_equal(st.trailer.drops[0], 5);
	/* a100 b170 b270 b271(drops) a300 a301(drops) */
	assert_int_equal(g.n, 6);
	s = (const void *)g.recs[0];
	assert_int_equal(s->h.ts_ns, 100);
	assert_int_equal(s->pid, 10);
	s = (const void *)g.recs[1];
	assert_int_equal(s->h.ts_ns, 170);
	assert_int_equal(s->pid, 20 | 1u << 22);	/* another host: tagged */
	assert_int_equal(s->chan.dev, 15 ^ 1u << 22);	/* its pipe too */
	s = (const void *)g.recs[2];
	assert_int_equal(s->h.ts_ns, 270);
	assert_int_equal(s->chan.dev, 15);		/* TCP keeps its identity */
	d = (const void *)g.recs[3];
	assert_int_equal(d->h.type, IPCS_REC_DROPS);
	assert_int_equal(d->drops[0], 3);		/* b's 3, a's not seen yet */
	s = (const void *)g.recs[4];
	assert_int_equal(s->h.ts_ns, 300);
	d = (const void *)g.recs[5];
	assert_int_equal(d->drops[0], 5);		/* both: summed */
	/* an existing output is refused */
	assert_int_equal(cmd_merge(&o), EXIT_FAIL);
	unlink(a);
	unlink(b);
	unlink(out);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_two_hosts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
