/*
 * features.c - probe privileges, lockdown, the kernel's BTF and the optional
 * attach points and helpers once; IPCSCOPE_DISABLE switches features off
 * through the same path as a kernel that lacks them (for tests).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "collect/features.h"
#include "log.h"
#include "util/escape.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has_cap(__u64 eff, int cap)
{
	return eff & (1ULL << cap);
}

bool features_caps_ok(__u64 eff, char *missing, size_t len)
{
	/* CAP_SYS_ADMIN stands in for both (bpf_capable/perfmon_capable). */
	bool admin = has_cap(eff, CAP_SYS_ADMIN);
	bool bpf = admin || has_cap(eff, CAP_BPF);
	bool perfmon = admin || has_cap(eff, CAP_PERFMON);

	snprintf(missing, len, "%s%s%s", bpf ? "" : "CAP_BPF",
		 !bpf && !perfmon ? "+" : "", perfmon ? "" : "CAP_PERFMON");
	return bpf && perfmon;
}

static int effective_caps(__u64 *eff)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	*eff = (__u64)data[1].effective << 32 | data[0].effective;
	return 0;
}

/* The bracketed word of /sys/kernel/security/lockdown is the mode in force. */
static bool lockdown_confidentiality(void)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/security/lockdown", "r");

	if (!f)
		return false;	/* no securityfs or no lockdown LSM: not locked */
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strstr(buf, "[confidentiality]") != NULL;
}

static bool has_typedef(const struct btf *btf, const char *name)
{
	return btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) > 0;
}

/* btf_trace_<tp> is a typedef of a pointer to the probe's prototype, whose
 * first parameter is the tracepoint's private data (void *). */
static int tp_nargs(const struct btf *btf, const char *typedef_name)
{
	int id = btf__find_by_name_kind(btf, typedef_name, BTF_KIND_TYPEDEF);
	const struct btf_type *t;

	if (id <= 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_ptr(t))
		return -EINVAL;
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t))
		return -EINVAL;
	return btf_vlen(t) - 1;
}

static void probe_btf(struct ipcs_features *f)
{
	struct btf *btf;

	if (access(IPCS_VMLINUX_BTF, R_OK))
		return;
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		log_debug("cannot parse %s: %s", IPCS_VMLINUX_BTF, strerror(errno));
		return;
	}
	f->btf = true;
	f->tp_sys_enter = has_typedef(btf, "btf_trace_sys_enter");
	f->tp_sys_exit = has_typedef(btf, "btf_trace_sys_exit");
	f->tp_fork = has_typedef(btf, "btf_trace_sched_process_fork");
	f->tp_exec = has_typedef(btf, "btf_trace_sched_process_exec");
	f->tp_exit = has_typedef(btf, "btf_trace_sched_process_exit");
	f->exit_group_dead = tp_nargs(btf, "btf_trace_sched_process_exit") >= 2;
	f->tp_signal = has_typedef(btf, "btf_trace_signal_generate") &&
		       has_typedef(btf, "btf_trace_signal_deliver");
	f->tp_cgroup_attach = has_typedef(btf, "btf_trace_cgroup_attach_task");
	/* submit_req(req) since 6.3 (io_uring_submit_sqe before); complete(ctx,
	 * req, cqe) since 6.0: older prototypes are not attached. */
	f->tp_uring = tp_nargs(btf, "btf_trace_io_uring_submit_req") == 1 &&
		      tp_nargs(btf, "btf_trace_io_uring_complete") == 3 &&
		      has_typedef(btf, "btf_trace_io_uring_cqring_wait");
	btf__free(btf);
}

/* Optional features: what each one is and what is not seen without it. */
static const struct {
	const char *name;
	size_t off;		/* of its bool in struct ipcs_features */
	const char *what;
	const char *lost;
} optional[] = {
	{ "fork", offsetof(struct ipcs_features, tp_fork), "sched_process_fork",
	  "children of traced processes" },
	{ "exec", offsetof(struct ipcs_features, tp_exec), "sched_process_exec", "exec renames" },
	{ "exit", offsetof(struct ipcs_features, tp_exit), "sched_process_exit", "process exits" },
	{ "signal", offsetof(struct ipcs_features, tp_signal), "signal_generate/deliver",
	  "signals" },
	{ "find_vma", offsetof(struct ipcs_features, find_vma), "bpf_find_vma",
	  "shared futexes across processes, shm segment identities" },
	{ "cgroup", offsetof(struct ipcs_features, tp_cgroup_attach), "cgroup_attach_task",
	  "moves of processes to other cgroups" },
	{ "iouring", offsetof(struct ipcs_features, tp_uring), "io_uring_submit_req/complete",
	  "io_uring operations" },
};

#define NOPTIONAL (sizeof(optional) / sizeof(optional[0]))

static bool *feature_bit(struct ipcs_features *f, size_t i)
{
	return (bool *)((char *)f + optional[i].off);
}

int features_disable(struct ipcs_features *f, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;
	size_t i, used = strlen(f->disabled);
	int err = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ", ", &save); tok && !err; tok = strtok_r(NULL, ", ", &save)) {
		for (i = 0; i < NOPTIONAL && strcmp(tok, optional[i].name); i++)
			;
		if (i == NOPTIONAL) {
			char safe[64];

			esc_term(tok, strlen(tok), safe, sizeof(safe));
			log_error("%s: unknown feature '%s' (known: fork, exec, exit, signal, find_vma, cgroup, iouring)",
				  IPCS_DISABLE_ENV, safe);
			err = -EINVAL;
			break;
		}
		*feature_bit(f, i) = false;
		/* Table names only: all seven fit in disabled[]. */
		used += (size_t)snprintf(f->disabled + used, sizeof(f->disabled) - used, "%s%s",
					 used ? "," : "", optional[i].name);
	}
	free(copy);
	return err;
}

bool features_notice(const struct ipcs_features *f, char *buf, size_t len)
{
	size_t i, off = 0;
	bool any = false;

	buf[0] = '\0';
	for (i = 0; i < NOPTIONAL && off < len; i++) {
		if (*feature_bit((struct ipcs_features *)f, i))
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%swithout %s: %s not seen",
					any ? "; " : "", optional[i].what, optional[i].lost);
		any = true;
	}
	if (any && off < len && f->disabled[0])
		snprintf(buf + off, len - off, " (" IPCS_DISABLE_ENV "=%s)", f->disabled);
	return any;
}

int features_probe(struct ipcs_features *f)
{
	__u64 eff = 0;
	int err;

	memset(f, 0, sizeof(*f));
	err = effective_caps(&eff);
	if (err) {
		log_error("capget failed: %s", strerror(-err));
		return err;
	}
	f->privileged = features_caps_ok(eff, f->missing_caps, sizeof(f->missing_caps));
	f->lockdown = lockdown_confidentiality();
	probe_btf(f);
	/* Only where BPF can load: the probe loads a tiny program. */
	f->find_vma = f->privileged &&
		      libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_find_vma, NULL) > 0;
	if (getenv(IPCS_DISABLE_ENV) && getenv(IPCS_DISABLE_ENV)[0]) {
		err = features_disable(f, getenv(IPCS_DISABLE_ENV));
		if (err)
			return err;
	}
	log_debug("features: btf=%d privileged=%d lockdown=%d sys_enter=%d sys_exit=%d "
		  "fork=%d exec=%d exit=%d exit_group_dead=%d signal=%d find_vma=%d cgroup=%d "
		  "iouring=%d disabled=%s",
		  f->btf, f->privileged, f->lockdown, f->tp_sys_enter, f->tp_sys_exit, f->tp_fork,
		  f->tp_exec, f->tp_exit, f->exit_group_dead, f->tp_signal, f->find_vma,
		  f->tp_cgroup_attach, f->tp_uring, f->disabled[0] ? f->disabled : "-");
	return 0;
}

const char *features_blocker(const struct ipcs_features *f)
{
	static char msg[256];

	if (!f->privileged) {
		snprintf(msg, sizeof(msg), "needs root or CAP_BPF+CAP_PERFMON (missing: %s): "
			 "run as root, or grant them with setcap cap_bpf,cap_perfmon+ep",
			 f->missing_caps);
		return msg;
	}
	if (!f->btf)
		return "kernel has no BTF at " IPCS_VMLINUX_BTF
		       ": boot a kernel built with CONFIG_DEBUG_INFO_BTF=y";
	if (f->lockdown)
		return "kernel lockdown (confidentiality) forbids BPF reads of kernel memory: "
		       "boot with lockdown=integrity or none";
	if (!f->tp_sys_enter || !f->tp_sys_exit)
		return "kernel has no raw_syscalls sys_enter/sys_exit tracepoints in its BTF: "
		       "ipcscope needs a kernel built with syscall tracepoints";
	return NULL;
}
