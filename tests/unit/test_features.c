/* test_features.c - capability arithmetic and the probe on this machine. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/capability.h>
#include "collect/features.h"

#define BIT(c) (1ULL << (c))
#define CAPBPF 39
#define CAPPERFMON 38

static void test_caps_ok_and_missing(void **state)
{
	char m[48];

	(void)state;
	assert_true(features_caps_ok(BIT(CAPBPF) | BIT(CAPPERFMON), m, sizeof(m)));
	assert_string_equal(m, "");
	assert_true(features_caps_ok(BIT(CAP_SYS_ADMIN), m, sizeof(m)));
	assert_true(features_caps_ok(~0ULL, m, sizeof(m)));
	assert_false(features_caps_ok(0, m, sizeof(m)));
	assert_string_equal(m, "CAP_BPF+CAP_PERFMON");
	assert_false(features_caps_ok(BIT(CAPBPF), m, sizeof(m)));
	assert_string_equal(m, "CAP_PERFMON");
	assert_false(features_caps_ok(BIT(CAPPERFMON) | BIT(CAP_NET_ADMIN), m, sizeof(m)));
	assert_string_equal(m, "CAP_BPF");
}

static void test_blocker_names_cause_and_fix(void **state)
{
	struct ipcs_features f = { .btf = true, .privileged = true, .tp_sys_enter = true,
				   .tp_sys_exit = true };

	(void)state;
	assert_null(features_blocker(&f));
	f.privileged = false;
	strcpy(f.missing_caps, "CAP_BPF");
	assert_non_null(strstr(features_blocker(&f), "needs root or CAP_BPF+CAP_PERFMON"));
	assert_non_null(strstr(features_blocker(&f), "missing: CAP_BPF)"));
	f.privileged = true;
	f.btf = false;
	assert_non_null(strstr(features_blocker(&f), "no BTF at /sys/kernel/btf/vmlinux"));
	f.btf = true;
	f.tp_sys_exit = false;
	assert_non_null(features_blocker(&f));
}

/* What the probe says must agree with the machine it runs on. */
static void test_probe_matches_machine(void **state)
{
	struct ipcs_features f;
	bool btf = access(IPCS_VMLINUX_BTF, R_OK) == 0;

	(void)state;
	assert_int_equal(features_probe(&f), 0);
	assert_int_equal(f.btf, btf);
	if (geteuid() == 0 && f.privileged == false)
		assert_true(f.missing_caps[0] != '\0');	/* root without caps: say which */
	if (btf) {
		/* Every kernel ipcscope supports has these (5.8+ with BTF). */
		assert_true(f.tp_sys_enter && f.tp_sys_exit);
		assert_true(f.tp_fork && f.tp_exec && f.tp_exit);
		assert_true(f.tp_signal);	/* 2.6.x tracepoints */
	}
	if (getenv(IPCS_DISABLE_ENV))
		assert_true(f.disabled[0] != '\0');
}

/* IPCSCOPE_DISABLE: names switch features off; the notice lists exactly those. */
static void test_disable_and_notice(void **state)
{
	struct ipcs_features f = { .tp_fork = true, .tp_exec = true, .tp_exit = true,
				   .tp_signal = true, .find_vma = true, .tp_cgroup_attach = true,
				   .tp_uring = true };
	char line[512];

	(void)state;
	assert_false(features_notice(&f, line, sizeof(line)));
	assert_string_equal(line, "");
	assert_int_equal(features_disable(&f, "signal, find_vma"), 0);
	assert_false(f.tp_signal);
	assert_false(f.find_vma);
	assert_true(f.tp_fork && f.tp_exec && f.tp_exit);
	assert_string_equal(f.disabled, "signal,find_vma");
	assert_true(features_notice(&f, line, sizeof(line)));
	assert_string_equal(line, "without signal_generate/deliver: signals not seen; without "
			    "bpf_find_vma: shared futexes across processes, shm segment identities "
			    "not seen (IPCSCOPE_DISABLE=signal,find_vma)");
	assert_null(strchr(line, '\n'));
	assert_int_equal(features_disable(&f, "fork,frob"), -EINVAL);
	/* A kernel that lacks one (no IPCSCOPE_DISABLE): no "(IPCSCOPE_DISABLE=...)". */
	memset(&f, 0, sizeof(f));
	f.tp_fork = f.tp_exec = f.tp_signal = f.find_vma = f.tp_cgroup_attach = f.tp_uring = true;
	assert_true(features_notice(&f, line, sizeof(line)));
	assert_string_equal(line, "without sched_process_exit: process exits not seen");
	/* cgroup: a kernel without cgroup_attach_task still traces, moves are not seen. */
	f.tp_exit = true;
	assert_int_equal(features_disable(&f, "cgroup"), 0);
	assert_false(f.tp_cgroup_attach);
	assert_true(features_notice(&f, line, sizeof(line)));
	assert_string_equal(line, "without cgroup_attach_task: moves of processes to other cgroups "
			    "not seen (IPCSCOPE_DISABLE=cgroup)");
	/* iouring: io_uring requests are not seen, the rest is. */
	f.tp_cgroup_attach = true;
	f.disabled[0] = '\0';
	assert_int_equal(features_disable(&f, "iouring"), 0);
	assert_false(f.tp_uring);
	assert_true(f.tp_fork && f.tp_exec && f.tp_exit && f.tp_signal && f.tp_cgroup_attach);
	assert_true(features_notice(&f, line, sizeof(line)));
	assert_string_equal(line, "without io_uring_submit_req/complete: io_uring operations "
			    "not seen (IPCSCOPE_DISABLE=iouring)");
	f.tp_exit = false;
	/* A short buffer is cut, never overrun. */
	f.tp_fork = false;
	assert_true(features_notice(&f, line, 20));
	assert_int_equal(strlen(line), 19);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps_ok_and_missing),
		cmocka_unit_test(test_blocker_names_cause_and_fix),
		cmocka_unit_test(test_probe_matches_machine),
		cmocka_unit_test(test_disable_and_notice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
