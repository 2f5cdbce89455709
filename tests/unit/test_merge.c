/*
 * test_merge.c - merge: clocks aligned, order by time, other hosts tagged,
 * drops summed; the record table covers every record type and field of the
 * ABI header that names a host-local id, and merge rewrites each of them;
 * fd passing and waits of two hosts stay with their own processes; two
 * recordings of the same threads of one boot at the same time are refused;
 * a 1.3 file (no boot id in its shorter header) still reads, from a pipe too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands/commands.h"
#include "ipcscope_rectab.h"
#include "model/model_fdpass.h"
#include "model/model_waits.h"
#include "record/recfile.h"

#ifndef IPCS_SRCDIR
#define IPCS_SRCDIR "."
#endif

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


/* ---- the record table against the ABI header ---- */

/* The header's text, read once. */
static char *abi_text(void)
{
	static char buf[1 << 17];
	FILE *f = fopen(IPCS_SRCDIR "/bpf/ipcscope_abi.h", "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	assert_true(n > 0 && n < sizeof(buf) - 1);
	buf[n] = '\0';
	return buf;
}

static bool table_has(const struct ipcs_rec_info *ri, const char *name, __u8 role)
{
	for (unsigned i = 0; i < IPCS_REC_MAX_FIELDS && ri->fields[i].role; i++)
		if (!strcmp(ri->fields[i].name, name) && ri->fields[i].role == role)
			return true;
	return false;
}

/*
 * Every member of struct NAME that holds a host-local id (a member named
 * *pid, *tid, *dev or cgroup_id, or of type struct ipcs_chan or struct
 * ipcs_fdpass_fd; struct ipcs_sys_rec inside is followed) must be in ri's
 * fields with the role its name says. Returns how many such members.
 */
static int check_struct(const char *text, const char *sname, const struct ipcs_rec_info *ri)
{
	char head[96], line[256], type[64], member[64];
	const char *p, *end;
	int n = 0;

	snprintf(head, sizeof(head), "\nstruct %s {\n", sname);
	p = strstr(text, head);
	if (!p)
		fail_msg("struct %s: not in the ABI header", sname);
	p += strlen(head);
	end = strstr(p, "\n};");
	assert_non_null(end);
	while (p < end) {
		const char *nl = strchr(p, '\n');
		size_t len = (size_t)(nl - p);

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl + 1;
		/* "\t__u32 pid;\t\t/ * tgid * /" or "\tstruct ipcs_chan chan;" */
		if (sscanf(line, " struct %63s %63[a-z0-9_]", type, member) == 2) {
			if (!strcmp(type, "ipcs_chan")) {
				if (!table_has(ri, member, IPCS_FLD_CHAN))
					fail_msg("%s.%s: a channel the record table does not place", sname, member);
				n++;
			} else if (!strcmp(type, "ipcs_fdpass_fd")) {
				if (!table_has(ri, member, IPCS_FLD_FDID))
					fail_msg("%s.%s: passed fds the record table does not place", sname, member);
				n++;
			} else if (!strcmp(type, "ipcs_sys_rec")) {
				n += check_struct(text, "ipcs_sys_rec", ri);
			}
			continue;
		}
		if (sscanf(line, " %63s %63[a-z0-9_]", type, member) != 2 || !strncmp(type, "/*", 2))
			continue;
		size_t ml = strlen(member);
		__u8 role = 0;

		if (ml >= 3 && !strcmp(member + ml - 3, "pid"))
			role = IPCS_FLD_PID;
		else if (ml >= 3 && !strcmp(member + ml - 3, "tid"))
			role = IPCS_FLD_TID;
		else if (ml >= 3 && !strcmp(member + ml - 3, "dev"))
			role = IPCS_FLD_DEV;
		else if (!strcmp(member, "cgroup_id"))
			role = !strcmp(sname, "ipcs_cgroup_name_rec") ? IPCS_FLD_CGROUP_KEY : IPCS_FLD_CGROUP;
		if (!role)
			continue;
		if (!table_has(ri, member, role))
			fail_msg("%s.%s: a host-local id the record table does not place", sname, member);
		n++;
	}
	return n;
}

/* Every IPCS_REC_* of the header's enum has a table entry, whose fields cover its struct. */
static void test_table_covers_abi(void **state)
{
	const char *text = abi_text(), *p = strstr(text, "enum ipcs_rec_type {");
	const char *end = p ? strstr(p, "};") : NULL;
	int types = 0, ids = 0;

	(void)state;
	assert_non_null(end);
	while ((p = strstr(p, "\tIPCS_REC_")) && p < end) {
		char name[64], sname[64];
		unsigned v;
		const char *s, *nl = strchr(p, '\n');
		const struct ipcs_rec_info *ri;

		assert_int_equal(sscanf(p, "\tIPCS_REC_%63[A-Z_] = %u", name, &v), 2);
		p = nl;
		if (!strcmp(name, "TYPE_MAX"))
			continue;
		types++;
		ri = ipcs_rec_lookup((__u16)v);
		if (!ri)
			fail_msg("IPCS_REC_%s (%u) has no entry in the record table", name, v);
		/* its struct, as the enum's comment names it */
		for (s = nl; s > text && s[-1] != '\n'; s--)
			;
		s = strstr(s, "struct ipcs_");
		if (!s || s > nl)
			fail_msg("IPCS_REC_%s: its comment names no struct", name);
		assert_int_equal(sscanf(s, "struct %63[a-z0-9_]", sname), 1);
		ids += check_struct(text, sname, ri);
		/* sizes: oldest first, the last one this reader's */
		assert_true(ipcs_rec_min_size(ri) >= sizeof(struct ipcs_rec_hdr));
		assert_true(ipcs_rec_min_size(ri) <= ipcs_rec_full_size(ri));
		assert_int_equal(ipcs_rec_full_size(ri) % 8, 0);
	}
	assert_true(types >= 15);
	assert_true(ids >= 40);
}

/* Fill every field the table places with a recognisable value. */
static void fill_fields(unsigned char *rec, const struct ipcs_rec_info *ri)
{
	for (unsigned k = 0; k < IPCS_REC_MAX_FIELDS && ri->fields[k].role; k++) {
		const struct ipcs_rec_field *f = &ri->fields[k];

		for (unsigned i = 0; i < f->count; i++) {
			unsigned char *p = rec + f->off + (size_t)i * f->stride;
			__u32 v32 = 1000 + k;
			__u64 v64 = 77;
			struct ipcs_chan c = { .ino = 9, .dev = 15, .kind = IPCS_KIND_PIPE };
			struct ipcs_fdpass_fd fd = { .ino = 9, .dev = 15, .kind = IPCS_KIND_SHM };

			switch (f->role) {
			case IPCS_FLD_PID: case IPCS_FLD_TID: case IPCS_FLD_DEV:
				memcpy(p, &v32, 4); break;
			case IPCS_FLD_CGROUP: case IPCS_FLD_CGROUP_KEY:
				memcpy(p, &v64, 8); break;
			case IPCS_FLD_CHAN: memcpy(p, &c, sizeof(c)); break;
			case IPCS_FLD_FDID: memcpy(p, &fd, sizeof(fd)); break;
			default: fail_msg("field %s: unknown role %u", f->name, f->role);
			}
		}
	}
}

/* Merge rewrites every pid, tid, channel, device and cgroup of every record
 * type of another host, at full size; an older (shorter) record keeps what it lacks. */
static void test_retag_every_field(void **state)
{
	const __u32 T = 3u << 22;
	int fields = 0;

	(void)state;
	for (unsigned type = 0; type < IPCS_REC_TYPE_MAX; type++) {
		const struct ipcs_rec_info *ri = ipcs_rec_lookup((__u16)type);
		_Alignas(8) unsigned char rec[2048], before[2048];
		struct ipcs_rec_hdr h = { .type = (__u16)type };
		size_t full;

		if (!ri)
			continue;
		full = ipcs_rec_full_size(ri);
		assert_true(full <= sizeof(rec));
		memset(rec, 0, sizeof(rec));
		h.size = (__u16)full;
		h.ts_ns = 500;
		memcpy(rec, &h, sizeof(h));
		fill_fields(rec, ri);
		memcpy(before, rec, sizeof(rec));
		merge_retag(rec, 25, T);
		memcpy(&h, rec, sizeof(h));
		assert_int_equal(h.ts_ns, 525);
		for (unsigned k = 0; k < IPCS_REC_MAX_FIELDS && ri->fields[k].role; k++) {
			const struct ipcs_rec_field *f = &ri->fields[k];

			for (unsigned i = 0; i < f->count; i++) {
				size_t off = f->off + (size_t)i * f->stride;
				__u32 a, b;
				__u64 a64, b64;

				fields++;
				switch (f->role) {
				case IPCS_FLD_PID: case IPCS_FLD_TID: case IPCS_FLD_DEV:
					memcpy(&a, before + off, 4), memcpy(&b, rec + off, 4);
					if (b != (a ^ T))
						fail_msg("%s.%s: %u not tagged (%u)", ri->name, f->name, a, b);
					break;
				case IPCS_FLD_CGROUP: case IPCS_FLD_CGROUP_KEY:
					memcpy(&a64, before + off, 8), memcpy(&b64, rec + off, 8);
					assert_int_equal(b64, a64 ^ ((__u64)T << 32));
					break;
				case IPCS_FLD_CHAN:
					memcpy(&a, before + off + offsetof(struct ipcs_chan, dev), 4);
					memcpy(&b, rec + off + offsetof(struct ipcs_chan, dev), 4);
					if (b != (a ^ T))
						fail_msg("%s.%s: channel dev not tagged", ri->name, f->name);
					break;
				case IPCS_FLD_FDID:
					memcpy(&a, before + off + offsetof(struct ipcs_fdpass_fd, dev), 4);
					memcpy(&b, rec + off + offsetof(struct ipcs_fdpass_fd, dev), 4);
					if (b != (a ^ T))
						fail_msg("%s.%s[%u]: fd dev not tagged", ri->name, f->name, i);
					break;
				}
			}
		}
		/* an older record: only the fields inside it change */
		if (ipcs_rec_min_size(ri) < full) {
			memcpy(rec, before, sizeof(rec));
			h.size = (__u16)ipcs_rec_min_size(ri);
			memcpy(rec, &h, sizeof(h));
			merge_retag(rec, 0, T);
			assert_memory_equal(rec + h.size, before + h.size, full - h.size);
		}
	}
	assert_true(fields > 40);
}

/* ---- whole files ---- */

struct rec_list {
	_Alignas(8) unsigned char buf[8192];
	size_t len;
};

static void rl_add(struct rec_list *l, const void *r, size_t n)
{
	assert_true(l->len + n <= sizeof(l->buf));
	memcpy(l->buf + l->len, r, n);
	l->len += n;
}

static void write_recs(const char *path, const char *host, __u8 boot, __u64 mono, __u64 real,
		       const struct rec_list *l)
{
	struct ipcs_file_header like;
	struct recfile_write_opts wo = { .like = &like };
	struct recfile_writer *w;
	__u64 drops[IPCS_DROP_SLOTS] = { 0 };

	unlink(path);
	memset(&like, 0, sizeof(like));
	like.start_mono_ns = mono;
	like.start_real_ns = real;
	like.start_boot_ns = mono;
	memset(like.boot_id, boot, sizeof(like.boot_id));
	snprintf(like.host, sizeof(like.host), "%s", host);
	assert_int_equal(recfile_create(path, &wo, &w), 0);
	for (size_t off = 0; off < l->len;) {
		const struct ipcs_rec_hdr *h = (const void *)(l->buf + off);

		assert_int_equal(recfile_append(w, h, h->size), 0);
		off += h->size;
	}
	assert_int_equal(recfile_close(w, drops), 0);
}

static struct ipcs_fdpass_rec fdpass(__u64 ts, __u32 pid, __u16 sys, __s32 fd)
{
	struct ipcs_fdpass_rec r;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_FDPASS;
	r.h.size = sizeof(r);
	r.h.ts_ns = ts;
	r.pid = r.tid = pid;
	r.sys = sys;
	r.flags = IPCS_FDPF_RIGHTS;
	r.sock_fd = 3;
	r.sock = sys == IPCS_SYS_SENDMSG ? 0x8000000000001000ull : 0x8000000000002000ull;
	r.peer = sys == IPCS_SYS_SENDMSG ? 0x8000000000002000ull : 0x8000000000001000ull;
	r.sock_dev = 8;
	r.nfds = 1;
	r.fds[0].fd = fd;
	r.fds[0].kind = IPCS_KIND_PIPE;
	r.fds[0].what = IPCS_FDW_CHAN;
	r.fds[0].dev = 14;
	r.fds[0].ino = 900;
	r.fds[0].fmode = IPCS_FMODE_WRITE;
	snprintf(r.comm, sizeof(r.comm), "p%u", pid);
	return r;
}

static struct ipcs_wait_rec waitrec(__u64 ts, __u32 pid, __u32 holder)
{
	struct ipcs_wait_rec r;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_WAIT;
	r.h.size = sizeof(r);
	r.h.ts_ns = ts;
	r.pid = r.tid = pid;
	r.enter_ns = ts - 10;
	r.sys = IPCS_SYS_READ;
	r.fd = 4;
	r.holder_pid = r.holder_tid = holder;
	r.flags = IPCS_WAITF_STALL;
	r.group = 1;
	r.chan.kind = IPCS_KIND_PIPE;
	r.chan.dev = 14;
	r.chan.ino = 901;
	snprintf(r.kind, sizeof(r.kind), "pipe");
	snprintf(r.object, sizeof(r.object), "pipe:[901]");
	snprintf(r.comm, sizeof(r.comm), "p%u", pid);
	return r;
}

/* On each host, 100 passes a pipe's write end to 101, and 101 waits on 100. */
static void one_host(struct rec_list *l, __u64 t0)
{
	struct ipcs_fdpass_rec s = fdpass(t0, 100, IPCS_SYS_SENDMSG, 5);
	struct ipcs_fdpass_rec r = fdpass(t0 + 10, 101, IPCS_SYS_RECVMSG, 7);
	struct ipcs_wait_rec w = waitrec(t0 + 20, 101, 100);

	l->len = 0;
	rl_add(l, &s, sizeof(s));
	rl_add(l, &r, sizeof(r));
	rl_add(l, &w, sizeof(w));
}

static int feed_model(const void *rec, size_t len, __u16 block_type, void *ctx)
{
	struct ipcs_event ev;

	(void)block_type;
	assert_int_equal(ipcs_decode(rec, len, &ev), 0);
	assert_int_equal(model_apply(ctx, &ev), 0);
	return 0;
}

struct pass_list {
	struct model_fdpass v[4];
	struct model_wait w[4];
	size_t n, nw;
};

static int pass_cb(const struct model_fdpass *p, void *ctx)
{
	struct pass_list *l = ctx;

	assert_true(l->n < 4);
	l->v[l->n++] = *p;
	return 0;
}

static int wait_cb(const struct model_wait *w, void *ctx)
{
	struct pass_list *l = ctx;

	assert_true(l->nw < 4);
	l->w[l->nw++] = *w;
	return 0;
}

static void mkpaths(char *a, char *b, char *out, size_t n)
{
	assert_non_null(mkdtemp(strcpy(dir, "/tmp/test_merge.XXXXXX")));
	snprintf(a, n, "%s/a.ipcs", dir);
	snprintf(b, n, "%s/b.ipcs", dir);
	snprintf(out, n, "%s/m.ipcs", dir);
}

static void rmpaths(const char *a, const char *b, const char *out)
{
	unlink(a);
	unlink(b);
	unlink(out);
	rmdir(dir);
}

/* Two hosts with the same pids passing fds and waiting: merged, each host's
 * passes and waits stay between its own two processes. */
static void test_fdpass_wait_two_hosts(void **state)
{
	const __u32 T = 1u << 22;
	char a[64], b[64], out[64];
	char *inputs[2] = { a, b };
	static struct rec_list l;
	struct pass_list got = { 0 };
	struct recfile_reader *r;
	struct ipcs_opts o;
	struct model *m;
	int tagged = 0;

	(void)state;
	mkpaths(a, b, out, sizeof(a));
	one_host(&l, 100);
	write_recs(a, "hosta", 1, 0, 5000, &l);
	one_host(&l, 200);
	write_recs(b, "hostb", 2, 0, 5000, &l);
	memset(&o, 0, sizeof(o));
	o.inputs = inputs;
	o.ninputs = 2;
	o.output = out;
	assert_int_equal(cmd_merge(&o), EXIT_OK);

	assert_int_equal(model_new(&m), 0);
	assert_int_equal(recfile_open(out, &r), 0);
	assert_int_equal(recfile_read_all(r, feed_model, m), 0);
	recfile_close_reader(r);
	model_flush(m);
	assert_int_equal(model_foreach_fdpass(m, pass_cb, &got), 0);
	assert_int_equal(model_foreach_wait(m, wait_cb, &got), 0);
	model_free(m);
	assert_int_equal(got.n, 2);
	for (size_t i = 0; i < got.n; i++) {
		__u32 t = got.v[i].from.pid & T;

		tagged += !!t;
		assert_int_equal(got.v[i].from.pid, 100 | t);
		assert_int_equal(got.v[i].to.pid, 101 | t);
		assert_int_equal(got.v[i].fd_sent, 5);
		assert_int_equal(got.v[i].fd_received, 7);
	}
	assert_int_equal(tagged, 1);	/* one pass per host */
	assert_int_equal(got.nw, 2);
	for (size_t i = 0; i < got.nw; i++) {
		__u32 t = got.w[i].pid & T;

		assert_int_equal(got.w[i].pid, 101 | t);
		assert_int_equal(got.w[i].tid, 101 | t);
		assert_int_equal(got.w[i].holder_pid, 100 | t);
		assert_int_equal(got.w[i].holder_tid, 100 | t);
		assert_int_equal(got.w[i].found_ns, i ? 220 : 120);
		assert_int_equal(!!t, i);
	}
	rmpaths(a, b, out);
}

/* One boot of one host, the same thread in both files at the same time:
 * refused unless --allow-overlap; other threads, another boot, or times
 * that do not overlap merge. */
static void test_overlap(void **state)
{
	char a[64], b[64], out[64];
	char *inputs[2] = { a, b };
	static struct rec_list la, lb;
	struct ipcs_sys_rec s;
	struct ipcs_opts o;
	const __u64 far = 1ull << 60;	/* after anything the trailer's clock says */

	(void)state;
	memset(&o, 0, sizeof(o));
	o.inputs = inputs;
	o.ninputs = 2;
	o.output = out;
	mkpaths(a, b, out, sizeof(a));
	la.len = lb.len = 0;
	s = sys_rec(100, 42, IPCS_KIND_PIPE);
	rl_add(&la, &s, sizeof(s));
	s = sys_rec(150, 42, IPCS_KIND_PIPE);
	rl_add(&lb, &s, sizeof(s));
	write_recs(a, "h", 7, 50, 5000, &la);
	write_recs(b, "h", 7, 60, 5010, &lb);
	assert_int_equal(cmd_merge(&o), EXIT_FAIL);
	assert_int_equal(access(out, F_OK), -1);	/* nothing written */
	o.allow_overlap = true;
	assert_int_equal(cmd_merge(&o), EXIT_OK);
	unlink(out);
	o.allow_overlap = false;
	/* 1.3 files (no boot id): the same boot time on the real-time clock */
	write_recs(a, "h", 0, 50, 5000, &la);
	write_recs(b, "h", 0, 60, 5010, &lb);
	assert_int_equal(cmd_merge(&o), EXIT_FAIL);
	/* another boot of the same host */
	write_recs(b, "h", 8, 60, 5010, &lb);
	write_recs(a, "h", 9, 50, 5000, &la);
	assert_int_equal(cmd_merge(&o), EXIT_OK);
	unlink(out);
	/* another thread */
	lb.len = 0;
	s = sys_rec(150, 43, IPCS_KIND_PIPE);
	rl_add(&lb, &s, sizeof(s));
	write_recs(a, "h", 7, 50, 5000, &la);
	write_recs(b, "h", 7, 60, 5010, &lb);
	assert_int_equal(cmd_merge(&o), EXIT_OK);
	unlink(out);
	/* the same thread, recorded later (b began after a ended) */
	lb.len = 0;
	s = sys_rec(far + 10, 42, IPCS_KIND_PIPE);
	rl_add(&lb, &s, sizeof(s));
	write_recs(b, "h", 7, far, 5000 + far - 50, &lb);
	assert_int_equal(cmd_merge(&o), EXIT_OK);
	rmpaths(a, b, out);
}

/* Rewrite path as a 1.3 writer would have: minor 3, a 176-byte header (no boot_id). */
static void make_1_3(const char *path)
{
	static unsigned char buf[1 << 16];
	struct ipcs_file_header h;
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true(n > sizeof(h) && n < sizeof(buf));
	memcpy(&h, buf, sizeof(h));
	assert_int_equal(h.header_size, sizeof(h));
	h.minor = 3;
	h.header_size = IPCS_FILE_HEADER_SIZE_1_3;
	memcpy(buf, &h, IPCS_FILE_HEADER_SIZE_1_3);
	memmove(buf + IPCS_FILE_HEADER_SIZE_1_3, buf + sizeof(h), n - sizeof(h));
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, n - (sizeof(h) - IPCS_FILE_HEADER_SIZE_1_3), f),
			 n - (sizeof(h) - IPCS_FILE_HEADER_SIZE_1_3));
	fclose(f);
}

static int count_cb(const void *rec, size_t len, __u16 block_type, void *ctx)
{
	(void)rec, (void)len, (void)block_type;
	++*(int *)ctx;
	return 0;
}

/* A 1.3 file (176-byte header) reads, from a file and from a pipe, with
 * boot_id 0; two such files of one boot and one thread are still refused. */
static void test_old_header(void **state)
{
	char a[64], b[64], out[64];
	char *inputs[2] = { a, b };
	static struct rec_list la, lb;
	struct recfile_reader *r;
	struct ipcs_sys_rec s;
	struct ipcs_opts o;
	int fds[2], n = 0, fd;
	static unsigned char copy[1 << 16];
	ssize_t got;

	(void)state;
	mkpaths(a, b, out, sizeof(a));
	la.len = lb.len = 0;
	s = sys_rec(100, 42, IPCS_KIND_PIPE);
	rl_add(&la, &s, sizeof(s));
	s = sys_rec(150, 42, IPCS_KIND_PIPE);
	rl_add(&lb, &s, sizeof(s));
	write_recs(a, "h", 7, 50, 5000, &la);
	write_recs(b, "h", 7, 60, 5010, &lb);
	make_1_3(a);
	make_1_3(b);
	assert_int_equal(recfile_open(a, &r), 0);
	assert_int_equal(recfile_header(r)->minor, 3);
	assert_string_equal(recfile_header(r)->host, "h");
	for (size_t i = 0; i < sizeof(recfile_header(r)->boot_id); i++)
		assert_int_equal(recfile_header(r)->boot_id[i], 0);
	assert_int_equal(recfile_read_all(r, count_cb, &n), 0);
	recfile_close_reader(r);
	assert_int_equal(n, 1);
	/* from a pipe: no seeking back over the bytes read past the short header */
	fd = open(a, O_RDONLY);
	assert_true(fd >= 0);
	got = read(fd, copy, sizeof(copy));
	close(fd);
	assert_true(got > 0 && got < (ssize_t)sizeof(copy));
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], copy, (size_t)got), got);
	close(fds[1]);
	assert_int_equal(recfile_open_fd(fds[0], "pipe", &r), 0);
	n = 0;
	assert_int_equal(recfile_read_all(r, count_cb, &n), 0);
	recfile_close_reader(r);
	assert_int_equal(n, 1);
	memset(&o, 0, sizeof(o));
	o.inputs = inputs;
	o.ninputs = 2;
	o.output = out;
	assert_int_equal(cmd_merge(&o), EXIT_FAIL);	/* same boot by real - boot time */
	rmpaths(a, b, out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_two_hosts),
		cmocka_unit_test(test_table_covers_abi),
		cmocka_unit_test(test_retag_every_field),
		cmocka_unit_test(test_fdpass_wait_two_hosts),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_old_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
