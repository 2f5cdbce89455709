/*
 * test_cgnames.c - cgroup ids -> name records (collect/cgnames.c) on a
 * crafted /proc and a crafted cgroup tree: ids are the directories' inodes,
 * as on cgroupfs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ipcscope_abi.h"
#include "collect/cgnames.h"
#include "collect/decode.h"

static char base[PATH_MAX], proc[PATH_MAX + 8], cg[PATH_MAX + 8];

struct names {
	size_t n;
	struct ipcs_cgroup_name_rec v[8];
	int fail;		/* the callback's return */
};

static int on_name(const void *rec, size_t len, void *ctx)
{
	struct names *nm = ctx;
	struct ipcs_event ev;

	/* What the live source and the seed hand on must pass the decoder. */
	assert_int_equal(ipcs_decode(rec, len, &ev), 0);
	assert_int_equal(ev.type, IPCS_REC_CGROUP_NAME);
	if (nm->n < 8)
		memcpy(&nm->v[nm->n++], rec, sizeof(nm->v[0]));
	return nm->fail;
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void mkdirs(const char *rel_under, const char *sub)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/%s", rel_under, sub);
	assert_int_equal(mkdir(p, 0700), 0);
}

static __u64 ino_of(const char *sub)
{
	char p[PATH_MAX * 2];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", cg, sub);
	assert_int_equal(stat(p, &st), 0);
	return st.st_ino;
}

/* proc/100: in /a/b (v1 lines around); proc/200: in /c (deleted suffix);
 * proc/300: no cgroup v2 line. Tree: cg/, cg/a, cg/a/b, cg/c, cg/d. */
static int tree_setup(void **state)
{
	char p[PATH_MAX * 2];

	(void)state;
	snprintf(base, sizeof(base), "/tmp/ipcs-cgn-XXXXXX");
	if (!mkdtemp(base))
		return -1;
	snprintf(proc, sizeof(proc), "%s/proc", base);
	snprintf(cg, sizeof(cg), "%s/cg", base);
	mkdirs(base, "proc");
	mkdirs(base, "cg");
	mkdirs(proc, "100");
	mkdirs(proc, "200");
	mkdirs(proc, "300");
	mkdirs(cg, "a");
	mkdirs(cg, "a/b");
	mkdirs(cg, "c");
	mkdirs(cg, "d");
	snprintf(p, sizeof(p), "%s/100/cgroup", proc);
	put_file(p, "12:memory:/x\n0::/a/b\n1:name=systemd:/y\n");
	snprintf(p, sizeof(p), "%s/200/cgroup", proc);
	put_file(p, "0::/c (deleted)\n");
	snprintf(p, sizeof(p), "%s/300/cgroup", proc);
	put_file(p, "4:cpu:/\n");
	return 0;
}

static int tree_teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) ? -1 : 0;
}

static void test_parse(void **state)
{
	char path[64];

	(void)state;
	assert_int_equal(cgnames_parse_proc("0::/\n", path, sizeof(path)), 0);
	assert_string_equal(path, "/");
	assert_int_equal(cgnames_parse_proc("3:cpu:/v1\n0::/sys.slice/x.scope", path, sizeof(path)), 0);
	assert_string_equal(path, "/sys.slice/x.scope");
	assert_int_equal(cgnames_parse_proc("0::/gone (deleted)\n", path, sizeof(path)), 0);
	assert_string_equal(path, "/gone");
	/* A v1 line whose controllers are empty is not the v2 line; "0::" needs a path. */
	assert_int_equal(cgnames_parse_proc("1::/v1\n", path, sizeof(path)), -ENOENT);
	assert_int_equal(cgnames_parse_proc("0::\n", path, sizeof(path)), -ENOENT);
	assert_int_equal(cgnames_parse_proc("", path, sizeof(path)), -ENOENT);
	assert_int_equal(cgnames_parse_proc("0::/0123456789", path, 8), -ENAMETOOLONG);
}

static struct ipcs_proc_rec proc_rec(__u32 pid, __u64 id)
{
	struct ipcs_proc_rec r;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_PROC;
	r.h.size = sizeof(r);
	r.h.ts_ns = 55;
	r.pid = r.tid = pid;
	r.op = IPCS_PROC_EXEC;
	r.cgroup_id = id;
	return r;
}

static void test_of_pid_and_seed(void **state)
{
	struct cgnames *cn;
	struct names nm = { 0 };
	char path[PATH_MAX];
	__u64 id = 1;

	(void)state;
	assert_int_equal(cgnames_new(proc, cg, &cn), 0);
	assert_int_equal(cgnames_of_pid(cn, 100, &id, path, sizeof(path)), 0);
	assert_int_equal(id, ino_of("/a/b"));
	assert_string_equal(path, "/a/b");
	assert_int_equal(cgnames_of_pid(cn, 200, &id, path, sizeof(path)), 0);
	assert_int_equal(id, ino_of("/c"));
	assert_int_equal(cgnames_of_pid(cn, 300, &id, path, sizeof(path)), -ENOENT);
	assert_int_equal(id, 0);
	assert_int_equal(cgnames_of_pid(cn, 400, &id, path, sizeof(path)), -ENOENT);

	/* Seeds: each id named once, before the process; unknown ids 0, unnamed. */
	assert_int_equal(cgnames_seed(cn, 100, 9, &id, on_name, &nm), 0);
	assert_int_equal(id, ino_of("/a/b"));
	assert_int_equal(cgnames_seed(cn, 100, 9, &id, on_name, &nm), 0);
	assert_int_equal(cgnames_seed(cn, 300, 9, &id, on_name, &nm), 0);
	assert_int_equal(id, 0);
	assert_int_equal(nm.n, 1);
	assert_int_equal(nm.v[0].cgroup_id, ino_of("/a/b"));
	assert_string_equal(nm.v[0].path, "/a/b");
	assert_int_equal(nm.v[0].h.ts_ns, 9);
	/* The callback's error is returned. */
	nm.fail = -EIO;
	assert_int_equal(cgnames_seed(cn, 200, 9, &id, on_name, &nm), -EIO);
	cgnames_free(cn);
}

static void test_before_records(void **state)
{
	struct cgnames *cn;
	struct names nm = { 0 };
	struct ipcs_proc_rec p;
	struct ipcs_cgroup_rec c;

	(void)state;
	assert_int_equal(cgnames_new(proc, cg, &cn), 0);
	/* From the record's pid's /proc entry. */
	p = proc_rec(100, ino_of("/a/b"));
	assert_int_equal(cgnames_before(cn, &p, sizeof(p), on_name, &nm), 0);
	assert_int_equal(nm.n, 1);
	assert_string_equal(nm.v[0].path, "/a/b");
	assert_int_equal(nm.v[0].h.ts_ns, 55);
	/* Once. */
	assert_int_equal(cgnames_before(cn, &p, sizeof(p), on_name, &nm), 0);
	assert_int_equal(nm.n, 1);
	/* The pid is gone (or elsewhere): found by walking the tree. */
	memset(&c, 0, sizeof(c));
	c.h.type = IPCS_REC_CGROUP;
	c.h.size = sizeof(c);
	c.pid = 999;
	c.cgroup_id = ino_of("/d");
	assert_int_equal(cgnames_before(cn, &c, sizeof(c), on_name, &nm), 0);
	assert_int_equal(nm.n, 2);
	assert_int_equal(nm.v[1].cgroup_id, ino_of("/d"));
	assert_string_equal(nm.v[1].path, "/d");
	/* The mount itself is "/" (found in the same walk: no second one needed). */
	p = proc_rec(999, ino_of(""));
	assert_int_equal(cgnames_before(cn, &p, sizeof(p), on_name, &nm), 0);
	assert_int_equal(nm.n, 3);
	assert_string_equal(nm.v[2].path, "/");
	/* An id nowhere: not named, and not looked for again. */
	p = proc_rec(100, 0x7fffffffffffull);
	assert_int_equal(cgnames_before(cn, &p, sizeof(p), on_name, &nm), 0);
	assert_int_equal(nm.n, 3);
	/* Records without an id, of other types, or of 1.1 size: nothing. */
	p = proc_rec(100, 0);
	assert_int_equal(cgnames_before(cn, &p, sizeof(p), on_name, &nm), 0);
	p = proc_rec(100, ino_of("/c"));
	assert_int_equal(cgnames_before(cn, &p, IPCS_PROC_REC_SIZE_1_1, on_name, &nm), 0);
	p.h.type = IPCS_REC_SYS;
	assert_int_equal(cgnames_before(cn, &p, sizeof(p), on_name, &nm), 0);
	assert_int_equal(cgnames_before(NULL, &p, sizeof(p), on_name, &nm), 0);
	assert_int_equal(nm.n, 3);
	/* A new file: named again when met. */
	cgnames_forget(cn);
	p = proc_rec(100, ino_of("/a/b"));
	assert_int_equal(cgnames_before(cn, &p, sizeof(p), on_name, &nm), 0);
	assert_int_equal(nm.n, 4);
	assert_string_equal(nm.v[3].path, "/a/b");
	cgnames_free(cn);
}

/* No cgroup2 mounted (root ""): nothing is named, nothing fails. */
static void test_no_mount(void **state)
{
	struct cgnames *cn;
	struct names nm = { 0 };
	struct ipcs_proc_rec p = proc_rec(100, 12345);
	__u64 id = 3;

	(void)state;
	assert_int_equal(cgnames_new(proc, "", &cn), 0);
	assert_int_equal(cgnames_seed(cn, 100, 1, &id, on_name, &nm), 0);
	assert_int_equal(id, 0);
	assert_int_equal(cgnames_before(cn, &p, sizeof(p), on_name, &nm), 0);
	assert_int_equal(nm.n, 0);
	cgnames_free(cn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_of_pid_and_seed),
		cmocka_unit_test(test_before_records),
		cmocka_unit_test(test_no_mount),
	};

	return cmocka_run_group_tests(tests, tree_setup, tree_teardown);
}
