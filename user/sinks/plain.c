/* plain.c - format events as single lines; every foreign string escaped. */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include "sinks/plain.h"
#include "util/escape.h"
#include "util/names.h"
#include "util/units.h"

/* Append to buf at *off, never past n. */
static void put(char *buf, size_t n, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t n, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*off >= n)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *off, n - *off, fmt, ap);
	va_end(ap);
	if (w > 0)
		*off = *off + (size_t)w < n ? *off + (size_t)w : n - 1;
}

static void put_esc(char *buf, size_t n, size_t *off, const char *s, size_t max)
{
	char tmp[IPCS_PATH_MAX * 4 + 1];

	esc_term(s, max, tmp, sizeof(tmp));
	put(buf, n, off, "%s", tmp);
}

/* A failed call's return as strace prints it: "= -1 EPIPE (Broken pipe)"; a
 * recording may hold any number, so only the kernel's errno range
 * (MAX_ERRNO 4095) is named. */
static void put_errno(char *buf, size_t n, size_t *off, __s64 ret)
{
	const char *name = ret >= -4095 ? names_errno((int)-ret) : NULL;

	if (name)
		put(buf, n, off, " = -1 %s (%s)", name, names_errno_text((int)-ret));
	else if (ret >= -4095)
		put(buf, n, off, " = -1 E%" PRId64 " (Unknown error %" PRId64 ")", (int64_t)-ret,
		    (int64_t)-ret);
	else
		put(buf, n, off, " = %" PRId64, (int64_t)ret);
}

static void put_chan(const struct plain_printer *pp, char *buf, size_t n, size_t *off,
		     const struct ipcs_chan *c, const char *path)
{
	char name[MODEL_NAME_MAX] = "";

	if (path && *path) {
		put_esc(buf, n, off, path, IPCS_PATH_MAX);
		return;
	}
	if (pp->model && model_chan_name(pp->model, c->dev, c->ino, name, sizeof(name)) == 0) {
		put_esc(buf, n, off, name, sizeof(name));
		return;
	}
	put(buf, n, off, "%s:[%" PRIu64 "]", ipcs_kind_name(c->kind), (uint64_t)c->ino);
}

static void put_time_who(const struct plain_printer *pp, char *buf, size_t n, size_t *off,
			 __u64 ts, __u32 pid, const char *comm)
{
	__u64 rel = ts >= pp->start_ns ? ts - pp->start_ns : 0;

	put(buf, n, off, "%4" PRIu64 ".%06" PRIu64 " %7u/", (uint64_t)(rel / 1000000000ull),
	    (uint64_t)((rel % 1000000000ull) / 1000), pid);
	put_esc(buf, n, off, comm, IPCS_COMM_LEN);
	put(buf, n, off, " ");
}

static void format_sys(const struct plain_printer *pp, const struct ipcs_event *ev,
		       char *buf, size_t n, size_t *off)
{
	const struct ipcs_sys_rec *s = &ev->sys;

	put_time_who(pp, buf, n, off, s->h.ts_ns, s->pid, s->comm);
	put(buf, n, off, "%-7s ", ipcs_sys_name(s->sys));
	switch (s->sys) {
	case IPCS_SYS_PIPE:
	case IPCS_SYS_PIPE2:
		put(buf, n, off, "fd %d,%d ", s->fd, s->fd2);
		break;
	case IPCS_SYS_DUP:
	case IPCS_SYS_DUP2:
	case IPCS_SYS_DUP3:
	case IPCS_SYS_FCNTL:
		put(buf, n, off, "fd %d->%d ", s->fd, s->fd2);
		break;
	case IPCS_SYS_CLOSE_RANGE:
		put(buf, n, off, "fd %d..%d", s->fd, s->fd2);
		return;
		break;
	case IPCS_SYS_MKNOD:
	case IPCS_SYS_MKNODAT:
		break;
	default:
		put(buf, n, off, "fd %d ", s->fd);
	}
	put_chan(pp, buf, n, off, &s->chan, ev->path);
	if (s->ret < 0)
		put_errno(buf, n, off, s->ret);
	else if (s->sys == IPCS_SYS_READ || s->sys == IPCS_SYS_WRITE ||
		 s->sys == IPCS_SYS_READV || s->sys == IPCS_SYS_WRITEV ||
		 (s->sys >= IPCS_SYS_SENDTO && s->sys <= IPCS_SYS_RECVMSG) ||
		 s->sys == IPCS_SYS_MQ_TIMEDRECEIVE)
		put(buf, n, off, " %" PRId64 " bytes", (int64_t)s->ret);
	else if (s->sys == IPCS_SYS_MQ_TIMEDSEND)
		put(buf, n, off, " %" PRIu64 " bytes", (uint64_t)s->arg);
	else if (s->sys >= IPCS_SYS_SPLICE && s->sys <= IPCS_SYS_SENDFILE)
		put(buf, n, off, " %" PRId64 " bytes %s", (int64_t)s->ret,
		    s->flags & IPCS_SYSF_OUT ? "in" : "out");
	if (s->blocked_ns >= 1000000)
		put(buf, n, off, " (blocked %.3f ms)", (double)s->blocked_ns / 1e6);
	if (s->flags & IPCS_SYSF_URING)	/* no syscall: a request the ring completed */
		put(buf, n, off, " [io_uring]");
}

/* "signal  SIGUSR1 -> 123/comm (delivered)" from the sender;
 * "sigdeliver SIGUSR1 from 456 (handler)" in the receiver. */
static void format_signal(const struct plain_printer *pp, const struct ipcs_signal_rec *s,
			  char *buf, size_t n, size_t *off)
{
	char name[32];

	names_signal(s->sig, name, sizeof(name));
	if (s->op == IPCS_SIG_GENERATE) {
		put_time_who(pp, buf, n, off, s->h.ts_ns, s->pid, s->comm);
		put(buf, n, off, "signal  %s -> %u/", name, s->rpid);
		put_esc(buf, n, off, s->rcomm, IPCS_COMM_LEN);
		put(buf, n, off, " (%s)", names_sig_result(s->result));
		return;
	}
	put_time_who(pp, buf, n, off, s->h.ts_ns, s->rpid, s->rcomm);
	put(buf, n, off, "sigdeliver %s from %u (%s)", name, s->pid, names_sig_disp(s->disp));
}

static void format_futex(const struct plain_printer *pp, const struct ipcs_futex_rec *r,
			 char *buf, size_t n, size_t *off)
{
	put_time_who(pp, buf, n, off, r->h.ts_ns, r->pid, r->comm);
	char op[96];

	/* strace's names; val is the expected word (waits) or a count (wakes):
	 * signed, so a word of all ones reads -1 */
	if (r->sys == IPCS_SYS_FUTEX)
		put(buf, n, off, "%-7s %s val %d ", ipcs_sys_name(r->sys),
		    names_futex_op(r->op, op, sizeof(op)), (int)r->val);
	else
		put(buf, n, off, "%-7s val %d ", ipcs_sys_name(r->sys), (int)r->val);
	if (r->key_flags & IPCS_FKEY_SHARED)
		put(buf, n, off, "futex:[%" PRIu64 "]+%" PRIu64, (uint64_t)r->key_ino,
		    (uint64_t)r->key_off);
	else
		put(buf, n, off, "futex:%u@0x%" PRIx64, r->pid, (uint64_t)r->uaddr);
	if (r->key_flags & IPCS_FKEY_WORD)
		put(buf, n, off, " word 0x%x", r->word);
	if (r->ret < 0)
		put_errno(buf, n, off, r->ret);
	else
		put(buf, n, off, " = %" PRId64, (int64_t)r->ret);
	if (r->blocked_ns >= 1000000)
		put(buf, n, off, " (blocked %.3f ms)", (double)r->blocked_ns / 1e6);
	if (r->flags & IPCS_SYSF_URING)
		put(buf, n, off, " [io_uring]");
}

static void format_shm(const struct plain_printer *pp, const struct ipcs_shm_rec *r,
		       char *buf, size_t n, size_t *off)
{
	put_time_who(pp, buf, n, off, r->h.ts_ns, r->pid, r->comm);
	put(buf, n, off, "%-7s id %d addr 0x%" PRIx64 " len %" PRIu64, ipcs_sys_name(r->sys), r->id,
	    (uint64_t)r->addr, (uint64_t)r->len);
	if (r->ino)
		put(buf, n, off, " shm:[%" PRIu64 "]", (uint64_t)r->ino);
	if (r->ret < 0)
		put_errno(buf, n, off, r->ret);
}

/* "sendmsg fds 5=pipe 6=memfd:NAME creds pid/uid/gid" */
static void format_fdpass(const struct plain_printer *pp, const struct ipcs_fdpass_rec *r,
			  char *buf, size_t n, size_t *off)
{
	put_time_who(pp, buf, n, off, r->h.ts_ns, r->pid, r->comm);
	put(buf, n, off, "%-7s fd %d", ipcs_sys_name(r->sys), r->sock_fd);
	if (r->nfds)
		put(buf, n, off, " passes");
	for (unsigned i = 0; i < r->nfds && i < IPCS_FDPASS_MAX; i++) {
		const struct ipcs_fdpass_fd *f = &r->fds[i];

		put(buf, n, off, " %d=", f->fd);
		/* A memfd's name says what it is ("memfd:NAME"). */
		if (f->what != IPCS_FDW_MEMFD || !f->name[0])
			put(buf, n, off, "%s%s", f->what == IPCS_FDW_CHAN ? ipcs_kind_name(f->kind) :
						 ipcs_fd_what_name(f->what), f->name[0] ? ":" : "");
		put_esc(buf, n, off, f->name, sizeof(f->name));
	}
	if (r->flags & IPCS_FDPF_MORE)
		put(buf, n, off, " ...");
	if (r->flags & IPCS_FDPF_CREDS)
		put(buf, n, off, " creds pid %u uid %u gid %u", r->cred_pid, r->cred_uid, r->cred_gid);
}

/* "wait    read fd 3 on pipe pipe:[77] for 2.1 s, held by 401/402 (pipe write end held by) DEADLOCK 1" */
static void format_wait(const struct plain_printer *pp, const struct ipcs_wait_rec *r,
			char *buf, size_t n, size_t *off)
{
	char dur[16];

	put_time_who(pp, buf, n, off, r->h.ts_ns, r->pid, r->comm);
	put(buf, n, off, "wait    %s", ipcs_sys_name(r->sys));
	if (r->fd >= 0)
		put(buf, n, off, " fd %d", r->fd);
	put(buf, n, off, " on ");
	put_esc(buf, n, off, r->kind, sizeof(r->kind));
	put(buf, n, off, " ");
	put_esc(buf, n, off, r->object, sizeof(r->object));
	put(buf, n, off, " for %s", units_dur(dur, sizeof(dur), r->h.ts_ns > r->enter_ns ?
							    r->h.ts_ns - r->enter_ns : 0));
	if (r->holder_pid) {
		put(buf, n, off, ", held by %u/%u (", r->holder_pid, r->holder_tid);
		put_esc(buf, n, off, r->evidence, sizeof(r->evidence));
		put(buf, n, off, ")");
	}
	if (r->flags & IPCS_WAITF_CYCLE)
		put(buf, n, off, " DEADLOCK %u", r->group);
	else if (r->flags & IPCS_WAITF_STALL)
		put(buf, n, off, r->group ? " stall %u" : " stall", r->group);
}

size_t plain_format(const struct plain_printer *pp, const struct ipcs_event *ev,
		    char *buf, size_t n)
{
	size_t off = 0;

	if (!n)
		return 0;
	buf[0] = '\0';
	switch (ev->type) {
	case IPCS_REC_SYS:
	case IPCS_REC_SYS_PATH:
	case IPCS_REC_SOCK:	/* its head is a syscall record */
		format_sys(pp, ev, buf, n, &off);
		break;
	case IPCS_REC_PROC:
		put_time_who(pp, buf, n, &off, ev->h.ts_ns, ev->proc.pid, ev->proc.comm);
		if (ev->proc.op == IPCS_PROC_FORK)
			put(buf, n, &off, "fork    from %u", ev->proc.ppid);
		else if (ev->proc.op == IPCS_PROC_EXEC)
			put(buf, n, &off, "exec");
		else
			put(buf, n, &off, "exit    status %d", ev->proc.exit_code);
		break;
	case IPCS_REC_SEED_PROC:
		put_time_who(pp, buf, n, &off, ev->h.ts_ns, ev->seed_proc.pid, ev->seed_proc.comm);
		put(buf, n, &off, "running (parent %u)", ev->seed_proc.ppid);
		break;
	case IPCS_REC_PEER:
		put_time_who(pp, buf, n, &off, ev->h.ts_ns, ev->peer.pid, ev->peer.comm);
		put(buf, n, &off, "peer    fd %d (not traced) ", ev->peer.fd);
		put_chan(pp, buf, n, &off, &ev->peer.chan, "");
		break;
	case IPCS_REC_SEED_FD:
		put_time_who(pp, buf, n, &off, ev->h.ts_ns, ev->seed_fd.pid, "");
		put(buf, n, &off, "has-fd  fd %d ", ev->seed_fd.fd);
		put_chan(pp, buf, n, &off, &ev->seed_fd.chan, ev->path);
		break;
	case IPCS_REC_SIGNAL:
		format_signal(pp, &ev->sig, buf, n, &off);
		break;
	case IPCS_REC_FUTEX:
		format_futex(pp, &ev->futex, buf, n, &off);
		break;
	case IPCS_REC_SHM:
		format_shm(pp, &ev->shm, buf, n, &off);
		break;
	case IPCS_REC_FDPASS:
		format_fdpass(pp, &ev->fdpass, buf, n, &off);
		break;
	case IPCS_REC_WAIT:
		format_wait(pp, &ev->wait, buf, n, &off);
		break;
	case IPCS_REC_PAYLOAD: {
		char data[IPCS_PAYLOAD_MAX * 4 + 1];

		put_time_who(pp, buf, n, &off, ev->h.ts_ns, ev->payload.pid, "");
		esc_bytes(ev->payload.data, ev->payload.cap_len, data, sizeof(data));
		put(buf, n, &off, "bytes   %u of %u %s \"%s\"", ev->payload.cap_len, ev->payload.len,
		    ev->payload.flags & IPCS_PAYF_OUT ? "out" : "in", data);
		break;
	}
	case IPCS_REC_CGROUP: {
		const char *path = pp->model ? model_cgroup_path(pp->model, ev->cgroup.cgroup_id) : NULL;
		char esc[IPCS_PATH_MAX * 4 + 1];

		put_time_who(pp, buf, n, &off, ev->h.ts_ns, ev->cgroup.pid, ev->cgroup.comm);
		if (path)
			esc_term(path, IPCS_PATH_MAX, esc, sizeof(esc));
		else
			snprintf(esc, sizeof(esc), "id %" PRIu64, (uint64_t)ev->cgroup.cgroup_id);
		put(buf, n, &off, "cgroup  moved to %s", esc);
		break;
	}
	case IPCS_REC_CGROUP_NAME: {
		char esc[IPCS_PATH_MAX * 4 + 1];

		esc_term(ev->path, IPCS_PATH_MAX, esc, sizeof(esc));
		put_time_who(pp, buf, n, &off, ev->h.ts_ns, 0, "ipcscope");
		put(buf, n, &off, "cgroup  id %" PRIu64 " is %s", (uint64_t)ev->cgroup_name.cgroup_id, esc);
		break;
	}
	case IPCS_REC_CMDLINE: {
		char raw[IPCS_CMDLINE_MAX + 1], esc[IPCS_CMDLINE_MAX * 4 + 1];
		size_t len = ev->cmdline.len;

		/* as ps shows it: NULs between arguments as spaces, the padding dropped */
		while (len && !ev->cmdline.cmdline[len - 1])
			len--;
		for (size_t i = 0; i < len; i++)
			raw[i] = ev->cmdline.cmdline[i] ? ev->cmdline.cmdline[i] : ' ';
		raw[len] = '\0';
		esc_term(raw, sizeof(raw), esc, sizeof(esc));
		put_time_who(pp, buf, n, &off, ev->h.ts_ns, ev->cmdline.pid, "");
		put(buf, n, &off, "title   %s%s", esc, ev->cmdline.flags & IPCS_CMDF_CUT ? " ..." : "");
		break;
	}
	case IPCS_REC_SHM_NAME: {
		char esc[IPCS_PATH_MAX * 4 + 1];

		esc_term(ev->path, IPCS_PATH_MAX, esc, sizeof(esc));
		put_time_who(pp, buf, n, &off, ev->h.ts_ns, 0, "ipcscope");
		put(buf, n, &off, "shm     shm:[%" PRIu64 "] is %s", (uint64_t)ev->shm_name.ino, esc);
		break;
	}
	case IPCS_REC_DROPS: {
		__u64 total = 0;

		total = ipcs_drops_lost(ev->drops.drops);
		put_time_who(pp, buf, n, &off, ev->h.ts_ns, 0, "ipcscope");
		put(buf, n, &off, "drops   %" PRIu64 " events lost so far", (uint64_t)total);
		for (unsigned i = 0; i < IPCS_DROP_REASON_MAX; i++)
			put(buf, n, &off, " %s=%" PRIu64, ipcs_drop_name(i), (uint64_t)ev->drops.drops[i]);
		break;
	}
	}
	return off;
}

static int plain_on_event(void *ctx, const struct ipcs_event *ev, const void *raw, size_t len)
{
	struct plain_printer *pp = ctx;
	char line[2048];

	(void)raw;
	(void)len;
	plain_format(pp, ev, line, sizeof(line));
	fputs(line, pp->out);
	fputc('\n', pp->out);
	return 0;
}

struct sink plain_sink(struct plain_printer *pp)
{
	return (struct sink){ .on_event = plain_on_event, .ctx = pp };
}
