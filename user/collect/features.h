/* features.h - what this kernel and this process allow, probed once at start. */
#ifndef IPCS_FEATURES_H
#define IPCS_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define IPCS_VMLINUX_BTF "/sys/kernel/btf/vmlinux"

struct ipcs_features {
	bool btf;			/* IPCS_VMLINUX_BTF exists and parses */
	bool privileged;		/* effective caps allow tracing BPF */
	char missing_caps[48];		/* "CAP_BPF+CAP_PERFMON", ... when !privileged */
	bool lockdown;			/* lockdown=confidentiality: no kernel reads */
	bool tp_sys_enter;		/* tp_btf targets, from the kernel's BTF */
	bool tp_sys_exit;
	bool tp_fork;
	bool tp_exec;
	bool tp_exit;
	bool exit_group_dead;		/* sched_process_exit passes group_dead */
	bool tp_signal;			/* signal_generate and signal_deliver */
	bool find_vma;			/* bpf_find_vma helper (5.17+) */
	bool tp_cgroup_attach;		/* cgroup_attach_task: processes moved between cgroups */
	bool tp_uring;			/* io_uring_submit_req + io_uring_complete(ctx, req, cqe) */
	char disabled[128];		/* names switched off by IPCSCOPE_DISABLE, "" when none */
};

/* The environment variable that forces features off, as if the kernel lacked them. */
#define IPCS_DISABLE_ENV "IPCSCOPE_DISABLE"

/* Fill f from this process's capabilities and the kernel's BTF. Missing
 * features are reported in f, not as errors. Returns 0 or -errno. */
int features_probe(struct ipcs_features *f);

/*
 * Switch off the features named in list ("signal,find_vma", from
 * IPCSCOPE_DISABLE): they then take the path of a feature the kernel lacks.
 * Names: fork, exec, exit, signal, find_vma, cgroup, iouring. -EINVAL (logged, with the
 * valid names) for an unknown one.
 */
int features_disable(struct ipcs_features *f, const char *list);

/*
 * One line saying what this kernel (or IPCSCOPE_DISABLE) leaves out and
 * which channels are then not seen, into buf; false when nothing is missing.
 */
bool features_notice(const struct ipcs_features *f, char *buf, size_t len);

/* NULL when live tracing can work, else why not and what to do. */
const char *features_blocker(const struct ipcs_features *f);

/* Name the capabilities that tracing needs but the effective set `eff`
 * (bit n = capability n) lacks, joined by '+', "" when none; returns
 * true when nothing is missing. */
bool features_caps_ok(__u64 eff, char *missing, size_t len);

#endif
