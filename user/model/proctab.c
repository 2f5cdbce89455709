/*
 * proctab.c - process instances. A pid names a process only together with
 * its start: every fork (or seed of a pid whose process exited) makes a new
 * instance with its own id, so pid reuse never merges two processes.
 * procs: id -> instance (live and recently exited); pids: pid -> current one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/model_int.h"

int proctab_init(struct model *m)
{
	int err;

	err = hashmap_init(&m->procs, sizeof(__u64));
	if (!err)
		err = hashmap_init(&m->pids, sizeof(__u32));
	if (err)
		return err;
	memset(&m->unobserved, 0, sizeof(m->unobserved));
	m->unobserved.refs = 1;	/* owned by the model, never freed */
	m->unobserved.exited = true;
	strcpy(m->unobserved.ref.comm, "?");
	return 0;
}

void proctab_fini(struct model *m)
{
	struct mproc *p;
	struct mage e;
	size_t it = 0;

	while (ageq_pop(&m->exited, &e))
		proc_unref(e.obj);
	ageq_fini(&m->exited);
	while (hashmap_next(&m->procs, &it, NULL, (void **)&p))
		proc_unref(p);
	hashmap_fini(&m->procs);
	hashmap_fini(&m->pids);
}

struct mproc *proc_ref(struct mproc *p)
{
	p->refs++;
	return p;
}

/* Fds were dropped before the last reference went (exit, or model_free). */
void proc_unref(struct mproc *p)
{
	if (p && --p->refs == 0) {
		free(p->cmdline);
		free(p);
	}
}

int proc_peer(struct model *m, const struct ipcs_peer_rec *r, struct mproc **out)
{
	struct mproc *p = proc_lookup(m, r->pid);
	int err;

	if (!p || p->exited) {
		err = proc_create(m, r->pid, r->start_ns, r->ppid, r->comm, &p);
		if (err)
			return err;
	}
	p->ref.untraced = true;
	if (r->cgroup_id)
		p->cgroup_id = r->cgroup_id;
	*out = p;
	return 0;
}

void proc_set_comm(struct mproc *p, const char *comm)
{
	if (!comm)
		return;
	memset(p->ref.comm, 0, sizeof(p->ref.comm));
	strncpy(p->ref.comm, comm, sizeof(p->ref.comm) - 1);
}

int proc_set_cmdline(struct mproc *p, const char *raw, size_t n, bool cut)
{
	char *s;

	/* The argv area ends in NULs (PostgreSQL pads its title with them). */
	while (n && !raw[n - 1])
		n--;
	if (!n) {
		free(p->cmdline);
		p->cmdline = NULL;
		p->cmdline_cut = false;
		return 0;
	}
	if (p->cmdline && strlen(p->cmdline) == n && !memcmp(p->cmdline, raw, n) &&
	    p->cmdline_cut == cut)
		return 0;
	s = malloc(n + 1);
	if (!s)
		return -ENOMEM;
	/* As ps shows it: the NULs between arguments as spaces. */
	for (size_t i = 0; i < n; i++)
		s[i] = raw[i] ? raw[i] : ' ';
	s[n] = '\0';
	free(p->cmdline);
	p->cmdline = s;
	p->cmdline_cut = cut;
	return 0;
}

struct mproc *proc_lookup(struct model *m, __u32 pid)
{
	return hashmap_get(&m->pids, &pid);
}

int proc_create(struct model *m, __u32 pid, __u64 start_ns, __u32 ppid,
		const char *comm, struct mproc **out)
{
	struct mproc *old = proc_lookup(m, pid), *p;
	int err;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->id = ++m->next_proc_id;
	p->refs = 1;	/* the procs table's */
	p->ref.pid = pid;
	p->ref.start_ns = start_ns;
	p->ppid = ppid;
	proc_set_comm(p, comm);
	err = hashmap_put(&m->procs, &p->id, p, NULL);
	if (!err) {
		err = hashmap_put(&m->pids, &pid, p, NULL);
		if (err)
			hashmap_del(&m->procs, &p->id);
	}
	if (err) {
		free(p);
		return err;
	}
	/* A live instance under this pid must have exited unseen: pid reuse. */
	if (old && !old->exited)
		proc_exit(m, old, 0);
	m->tot.procs_seen++;
	*out = p;
	return 0;
}

int proc_get(struct model *m, __u32 pid, const char *comm, struct mproc **out)
{
	struct mproc *p = proc_lookup(m, pid);

	if (p) {
		*out = p;
		return 0;
	}
	return proc_create(m, pid, 0, 0, comm, out);
}

/* Same process: start times agree, a seed's being cut to clock ticks (USER_HZ 100). */
static bool same_start(__u64 a, __u64 b)
{
	return !a || !b || (a > b ? a - b : b - a) < 10000000ull;
}

int proc_get_started(struct model *m, __u32 pid, __u64 start_ns, __u32 ppid,
		     const char *comm, struct mproc **out)
{
	struct mproc *p = proc_lookup(m, pid);

	if (!p || !same_start(p->ref.start_ns, start_ns))
		return proc_create(m, pid, start_ns, ppid, comm, out);
	if (!p->ref.start_ns || (start_ns && start_ns > p->ref.start_ns))
		p->ref.start_ns = start_ns;	/* the exact start, not the tick-cut seed */
	*out = p;
	return 0;
}

/* A title names the instance that started at start_ns; one for a pid the
 * model does not know (or an older instance) is dropped, never guessed. */
int proc_cmdline_apply(struct model *m, const struct ipcs_cmdline_rec *r)
{
	struct mproc *p = proc_lookup(m, r->pid);

	if (!p || p == &m->unobserved || !same_start(p->ref.start_ns, r->start_ns)) {
		m->ignored++;
		return 0;
	}
	return proc_set_cmdline(p, r->cmdline, r->len, r->flags & IPCS_CMDF_CUT);
}

const char *model_proc_cmdline(const struct model *m, __u32 pid)
{
	const struct mproc *p = m ? hashmap_get(&m->pids, &pid) : NULL;

	return p ? p->cmdline : NULL;
}

int proc_exit(struct model *m, struct mproc *p, __s32 exit_code)
{
	int err;

	if (p->exited || p == &m->unobserved)
		return 0;
	p->exited = true;
	p->exit_code = exit_code;
	fd_remove_all(m, p, false);
	err = ageq_push(&m->exited, proc_ref(p), 0, m->tot.events);
	if (err)
		proc_unref(p);	/* stays in the table: shown, not aged */
	return err;
}

/* Drop exited processes once they are old or too many; totals stay. */
void proc_age(struct model *m)
{
	struct mage e;

	while (ageq_pop_due(&m->exited, m->tot.events, m->lim.age_events, m->lim.max_exited_procs,
			    &e)) {
		struct mproc *p = e.obj;

		if (hashmap_get(&m->pids, &p->ref.pid) == p)
			hashmap_del(&m->pids, &p->ref.pid);
		if (hashmap_get(&m->procs, &p->id) == p) {
			hashmap_del(&m->procs, &p->id);
			p->refs--;	/* the table's; the queue's keeps p alive */
		}
		proc_unref(p);
	}
}
