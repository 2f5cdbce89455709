/* features.c - probe privileges, lockdown and the kernel's BTF once. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/btf.h>
#include "collect/features.h"
#include "log.h"

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
	btf__free(btf);
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
	log_debug("features: btf=%d privileged=%d lockdown=%d sys_enter=%d sys_exit=%d "
		  "fork=%d exec=%d exit=%d exit_group_dead=%d", f->btf, f->privileged,
		  f->lockdown, f->tp_sys_enter, f->tp_sys_exit, f->tp_fork, f->tp_exec,
		  f->tp_exit, f->exit_group_dead);
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
