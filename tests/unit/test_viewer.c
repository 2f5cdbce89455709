/*
 * test_viewer.c - the viewer's rendering, as text: synthetic models (built by
 * model_apply, as the model tests do) drawn at 80x24 and 160x50 and compared
 * with the files in tests/unit/golden/; keys drive sorting, filtering and scrolling.
 * IPCS_UPDATE_GOLDEN=1 rewrites the golden files (then read them!).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <arpa/inet.h>
#include "model_testlib.h"
#include "sock_testlib.h"
#include "collect/decode.h"
#include "model/model_int.h"
#include "sinks/plain_table.h"
#include "viewer.h"
#include "views.h"

#define HUGE_N 3000

static const struct viewer_info info = { .source = "replay", .file = "t.ipcs", .start_ns = 0 };

/* ---- golden files ---- */

static void golden_path(const char *name, char *buf, size_t n)
{
	const char *dir = getenv("IPCS_GOLDEN_DIR");
	const char *file = __FILE__, *slash = strrchr(file, '/');

	if (dir)
		snprintf(buf, n, "%s/%s.txt", dir, name);
	else
		snprintf(buf, n, "%.*sgolden/%s.txt", slash ? (int)(slash - file + 1) : 0, file, name);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void check_golden(const char *name, const char *dump)
{
	char path[512];
	char *want;

	golden_path(name, path, sizeof(path));
	if (getenv("IPCS_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs(dump, f);
		fclose(f);
		return;
	}
	want = read_file(path);
	if (!want)
		fail_msg("golden file %s missing (run from the source tree, or set IPCS_GOLDEN_DIR; "
			 "IPCS_UPDATE_GOLDEN=1 writes it)", path);
	if (strcmp(want, dump)) {
		fprintf(stderr, "--- expected %s\n%s--- got\n%s---\n", path, want, dump);
		free(want);
		fail_msg("screen differs from %s", path);
	}
	free(want);
}

/* Nothing a terminal would act on: printable ASCII and newlines only. */
static void assert_inert(const char *dump)
{
	for (const unsigned char *p = (const unsigned char *)dump; *p; p++)
		if (*p != '\n' && (*p < 0x20 || *p > 0x7e))
			fail_msg("byte 0x%02x at offset %td of the screen", *p, (const char *)p - dump);
}

/* Render the model at w x h into a text dump (caller frees); attrs: the attribute letters. */
static char *render_as(struct model *m, struct view_state *vs, int w, int h, bool attrs)
{
	struct snapshot snap;
	struct screen scr = { 0 };
	struct seq_select sel;
	char *dump;

	view_seq_select(vs, &sel);
	assert_int_equal(snapshot_build(m, &sel, &snap), 0);
	assert_int_equal(screen_resize(&scr, w, h), 0);
	viewer_render(&snap, &info, vs, &scr);
	dump = attrs ? screen_dump_attrs(&scr) : screen_dump(&scr);
	assert_non_null(dump);
	screen_free(&scr);
	snapshot_free(&snap);
	return dump;
}

static char *render(struct model *m, struct view_state *vs, int w, int h)
{
	return render_as(m, vs, w, h, false);
}

/* The highlighting of a screen against NAME_WxH.attr.txt. */
static void golden_attrs(struct model *m, struct view_state *vs, const char *name, int w, int h)
{
	char full[128];
	char *dump = render_as(m, vs, w, h, true);

	snprintf(full, sizeof(full), "%s_%dx%d.attr", name, w, h);
	check_golden(full, dump);
	free(dump);
}

static void golden(struct model *m, struct view_state *vs, const char *name, int w, int h)
{
	char full[128];
	char *dump = render(m, vs, w, h);

	snprintf(full, sizeof(full), "%s_%dx%d", name, w, h);
	assert_inert(dump);
	check_golden(full, dump);
	free(dump);
}

static void keys(struct view_state *vs, const char *s)
{
	for (; *s; s++)
		keys_handle(vs, *s == '\e' ? VK_ESC : *s == '\n' ? VK_ENTER : (unsigned char)*s);
}

/* ---- models ---- */

static void exec_as(struct model *m, __u32 pid, __u32 ppid, __u64 start, const char *comm)
{
	do_proc(m, IPCS_PROC_EXEC, pid, ppid, start, comm, 0);
}

/* producer -> consumer over a pipe (and a reply pipe back), logger -> consumer over a FIFO. */
static void build_small(struct model *m)
{
	now = 1000000000ull;
	exec_as(m, 100, 1, 500, "producer");
	do_pipe(m, 100, 3, 4, 77, false);
	do_pipe(m, 100, 5, 6, 78, false);
	do_fork(m, 100, 200, 600);
	exec_as(m, 200, 100, 600, "consumer");
	for (int i = 0; i < 3; i++) {
		do_write(m, 100, 4, 77, 1000);
		do_rw_b(m, 200, IPCS_SYS_READ, 3, IPCS_KIND_PIPE, 77, 1000, i == 1 ? 2500000 : 0);
	}
	now += 500000000ull;
	do_write(m, 200, 6, 78, 50);
	do_read(m, 100, 5, 78, 50);
	exec_as(m, 300, 1, 700, "logger");
	do_open_path(m, 300, IPCS_SYS_OPENAT, "/run/app/ctl.fifo", 3, 500, IPCS_FMODE_WRITE);
	do_open_path(m, 200, IPCS_SYS_OPENAT, "/run/app/ctl.fifo", 9, 500, IPCS_FMODE_READ);
	now += 1234000000ull;
	do_rw_b(m, 300, IPCS_SYS_WRITE, 3, IPCS_KIND_FIFO, 500, 12, 0);
	do_rw_b(m, 200, IPCS_SYS_READ, 9, IPCS_KIND_FIFO, 500, 12, 0);
	do_proc(m, IPCS_PROC_EXIT, 300, 1, 700, "logger", 1);
	/* Cgroups: producer and consumer in a named one, logger's not named. */
	do_cgroup_name(m, 4242, "/system.slice/app.service");
	do_cgroup_move(m, 100, 4242);
	do_cgroup_move(m, 200, 4242);
	do_cgroup_move(m, 300, 77);
	model_flush(m);
}

/* Escape sequences and control bytes in comms and FIFO paths. */
static void build_hostile(struct model *m)
{
	now = 2000000000ull;
	exec_as(m, 66, 1, 100, "\x1b[31mevil\x07\x08");
	exec_as(m, 67, 1, 101, "\x1b]0;pwn\x07\r\n\t\x7f\xff");
	do_open_path(m, 66, IPCS_SYS_OPENAT, "/tmp/\x1b[2J\x1b]0;owned\x07/\r\n\x7f\x9b" "fifo", 3, 900,
		     IPCS_FMODE_WRITE);
	do_open_path(m, 67, IPCS_SYS_OPENAT, "/tmp/\x1b[2J\x1b]0;owned\x07/\r\n\x7f\x9b" "fifo", 4, 900,
		     IPCS_FMODE_READ);
	do_rw_b(m, 66, IPCS_SYS_WRITE, 3, IPCS_KIND_FIFO, 900, 4096, 0);
	do_rw_b(m, 67, IPCS_SYS_READ, 4, IPCS_KIND_FIFO, 900, 4096, 0);
	/* A very long path and a 15-character comm: clipped to their columns. */
	{
		char path[400];

		memset(path, 'a', sizeof(path));
		memcpy(path, "/var/lib/", 9);
		memcpy(path + 240, "/end.fifo", 10);	/* 249 bytes: fits IPCS_PATH_MAX */
		exec_as(m, 68, 1, 102, "longest_comm_xx");
		do_open_path(m, 68, IPCS_SYS_OPENAT, path, 5, 901, IPCS_FMODE_WRITE);
		do_open_path(m, 67, IPCS_SYS_OPENAT, path, 6, 901, IPCS_FMODE_READ);
		do_rw_b(m, 68, IPCS_SYS_WRITE, 5, IPCS_KIND_FIFO, 901, 7, 0);
		do_rw_b(m, 67, IPCS_SYS_READ, 6, IPCS_KIND_FIFO, 901, 7, 0);
		/* A hostile cgroup name, and a long one (its end is shown). */
		do_cgroup_name(m, 9001, "/\x1b[31mred\x07/\r\n.scope");
		do_cgroup_name(m, 9002, path);
		do_cgroup_move(m, 66, 9001);
		do_cgroup_move(m, 68, 9002);
	}
	model_flush(m);
}

/* HUGE_N pipes from one writer to one reader; pipe i carries i + 1 bytes. */
static void build_huge(struct model *m)
{
	now = 3000000000ull;
	exec_as(m, 10, 1, 100, "fanout");
	for (int i = 0; i < HUGE_N; i++)
		do_pipe(m, 10, 10 + 2 * i, 11 + 2 * i, 1000 + (__u64)i, false);
	do_fork(m, 10, 11, 200);
	exec_as(m, 11, 10, 200, "fanin");
	for (int i = 0; i < HUGE_N; i++) {
		do_write(m, 10, 11 + 2 * i, 1000 + (__u64)i, i + 1);
		do_read(m, 11, 10 + 2 * i, 1000 + (__u64)i, i + 1);
	}
	model_flush(m);
}

/* Long waits as the recorder writes them: a two-thread deadlock, a stall, a
 * wait with no known holder (hostile comm), one that ended. */
static void add_wait(struct model *m, __u32 pid, __u32 tid, const char *comm, const char *kind,
		     const char *object, __u16 flags, __u32 group, __u32 holder, __u64 enter, __u64 found)
{
	struct ipcs_wait_rec r;
	struct ipcs_event ev;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_WAIT;
	r.h.size = sizeof(r);
	r.h.ts_ns = found;
	r.pid = pid;
	r.tid = tid;
	r.enter_ns = enter;
	r.sys = IPCS_SYS_READ;
	r.flags = flags;
	r.group = group;
	r.holder_pid = holder;
	r.holder_tid = holder;
	snprintf(r.kind, sizeof(r.kind), "%s", kind);
	snprintf(r.object, sizeof(r.object), "%s", object);
	if (holder)
		snprintf(r.evidence, sizeof(r.evidence), "%s",
			 !strcmp(kind, "mutex") ? "lock word owner (glibc mutex __owner)" : "pipe write end held by");
	snprintf(r.comm, sizeof(r.comm), "%s", comm);
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
	apply(m, &ev);
}

static void build_waits(struct model *m)
{
	build_small(m);
	now = 9000000000ull;
	add_wait(m, 300, 300, "stuck\x1b[31m", "futex", "0x7f0000001000", 0, 0, 0, 1000000000ull, 2000000000ull);
	add_wait(m, 400, 401, "mixed_a", "pipe", "pipe:[77]", 0, 0, 0, 2000000000ull, 3100000000ull);
	add_wait(m, 500, 500, "mixed_b", "mutex", "0x7f00000a0000", IPCS_WAITF_CYCLE, 1, 401,
		 2100000000ull, 3100000000ull);
	add_wait(m, 400, 401, "mixed_a", "pipe", "pipe:[77]", IPCS_WAITF_CYCLE, 1, 500, 2000000000ull,
		 3100000000ull);
	add_wait(m, 600, 600, "pl_reader", "pipe", "pipe:[88]", IPCS_WAITF_STALL, 0, 601, 4000000000ull,
		 5000000000ull);
	/* the stalled reader's call returns at 6 s */
	struct ipcs_event ev = sys_ev(600, IPCS_SYS_READ, 1, 3, 0, 0, IPCS_KIND_PIPE, 88, IPCS_FMODE_READ);

	ev.sys.tid = 600;
	ev.sys.h.ts_ns = 6000000000ull;
	apply(m, &ev);
}

/* A long conversation: 1000 writes, more than the message log keeps. */
static void build_long(struct model *m)
{
	now = 4000000000ull;
	exec_as(m, 20, 1, 100, "chatty");
	do_pipe(m, 20, 3, 4, 2000, false);
	do_fork(m, 20, 21, 200);
	exec_as(m, 21, 20, 200, "listener");
	for (int i = 0; i < 1000; i++) {
		now += 1000000;
		do_write(m, 20, 4, 2000, 10 + i % 7);
		do_read(m, 21, 3, 2000, 10 + i % 7);
	}
	model_flush(m);
}

/* Payload bytes on the newest message of the conversation on ino, as a
 * payload record would attach them (the log copies and owns them). */
static void attach_payload(struct model *m, __u64 ino, const void *p, size_t n)
{
	for (struct mconv *v = m->lru_head; v; v = v->lnext) {
		if (v->ino != ino || !v->log.len)
			continue;
		assert_int_equal(msglog_set_payload(msglog_find(&v->log, msglog_at(&v->log, v->log.len - 1)->seq),
						    p, n), 0);
		return;
	}
	fail_msg("no conversation on ino %llu", (unsigned long long)ino);
}

/*
 * Every view of one model at 80x24, 120x30 and 200x50: NAME_convs, NAME_procs,
 * NAME_seq (the top conversation's sequence, opened with Enter), NAME_seq_msg
 * (its newest message's pane).
 */
static void all_views(struct model *m, const char *name)
{
	static const int sizes[3][2] = { { 80, 24 }, { 120, 30 }, { 200, 50 } };
	char full[96];

	for (int i = 0; i < 3; i++) {
		int w = sizes[i][0], h = sizes[i][1];
		struct view_state vs;

		view_state_init(&vs);
		snprintf(full, sizeof(full), "%s_convs", name);
		golden(m, &vs, full, w, h);
		keys(&vs, "\n");	/* the sequence of the selected (top) row */
		assert_int_equal(vs.view, VIEW_DETAIL);
		snprintf(full, sizeof(full), "%s_seq", name);
		golden(m, &vs, full, w, h);
		keys(&vs, "\n");
		snprintf(full, sizeof(full), "%s_seq_msg", name);
		golden(m, &vs, full, w, h);
		keys(&vs, "2");
		snprintf(full, sizeof(full), "%s_procs", name);
		golden(m, &vs, full, w, h);
	}
}

static void test_all_views_small(void **state)
{
	static const char bytes[] = "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n\x00\x01\xfe\xff";

	build_small(*state);
	attach_payload(*state, 77, bytes, sizeof(bytes) - 1);
	all_views(*state, "small");
}

static void test_all_views_empty(void **state)
{
	all_views(*state, "empty");
}

static void test_all_views_huge(void **state)
{
	build_huge(*state);
	all_views(*state, "huge");
}

static void test_all_views_long(void **state)
{
	build_long(*state);
	all_views(*state, "long");
}

#define KSOCK 0xffff888000001000ull

/* Sockets: a long TCP name both ways, unix stream and datagram pairs (their
 * kinds must read apart), long comms, an eventfd-sized channel name. */
static void build_net(struct model *m)
{
	now = 5000000000ull;
	exec_as(m, 4000000, 1, 501, "demo-rpc-client");
	exec_as(m, 4000001, 1, 502, "demo-rpc-server");
	for (int i = 0; i < 20; i++) {
		tcp_io(m, 4000000, IPCS_SYS_WRITE, KSOCK + 1, 44437, 46200, true, 32);
		tcp_io(m, 4000001, IPCS_SYS_READ, KSOCK + 2, 46200, 44437, false, 32);
		now += 2000000;
		tcp_io(m, 4000001, IPCS_SYS_WRITE, KSOCK + 2, 46200, 44437, false, 3107);
		tcp_io(m, 4000000, IPCS_SYS_READ, KSOCK + 1, 44437, 46200, true, 3107);
	}
	unix_io(m, 4000000, IPCS_SYS_WRITE, IPCS_KIND_UNIX_STREAM, KSOCK + 3, KSOCK + 4, 588895);
	unix_io(m, 4000001, IPCS_SYS_READ, IPCS_KIND_UNIX_STREAM, KSOCK + 4, KSOCK + 3, 588895);
	unix_io(m, 4000000, IPCS_SYS_WRITE, IPCS_KIND_UNIX_DGRAM, KSOCK + 5, KSOCK + 6, 64);
	unix_io(m, 4000001, IPCS_SYS_READ, IPCS_KIND_UNIX_DGRAM, KSOCK + 6, KSOCK + 5, 64);
	model_flush(m);
}

static void test_all_views_net(void **state)
{
	struct view_state vs;
	char *dump;

	build_net(*state);
	all_views(*state, "net");
	/* at 120 columns: kinds whole and apart, names whole, the TCP name's ports */
	view_state_init(&vs);
	dump = render(*state, &vs, 120, 30);
	assert_non_null(strstr(dump, " unix-stream "));
	assert_non_null(strstr(dump, " unix-dgram "));
	assert_non_null(strstr(dump, "4000000/demo-rpc-client"));
	assert_non_null(strstr(dump, ":44437<->"));
	assert_non_null(strstr(dump, ":46200"));
	assert_non_null(strstr(dump, "575 KiB"));
	free(dump);
	/* at 80: still whole kinds, both ports */
	dump = render(*state, &vs, 80, 24);
	assert_non_null(strstr(dump, " unix-stream "));
	assert_non_null(strstr(dump, " unix-dgram "));
	assert_non_null(strstr(dump, ":44437<->"));
	free(dump);
	/* the processes view shows CGROUP at every width from 100 on */
	keys(&vs, "2");
	for (int w = 100; w <= 200; w += 2) {
		dump = render(*state, &vs, w, 24);
		assert_non_null(strstr(dump, "CGROUP"));
		free(dump);
	}
}

static void sigchld(struct model *m, __u32 from, __u32 to)
{
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_SIGNAL;
	ev.path = "";
	ev.sig.h.type = IPCS_REC_SIGNAL;
	ev.sig.h.size = sizeof(ev.sig);
	ev.sig.h.ts_ns = now++;
	ev.sig.op = IPCS_SIG_GENERATE;
	ev.sig.pid = from;
	ev.sig.tid = from;
	ev.sig.rpid = to;
	ev.sig.rtid = to;
	ev.sig.sig = 17;
	ev.sig.result = IPCS_SIGR_DELIVERED;
	snprintf(ev.sig.comm, sizeof(ev.sig.comm), "job%u", from);
	snprintf(ev.sig.rcomm, sizeof(ev.sig.rcomm), "%s", to == 100 ? "build.sh" : "make");
	apply(m, &ev);
}

static size_t count_in(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)); p++)
		n++;
	return n;
}

/* A script's exiting children: one SIGCHLD row per receiver, as in report; a
 * shows every row. */
static void test_sigchld_folded(void **state)
{
	struct model *m = *state;
	struct view_state vs;
	char *dump;

	build_small(m);
	for (__u32 i = 0; i < 5; i++)
		sigchld(m, 1000 + i, 100);
	sigchld(m, 2000, 300);
	model_flush(m);
	view_state_init(&vs);
	dump = render(m, &vs, 120, 30);
	assert_int_equal(count_in(dump, " SIGCHLD "), 2);
	assert_non_null(strstr(dump, "(5 processes)"));
	assert_int_equal(vs.nrows, 3 + 2);	/* the pipes and the FIFO, two folded rows */
	free(dump);
	keys(&vs, "a");
	dump = render(m, &vs, 120, 30);
	assert_int_equal(count_in(dump, " SIGCHLD "), 6);
	assert_null(strstr(dump, "processes)"));
	free(dump);
	keys(&vs, "a");
	dump = render(m, &vs, 120, 30);
	assert_int_equal(count_in(dump, " SIGCHLD "), 2);
	free(dump);
}

/* Hostile names and a payload of escape sequences: shown as \xNN or '.', never raw. */
static void test_all_views_hostile(void **state)
{
	static const char bytes[] = "\x1b[2J\x1b]0;owned\x07\x1bP+q\x9b" "31m\r\n\x7f\x08 tail";
	struct view_state vs;
	char *dump;

	build_hostile(*state);
	attach_payload(*state, 900, bytes, sizeof(bytes) - 1);
	all_views(*state, "hostile");
	view_state_init(&vs);
	keys(&vs, "\n");	/* no row rendered yet: nothing selected */
	assert_false(vs.detail_valid);
	dump = render(*state, &vs, 160, 50);
	assert_non_null(strstr(dump, "(no conversation chosen"));
	free(dump);
	keys(&vs, "1");
	free(render(*state, &vs, 160, 50));
	keys(&vs, "\n\n");	/* the top row: the FIFO with the payload */
	dump = render(*state, &vs, 160, 50);
	assert_non_null(strstr(dump, "1b 5b 32 4a 1b 5d 30 3b"));	/* ESC [ 2 J ESC ] 0 ; */
	assert_non_null(strstr(dump, "|.[2J.]0;owned..P|"));
	assert_non_null(strstr(dump, "|+q.31m.... tail|"));
	free(dump);
}

/* Any size a window can be resized to: every view and the help draw inside it (ASan watches). */
static void test_tiny_sizes(void **state)
{
	static const int sizes[][2] = { { 1, 1 }, { 2, 2 }, { 10, 3 }, { 20, 5 }, { 33, 7 }, { 79, 4 },
					{ 300, 10 } };
	static const char *const seq[] = { "", "\n", "\n", "2", "?", "x1" };

	build_long(*state);
	attach_payload(*state, 2000, "payload\x1b", 8);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct view_state vs;

		view_state_init(&vs);
		for (size_t k = 0; k < sizeof(seq) / sizeof(seq[0]); k++) {
			char *dump;

			keys(&vs, seq[k]);
			dump = render(*state, &vs, sizes[i][0], sizes[i][1]);
			assert_inert(dump);
			free(dump);
		}
	}
}

/* live --plain --interval: a header, then one key=value line per conversation, escaped. */
static void test_plain_table(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	build_small(*state);
	exec_as(*state, 400, 1, 800, "two words\x1b");
	do_pipe(*state, 400, 3, 4, 79, false);
	do_write(*state, 400, 4, 79, 5);
	do_read(*state, 400, 3, 79, 5);
	/* rates: bytes of the second before 2.734 s: all of [2 s, 2.734 s), 0.266 of [1 s, 2 s) */
	f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(plain_table(f, *state, 0, now, 0), 0);
	fclose(f);
	assert_string_equal(out,
		"# 2.734 s  events 27  drops 0  conversations 4\n"
		"pipe channel=pipe:[77] a=100/producer b=200/consumer ab_bytes=3000 ab_msgs=3 ab_rate=797 "
		"ba_bytes=0 ba_msgs=0 ba_rate=0\n"
		"pipe channel=pipe:[78] a=200/consumer b=100/producer ab_bytes=50 ab_msgs=1 ab_rate=13 "
		"ba_bytes=0 ba_msgs=0 ba_rate=0\n"
		"fifo channel=/run/app/ctl.fifo a=300/logger b=200/consumer ab_bytes=12 ab_msgs=1 ab_rate=12 "
		"ba_bytes=0 ba_msgs=0 ba_rate=0\n"
		"pipe channel=pipe:[79] a=400/two\\x20words\\x1b b=400/two\\x20words\\x1b ab_bytes=5 "
		"ab_msgs=1 ab_rate=5 ba_bytes=0 ba_msgs=0 ba_rate=0\n");
	free(out);
	/* --kind: only that kind, counted in the header */
	out = NULL;
	f = open_memstream(&out, &len);
	assert_int_equal(plain_table(f, *state, 0, now, IPCS_KIND_FIFO), 0);
	fclose(f);
	assert_non_null(strstr(out, "conversations 1\n"));
	assert_null(strstr(out, "pipe "));
	free(out);
}

/* A shared futex call of pid on (dev 27, ino 50, offset 128): a wake of one, or a woken wait. */
static void do_futex(struct model *m, __u32 pid, bool wake, __u64 blocked)
{
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_FUTEX;
	ev.path = "";
	ev.futex.h.type = IPCS_REC_FUTEX;
	ev.futex.h.ts_ns = now++;
	ev.futex.pid = ev.futex.tid = pid;
	ev.futex.sys = IPCS_SYS_FUTEX;
	ev.futex.op = wake ? IPCS_FUTEX_WAKE : IPCS_FUTEX_WAIT;
	ev.futex.ret = wake ? 1 : 0;
	ev.futex.blocked_ns = blocked;
	ev.futex.key_flags = IPCS_FKEY_SHARED;
	ev.futex.key_dev = 27;
	ev.futex.key_ino = 50;
	ev.futex.key_off = 128;
	apply(m, &ev);
}

static void do_title(struct model *m, __u32 pid, __u64 start, const char *title)
{
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_CMDLINE;
	ev.path = "";
	ev.cmdline.h.type = IPCS_REC_CMDLINE;
	ev.cmdline.h.ts_ns = now++;
	ev.cmdline.pid = pid;
	ev.cmdline.start_ns = start;
	ev.cmdline.len = (__u16)strlen(title);
	memcpy(ev.cmdline.cmdline, title, strlen(title));
	apply(m, &ev);
}

/* Two "postgres" told apart by their titles (one hostile), a pipe and a futex between them. */
static void build_titles(struct model *m)
{
	now = 3000000000ull;
	exec_as(m, 500, 1, 900, "postgres");
	exec_as(m, 501, 1, 901, "postgres");
	do_title(m, 500, 900, "postgres: checkpointer \x1b[31mred\x07");
	do_title(m, 501, 901, "postgres: app db [local] idle");
	do_pipe(m, 500, 3, 4, 81, false);
	do_fork(m, 500, 502, 950);	/* a child shows its parent's title */
	do_write(m, 500, 4, 81, 700);
	do_read(m, 501, 3, 81, 700);
	for (int i = 0; i < 3; i++) {
		do_futex(m, 501, false, 2000000);	/* the waiter's record first */
		do_futex(m, 500, true, 0);
	}
	for (int i = 0; i < 2; i++) {
		do_futex(m, 500, true, 0);	/* the waker's record first */
		do_futex(m, 501, false, 1000000);
	}
	model_flush(m);
}

static void test_titles_futex(void **state)
{
	struct model *m = *state;
	struct view_state vs;
	char *dump, *out = NULL;
	size_t len = 0;
	FILE *f;

	build_titles(m);
	all_views(m, "titles");
	/* the filter matches titles too */
	view_state_init(&vs);
	keys(&vs, "2/checkpointer\n");
	dump = render(m, &vs, 160, 50);
	assert_non_null(strstr(dump, "postgres: checkpointer \\x1b[31mred\\x07"));
	assert_null(strstr(dump, "[local] idle"));
	free(dump);
	/* --plain --interval: the futex row, wakes as messages, no bytes */
	f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(plain_table(f, m, 0, now, IPCS_KIND_FUTEX), 0);
	fclose(f);
	assert_non_null(strstr(out, "conversations 1\n"));
	assert_non_null(strstr(out, "futex channel=futex:[50]+128 a=500/postgres b=501/postgres "
				    "ab_bytes=0 ab_msgs=5 ab_rate=0 ba_bytes=0 ba_msgs=0 ba_rate=0\n"));
	free(out);
}

/* All traffic among processes marked in the processes view: a column each, by time. */
static void test_group_sequence(void **state)
{
	struct view_state vs;
	char *dump;

	build_small(*state);
	view_state_init(&vs);
	keys(&vs, "2");
	free(render(*state, &vs, 80, 24));	/* rows by OUT: producer, consumer, logger */
	keys(&vs, "\n");			/* nothing marked yet: says what to do */
	dump = render(*state, &vs, 80, 24);
	assert_non_null(strstr(dump, "(mark two or more processes with m"));
	free(dump);
	keys(&vs, "2");
	free(render(*state, &vs, 80, 24));
	keys(&vs, "mj");
	free(render(*state, &vs, 80, 24));
	keys(&vs, "m");
	assert_int_equal(vs.ngroup, 2);
	dump = render(*state, &vs, 80, 24);
	assert_non_null(strstr(dump, "\n*    100 producer"));
	assert_non_null(strstr(dump, "\n*    200 consumer"));
	free(dump);
	keys(&vs, "\n");
	/* producer <-> consumer: 3 writes on pipe 77 and 1 back on pipe 78; not the logger's FIFO */
	dump = render(*state, &vs, 80, 24);
	assert_non_null(strstr(dump, "traffic among 2 processes  messages: 4 shown"));
	free(dump);
	golden(*state, &vs, "small_group", 80, 24);
	keys(&vs, "2");	/* + logger: three columns, its FIFO message too */
	free(render(*state, &vs, 80, 24));
	keys(&vs, "j");
	free(render(*state, &vs, 80, 24));
	keys(&vs, "m\n");
	assert_int_equal(vs.ngroup, 3);
	golden(*state, &vs, "small_group3", 160, 50);
	keys(&vs, "\n");
	golden(*state, &vs, "small_group3_msg", 80, 24);
	/* m again takes a process out */
	keys(&vs, "2");
	free(render(*state, &vs, 80, 24));
	keys(&vs, "m");
	assert_int_equal(vs.ngroup, 2);
}

/* ---- tests ---- */

static void test_convs_golden(void **state)
{
	struct model *m = *state;
	struct view_state vs;

	build_small(m);
	view_state_init(&vs);
	free(render(m, &vs, 80, 24));
	assert_int_equal(vs.nrows, 3);
	keys(&vs, "j");	/* second row selected */
	golden_attrs(m, &vs, "convs", 80, 24);
}

static void test_procs_golden(void **state)
{
	struct model *m = *state;
	struct view_state vs;

	build_small(m);
	view_state_init(&vs);
	keys(&vs, "2");
	assert_int_equal(vs.view, VIEW_PROCS);
	/* s: by bytes in, biggest first; S: smallest first; s s: BLOCKED */
	{
		char *dump;

		keys(&vs, "s");
		assert_int_equal(vs.sort_col[VIEW_PROCS], PC_IN);
		dump = render(m, &vs, 80, 24);
		assert_non_null(strstr(dump, "IN v"));
		assert_true(strstr(dump, " consumer ") < strstr(dump, " producer "));
		assert_true(strstr(dump, " producer ") < strstr(dump, " logger "));
		free(dump);
		keys(&vs, "S");
		dump = render(m, &vs, 80, 24);
		assert_true(strstr(dump, " logger ") < strstr(dump, " producer "));
		assert_true(strstr(dump, " producer ") < strstr(dump, " consumer "));
		free(dump);
		keys(&vs, "s");
		assert_int_equal(vs.sort_col[VIEW_PROCS], PC_BLOCKED);
		dump = render(m, &vs, 80, 24);
		assert_non_null(strstr(dump, "BLOCKED v"));
		assert_non_null(strstr(dump, "STATE\n     200 consumer"));
		free(dump);
	}
	keys(&vs, "\t");
	assert_int_equal(vs.view, VIEW_DETAIL);
	keys(&vs, "\t");
	assert_int_equal(vs.view, VIEW_CONVS);
}

static void test_waits_golden(void **state)
{
	struct model *m = *state;
	struct view_state vs;
	char *dump;

	build_waits(m);
	view_state_init(&vs);
	dump = render(m, &vs, 80, 24);
	assert_non_null(strstr(dump, " 4 Waits "));	/* the tab shows: there are waits */
	free(dump);
	keys(&vs, "w");
	assert_int_equal(vs.view, VIEW_WAITS);
	golden(m, &vs, "waits", 80, 24);
	golden(m, &vs, "waits", 160, 50);
	assert_int_equal(vs.nrows, 4);
	keys(&vs, "j");
	golden_attrs(m, &vs, "waits", 160, 50);
	/* the filter matches comm or object */
	keys(&vs, "/pipe:[88]\n");
	dump = render(m, &vs, 80, 24);
	assert_int_equal(vs.nrows, 1);
	assert_non_null(strstr(dump, "pl_reader"));
	free(dump);
	/* Tab goes on to conversations; Tab visits all four */
	keys(&vs, "\e\t");
	assert_int_equal(vs.view, VIEW_CONVS);
	keys(&vs, "\t\t\t");
	assert_int_equal(vs.view, VIEW_WAITS);
}

static void test_help_golden(void **state)
{
	struct model *m = *state;
	struct view_state vs;
	char *dump;

	build_small(m);
	view_state_init(&vs);
	keys(&vs, "?");
	assert_true(vs.help);
	golden(m, &vs, "help", 80, 24);
	golden_attrs(m, &vs, "help", 80, 24);
	/* Every key of the table is listed, whole, on a big and on a small terminal. */
	for (int big = 0; big < 2; big++) {
		dump = render(m, &vs, big ? 160 : 80, big ? 50 : 24);
		for (size_t i = 0; i < keys_help_count(); i++) {
			const char *k, *what;
			char line[128];

			keys_help_line(i, &k, &what);
			snprintf(line, sizeof(line), "%-10s %s ", k, what);
			if (!strstr(dump, line))
				fail_msg("help at %s lacks '%s'", big ? "160x50" : "80x24", line);
		}
		free(dump);
	}
	/* Any key closes it and does nothing else. */
	keys(&vs, "q");
	assert_false(vs.help);
	assert_int_equal(keys_handle(&vs, 'q'), REACT_QUIT);
}

static void test_empty_golden(void **state)
{
	struct model *m = *state;
	struct view_state vs;

	view_state_init(&vs);
	keys(&vs, "2");
	free(render(m, &vs, 80, 24));
	keys(&vs, "jjkG");	/* moving in nothing stays at row 0 */
	assert_int_equal(vs.sel[VIEW_PROCS], 0);
}

static void test_hostile(void **state)
{
	struct model *m = *state;
	struct view_state vs;
	char *dump;

	build_hostile(m);
	view_state_init(&vs);
	dump = render(m, &vs, 160, 50);
	assert_non_null(strstr(dump, "66/\\x1b[31mevil\\x07\\x08"));
	free(dump);
	dump = render(m, &vs, 260, 50);	/* room for the whole escaped path */
	assert_non_null(strstr(dump, "/tmp/\\x1b[2J\\x1b]0;owned\\x07/\\x0d\\x0a\\x7f\\x9bfifo"));
	assert_non_null(strstr(dump, "aaaa/end.fifo 68/longest_comm_xx "));	/* a long path keeps its end */
	assert_non_null(strstr(dump, " fifo /var/lib/aaaa"));	/* and its start */
	assert_non_null(strstr(dump, "aaa...aaa"));
	free(dump);
	keys(&vs, "2");
	/* Cgroup paths escaped in the processes view; a long one keeps its end. */
	dump = render(m, &vs, 160, 50);
	assert_inert(dump);
	assert_non_null(strstr(dump, "/\\x1b[31mred\\x07/\\x0d\\x0a.scope"));
	assert_non_null(strstr(dump, " ...aaaaaaaa"));
	assert_non_null(strstr(dump, "aaaaaaaa/end.fifo\n"));
	free(dump);
	/* A hostile filter typed by the user is escaped too. */
	keys_handle(&vs, '/');
	keys_handle(&vs, VK_ESC);	/* Esc while editing cancels */
	assert_false(vs.editing_filter);
	dump = render(m, &vs, 80, 24);
	assert_inert(dump);
	free(dump);
}

/* The A->B bytes of each data row of a huge conversations screen. */
static size_t ab_column(const char *dump, __u64 *out, size_t max)
{
	const char *line = dump;
	size_t n = 0;

	for (int y = 0; *line && n < max; y++) {
		const char *eol = strchr(line, '\n');

		if (y >= 2 && !strncmp(line, " pipe ", 6)) {
			unsigned long long ino;

			/* bytes are in units now ("2.9 KiB"): pipe i (ino 1000 + i)
			 * carries i + 1 bytes, so its name says them exactly */
			assert_int_equal(sscanf(line, " pipe pipe:[%llu]", &ino), 1);
			out[n++] = ino - 999;
		}
		line = eol ? eol + 1 : line + strlen(line);
	}
	return n;
}

static void test_huge_sort_scroll(void **state)
{
	struct model *m = *state;
	struct view_state vs;
	__u64 ab[64];
	char *dump;
	size_t n;

	build_huge(m);
	assert_int_equal(model_conv_count(m), HUGE_N);
	view_state_init(&vs);
	dump = render(m, &vs, 160, 50);
	n = ab_column(dump, ab, 64);
	assert_int_equal(n, 47);	/* 50 lines - tabs - titles - status */
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ab[i], HUGE_N - i);	/* biggest first */
	free(dump);
	assert_int_equal(vs.nrows, HUGE_N);
	assert_int_equal(vs.page, 47);

	/* End: the last rows, smallest last, the selection on the last one. */
	keys_handle(&vs, VK_END);
	dump = render(m, &vs, 160, 50);
	n = ab_column(dump, ab, 64);
	assert_int_equal(n, 47);
	assert_int_equal(ab[46], 1);
	assert_int_equal(ab[0], 47);
	assert_int_equal(vs.sel[VIEW_CONVS], HUGE_N - 1);
	free(dump);

	/* S reverses: smallest first. PgDn twice moves two pages. */
	keys(&vs, "gS");
	keys_handle(&vs, VK_PGDN);
	keys_handle(&vs, VK_PGDN);
	assert_int_equal(vs.sel[VIEW_CONVS], 2 * 47);
	dump = render(m, &vs, 160, 50);
	n = ab_column(dump, ab, 64);
	/* coming from the end, the view scrolled up just enough: selection on top */
	assert_int_equal(ab[0], 2 * 47 + 1);
	assert_int_equal(vs.top[VIEW_CONVS], 2 * 47);
	for (size_t i = 1; i < n; i++)
		assert_true(ab[i] == ab[i - 1] + 1);
	free(dump);
	keys_handle(&vs, VK_PGUP);
	keys(&vs, "kk");
	assert_int_equal(vs.sel[VIEW_CONVS], 47 - 2);
	golden(m, &vs, "huge_scrolled", 80, 24);

	/* s cycles the sort column over those shown at 80 columns (B>A/s and
	 * the latencies give their room to the names): B->A, A>B/s, MSGS, IDLE,
	 * KIND, CHANNEL, ... */
	keys(&vs, "ssssg");
	assert_int_equal(vs.sort_col[VIEW_CONVS], CC_LAST);
	assert_false(vs.sort_desc[VIEW_CONVS]);	/* least idle first */
	dump = render(m, &vs, 160, 50);
	n = ab_column(dump, ab, 64);
	/* most recent first: the last pipe written is the biggest */
	assert_int_equal(vs.top[VIEW_CONVS], 0);
	assert_int_equal(ab[0], HUGE_N);
	assert_int_equal(ab[1], HUGE_N - 1);
	free(dump);
	keys(&vs, "ss");
	assert_int_equal(vs.sort_col[VIEW_CONVS], CC_CHANNEL);
	assert_false(vs.sort_desc[VIEW_CONVS]);
}

/* htop's habits: Esc/Backspace/Left go back one step (the message pane
 * first, then the sequence, then the filter), F1 help, F10 quit, a click
 * selects the row under it, the wheel scrolls. */
static void test_back_keys_mouse(void **state)
{
	static const int back_keys[] = { VK_ESC, VK_BACKSPACE, VK_LEFT };
	struct model *m = *state;
	struct view_state vs;

	build_huge(m);
	for (size_t k = 0; k < 3; k++) {
		view_state_init(&vs);
		free(render(m, &vs, 80, 24));
		keys(&vs, "/fan\n");	/* a filter */
		free(render(m, &vs, 80, 24));
		keys(&vs, "\n\n");	/* the sequence, then the message pane */
		free(render(m, &vs, 80, 24));
		assert_int_equal(vs.view, VIEW_DETAIL);
		assert_true(vs.detail_msg);
		assert_int_equal(keys_handle(&vs, back_keys[k]) & REACT_REDRAW, REACT_REDRAW);
		assert_false(vs.detail_msg);	/* the pane closed, nothing else */
		assert_int_equal(vs.view, VIEW_DETAIL);
		assert_string_equal(vs.filter, "fan");
		keys_handle(&vs, back_keys[k]);
		assert_int_equal(vs.view, VIEW_CONVS);	/* back where it was opened */
		assert_string_equal(vs.filter, "fan");
		keys_handle(&vs, back_keys[k]);
		assert_string_equal(vs.filter, "");	/* then the filter */
		assert_int_equal(keys_handle(&vs, back_keys[k]), REACT_NONE);
	}
	/* from the processes view (a group sequence), back to it */
	view_state_init(&vs);
	keys(&vs, "2");
	free(render(m, &vs, 80, 24));
	keys(&vs, "m\n");
	assert_int_equal(vs.view, VIEW_DETAIL);
	keys_handle(&vs, VK_ESC);
	assert_int_equal(vs.view, VIEW_PROCS);

	view_state_init(&vs);
	assert_int_equal(keys_handle(&vs, VK_F1), REACT_REDRAW);
	assert_true(vs.help);
	keys_handle(&vs, VK_F1);	/* any key closes it */
	assert_false(vs.help);
	assert_int_equal(keys_handle(&vs, VK_F10), REACT_QUIT);

	/* a click on the 5th row (screen row 2 + 4) selects it; the tab bar, titles
	 * and below the rows do nothing */
	free(render(m, &vs, 80, 24));
	assert_int_equal(vs.row0, 2);
	assert_int_equal(keys_handle(&vs, VK_CLICK + 6), REACT_REDRAW);
	assert_int_equal(vs.sel[VIEW_CONVS], 4);
	assert_int_equal(keys_handle(&vs, VK_CLICK + 0), REACT_NONE);
	assert_int_equal(keys_handle(&vs, VK_CLICK + 1), REACT_NONE);
	assert_int_equal(keys_handle(&vs, VK_CLICK + 23), REACT_NONE);	/* the status line */
	assert_int_equal(vs.sel[VIEW_CONVS], 4);
	keys_handle(&vs, VK_WHEEL_DOWN);
	assert_int_equal(vs.sel[VIEW_CONVS], 7);
	keys_handle(&vs, VK_WHEEL_UP);
	keys_handle(&vs, VK_WHEEL_UP);
	keys_handle(&vs, VK_WHEEL_UP);
	assert_int_equal(vs.sel[VIEW_CONVS], 0);
	/* a click below the last row of a short list selects nothing */
	keys(&vs, "/[1234]\n");
	free(render(m, &vs, 80, 24));
	assert_int_equal(keys_handle(&vs, VK_CLICK + 3), REACT_NONE);
	assert_int_equal(keys_handle(&vs, VK_CLICK + 2), REACT_REDRAW);
	assert_int_equal(vs.sel[VIEW_CONVS], 0);
}

static void test_filter_keys(void **state)
{
	struct model *m = *state;
	struct view_state vs;
	char *dump;

	build_huge(m);
	view_state_init(&vs);
	keys(&vs, "/[1234]");
	assert_true(vs.editing_filter);
	dump = render(m, &vs, 80, 24);
	assert_int_equal(vs.nrows, 1);	/* incremental: applies while typed */
	assert_non_null(strstr(dump, "pipe:[1234]"));
	assert_non_null(strstr(dump, "filter: [1234]_"));
	free(dump);
	keys(&vs, "\n");
	assert_false(vs.editing_filter);
	assert_string_equal(vs.filter, "[1234]");
	/* Esc while editing restores the filter kept before. */
	keys(&vs, "/x\x7f" "99\e");
	assert_string_equal(vs.filter, "[1234]");
	/* Backspace edits; comm matches too. */
	keys_handle(&vs, '/');
	for (int i = 0; i < 6; i++)
		keys_handle(&vs, VK_BACKSPACE);
	keys(&vs, "fanin\n");
	dump = render(m, &vs, 80, 24);
	assert_int_equal(vs.nrows, HUGE_N);
	free(dump);
	keys(&vs, "/zzz\n");
	golden(m, &vs, "filter_nomatch", 80, 24);
	assert_int_equal(vs.nrows, 0);
	/* Esc outside editing clears it. */
	assert_int_equal(keys_handle(&vs, VK_ESC), REACT_REDRAW);
	assert_string_equal(vs.filter, "");
	assert_int_equal(keys_handle(&vs, VK_ESC), REACT_NONE);
	keys(&vs, "2/fan\n");
	dump = render(m, &vs, 80, 24);
	assert_int_equal(vs.nrows, 2);
	free(dump);
}

/* Attributes: the selected row, and drops (never hidden) highlighted when > 0. */
static void test_attrs_drops(void **state)
{
	struct model *m = *state;
	struct viewer_info di = info;
	struct view_state vs;
	struct snapshot snap;
	struct screen scr = { 0 };
	char *dump, *at;
	int x;

	build_small(m);
	view_state_init(&vs);
	assert_int_equal(snapshot_build(m, NULL, &snap), 0);
	assert_int_equal(screen_resize(&scr, 80, 24), 0);
	viewer_render(&snap, &di, &vs, &scr);	/* keys move within the rows render found */
	keys(&vs, "j");
	viewer_render(&snap, &di, &vs, &scr);
	for (x = 0; x < 80; x++) {
		assert_int_equal(scr.cells[3 * 80 + x].attr, SA_SELECTED);	/* second data row */
		assert_int_equal(scr.cells[2 * 80 + x].attr, SA_NORMAL);
		assert_int_equal(scr.cells[1 * 80 + x].attr, SA_HEADER);
	}
	dump = screen_dump(&scr);
	at = strstr(dump, "drops 0");
	assert_non_null(at);
	x = (int)(at - ((char *)memrchr(dump, '\n', (size_t)(at - dump)) + 1));
	assert_int_equal(scr.cells[23 * 80 + x].attr, SA_STATUS);
	free(dump);
	snap.totals.drops_total = 5;
	di.warning = "cut\x1b";
	viewer_render(&snap, &di, &vs, &scr);
	dump = screen_dump(&scr);
	assert_inert(dump);
	at = strstr(dump, "drops 5");
	assert_non_null(at);
	x = (int)(at - ((char *)memrchr(dump, '\n', (size_t)(at - dump)) + 1));
	assert_int_equal(scr.cells[23 * 80 + x].attr, SA_WARN);
	assert_int_equal(scr.cells[23 * 80 + x - 1].attr, SA_STATUS);
	assert_non_null(strstr(dump, "cut\\x1b"));
	free(dump);
	screen_free(&scr);
	snapshot_free(&snap);
}

static void test_procs_figures(void **state)
{
	struct model *m = *state;
	struct snapshot s;
	int seen = 0;

	build_small(m);
	assert_int_equal(snapshot_build(m, NULL, &s), 0);
	for (size_t i = 0; i < s.nprocs; i++) {
		const struct snap_proc *p = &s.procs[i];

		if (p->p.ref.pid == 100) {	/* 3000 out on 77, 50 in on 78 */
			assert_int_equal(p->bytes_out, 3000);
			assert_int_equal(p->bytes_in, 50);
			assert_int_equal(p->channels, 2);
			assert_int_equal(p->peers, 1);
			assert_int_equal(p->blocked_ns, 0);
			seen++;
		} else if (p->p.ref.pid == 200) {
			assert_int_equal(p->bytes_out, 50);
			assert_int_equal(p->bytes_in, 3012);
			assert_int_equal(p->channels, 3);
			assert_int_equal(p->peers, 2);	/* producer (both pipes), logger */
			assert_int_equal(p->blocked_ns, 2500000);
			seen++;
		} else if (p->p.ref.pid == 300) {
			assert_true(p->p.exited);
			assert_int_equal(p->bytes_out, 12);
			assert_int_equal(p->channels, 1);
			seen++;
		}
	}
	assert_int_equal(seen, 3);
	snapshot_free(&s);
}

static void test_screen_basics(void **state)
{
	struct screen scr = { 0 };
	char buf[32], *dump;

	(void)state;
	assert_int_equal(screen_resize(&scr, 10, 2), 0);
	assert_int_equal(screen_resize(&scr, 0, 2), -EINVAL);
	screen_put(&scr, 7, 0, SA_NORMAL, "abcdef", -1);	/* clipped at the edge */
	screen_put(&scr, -2, 1, SA_NORMAL, "xy\x1bz", -1);	/* our own text: a control becomes ? */
	screen_put_esc(&scr, 3, 1, SA_WARN, "\x1b", 1, -1);
	dump = screen_dump(&scr);
	assert_string_equal(dump, "       abc\n?z \\x1b\n");
	assert_int_equal(scr.cells[10 + 3].attr, SA_WARN);
	free(dump);
	screen_clear(&scr);
	screen_put_esc_tail(&scr, 0, 0, SA_NORMAL, "/a/b/c/file", 64, 8);	/* keeps the end */
	screen_put_esc_tail(&scr, 0, 1, SA_NORMAL, "/a/f", 64, 8);		/* fits: as is */
	dump = screen_dump(&scr);
	assert_string_equal(dump, ".../file\n/a/f\n");
	free(dump);
	screen_free(&scr);
	/* human units; the blank goes when the column is short */
	view_fmt_bytes(buf, sizeof(buf), 123456789, 9);
	assert_string_equal(buf, "118 MiB");
	view_fmt_bytes(buf, sizeof(buf), 1234567890, 9);
	assert_string_equal(buf, "1.1 GiB");
	view_fmt_bytes(buf, sizeof(buf), 1234567890, 6);
	assert_string_equal(buf, "1.1GiB");
	view_fmt_bytes(buf, sizeof(buf), ~0ull, 8);
	assert_string_equal(buf, "16.0 EiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_screen_basics),
		cmocka_unit_test_setup_teardown(test_convs_golden, setup, teardown),
		cmocka_unit_test_setup_teardown(test_procs_golden, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waits_golden, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help_golden, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_golden, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_sort_scroll, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_back_keys_mouse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_procs_figures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attrs_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_views_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tiny_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_sequence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_views_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_views_huge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_views_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_views_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_titles_futex, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_views_net, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigchld_folded, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
