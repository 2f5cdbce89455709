/*
 * jsonl.c - one JSON object per event and per line after a header line
 * (docs/jsonl.md), for jq and log shippers. Self-contained: it needs no
 * model, so `record --jsonl -` streams the same lines live.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include "export/exporter.h"
#include "util/escape.h"
#include "util/hashmap.h"
#include "util/json.h"
#include "util/names.h"

/* The header line's "version" (docs/jsonl.md): 2 = identifiers as strings,
 * a header line, wait and fdpass objects, decoded names. */
#define JSONL_VERSION 2

struct jsonl {
	FILE *f;
	__u64 start_ns;
	struct hashmap cgroups;	/* cgroup id -> path (malloc), from cgroup_name events */
};

static const char *const proc_ops[] = { "?", "fork", "exec", "exit" };
static const char *const sig_ops[] = { "?", "generate", "deliver" };

static void rel_time(struct json_writer *w, const struct jsonl *j, __u64 ts)
{
	json_ku64(w, "ts_ns", ts);
	json_ki64(w, "rel_ns", (__s64)(ts - j->start_ns));
}

static const char *fmode_name(__u16 m)
{
	switch (m & (IPCS_FMODE_READ | IPCS_FMODE_WRITE)) {
	case IPCS_FMODE_READ: return "r";
	case IPCS_FMODE_WRITE: return "w";
	case IPCS_FMODE_READ | IPCS_FMODE_WRITE: return "rw";
	}
	return "-";
}

/* "ret" as the call returned it; a failure also by name ("errno": "EAGAIN"). */
static void ret_fields(struct json_writer *w, __s64 ret)
{
	const char *name = ret < 0 && ret >= -4095 ? names_errno((int)-ret) : NULL;

	json_ki64(w, "ret", ret);
	if (name)
		json_kstr(w, "errno", name);
}

static void chan_fields(struct json_writer *w, const struct ipcs_chan *c)
{
	json_kstr(w, "kind", ipcs_kind_name(c->kind));
	json_kid(w, "dev", c->dev);
	json_kid(w, "ino", c->ino);
	json_ku64(w, "fmode", c->fmode);
	json_kstr(w, "mode", fmode_name(c->fmode));
}

static void sys_fields(struct json_writer *w, const struct ipcs_sys_rec *s)
{
	json_ku64(w, "pid", s->pid);
	json_ku64(w, "tid", s->tid);
	json_kstr(w, "comm", s->comm);
	json_kstr(w, "sys", ipcs_sys_name(s->sys));
	json_ki64(w, "fd", s->fd);
	json_ki64(w, "fd2", s->fd2);
	ret_fields(w, s->ret);
	json_ku64(w, "arg", s->arg);
	json_ku64(w, "flags", s->flags);
	json_ku64(w, "blocked_ns", s->blocked_ns);
	if (s->flags & IPCS_SYSF_URING)	/* only then: older consumers see no new key */
		json_kstr(w, "via", "io_uring");
	chan_fields(w, &s->chan);
}

/* "127.0.0.1:80" or "[::1]:80" from the record's endpoint layout (ipcscope_abi.h). */
static void inet_end(const struct ipcs_sock_rec *r, int i, char *buf, size_t n)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	__u16 port;

	memcpy(&port, r->addr + 32 + 2 * i, 2);
	if (i)
		port = ntohs(port);
	if (r->family == AF_INET6) {
		inet_ntop(AF_INET6, r->addr + 16 * i, ip, sizeof(ip));
		snprintf(buf, n, "[%s]:%u", ip, port);
	} else {
		inet_ntop(AF_INET, r->addr + 16 * i, ip, sizeof(ip));
		snprintf(buf, n, "%s:%u", ip, port);
	}
}

static void sock_fields(struct json_writer *w, const struct ipcs_sock_rec *r)
{
	char a[IPCS_PATH_MAX], b[64];
	size_t i, n = r->addr_len < sizeof(r->addr) ? r->addr_len : sizeof(r->addr);

	json_kid(w, "peer", r->peer);
	json_kid(w, "sock_ino", r->sock_ino);
	json_kid(w, "peer_ino", r->peer_ino);
	if (r->s.peer_pid)	/* a unix socket's first record: its peer's process */
		json_ku64(w, "peer_pid", r->s.peer_pid);
	json_ku64(w, "family", r->family);
	json_ku64(w, "socktype", r->type);
	if ((r->flags & IPCS_SOCKF_INET) && r->addr_len == 36) {
		inet_end(r, 0, a, sizeof(a));
		inet_end(r, 1, b, sizeof(b));
		json_kstr(w, "local", a);
		json_kstr(w, "remote", b);
		return;
	}
	if (!n)
		return;
	/* A unix name; abstract ones start with NUL, shown as '@' as ss does. */
	if (r->addr[0]) {
		snprintf(a, sizeof(a), "%.*s", (int)strnlen(r->addr, n), r->addr);
	} else {
		for (i = 0; i < n; i++)
			a[i] = r->addr[i] ? r->addr[i] : '@';
		a[i] = '\0';
	}
	json_kstr(w, r->flags & IPCS_SOCKF_DEST ? "dest" :
		     r->flags & IPCS_SOCKF_PEER_ADDR ? "peer_addr" : "addr", a);
}

static void drops_fields(struct json_writer *w, const struct ipcs_drops_rec *d)
{
	json_key(w, "drops");
	json_obj_begin(w);
	for (unsigned i = 0; i < IPCS_DROP_SLOTS; i++)
		if (i < IPCS_DROP_REASON_MAX || d->drops[i])
			json_ku64(w, ipcs_drop_name(i), d->drops[i]);
	json_obj_end(w);
}

static void futex_fields(struct json_writer *w, const struct ipcs_futex_rec *r)
{
	char op[96];

	json_ku64(w, "pid", r->pid);
	json_ku64(w, "tid", r->tid);
	json_kstr(w, "comm", r->comm);
	json_kstr(w, "sys", ipcs_sys_name(r->sys));
	json_ku64(w, "op", r->op);
	if (r->sys == IPCS_SYS_FUTEX)
		json_kstr(w, "op_name", names_futex_op(r->op, op, sizeof(op)));
	ret_fields(w, r->ret);
	json_ku64(w, "blocked_ns", r->blocked_ns);
	json_kid(w, "uaddr", r->uaddr);
	json_ku64(w, "val", r->val);
	json_kbool(w, "word_read", r->key_flags & IPCS_FKEY_WORD);
	json_ku64(w, "word", r->word);
	json_ku64(w, "owner_hint", r->owner_hint);
	json_kbool(w, "shared", r->key_flags & IPCS_FKEY_SHARED);
	json_kid(w, "key_dev", r->key_dev);
	json_kid(w, "key_ino", r->key_ino);
	json_kid(w, "key_off", r->key_off);
	if (r->flags & IPCS_SYSF_URING)
		json_kstr(w, "via", "io_uring");
}

static void shm_fields(struct json_writer *w, const struct ipcs_shm_rec *r)
{
	json_ku64(w, "pid", r->pid);
	json_ku64(w, "tid", r->tid);
	json_kstr(w, "comm", r->comm);
	json_kstr(w, "sys", ipcs_sys_name(r->sys));
	json_ki64(w, "id", r->id);
	ret_fields(w, r->ret);
	json_kid(w, "addr", r->addr);
	json_ku64(w, "len", r->len);
	json_ku64(w, "pgoff", r->pgoff);
	json_kid(w, "key", r->key);
	json_kid(w, "dev", r->dev);
	json_kid(w, "ino", r->ino);
}

static void signal_fields(struct json_writer *w, const struct ipcs_signal_rec *r)
{
	char name[32];

	json_kstr(w, "op", r->op <= IPCS_SIG_DELIVER ? sig_ops[r->op] : "?");
	json_ku64(w, "pid", r->pid);
	json_ku64(w, "tid", r->tid);
	json_kstr(w, "comm", r->comm);
	json_ku64(w, "rpid", r->rpid);
	json_ku64(w, "rtid", r->rtid);
	json_kstr(w, "rcomm", r->rcomm);
	json_ki64(w, "sig", r->sig);
	json_kstr(w, "sig_name", names_signal(r->sig, name, sizeof(name)));
	json_ki64(w, "result", r->result);
	if (r->op == IPCS_SIG_GENERATE)
		json_kstr(w, "result_name", names_sig_result(r->result));
	json_ki64(w, "si_code", r->si_code);
	json_ku64(w, "disp", r->disp);
	if (r->op == IPCS_SIG_DELIVER)
		json_kstr(w, "disp_name", names_sig_disp(r->disp));
	json_kbool(w, "group", r->group);
}

/* A thread blocked past the threshold (record's watcher), and who holds it. */
static void wait_fields(struct json_writer *w, const struct ipcs_wait_rec *r)
{
	json_ku64(w, "pid", r->pid);
	json_ku64(w, "tid", r->tid);
	json_kstr(w, "comm", r->comm);
	json_kstr(w, "sys", ipcs_sys_name(r->sys));
	json_ki64(w, "fd", r->fd);
	json_ku64(w, "enter_ns", r->enter_ns);
	json_kid(w, "uaddr", r->uaddr);
	json_kstr(w, "wait_kind", r->kind);
	json_kstr(w, "object", r->object);
	json_ku64(w, "holder_pid", r->holder_pid);
	json_ku64(w, "holder_tid", r->holder_tid);
	json_kstr(w, "evidence", r->evidence);
	json_kbool(w, "cycle", r->flags & IPCS_WAITF_CYCLE);
	json_kbool(w, "stall", r->flags & IPCS_WAITF_STALL);
	json_ku64(w, "group", r->group);
	chan_fields(w, &r->chan);
}

/* SCM_RIGHTS / SCM_CREDENTIALS of a sendmsg or recvmsg. */
static void fdpass_fields(struct json_writer *w, const struct ipcs_fdpass_rec *r)
{
	json_ku64(w, "pid", r->pid);
	json_ku64(w, "tid", r->tid);
	json_kstr(w, "comm", r->comm);
	json_kstr(w, "sys", ipcs_sys_name(r->sys));
	json_ki64(w, "fd", r->sock_fd);
	json_kid(w, "sock", r->sock);
	json_kid(w, "peer", r->peer);
	json_kid(w, "sock_dev", r->sock_dev);
	json_kbool(w, "more", r->flags & IPCS_FDPF_MORE);
	json_key(w, "fds");
	json_arr_begin(w);
	for (unsigned i = 0; i < r->nfds && i < IPCS_FDPASS_MAX; i++) {
		const struct ipcs_fdpass_fd *f = &r->fds[i];

		json_obj_begin(w);
		json_ki64(w, "fd", f->fd);
		json_kstr(w, "what", ipcs_fd_what_name(f->what));
		json_kstr(w, "kind", ipcs_kind_name(f->kind));
		json_kid(w, "dev", f->dev);
		json_kid(w, "ino", f->ino);
		json_kstr(w, "mode", fmode_name(f->fmode));
		json_kstr(w, "name", f->name);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_key(w, "creds");
	if (r->flags & IPCS_FDPF_CREDS) {
		json_obj_begin(w);
		json_ku64(w, "pid", r->cred_pid);
		json_ku64(w, "uid", r->cred_uid);
		json_ku64(w, "gid", r->cred_gid);
		json_obj_end(w);
	} else {
		json_null(w);
	}
}

/* Captured bytes: lossless as hex, readable as escaped text (\\xNN). */
static void payload_fields(struct json_writer *w, const struct ipcs_payload_rec *r)
{
	static const char hex[] = "0123456789abcdef";
	char buf[IPCS_PAYLOAD_MAX * 4 + 1];
	__u32 i, n = r->cap_len;

	json_ku64(w, "pid", r->pid);
	json_ku64(w, "tid", r->tid);
	json_kstr(w, "sys", ipcs_sys_name(r->sys));
	json_kstr(w, "dir", r->flags & IPCS_PAYF_OUT ? "out" : "in");
	chan_fields(w, &r->chan);
	json_ku64(w, "len", r->len);
	json_ku64(w, "cap_len", n);
	for (i = 0; i < n; i++) {
		buf[2 * i] = hex[r->data[i] >> 4];
		buf[2 * i + 1] = hex[r->data[i] & 15];
	}
	buf[2 * n] = '\0';
	json_kstr(w, "data_hex", buf);
	esc_bytes(r->data, n, buf, sizeof(buf));
	json_kstr(w, "text", buf);
}

/* The type names of docs/ipcscope.8; unknown types never reach a sink. */
static const char *type_name(__u16 t)
{
	switch (t) {
	case IPCS_REC_SYS:       return "sys";
	case IPCS_REC_SYS_PATH:  return "sys";
	case IPCS_REC_PROC:      return "proc";
	case IPCS_REC_SEED_PROC: return "seed_proc";
	case IPCS_REC_SEED_FD:   return "seed_fd";
	case IPCS_REC_DROPS:     return "drops";
	case IPCS_REC_SOCK:      return "sock";
	case IPCS_REC_SIGNAL:    return "signal";
	case IPCS_REC_FUTEX:     return "futex";
	case IPCS_REC_SHM:       return "shm";
	case IPCS_REC_PAYLOAD:   return "payload";
	case IPCS_REC_CGROUP:    return "cgroup";
	case IPCS_REC_CGROUP_NAME: return "cgroup_name";
	case IPCS_REC_CMDLINE:   return "cmdline";
	case IPCS_REC_SHM_NAME:  return "shm_name";
	case IPCS_REC_WAIT:      return "wait";
	case IPCS_REC_FDPASS:    return "fdpass";
	case IPCS_REC_PEER:      return "peer";
	}
	return "?";
}

/* A process's cgroup: its id and, when the stream named it, its path (else null). */
static void cgroup_fields(struct json_writer *w, const struct jsonl *j, __u64 id)
{
	const char *path = id ? hashmap_get(&j->cgroups, &id) : NULL;

	json_kid(w, "cgroup_id", id);
	json_key(w, "cgroup");
	if (path)
		json_str(w, path);
	else
		json_null(w);
}

/* Name records come before the ids' first use: keep them for the process objects. */
static int learn_cgroup(struct jsonl *j, const struct ipcs_cgroup_name_rec *r)
{
	char *path = strndup(r->path, sizeof(r->path) - 1), *old = NULL;
	__u64 id = r->cgroup_id;

	if (!path || hashmap_put(&j->cgroups, &id, path, (void **)&old)) {
		free(path);
		return -ENOMEM;
	}
	free(old);
	return 0;
}

/* A title: "cmdline" as ps shows it (NULs as spaces), "argv" as the NULs split it. */
static void cmdline_fields(struct json_writer *w, const struct ipcs_cmdline_rec *r)
{
	char s[IPCS_CMDLINE_MAX + 1];
	size_t n = r->len;

	while (n && !r->cmdline[n - 1])
		n--;
	json_ku64(w, "pid", r->pid);
	json_ku64(w, "start_ns", r->start_ns);
	for (size_t i = 0; i < n; i++)
		s[i] = r->cmdline[i] ? r->cmdline[i] : ' ';
	s[n] = '\0';
	json_kstr(w, "cmdline", s);
	json_key(w, "argv");
	json_arr_begin(w);
	for (size_t i = 0; i < n; i++) {
		size_t e = i;

		while (e < n && r->cmdline[e])
			e++;
		memcpy(s, r->cmdline + i, e - i);
		s[e - i] = '\0';
		json_str(w, s);
		i = e;
	}
	json_arr_end(w);
	json_kbool(w, "cut", r->flags & IPCS_CMDF_CUT);
}

/* The event as one JSON object, without the newline. */
static void jsonl_write_event(const struct jsonl *j, const struct ipcs_event *ev)
{
	struct json_writer w;

	json_init(&w, j->f, false);
	json_obj_begin(&w);
	json_kstr(&w, "type", type_name(ev->type));
	rel_time(&w, j, ev->h.ts_ns);
	switch (ev->type) {
	case IPCS_REC_SYS_PATH:
		json_kstr(&w, "path", ev->path);
		/* fall through */
	case IPCS_REC_SYS:
		sys_fields(&w, &ev->sys);
		break;
	case IPCS_REC_SOCK:
		sys_fields(&w, &ev->sock.s);
		sock_fields(&w, &ev->sock);
		break;
	case IPCS_REC_PROC:
		json_kstr(&w, "op", proc_ops[ev->proc.op]);
		json_ku64(&w, "pid", ev->proc.pid);
		json_ku64(&w, "tid", ev->proc.tid);
		json_ku64(&w, "ppid", ev->proc.ppid);
		json_kstr(&w, "comm", ev->proc.comm);
		json_ku64(&w, "start_ns", ev->proc.start_ns);
		if (ev->proc.op == IPCS_PROC_EXIT)
			json_ki64(&w, "exit_code", ev->proc.exit_code);
		cgroup_fields(&w, j, ev->proc.cgroup_id);
		break;
	case IPCS_REC_SEED_PROC:
		json_ku64(&w, "pid", ev->seed_proc.pid);
		json_ku64(&w, "ppid", ev->seed_proc.ppid);
		json_kstr(&w, "comm", ev->seed_proc.comm);
		json_ku64(&w, "start_ns", ev->seed_proc.start_ns);
		cgroup_fields(&w, j, ev->seed_proc.cgroup_id);
		break;
	case IPCS_REC_CGROUP:
		json_ku64(&w, "pid", ev->cgroup.pid);
		json_ku64(&w, "tid", ev->cgroup.tid);
		json_kstr(&w, "comm", ev->cgroup.comm);
		json_kbool(&w, "threadgroup", ev->cgroup.threadgroup);
		cgroup_fields(&w, j, ev->cgroup.cgroup_id);
		break;
	case IPCS_REC_CGROUP_NAME:
		json_kid(&w, "cgroup_id", ev->cgroup_name.cgroup_id);
		json_kstr(&w, "cgroup", ev->path);
		break;
	case IPCS_REC_PEER:
		json_ku64(&w, "pid", ev->peer.pid);
		json_ki64(&w, "fd", ev->peer.fd);
		json_ku64(&w, "ppid", ev->peer.ppid);
		json_kstr(&w, "comm", ev->peer.comm);
		json_ku64(&w, "start_ns", ev->peer.start_ns);
		json_kbool(&w, "traced", false);
		chan_fields(&w, &ev->peer.chan);
		json_kid(&w, "sock_ino", ev->peer.sock_ino);
		cgroup_fields(&w, j, ev->peer.cgroup_id);
		break;
	case IPCS_REC_SEED_FD:
		json_ku64(&w, "pid", ev->seed_fd.pid);
		json_ki64(&w, "fd", ev->seed_fd.fd);
		chan_fields(&w, &ev->seed_fd.chan);
		json_kstr(&w, "path", ev->path);
		break;
	case IPCS_REC_DROPS:
		drops_fields(&w, &ev->drops);
		break;
	case IPCS_REC_SIGNAL:
		signal_fields(&w, &ev->sig);
		break;
	case IPCS_REC_FUTEX:
		futex_fields(&w, &ev->futex);
		break;
	case IPCS_REC_SHM:
		shm_fields(&w, &ev->shm);
		break;
	case IPCS_REC_PAYLOAD:
		payload_fields(&w, &ev->payload);
		break;
	case IPCS_REC_CMDLINE:
		cmdline_fields(&w, &ev->cmdline);
		break;
	case IPCS_REC_SHM_NAME:
		json_ku64(&w, "pid", ev->shm_name.pid);
		json_kid(&w, "dev", ev->shm_name.dev);
		json_kid(&w, "ino", ev->shm_name.ino);
		json_kstr(&w, "path", ev->path);
		break;
	case IPCS_REC_WAIT:
		wait_fields(&w, &ev->wait);
		break;
	case IPCS_REC_FDPASS:
		fdpass_fields(&w, &ev->fdpass);
		break;
	}
	json_obj_end(&w);
}

static int jsonl_on_event(void *ctx, const struct ipcs_event *ev, const void *raw, size_t len)
{
	struct jsonl *j = ctx;

	(void)raw;
	(void)len;
	if (ev->type == IPCS_REC_CGROUP_NAME && learn_cgroup(j, &ev->cgroup_name))
		return -ENOMEM;
	jsonl_write_event(j, ev);
	if (fputc('\n', j->f) == EOF)
		return -EIO;
	return 0;
}

static int jsonl_finish(void *ctx)
{
	struct jsonl *j = ctx;

	return fflush(j->f) || ferror(j->f) ? -EIO : 0;
}

static void jsonl_destroy(void *ctx)
{
	struct jsonl *j = ctx;

	hashmap_fini_free(&j->cgroups);
	free(j);
}

/* The first line: what the lines are, in which version, from where and when. */
static void jsonl_header(FILE *f, const struct export_info *info)
{
	struct json_writer w;
	char host[256] = "";
	struct timespec rt, mono;
	__u64 real_ns = 0;

	if (info->fh) {
		snprintf(host, sizeof(host), "%.*s", (int)sizeof(info->fh->host), info->fh->host);
		real_ns = info->fh->start_real_ns;
	} else if (!gethostname(host, sizeof(host) - 1) && !clock_gettime(CLOCK_REALTIME, &rt) &&
		   !clock_gettime(CLOCK_MONOTONIC, &mono)) {
		/* live: the wall clock at start_ns, from the two clocks now */
		__u64 now_mono = (__u64)mono.tv_sec * 1000000000ull + (__u64)mono.tv_nsec;

		real_ns = (__u64)rt.tv_sec * 1000000000ull + (__u64)rt.tv_nsec;
		if (now_mono > info->start_ns)
			real_ns -= now_mono - info->start_ns;
	}
	json_init(&w, f, false);
	json_obj_begin(&w);
	json_kstr(&w, "type", "header");
	json_kstr(&w, "format", "ipcscope-jsonl");
	json_ku64(&w, "version", JSONL_VERSION);
	json_kstr(&w, "ipcscope", IPCS_VERSION);
	json_kstr(&w, "host", host);
	json_ku64(&w, "start_ns", info->start_ns);
	json_kid(&w, "start_real_ns", real_ns);
	json_obj_end(&w);
	fputc('\n', f);
}

int export_jsonl_open(FILE *f, const struct export_info *info, struct exporter *out)
{
	struct jsonl *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->f = f;
	j->start_ns = info->start_ns;
	hashmap_init(&j->cgroups, sizeof(__u64));	/* allocates nothing yet */
	jsonl_header(f, info);
	*out = (struct exporter){
		.sink = { .on_event = jsonl_on_event, .ctx = j },
		.finish = jsonl_finish,
		.destroy = jsonl_destroy,
	};
	return 0;
}
