/*
 * test_decode.c - the decoder accepts exactly the valid records.
 * `test_decode --write-corpus DIR` writes runs of valid records as seeds for
 * tests/fuzz/fuzz_decode.c instead of running the tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "collect/decode.h"

static struct ipcs_sys_rec make_sys(void)
{
	struct ipcs_sys_rec r;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_SYS;
	r.h.size = sizeof(r);
	r.h.ts_ns = 42;
	r.pid = 100;
	r.tid = 101;
	r.sys = IPCS_SYS_WRITE;
	r.ret = 4096;
	r.fd = 3;
	r.chan.kind = IPCS_KIND_PIPE;
	r.chan.ino = 777;
	memcpy(r.comm, "writer", 7);
	return r;
}

static void test_valid_sys(void **state)
{
	struct ipcs_sys_rec r = make_sys();
	struct ipcs_event ev;

	(void)state;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
	assert_int_equal(ev.type, IPCS_REC_SYS);
	assert_int_equal(ev.sys.pid, 100);
	assert_int_equal(ev.sys.ret, 4096);
	assert_int_equal(ev.sys.chan.ino, 777);
	assert_string_equal(ev.sys.comm, "writer");
	assert_string_equal(ev.path, "");
}

/* 1.5: an io_uring request's record is a syscall record with IPCS_SYSF_URING, kept as is. */
static void test_uring_flag_kept(void **state)
{
	struct ipcs_sys_rec r = make_sys();
	struct ipcs_sock_rec s;
	struct ipcs_event ev;

	(void)state;
	r.flags = IPCS_SYSF_URING;
	r.fd = -1;	/* a fixed file */
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
	assert_int_equal(ev.sys.flags, IPCS_SYSF_URING);
	assert_int_equal(ev.sys.fd, -1);
	memset(&s, 0, sizeof(s));
	s.s = make_sys();
	s.s.h.type = IPCS_REC_SOCK;
	s.s.h.size = sizeof(s);
	s.s.sys = IPCS_SYS_SENDTO;
	s.s.chan.kind = IPCS_KIND_UNIX_STREAM;
	s.s.flags = IPCS_SYSF_URING;
	s.family = 1;
	s.type = 1;
	assert_int_equal(ipcs_decode(&s, sizeof(s), &ev), 0);
	assert_int_equal(ev.type, IPCS_REC_SOCK);
	assert_int_equal(ev.sock.s.flags, IPCS_SYSF_URING);
}

static void test_short_records_rejected(void **state)
{
	struct ipcs_sys_rec r = make_sys();
	struct ipcs_event ev;

	(void)state;
	for (size_t len = 0; len < sizeof(r); len++)
		assert_int_equal(ipcs_decode(&r, len, &ev), -EINVAL);
	/* header claims less than the type needs */
	r.h.size = sizeof(r) - 8;
	assert_int_equal(ipcs_decode(&r, sizeof(r) - 8, &ev), -EINVAL);
	assert_int_equal(ipcs_decode(NULL, 0, &ev), -EINVAL);
}

static void test_size_mismatch_rejected(void **state)
{
	char buf[sizeof(struct ipcs_sys_rec) + 16];
	struct ipcs_sys_rec r = make_sys();
	struct ipcs_event ev;

	(void)state;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &r, sizeof(r));
	/* len larger than the record's own size */
	assert_int_equal(ipcs_decode(buf, sizeof(buf), &ev), -EINVAL);
	/* size not a multiple of 8 */
	r.h.size = sizeof(r) + 4;
	memcpy(buf, &r, sizeof(r));
	assert_int_equal(ipcs_decode(buf, sizeof(r) + 4, &ev), -EINVAL);
	/* a newer minor may append fields: a larger, aligned size is accepted */
	r.h.size = sizeof(r) + 16;
	memcpy(buf, &r, sizeof(r));
	assert_int_equal(ipcs_decode(buf, sizeof(r) + 16, &ev), 0);
	assert_int_equal(ev.sys.ret, 4096);
}

static void test_bad_enums_rejected(void **state)
{
	struct ipcs_sys_rec r = make_sys();
	struct ipcs_proc_rec p;
	struct ipcs_event ev;

	(void)state;
	r.sys = IPCS_SYS_MAX;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.sys = IPCS_SYS_NONE;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	/* every number decodes exactly when it has a name */
	for (unsigned s = 1; s < IPCS_SYS_MAX; s++) {
		r.sys = (__u16)s;
		assert_int_equal(ipcs_decode(&r, sizeof(r), &ev),
				 strcmp(ipcs_sys_name((__u16)s), "?") ? 0 : -EINVAL);
	}
	r = make_sys();
	r.chan.kind = IPCS_KIND_MAX;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);

	memset(&p, 0, sizeof(p));
	p.h.type = IPCS_REC_PROC;
	p.h.size = sizeof(p);
	p.op = 0;
	assert_int_equal(ipcs_decode(&p, sizeof(p), &ev), -EINVAL);
	p.op = IPCS_PROC_EXIT + 1;
	assert_int_equal(ipcs_decode(&p, sizeof(p), &ev), -EINVAL);
	p.op = IPCS_PROC_FORK;
	assert_int_equal(ipcs_decode(&p, sizeof(p), &ev), 0);
}

/* A lock record (--locks): enums in range, a stack that fits, a thread, a terminated comm. */
static void test_lock_record(void **state)
{
	struct ipcs_lock_rec r;
	struct ipcs_event ev;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_LOCK;
	r.h.size = sizeof(r);
	r.pid = 10;
	r.tid = 11;
	r.kind = IPCS_LOCKK_SEM;
	r.phase = IPCS_LOCKP_ACQUIRED;
	r.fn = IPCS_LOCKF_SEM_WAIT;
	r.nstack = IPCS_LOCK_STACK;
	r.stack[IPCS_LOCK_STACK - 1] = 0x401000;
	memset(r.comm, 'x', sizeof(r.comm));	/* no NUL */
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
	assert_int_equal(ev.lock.stack[IPCS_LOCK_STACK - 1], 0x401000);
	assert_int_equal(strlen(ev.lock.comm), IPCS_COMM_LEN - 1);
	assert_int_equal(ipcs_decode(&r, sizeof(r) - 8, &ev), -EINVAL);	/* short */
	r.nstack = IPCS_LOCK_STACK + 1;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.nstack = 0;
	r.kind = IPCS_LOCKK_MAX;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.kind = 0;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.kind = IPCS_LOCKK_MUTEX;
	r.phase = IPCS_LOCKP_MAX;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.phase = IPCS_LOCKP_RELEASED;
	r.fn = IPCS_LOCKF_MAX;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.fn = IPCS_LOCKF_MUTEX_UNLOCK;
	r.tid = 0;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r.tid = 11;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
}

static void test_unknown_type_skippable(void **state)
{
	struct ipcs_sys_rec r = make_sys();
	struct ipcs_event ev;

	(void)state;
	r.h.type = 999;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -ENOMSG);
	assert_int_equal(ipcs_rec_size(&r, sizeof(r)), (int)sizeof(r));
}

static void test_strings_terminated(void **state)
{
	struct ipcs_sys_path_rec r;
	struct ipcs_seed_fd_rec s;
	struct ipcs_event ev;

	(void)state;
	memset(&r, 'A', sizeof(r));
	r.s = make_sys();
	memset(r.s.comm, 'C', sizeof(r.s.comm));
	r.s.h.type = IPCS_REC_SYS_PATH;
	r.s.h.size = sizeof(r);
	r.s.sys = IPCS_SYS_OPENAT;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
	assert_int_equal(strlen(ev.sys.comm), IPCS_COMM_LEN - 1);
	assert_int_equal(strlen(ev.path), IPCS_PATH_MAX - 1);
	assert_ptr_equal(ev.path, ev.sys_path.path);

	memset(&s, 'B', sizeof(s));
	s.h.type = IPCS_REC_SEED_FD;
	s.h.size = sizeof(s);
	s.h.cpu = 0;
	s.chan.kind = IPCS_KIND_FIFO;
	assert_int_equal(ipcs_decode(&s, sizeof(s), &ev), 0);
	assert_int_equal(strlen(ev.path), IPCS_PATH_MAX - 1);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ipcs_kind_name(IPCS_KIND_PIPE), "pipe");
	assert_string_equal(ipcs_kind_name(IPCS_KIND_FIFO), "fifo");
	assert_string_equal(ipcs_kind_name(IPCS_KIND_UNIX_STREAM), "unix-stream");
	assert_string_equal(ipcs_kind_name(500), "?");
	assert_string_equal(ipcs_sys_name(IPCS_SYS_PIPE2), "pipe2");
	assert_string_equal(ipcs_sys_name(IPCS_SYS_MAX), "?");
	assert_string_equal(ipcs_drop_name(IPCS_DROP_RINGBUF), "ringbuf");
	for (unsigned s = 1; s <= IPCS_SYS_CLOSE_RANGE; s++)
		assert_string_not_equal(ipcs_sys_name((__u16)s), "?");
}

/* ---- seeds for the fuzzer: a pipe conversation, then one record of each other type ---- */

static unsigned char corpus[8192];
static size_t corpus_len;

static void put_rec(void *rec, __u16 type, size_t size)
{
	struct ipcs_rec_hdr *h = rec;

	h->type = type;
	h->size = (__u16)size;
	h->ts_ns = 1000 + corpus_len;
	if (corpus_len + size <= sizeof(corpus)) {
		memcpy(corpus + corpus_len, rec, size);
		corpus_len += size;
	}
}

static int save(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f)
		return 1;
	ok = fwrite(corpus, 1, corpus_len, f) == corpus_len;
	corpus_len = 0;
	return fclose(f) || !ok;
}

static int write_corpus(const char *dir)
{
	struct ipcs_seed_proc_rec sp = { .pid = 100, .ppid = 1, .start_ns = 5, .comm = "parent" };
	struct ipcs_proc_rec pr = { .pid = 200, .tid = 200, .ppid = 100, .op = IPCS_PROC_FORK,
				    .start_ns = 9, .comm = "child" };
	struct ipcs_sys_rec w = make_sys(), r = make_sys(), pp = make_sys();
	struct ipcs_drops_rec d = { .drops = { 3, 1 } };
	struct ipcs_sys_path_rec fp = { .s = make_sys() };
	struct ipcs_sock_rec so = { .s = make_sys(), .peer = 55, .family = 1, .type = 1 };
	struct ipcs_signal_rec sg = { .pid = 100, .rpid = 200, .sig = 10, .op = IPCS_SIG_GENERATE };
	struct ipcs_futex_rec fx = { .pid = 100, .tid = 100, .sys = IPCS_SYS_FUTEX, .uaddr = 64 };
	struct ipcs_shm_rec sh = { .pid = 100, .tid = 100, .sys = IPCS_SYS_SHMGET, .ret = 7 };
	int bad = 0;

	put_rec(&sp, IPCS_REC_SEED_PROC, sizeof(sp));
	pp.pid = pp.tid = 100;
	pp.sys = IPCS_SYS_PIPE2;
	pp.ret = 0;
	pp.fd = 3;
	pp.fd2 = 4;
	put_rec(&pp, IPCS_REC_SYS, sizeof(pp));
	put_rec(&pr, IPCS_REC_PROC, sizeof(pr));
	w.pid = w.tid = 200;
	w.fd = 4;
	put_rec(&w, IPCS_REC_SYS, sizeof(w));
	r.pid = r.tid = 100;
	r.sys = IPCS_SYS_READ;
	put_rec(&r, IPCS_REC_SYS, sizeof(r));
	pr.op = IPCS_PROC_EXIT;
	put_rec(&pr, IPCS_REC_PROC, sizeof(pr));
	put_rec(&d, IPCS_REC_DROPS, sizeof(d));
	bad |= save(dir, "pipe-conversation");
	fp.s.sys = IPCS_SYS_OPENAT;
	fp.s.chan.kind = IPCS_KIND_FIFO;
	snprintf(fp.path, sizeof(fp.path), "/tmp/fifo\x1b");
	put_rec(&fp, IPCS_REC_SYS_PATH, sizeof(fp));
	so.s.chan.kind = IPCS_KIND_UNIX_STREAM;
	so.s.sys = IPCS_SYS_SENDMSG;
	put_rec(&so, IPCS_REC_SOCK, sizeof(so));
	put_rec(&sg, IPCS_REC_SIGNAL, sizeof(sg));
	put_rec(&fx, IPCS_REC_FUTEX, sizeof(fx));
	put_rec(&sh, IPCS_REC_SHM, sizeof(sh));
	bad |= save(dir, "other-kinds");
	/* cgroups: a name, a 1.1-size fork (no id), a 1.2 fork, a move */
	{
		struct ipcs_cgroup_name_rec cn = { .cgroup_id = 7, .path = "/a\x1b.scope" };
		struct ipcs_cgroup_rec cm = { .pid = 200, .tid = 200, .cgroup_id = 7, .threadgroup = 1,
					      .comm = "child" };

		put_rec(&cn, IPCS_REC_CGROUP_NAME, sizeof(cn));
		pr.op = IPCS_PROC_FORK;
		pr.cgroup_id = 7;
		put_rec(&pr, IPCS_REC_PROC, IPCS_PROC_REC_SIZE_1_1);
		put_rec(&pr, IPCS_REC_PROC, sizeof(pr));
		put_rec(&cm, IPCS_REC_CGROUP, sizeof(cm));
		bad |= save(dir, "cgroups");
	}
	return bad;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_sys),
		cmocka_unit_test(test_uring_flag_kept),
		cmocka_unit_test(test_short_records_rejected),
		cmocka_unit_test(test_size_mismatch_rejected),
		cmocka_unit_test(test_bad_enums_rejected),
		cmocka_unit_test(test_lock_record),
		cmocka_unit_test(test_unknown_type_skippable),
		cmocka_unit_test(test_strings_terminated),
		cmocka_unit_test(test_names),
	};

	if (argc == 3 && strcmp(argv[1], "--write-corpus") == 0)
		return write_corpus(argv[2]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
