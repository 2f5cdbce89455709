/*
 * test_model_fdpass.c - IPCS_REC_FDPASS: decoder checks, pairing of a send
 * with its receive by fd identity (either record first), what the receiver
 * holds afterwards, credentials, unpaired sides at flush; the message the
 * sendmsg wrote shows its fds in the conversation's message log.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "model_testlib.h"
#include "collect/decode.h"
#include "model/model_fdpass.h"

#define SOCKFS 8u
#define SK_A 0xffff888000001000ull	/* the sender's socket */
#define SK_B 0xffff888000002000ull	/* the receiver's socket */
#define SHMDEV 1u

static struct ipcs_fdpass_rec fp_rec(__u32 pid, __u16 sys, __s32 sock_fd, __u64 sock, __u64 peer)
{
	struct ipcs_fdpass_rec r;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_FDPASS;
	r.h.size = sizeof(r);
	r.h.ts_ns = now++;
	r.pid = r.tid = pid;
	r.sys = sys;
	r.sock_fd = sock_fd;
	r.sock = sock;
	r.peer = peer;
	r.sock_dev = SOCKFS;
	snprintf(r.comm, sizeof(r.comm), "p%u", pid);
	return r;
}

static void add_fd(struct ipcs_fdpass_rec *r, __s32 fd, __u16 kind, __u16 what, __u32 dev,
		   __u64 ino, __u16 fmode, const char *name)
{
	struct ipcs_fdpass_fd *f = &r->fds[r->nfds++];

	r->flags |= IPCS_FDPF_RIGHTS;
	f->fd = fd;
	f->kind = kind;
	f->what = what;
	f->dev = dev;
	f->ino = ino;
	f->fmode = fmode;
	snprintf(f->name, sizeof(f->name), "%s", name);
}

static void feed(struct model *m, const struct ipcs_fdpass_rec *r)
{
	struct ipcs_event ev;

	assert_int_equal(ipcs_decode(r, sizeof(*r), &ev), 0);
	apply(m, &ev);
}

/* A pipe's write end and a memfd in one message, plus credentials. */
static void one_message(struct ipcs_fdpass_rec *s, struct ipcs_fdpass_rec *r)
{
	*s = fp_rec(10, IPCS_SYS_SENDMSG, 3, SK_A, SK_B);
	add_fd(s, 5, IPCS_KIND_PIPE, IPCS_FDW_CHAN, PIPEFS, 900, IPCS_FMODE_WRITE, "");
	add_fd(s, 6, IPCS_KIND_SHM, IPCS_FDW_MEMFD, SHMDEV, 77, 3, "memfd:buf");
	*r = fp_rec(20, IPCS_SYS_RECVMSG, 4, SK_B, SK_A);
	add_fd(r, 7, IPCS_KIND_PIPE, IPCS_FDW_CHAN, PIPEFS, 900, IPCS_FMODE_WRITE, "");
	add_fd(r, 8, IPCS_KIND_SHM, IPCS_FDW_MEMFD, SHMDEV, 77, 3, "memfd:buf");
	r->flags |= IPCS_FDPF_CREDS;
	r->cred_pid = 10;
	r->cred_uid = 1000;
	r->cred_gid = 100;
}

#define MAXP 8
struct passes {
	size_t n;
	struct model_fdpass v[MAXP];
};

static int collect_pass(const struct model_fdpass *p, void *ctx)
{
	struct passes *l = ctx;

	assert_true(l->n < MAXP);
	l->v[l->n++] = *p;
	return 0;
}

static struct passes passes(struct model *m)
{
	struct passes l = { 0 };

	assert_int_equal(model_foreach_fdpass(m, collect_pass, &l), 0);
	return l;
}

static void check_paired(struct model *m)
{
	struct model_fdpass_totals t;
	struct passes l = passes(m);
	struct chan_q q = chan_of(m, 900);
	size_t fds = 0;

	model_get_fdpass_totals(m, &t);
	assert_int_equal(t.fds_passed, 2);
	assert_int_equal(t.paired, 2);
	assert_int_equal(t.creds, 1);
	assert_int_equal(l.n, 3);
	for (size_t i = 0; i < l.n; i++) {
		assert_int_equal(l.v[i].from.pid, 10);
		assert_int_equal(l.v[i].to.pid, 20);
		if (l.v[i].creds) {
			assert_int_equal(l.v[i].cred_uid, 1000);
			continue;
		}
		fds++;
		if (l.v[i].what == IPCS_FDW_MEMFD) {
			assert_int_equal(l.v[i].fd_sent, 6);
			assert_int_equal(l.v[i].fd_received, 8);
			assert_string_equal(l.v[i].name, "memfd:buf");
		} else {
			assert_int_equal(l.v[i].kind, IPCS_KIND_PIPE);
			assert_int_equal(l.v[i].fd_sent, 5);
			assert_int_equal(l.v[i].fd_received, 7);
			assert_string_equal(l.v[i].channel, "pipe:[900]");
		}
	}
	assert_int_equal(fds, 2);
	/* The receiver holds the pipe's write end: its writes are its own. */
	assert_true(q.found);
	assert_true(has_holder(&q, 20, 7, IPCS_FMODE_WRITE));
}

static void test_send_then_receive(void **state)
{
	struct model *m = *state;
	struct ipcs_fdpass_rec s, r;

	one_message(&s, &r);
	feed(m, &s);
	feed(m, &r);
	check_paired(m);
}

static void test_receive_then_send(void **state)
{
	struct model *m = *state;
	struct ipcs_fdpass_rec s, r;

	one_message(&s, &r);
	seed_proc(m, 10, 1, 5, "p10");	/* credentials name a process the model knows */
	feed(m, &r);	/* another CPU: the receive's record first */
	feed(m, &s);
	model_flush(m);	/* nothing left to flush */
	check_paired(m);
}

/* A stream sendmsg/recvmsg of n bytes between SK_A (pid 10) and SK_B (pid 20). */
static void sk_msg(struct model *m, __u32 pid, __u16 sys, __s32 fd, __s64 n)
{
	bool a = pid == 10;
	struct ipcs_event ev = sys_ev(pid, sys, n, fd, -1, (__u64)n, IPCS_KIND_UNIX_STREAM,
				      a ? SK_A : SK_B, IPCS_FMODE_READ | IPCS_FMODE_WRITE);

	ev.type = IPCS_REC_SOCK;
	ev.sock.s.h.type = IPCS_REC_SOCK;
	ev.sock.s.h.size = sizeof(ev.sock);
	ev.sock.s.chan.dev = SOCKFS;
	ev.sock.peer = a ? SK_B : SK_A;
	ev.sock.sock_ino = a ? 501 : 502;
	ev.sock.peer_ino = a ? 502 : 501;
	ev.sock.family = 1;
	ev.sock.type = 1;
	apply(m, &ev);
}

static int collect_msgs(const struct model_msg *msg, void *ctx)
{
	struct model_msg *v = ctx;

	assert_true(v[7].seq < 6);
	v[v[7].seq++] = *msg;	/* v[7].seq: count */
	return 0;
}

static void test_message_fds(void **state)
{
	struct model *m = *state;
	struct ipcs_fdpass_rec s, r;
	struct model_msg v[8] = { 0 };
	struct convs cs = { 0 };
	const struct model_conv *c = NULL;

	one_message(&s, &r);
	s.tid = 10 + 1000000;	/* the threads of the data records (sys_ev) */
	r.tid = 20 + 1000000;
	sk_msg(m, 10, IPCS_SYS_SENDMSG, 3, 4);
	feed(m, &s);
	sk_msg(m, 20, IPCS_SYS_RECVMSG, 4, 4);
	feed(m, &r);
	sk_msg(m, 10, IPCS_SYS_SENDMSG, 3, 2);	/* no fds with this one */
	sk_msg(m, 20, IPCS_SYS_RECVMSG, 4, 2);
	/* another CPU: the receive's record before the send's fdpass record */
	sk_msg(m, 10, IPCS_SYS_SENDMSG, 3, 6);
	sk_msg(m, 20, IPCS_SYS_RECVMSG, 4, 6);
	feed(m, &s);
	feed(m, &r);
	assert_int_equal(model_foreach_conv(m, collect_conv, &cs), 0);
	for (size_t i = 0; i < cs.n && i < MAXC; i++)
		if (cs.v[i].kind == IPCS_KIND_UNIX_STREAM && cs.v[i].a.pid == 10)
			c = &cs.v[i];
	assert_non_null(c);
	assert_int_equal(c->a_to_b.msgs, 3);
	assert_int_equal(model_foreach_msg(m, c, collect_msgs, v, NULL), 0);
	assert_int_equal(v[7].seq, 3);
	assert_int_equal(v[0].bytes, 4);
	assert_int_equal(v[0].nfds, 2);
	assert_int_equal(v[1].bytes, 2);
	assert_int_equal(v[1].nfds, 0);
	assert_int_equal(v[2].bytes, 6);
	assert_int_equal(v[2].nfds, 2);
}

/* Different identities never pair; at the end each side goes to an unseen peer. */
static void test_unpaired(void **state)
{
	struct model *m = *state;
	struct model_fdpass_totals t;
	struct ipcs_fdpass_rec s, r;
	struct passes l;

	s = fp_rec(10, IPCS_SYS_SENDMSG, 3, SK_A, 0);
	add_fd(&s, 5, IPCS_KIND_NONE, IPCS_FDW_FILE, 0x800001, 42, 1, "a.txt");
	r = fp_rec(20, IPCS_SYS_RECVMSG, 4, SK_B, 0);
	add_fd(&r, 9, IPCS_KIND_NONE, IPCS_FDW_FILE, 0x800001, 43, 1, "b.txt");
	feed(m, &s);
	feed(m, &r);
	l = passes(m);
	assert_int_equal(l.n, 0);
	model_flush(m);
	model_get_fdpass_totals(m, &t);
	assert_int_equal(t.fds_passed, 2);
	assert_int_equal(t.paired, 0);
	l = passes(m);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].from.pid, 10);
	assert_int_equal(l.v[0].to.pid, 0);
	assert_int_equal(l.v[0].fd_received, -1);
	assert_int_equal(l.v[1].from.pid, 0);
	assert_int_equal(l.v[1].to.pid, 20);
	assert_int_equal(l.v[1].fd_sent, -1);
	assert_string_equal(l.v[1].name, "b.txt");
}

static void test_decode_checks(void **state)
{
	struct ipcs_fdpass_rec r = fp_rec(10, IPCS_SYS_SENDMSG, 3, SK_A, 0);
	struct ipcs_event ev;

	(void)state;
	add_fd(&r, 5, IPCS_KIND_PIPE, IPCS_FDW_CHAN, PIPEFS, 900, 1, "");
	memset(r.fds[0].name, 'x', sizeof(r.fds[0].name));	/* no NUL: decode terminates */
	memset(r.comm, 'y', sizeof(r.comm));
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
	assert_int_equal(strlen(ev.fdpass.fds[0].name), IPCS_FDPASS_NAME - 1);
	assert_int_equal(strlen(ev.fdpass.comm), IPCS_COMM_LEN - 1);
	r.nfds = IPCS_FDPASS_MAX + 1;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.nfds = 1;
	r.fds[0].what = IPCS_FDW_MAX;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.fds[0].what = IPCS_FDW_CHAN;
	r.fds[0].kind = IPCS_KIND_MAX;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.fds[0].kind = IPCS_KIND_PIPE;
	r.sys = IPCS_SYS_WRITE;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.sys = IPCS_SYS_RECVMSG;
	assert_int_equal(ipcs_decode(&r, sizeof(r) - 8, &ev), -EINVAL);
	assert_string_equal(ipcs_fd_what_name(IPCS_FDW_MEMFD), "memfd");
	assert_string_equal(ipcs_fd_what_name(999), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_checks),
		cmocka_unit_test_setup_teardown(test_send_then_receive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receive_then_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unpaired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_fds, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
