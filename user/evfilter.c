/* evfilter.c - kind and time-window filters on decoded events (see evfilter.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "evfilter.h"
#include "util/vec.h"

#define KIND_BIT(k) (1u << (k))
#define ALL_BITS (((1u << IPCS_KIND_MAX) - 1) & ~KIND_BIT(IPCS_KIND_NONE))
#define UNIX_BITS (KIND_BIT(IPCS_KIND_UNIX_STREAM) | KIND_BIT(IPCS_KIND_UNIX_DGRAM) | \
		   KIND_BIT(IPCS_KIND_UNIX_SEQPACKET))

static int kind_bits(const char *w, size_t n, __u32 *bits)
{
	if (n == 4 && !strncmp(w, "unix", 4)) {
		*bits = UNIX_BITS;
		return 0;
	}
	for (__u16 k = IPCS_KIND_PIPE; k < IPCS_KIND_MAX; k++) {
		const char *name = ipcs_kind_name(k);

		if (strlen(name) == n && !strncmp(w, name, n)) {
			*bits = KIND_BIT(k);
			return 0;
		}
	}
	return -EINVAL;
}

int evfilter_parse_kinds(const char *list, __u32 *kinds, const char **bad)
{
	static char word[64];
	const char *p = list, *end;
	__u32 bits;

	__u32 in = 0, out = 0;

	*kinds = 0;
	do {
		bool minus = *p == '-';

		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		if (kind_bits(p + minus, (size_t)(end - p - minus), &bits)) {
			snprintf(word, sizeof(word), "%.*s", (int)(end - p), p);
			*bad = word;
			return -EINVAL;
		}
		if (minus)
			out |= bits;
		else
			in |= bits;
		p = end + 1;
	} while (*end);
	/* Only exclusions ("-signal"): every other kind. */
	if (!in)
		in = ALL_BITS;
	*kinds = in & ~out;
	if (!*kinds) {
		snprintf(word, sizeof(word), "%s", list);
		*bad = word;	/* nothing left to show */
		return -EINVAL;
	}
	return 0;
}

bool evfilter_setup(struct ev_filter *f, __u64 start_ns, double since_s, double until_s, __u32 kinds)
{
	f->kinds = kinds;
	f->procs = NULL;
	f->since_ns = since_s > 0 ? start_ns + (__u64)(since_s * 1e9 + 0.5) : 0;
	f->until_ns = until_s >= 0 ? start_ns + (__u64)(until_s * 1e9 + 0.5) : 0;
	return f->kinds || f->since_ns || f->until_ns;
}

/* The channel kind an event is about; NONE for bookkeeping with no channel. */
static __u16 event_kind(const struct ipcs_event *ev)
{
	switch (ev->type) {
	case IPCS_REC_SYS:
	case IPCS_REC_SYS_PATH:
	case IPCS_REC_SOCK:
		return ev->sys.chan.kind;
	case IPCS_REC_PAYLOAD:
		return ev->payload.chan.kind;
	case IPCS_REC_FUTEX:
		return IPCS_KIND_FUTEX;
	case IPCS_REC_SHM:
		return IPCS_KIND_SHM;
	case IPCS_REC_SIGNAL:
		return IPCS_KIND_SIGNAL;
	}
	return IPCS_KIND_NONE;
}

int evfilter_procs_init(struct ev_procs *pr, const pid_t *pids, size_t n,
			const char *const *comms, size_t ncomms)
{
	memset(pr, 0, sizeof(*pr));
	pr->comms = comms;
	pr->ncomms = ncomms;
	pr->cap = n > 16 ? n : 16;
	pr->pids = calloc(pr->cap, sizeof(*pr->pids));
	if (!pr->pids)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		pr->pids[pr->n++] = (__u32)pids[i];
	return 0;
}

void evfilter_procs_fini(struct ev_procs *pr)
{
	free(pr->pids);
	memset(pr, 0, sizeof(*pr));
}

static bool has_pid(const struct ev_procs *pr, __u32 pid)
{
	for (size_t i = 0; i < pr->n; i++)
		if (pr->pids[i] == pid)
			return true;
	return false;
}

/* A child of a kept process is kept from its fork (or its seed) on. */
static void follow_child(struct ev_procs *pr, __u32 parent, __u32 child)
{
	if (!pr->n || !has_pid(pr, parent) || has_pid(pr, child))
		return;
	if (vec_grow((void **)&pr->pids, &pr->cap, pr->n + 1, sizeof(*pr->pids), 16)) {
		pr->err = -ENOMEM;
		return;
	}
	pr->pids[pr->n++] = child;
}

static bool proc_is(const struct ev_procs *pr, __u32 pid, const char *comm)
{
	if (has_pid(pr, pid))
		return true;
	for (size_t i = 0; comm && i < pr->ncomms; i++)
		if (!strncmp(comm, pr->comms[i], IPCS_COMM_LEN - 1))
			return true;
	return false;
}

/* Is the event by (or, a signal, to) a kept process? */
static bool procs_match(const struct ev_procs *pr, const struct ipcs_event *ev)
{
	switch (ev->type) {
	case IPCS_REC_SYS:
	case IPCS_REC_SYS_PATH:
	case IPCS_REC_SOCK:
		return proc_is(pr, ev->sys.pid, ev->sys.comm);
	case IPCS_REC_PAYLOAD:
		return proc_is(pr, ev->payload.pid, NULL);
	case IPCS_REC_FUTEX:
		return proc_is(pr, ev->futex.pid, ev->futex.comm);
	case IPCS_REC_SHM:
		return proc_is(pr, ev->shm.pid, ev->shm.comm);
	case IPCS_REC_FDPASS:
		return proc_is(pr, ev->fdpass.pid, ev->fdpass.comm);
	case IPCS_REC_WAIT:
		return proc_is(pr, ev->wait.pid, ev->wait.comm);
	case IPCS_REC_SIGNAL:
		return proc_is(pr, ev->sig.pid, ev->sig.comm) || proc_is(pr, ev->sig.rpid, ev->sig.rcomm);
	}
	return true;
}

bool evfilter_match(const struct ev_filter *f, const struct ipcs_event *ev)
{
	__u16 kind;

	if (f->procs && ev->type == IPCS_REC_PROC && ev->proc.op == IPCS_PROC_FORK)
		follow_child(f->procs, ev->proc.ppid, ev->proc.pid);
	if (f->procs && ev->type == IPCS_REC_SEED_PROC)
		follow_child(f->procs, ev->seed_proc.ppid, ev->seed_proc.pid);
	switch (ev->type) {
	case IPCS_REC_PROC:
	case IPCS_REC_SEED_PROC:
	case IPCS_REC_DROPS:
	case IPCS_REC_CGROUP:		/* process state, as fork and exec */
	case IPCS_REC_CGROUP_NAME:
	case IPCS_REC_CMDLINE:		/* titles and segment names: state, kept whatever the filter */
	case IPCS_REC_SHM_NAME:
		return true;
	case IPCS_REC_SEED_FD:
		return !f->kinds || (f->kinds & KIND_BIT(ev->seed_fd.chan.kind));
	}
	if ((f->since_ns && ev->h.ts_ns < f->since_ns) || (f->until_ns && ev->h.ts_ns > f->until_ns))
		return false;
	if (f->procs && !procs_match(f->procs, ev))
		return false;
	if (ev->type == IPCS_REC_FDPASS)	/* fds go over unix sockets only */
		return !f->kinds || (f->kinds & UNIX_BITS);
	kind = event_kind(ev);
	return !f->kinds || kind == IPCS_KIND_NONE || (f->kinds & KIND_BIT(kind));
}
