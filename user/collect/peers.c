/*
 * peers.c - naming the untraced end of a traced process's socket.
 *
 * Traced on one side only (`record -p $(pidof redis-server)`), a server's
 * records name its sockets' peers by kernel identity and inode, not by
 * process. The holders of an inode are found as `ss -xp` finds them: a walk
 * of /proc/PID/fd for "socket:[INODE]", kept as a map of every socket inode
 * to its holders and rebuilt when an inode is missing from it (at most every
 * PEERS_RESCAN_NS). A loopback TCP end's inode comes from /proc/net/tcp{,6}
 * by its 4-tuple. Each end is asked about once; what is found goes into the
 * stream as IPCS_REC_PEER, so recordings, replay and exports name it too.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "collect/peers.h"
#include "collect/procfs_parse.h"
#include "collect/seed_sockets.h"
#include "util/hashmap.h"
#include "util/clock.h"

#define PEERS_HOLDERS 8	/* fds kept per inode (processes named: as many) */
#define PEERS_RESCAN_NS 10000000ull	/* 10 ms between two walks of /proc/PID/fd */
#define RW (IPCS_FMODE_READ | IPCS_FMODE_WRITE)
#define PEERS_KEYS_MAX 65536
#define PEERS_GONE_WAIT_NS 100000000ull	/* a gone end is named untraced after 100 ms ... */
#define PEERS_GONE_MAX 256		/* ... of no traced record on it; at most this many wait */	/* ends remembered; past it all are forgotten (asked again) */

/* An end as records meet it; zero-filled, so whole-struct compares work. */
struct peer_key {
	__u64 id;		/* unix: the peer's identity */
	__u64 ino;		/* unix: the peer's inode */
	unsigned char ends[36];	/* TCP: the peer end's local and remote (ipcs_sock_rec layout) */
	__u16 kind;
	__u16 family;
	__u32 dev;
};

struct peer_state {
	__u64 next_try_ns;	/* not before (the walk was too recent) */
	__u32 peer_pid;		/* unix: the peer's process at connect(), from a record; 0 unknown */
	bool done;
};

struct holder {
	pid_t pid;
	int fd;
};

/* Socket and pipe inodes are numbered apart (sockfs, pipefs): keyed with their kind. */
struct ino_key {
	__u64 ino;
	__u64 pipe;	/* 1: "pipe:[N]", 0: "socket:[N]" */
};

struct ino_ent {
	unsigned n;
	struct holder h[PEERS_HOLDERS];
};

/* An end found gone, not named until PEERS_GONE_WAIT_NS pass without a traced record on it. */
struct gone_end {
	struct peer_key k;
	struct ipcs_rec_hdr h;	/* the record that met it: the PEER's stamp */
	__u64 due_ns;
};

struct peers {
	char root[256];
	struct gone_end gone[PEERS_GONE_MAX];	/* oldest first */
	unsigned ngone;
	peers_traced_fn traced;
	void *tctx;
	pid_t self;
	long tck;
	struct hashmap keys;	/* peer_key -> peer_state (malloc) */
	struct hashmap inodes;	/* ino_key -> ino_ent (malloc), the last walk */
	struct hashmap own;	/* peer_key of ends traced records were made on -> (static) */
	__u64 scan_ns;		/* when the last walk was, 0: never */
	__u64 named, scans;
};

int peers_new(const char *proc_root, peers_traced_fn traced, void *tctx, struct peers **out)
{
	struct peers *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p)
		return -ENOMEM;
	snprintf(p->root, sizeof(p->root), "%s", proc_root ? proc_root : "/proc");
	p->traced = traced;
	p->tctx = tctx;
	p->self = getpid();
	p->tck = sysconf(_SC_CLK_TCK);
	if (p->tck <= 0)
		p->tck = 100;
	if (hashmap_init(&p->keys, sizeof(struct peer_key)) ||
	    hashmap_init(&p->inodes, sizeof(struct ino_key)) ||
	    hashmap_init(&p->own, sizeof(struct peer_key))) {
		peers_free(p);
		return -ENOMEM;
	}
	*out = p;
	return 0;
}

void peers_free(struct peers *p)
{
	if (!p)
		return;
	hashmap_fini_free(&p->keys);
	hashmap_fini_free(&p->inodes);
	hashmap_fini(&p->own);
	free(p);
}

void peers_counts(const struct peers *p, __u64 *named, __u64 *scans)
{
	*named = p ? p->named : 0;
	*scans = p ? p->scans : 0;
}

__u64 peers_parse_socket_link(const char *s)
{
	const char *end;
	long long v;

	if (strncmp(s, "socket:[", 8))
		return 0;
	end = strchr(s + 8, ']');
	if (!end || end[1] || end == s + 8 || end - (s + 8) > 20)
		return 0;
	for (const char *c = s + 8; c < end; c++)
		if (*c < '0' || *c > '9')
			return 0;
	v = strtoll(s + 8, NULL, 10);
	return v > 0 ? (__u64)v : 0;
}

/* ---- every process's socket fds: inode -> holders ---- */

static int note_holder(struct peers *p, const struct ino_key *k, pid_t pid, int fd)
{
	struct ino_ent *e = hashmap_get(&p->inodes, k);

	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || hashmap_put(&p->inodes, k, e, NULL)) {
			free(e);
			return -ENOMEM;
		}
	}
	if (e->n < PEERS_HOLDERS)
		e->h[e->n++] = (struct holder){ pid, fd };
	return 0;
}

static int scan_fds(struct peers *p, pid_t pid)
{
	char path[320], link[64];
	struct dirent *d;
	int err = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/%d/fd", p->root, pid);
	dir = opendir(path);
	if (!dir)
		return 0;	/* gone, or not ours to read */
	while (!err && (d = readdir(dir))) {
		long fd = procfs_parse_num(d->d_name);
		struct ino_key k;
		ssize_t n;

		if (fd < 0)
			continue;
		n = readlinkat(dirfd(dir), d->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		k.pipe = 0;
		k.ino = peers_parse_socket_link(link);
		if (!k.ino) {
			k.pipe = 1;
			k.ino = procfs_parse_pipe_link(link);
		}
		if (k.ino)
			err = note_holder(p, &k, pid, (int)fd);
	}
	closedir(dir);
	return err;
}

static int scan_all(struct peers *p)
{
	struct dirent *d;
	DIR *dir;
	int err = 0;

	hashmap_fini_free(&p->inodes);
	if (hashmap_init(&p->inodes, sizeof(struct ino_key)))
		return -ENOMEM;
	p->scan_ns = mono_ns();
	p->scans++;
	dir = opendir(p->root);
	if (!dir)
		return 0;
	while (!err && (d = readdir(dir))) {
		long pid = procfs_parse_num(d->d_name);

		if (pid > 0 && pid != p->self)
			err = scan_fds(p, (pid_t)pid);
	}
	closedir(dir);
	return err;
}

/*
 * The holders of socket inode ino at a walk newer than the record that met
 * it (at ts, CLOCK_MONOTONIC like the probes' clock): *fresh says whether
 * the walk was. Walks are at least PEERS_RESCAN_NS apart.
 */
static const struct ino_ent *holders_of(struct peers *p, __u64 ino, bool pipe, __u64 ts,
				       bool *fresh)
{
	struct ino_key k = { .ino = ino, .pipe = pipe };
	const struct ino_ent *e = hashmap_get(&p->inodes, &k);

	*fresh = p->scan_ns > ts;
	if (e || *fresh || (p->scan_ns && mono_ns() - p->scan_ns < PEERS_RESCAN_NS))
		return e;
	if (scan_all(p))
		return NULL;
	*fresh = true;
	return hashmap_get(&p->inodes, &k);
}

/* ---- a loopback TCP end's inode by its 4-tuple ---- */

/*
 * The inode of the TCP socket whose (local, remote) are k->ends; 0 when
 * none, and then *waiting says whether it is there without one yet (an
 * established connection not accepted: it has no file until accept()).
 */
static __u64 tcp_inode(const struct peers *p, const struct peer_key *k, bool *waiting)
{
	bool v6 = k->family == AF_INET6;
	char path[300], line[512];
	unsigned char lip[16], rip[16];
	__u16 lport, rport;
	struct seed_inet s;
	unsigned st;
	__u64 ino = 0;
	FILE *f;

	*waiting = false;
	memcpy(lip, k->ends, 16);
	memcpy(rip, k->ends + 16, 16);
	memcpy(&lport, k->ends + 32, 2);
	memcpy(&rport, k->ends + 34, 2);
	rport = ntohs(rport);
	snprintf(path, sizeof(path), "%s/net/%s", p->root, v6 ? "tcp6" : "tcp");
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!ino && !*waiting && fgets(line, sizeof(line), f)) {
		if (seed_parse_inet_line(line, v6, &s) || s.lport != lport || s.rport != rport ||
		    memcmp(s.lip, lip, v6 ? 16 : 4) || memcmp(s.rip, rip, v6 ? 16 : 4))
			continue;
		ino = s.ino;
		/* 01 ESTABLISHED, 03 SYN_RECV: waiting in the listener's queue */
		if (!ino && sscanf(line, " %*u: %*s %*s %x", &st) == 1 && (st == 1 || st == 3))
			*waiting = true;
	}
	fclose(f);
	return ino;
}

/* ---- records ---- */

/* The end of r's socket on the other side, as a key; false when r names none. */
static bool key_of(const struct ipcs_sock_rec *r, struct peer_key *k)
{
	__u16 lport, rport;

	memset(k, 0, sizeof(*k));
	k->kind = r->s.chan.kind;
	k->dev = r->s.chan.dev;
	k->family = r->family;
	if (k->kind == IPCS_KIND_UNIX_STREAM || k->kind == IPCS_KIND_UNIX_SEQPACKET) {
		k->id = r->peer;
		k->ino = r->peer_ino;
		return r->peer && r->peer_ino && r->peer != r->s.chan.ino;
	}
	if (k->kind != IPCS_KIND_TCP || !(r->flags & IPCS_SOCKF_INET) || r->addr_len != 36)
		return false;
	memcpy(&lport, r->addr + 32, 2);	/* host order */
	memcpy(&rport, r->addr + 34, 2);	/* network order */
	if (!rport)
		return false;
	/* The other end's local is our remote, and the other way round. */
	memcpy(k->ends, r->addr + 16, 16);
	memcpy(k->ends + 16, r->addr, 16);
	rport = ntohs(rport);
	memcpy(k->ends + 32, &rport, 2);
	lport = htons(lport);
	memcpy(k->ends + 34, &lport, 2);
	return true;
}

/* One PEER record: holder h of end k (fmode: which end of a pipe), stamped as rh. */
static int send_peer(struct peers *p, const struct ipcs_rec_hdr *rh, const struct peer_key *k,
		     __u64 ino, const struct holder *h, __u16 fmode, peers_cb cb, void *ctx)
{
	struct ipcs_peer_rec out;
	char path[320], buf[1024];
	__u64 start = 0;
	pid_t ppid = 0;

	memset(&out, 0, sizeof(out));
	snprintf(path, sizeof(path), "%s/%d/stat", p->root, h->pid);
	if (h->pid && (procfs_read_small(path, buf, sizeof(buf)) <= 0 ||
		       procfs_parse_stat(buf, &ppid, &start, out.comm, sizeof(out.comm))))
		return 0;	/* gone since the walk */
	out.h.type = IPCS_REC_PEER;
	out.h.size = sizeof(out);
	out.h.cpu = rh->cpu;
	out.h.ts_ns = rh->ts_ns;
	out.pid = (__u32)h->pid;
	out.fd = h->fd;
	out.ppid = (__u32)ppid;
	out.start_ns = start * (1000000000ull / (__u64)p->tck);
	/* TCP ends are named by addr; a gone one's inode is not known */
	out.chan = (struct ipcs_chan){ .ino = k->kind == IPCS_KIND_TCP ? ino : k->id,
				       .dev = k->dev, .kind = k->kind, .fmode = fmode };
	out.sock_ino = k->kind == IPCS_KIND_PIPE ? 0 : ino;
	out.family = k->family;
	if (k->kind == IPCS_KIND_TCP) {
		out.addr_len = 36;
		memcpy(out.addr, k->ends, 36);
	}
	p->named++;
	return cb(&out, sizeof(out), ctx);
}

/* A key of the set of ends traced records were made on. */
static bool own_key(const struct ipcs_sock_rec *r, struct peer_key *k)
{
	memset(k, 0, sizeof(*k));
	k->kind = r->s.chan.kind;
	k->dev = r->s.chan.dev;
	k->family = r->family;
	if (k->kind == IPCS_KIND_UNIX_STREAM || k->kind == IPCS_KIND_UNIX_SEQPACKET) {
		k->id = r->s.chan.ino;
		k->ino = r->sock_ino;
		return r->sock_ino != 0;
	}
	if (k->kind != IPCS_KIND_TCP || !(r->flags & IPCS_SOCKF_INET) || r->addr_len != 36)
		return false;
	memcpy(k->ends, r->addr, 36);
	return true;
}

/* Remember that a traced process made a record on this end. */
static void note_own(struct peers *p, const struct ipcs_sock_rec *r)
{
	static char one;
	struct peer_key k;

	if (!own_key(r, &k) || hashmap_get(&p->own, &k))
		return;
	if (hashmap_len(&p->own) >= PEERS_KEYS_MAX) {
		hashmap_fini(&p->own);
		if (hashmap_init(&p->own, sizeof(struct peer_key)))
			return;
	}
	(void)hashmap_put(&p->own, &k, &one, NULL);	/* out of memory: asked again */
	/* A gone end that waited was a traced one whose records came late. */
	for (unsigned i = 0; i < p->ngone; i++) {
		if (memcmp(&p->gone[i].k, &k, sizeof(k)))
			continue;
		memmove(&p->gone[i], &p->gone[i + 1], (p->ngone - i - 1) * sizeof(p->gone[0]));
		p->ngone--;
		break;
	}
}

/* Gone ends whose wait is over are named: pid 0, not traced. */
static int gone_due(struct peers *p, peers_cb cb, void *ctx)
{
	static const struct holder none = { 0, -1 };
	__u64 now = p->ngone ? mono_ns() : 0;
	int err = 0;

	while (!err && p->ngone && (p->gone[0].due_ns <= now || p->ngone == PEERS_GONE_MAX)) {
		struct gone_end g = p->gone[0];

		memmove(&p->gone[0], &p->gone[1], (p->ngone - 1) * sizeof(p->gone[0]));
		p->ngone--;
		err = send_peer(p, &g.h, &g.k, 0, &none, RW, cb, ctx);
	}
	return err;
}

static bool pid_alive(const struct peers *p, __u32 pid)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/%u/stat", p->root, pid);
	return access(path, R_OK) == 0;
}

/*
 * Found (or found gone): this end is never asked about again. Gone means
 * no process held it at a walk after the record: a traced end would have
 * made records of its own (the set `own`), else its holder closed it
 * before it could be named, and it is an untraced end of no known process.
 */
static int resolve(struct peers *p, const struct ipcs_sock_rec *r, const struct peer_key *k,
		   struct peer_state *st, peers_cb cb, void *ctx)
{
	const struct ino_ent *e = NULL;
	struct ino_ent copy;
	__u64 ino = k->ino;
	bool fresh = false;
	int err = 0;

	/* Traced records were made on it: it is traced (its holder may be a zombie
	 * now, out of the probes' table, or gone). */
	if (hashmap_get(&p->own, k)) {
		st->done = true;
		return 0;
	}
	if (k->kind == IPCS_KIND_TCP) {
		bool waiting;

		ino = tcp_inode(p, k, &waiting);
		fresh = !waiting;	/* not accepted yet: asked again at a later record */
	}
	if (ino)
		e = holders_of(p, ino, false, r->s.h.ts_ns, &fresh);
	if (!e || !e->n) {
		if (!fresh) {	/* the last walk was too recent, or no file yet: later */
			st->next_try_ns = (p->scan_ns > mono_ns() ? p->scan_ns : mono_ns()) + PEERS_RESCAN_NS;
			return 0;
		}
		st->done = true;
		/* The socket is gone, the process that connected it may not be (SO_PEERCRED). */
		if (st->peer_pid && pid_alive(p, st->peer_pid)) {
			struct holder h = { (pid_t)st->peer_pid, -1 };

			if (p->traced && p->traced(h.pid, p->tctx))
				return 0;
			return send_peer(p, &r->s.h, k, ino, &h, RW, cb, ctx);
		}
		/* Its traced holder's records may still be on their way (another CPU): wait. */
		p->gone[p->ngone++] = (struct gone_end){ .k = *k, .h = r->s.h,
							 .due_ns = mono_ns() + PEERS_GONE_WAIT_NS };
		return 0;
	}
	st->done = true;
	copy = *e;
	for (unsigned i = 0; i < copy.n; i++)
		if (p->traced && p->traced(copy.h[i].pid, p->tctx))
			return 0;	/* its own records name it */
	for (unsigned i = 0; i < copy.n && !err; i++)
		err = send_peer(p, &r->s.h, k, ino, &copy.h[i], RW, cb, ctx);
	return err;
}

/* Which end of a pipe fd is: its fdinfo flags; 0 when unknown (gone). */
static __u16 fd_mode(const struct peers *p, const struct holder *h)
{
	char path[320], buf[512];
	__u16 fmode = 0;
	bool cloexec;

	snprintf(path, sizeof(path), "%s/%d/fdinfo/%d", p->root, h->pid, h->fd);
	if (procfs_read_small(path, buf, sizeof(buf)) <= 0 || procfs_parse_fdinfo(buf, &fmode, &cloexec))
		return 0;
	return fmode & RW;
}

/*
 * A pipe: its holders that are not traced, for each end no traced process
 * holds (a traced reader of the same pipe would be paid by the same bytes).
 * Nothing is said of a pipe whose holders are all gone: no end of it is
 * known to be untraced.
 */
static int resolve_pipe(struct peers *p, const struct ipcs_sys_rec *r, const struct peer_key *k,
			struct peer_state *st, peers_cb cb, void *ctx)
{
	const struct ino_ent *e;
	struct ino_ent copy;
	__u16 modes[PEERS_HOLDERS], traced = 0;
	bool fresh = false, is_traced[PEERS_HOLDERS];
	int err = 0;

	e = holders_of(p, k->id, true, r->h.ts_ns, &fresh);
	if (!e || !e->n) {
		if (fresh)
			st->done = true;
		else
			st->next_try_ns = p->scan_ns + PEERS_RESCAN_NS;
		return 0;
	}
	st->done = true;
	copy = *e;
	for (unsigned i = 0; i < copy.n; i++) {
		modes[i] = fd_mode(p, &copy.h[i]);
		is_traced[i] = p->traced && p->traced(copy.h[i].pid, p->tctx);
		if (is_traced[i])
			traced |= modes[i];
	}
	for (unsigned i = 0; i < copy.n && !err; i++) {
		__u16 m = modes[i] & ~traced;

		if (!is_traced[i] && m)
			err = send_peer(p, &r->h, k, 0, &copy.h[i], m, cb, ctx);
	}
	return err;
}

/* The state of end k; NULL when it was asked about (or memory is short). */
static struct peer_state *to_ask(struct peers *p, const struct peer_key *k)
{
	struct peer_state *st = hashmap_get(&p->keys, k);

	if (st)
		return st->done || mono_ns() < st->next_try_ns ? NULL : st;
	if (hashmap_len(&p->keys) >= PEERS_KEYS_MAX) {
		hashmap_fini_free(&p->keys);
		if (hashmap_init(&p->keys, sizeof(struct peer_key)))
			return NULL;
	}
	st = calloc(1, sizeof(*st));
	if (!st || hashmap_put(&p->keys, k, st, NULL)) {
		free(st);
		return NULL;	/* out of memory: the end stays unnamed */
	}
	return st;
}

static bool sys_moves_data(__u16 sys)
{
	return sys == IPCS_SYS_READ || sys == IPCS_SYS_WRITE || sys == IPCS_SYS_READV ||
	       sys == IPCS_SYS_WRITEV || sys == IPCS_SYS_SPLICE || sys == IPCS_SYS_TEE ||
	       sys == IPCS_SYS_VMSPLICE || sys == IPCS_SYS_SENDFILE;
}

static int pipe_before(struct peers *p, const void *rec, size_t len, peers_cb cb, void *ctx)
{
	struct ipcs_sys_rec r;
	struct peer_state *st;
	struct peer_key k;

	if (len < sizeof(r))
		return 0;
	memcpy(&r, rec, sizeof(r));
	if (r.chan.kind != IPCS_KIND_PIPE || r.ret <= 0 || !sys_moves_data(r.sys))
		return 0;
	memset(&k, 0, sizeof(k));
	k.kind = IPCS_KIND_PIPE;
	k.dev = r.chan.dev;
	k.id = r.chan.ino;
	st = to_ask(p, &k);
	return st ? resolve_pipe(p, &r, &k, st, cb, ctx) : 0;
}

int peers_tick(struct peers *p, peers_cb cb, void *ctx)
{
	return p && p->ngone ? gone_due(p, cb, ctx) : 0;
}

int peers_before(struct peers *p, const void *rec, size_t len, peers_cb cb, void *ctx)
{
	struct ipcs_sock_rec r;
	struct ipcs_rec_hdr h;
	struct peer_state *st;
	struct peer_key k;

	if (!p || len < sizeof(h))
		return 0;
	memcpy(&h, rec, sizeof(h));
	if (p->ngone) {
		int err = gone_due(p, cb, ctx);

		if (err)
			return err;
	}
	if (h.type == IPCS_REC_SYS)
		return pipe_before(p, rec, len, cb, ctx);
	if (h.type != IPCS_REC_SOCK || len < sizeof(r))
		return 0;
	memcpy(&r, rec, sizeof(r));
	note_own(p, &r);
	if (!key_of(&r, &k))
		return 0;
	st = to_ask(p, &k);
	if (!st)
		return 0;
	if (r.s.peer_pid)
		st->peer_pid = r.s.peer_pid;	/* only a socket's first record has it */
	return resolve(p, &r, &k, st, cb, ctx);
}
