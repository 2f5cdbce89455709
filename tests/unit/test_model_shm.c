/* test_model_shm.c - shared-memory records: decode, segments and their mappers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "collect/decode.h"
#include "model/model.h"
#include "model/model_shm.h"

static __u64 now = 1000;

static void feed(struct model *m, __u32 pid, __u16 sys, __s32 id, __s64 ret, __u64 addr,
		 __u64 len, __u64 ino, __u64 key)
{
	struct ipcs_shm_rec r;
	struct ipcs_event ev;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_SHM;
	r.h.size = sizeof(r);
	r.h.ts_ns = now += 10;
	r.pid = r.tid = pid;
	r.sys = sys;
	r.id = id;
	r.ret = ret;
	r.addr = addr;
	r.len = len;
	r.ino = ino;
	r.dev = ino ? 26 : 0;
	r.key = key;
	snprintf(r.comm, sizeof(r.comm), "p%u", pid);
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
	assert_int_equal(model_apply(m, &ev), 0);
}

#define MAXS 8
struct segs {
	size_t n;
	struct model_shm_seg v[MAXS];
	struct model_shm_mapper mp[MAXS][4];
};

static int collect(const struct model_shm_seg *s, void *ctx)
{
	struct segs *l = ctx;

	assert_true(l->n < MAXS && s->nmappers <= 4);
	memcpy(l->mp[l->n], s->mappers, s->nmappers * sizeof(*s->mappers));
	l->v[l->n] = *s;
	l->v[l->n].mappers = l->mp[l->n];
	l->n++;
	return 0;
}

static struct segs segs(struct model *m)
{
	struct segs l = { 0 };

	assert_int_equal(model_foreach_shm(m, collect, &l), 0);
	return l;
}

static void test_decode(void **state)
{
	struct ipcs_shm_rec r;
	struct ipcs_event ev;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_SHM;
	r.h.size = sizeof(r);
	r.pid = 1;
	r.sys = IPCS_SYS_MMAP;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
	assert_string_equal(ipcs_sys_name(IPCS_SYS_SHMAT), "shmat");
	r.sys = IPCS_SYS_FUTEX;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
}

static void test_sysv(void **state)
{
	struct model *m;
	struct segs l;

	(void)state;
	assert_int_equal(model_new(&m), 0);
	feed(m, 10, IPCS_SYS_SHMGET, 7, 7, 0, 12288, 0, 0x1234);
	feed(m, 10, IPCS_SYS_SHMAT, 7, 0x7000, 0x7000, 12288, 0, 0);
	feed(m, 20, IPCS_SYS_SHMAT, 7, 0x9000, 0x9000, 12288, 0, 0);
	feed(m, 20, IPCS_SYS_SHMDT, 0, 0, 0x9000, 12288, 0, 0);
	feed(m, 10, IPCS_SYS_SHMDT, 0, -EINVAL, 0x1234, 0, 0, 0);	/* failed: nothing */
	feed(m, 10, IPCS_SYS_SHMDT, 0, 0, 0x5555, 4096, 0, 0);	/* attach not seen: nothing */
	feed(m, 10, IPCS_SYS_SHMCTL, 7, 0, 0, 0, 0, 0);
	l = segs(m);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].channel, "sysv-shm:7");
	assert_true(l.v[0].sysv);
	assert_true(l.v[0].removed);
	assert_int_equal(l.v[0].key, 0x1234);
	assert_int_equal(l.v[0].size, 12288);
	assert_int_equal(l.v[0].nmappers, 2);
	assert_int_equal(l.mp[0][0].proc.pid, 10);
	assert_int_equal(l.mp[0][0].maps, 1);
	assert_int_equal(l.mp[0][0].unmaps, 0);
	assert_int_equal(l.mp[0][1].proc.pid, 20);
	assert_string_equal(l.mp[0][1].proc.comm, "p20");
	assert_int_equal(l.mp[0][1].unmaps, 1);
	model_free(m);
}

static void test_mmap(void **state)
{
	struct model *m;
	struct segs l;

	(void)state;
	assert_int_equal(model_new(&m), 0);
	feed(m, 10, IPCS_SYS_MMAP, 3, 0x7000, 0x7000, 8192, 55, 0);
	feed(m, 20, IPCS_SYS_MMAP, 3, 0x8000, 0x8000, 20480, 55, 0);
	feed(m, 20, IPCS_SYS_MMAP, 4, 0x9000, 0x9000, 4096, 56, 0);
	feed(m, 20, IPCS_SYS_MUNMAP, 0, 0, 0x8000, 20480, 55, 0);
	feed(m, 20, IPCS_SYS_MMAP, 3, -ENOMEM, 0, 0, 0, 0);	/* failed */
	l = segs(m);
	assert_int_equal(l.n, 2);
	for (size_t i = 0; i < l.n; i++) {
		if (l.v[i].ino == 55) {
			assert_string_equal(l.v[i].channel, "shm:[55]");
			assert_false(l.v[i].sysv);
			assert_int_equal(l.v[i].size, 20480);
			assert_int_equal(l.v[i].nmappers, 2);
			assert_int_equal(l.mp[i][0].size, 8192);
			assert_int_equal(l.mp[i][1].size, 20480);
			assert_int_equal(l.mp[i][1].unmaps, 1);
		} else {
			assert_int_equal(l.v[i].ino, 56);
			assert_int_equal(l.v[i].nmappers, 1);
		}
	}
	model_free(m);
}

static void apply_ev(struct model *m, struct ipcs_event *ev)
{
	ev->h.ts_ns = now += 10;
	assert_int_equal(model_apply(m, ev), 0);
}

/* memfd_create names the segment; a fork hands the parent's mappings (and SysV attaches) to the child. */
static void test_memfd_and_fork(void **state)
{
	struct ipcs_event ev;
	struct model *m;
	struct segs l;

	(void)state;
	assert_int_equal(model_new(&m), 0);
	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_SYS_PATH;
	ev.path = "ring";
	ev.sys.pid = ev.sys.tid = 10;
	ev.sys.sys = IPCS_SYS_MEMFD_CREATE;
	ev.sys.ret = 4;
	ev.sys.chan = (struct ipcs_chan){ .ino = 55, .dev = 26, .kind = IPCS_KIND_SHM };
	apply_ev(m, &ev);
	assert_string_equal(ipcs_sys_name(IPCS_SYS_MEMFD_CREATE), "memfd_create");
	feed(m, 10, IPCS_SYS_MMAP, 4, 0x7000, 0, 8192, 55, 0);
	feed(m, 10, IPCS_SYS_SHMAT, 3, 0x9000, 0x9000, 4096, 0, 0);
	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_PROC;
	ev.path = "";
	ev.proc.pid = 11;
	ev.proc.ppid = 10;
	ev.proc.op = IPCS_PROC_FORK;
	snprintf(ev.proc.comm, sizeof(ev.proc.comm), "child");
	apply_ev(m, &ev);
	feed(m, 11, IPCS_SYS_SHMDT, 3, 0, 0x9000, 4096, 0, 0);	/* the inherited attach */
	l = segs(m);
	assert_int_equal(l.n, 2);
	for (size_t i = 0; i < l.n; i++) {
		const struct model_shm_seg *g = &l.v[i];

		assert_int_equal(g->nmappers, 2);
		assert_int_equal(g->mappers[1].proc.pid, 11);
		assert_int_equal(g->mappers[1].inherited, 1);
		assert_int_equal(g->mappers[1].maps, 0);
		if (g->sysv) {
			assert_int_equal(g->mappers[1].unmaps, 1);
			continue;
		}
		assert_string_equal(g->channel, "memfd:ring");
		assert_int_equal(g->creator.pid, 10);
		assert_int_equal(g->creator_fd, 4);
		assert_int_equal(g->mappers[1].size, 8192);
	}
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_sysv),
		cmocka_unit_test(test_mmap),
		cmocka_unit_test(test_memfd_and_fork),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
