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
};

/* Fill f from this process's capabilities and the kernel's BTF. Missing
 * features are reported in f, not as errors. Returns 0 or -errno. */
int features_probe(struct ipcs_features *f);

/* NULL when live tracing can work, else why not and what to do. */
const char *features_blocker(const struct ipcs_features *f);

/* Name the capabilities that tracing needs but the effective set `eff`
 * (bit n = capability n) lacks, joined by '+', "" when none; returns
 * true when nothing is missing. */
bool features_caps_ok(__u64 eff, char *missing, size_t len);

#endif
