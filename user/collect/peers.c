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

#define PEERS_HOLDERS 4
#define PEERS_RESCAN_NS 10000000ull	/* 10 ms between two walks of /proc/PID/fd */
#define PEERS_KEYS_MAX 65536	/* ends remembered; past it all are forgotten (asked again) */

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
	bool done;
};

struct holder {
	pid_t pid;
	int fd;
};

struct ino_ent {
	unsigned n;
	struct holder h[PEERS_HOLDERS];
};

struct peers {
	char root[256];
	peers_traced_fn traced;
	void *tctx;
	pid_t self;
	long tck;
	struct hashmap keys;	/* peer_key -> peer_state (malloc) */
	struct hashmap inodes;	/* socket inode -> ino_ent (malloc), the last walk */
	struct hashmap own;	/* peer_key of ends traced records were made on -> (static) */
	__u64 scan_ns;		/* when the last walk was, 0: never */
	__u64 named, scans;
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

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
	    hashmap_init(&p->inodes, sizeof(__u64)) ||
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

static int note_holder(struct peers *p, __u64 ino, pid_t pid, int fd)
{
	struct ino_ent *e = hashmap_get(&p->inodes, &ino);

	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || hashmap_put(&p->inodes, &ino, e, NULL)) {
			free(e);
			return -ENOMEM;
		}
	}
	for (unsigned i = 0; i < e->n; i++)
		if (e->h[i].pid == pid)
			return 0;	/* one fd per process names it */
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
		ssize_t n;
		__u64 ino;

		if (fd < 0)
			continue;
		n = readlinkat(dirfd(dir), d->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		ino = peers_parse_socket_link(link);
		if (ino)
			err = note_holder(p, ino, pid, (int)fd);
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
	if (hashmap_init(&p->inodes, sizeof(__u64)))
		return -ENOMEM;
	p->scan_ns = now_ns();
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
static const struct ino_ent *holders_of(struct peers *p, __u64 ino, __u64 ts, bool *fresh)
{
	const struct ino_ent *e = hashmap_get(&p->inodes, &ino);

	*fresh = p->scan_ns > ts;
	if (e || *fresh || (p->scan_ns && now_ns() - p->scan_ns < PEERS_RESCAN_NS))
		return e;
	if (scan_all(p))
		return NULL;
	*fresh = true;
	return hashmap_get(&p->inodes, &ino);
}

/* ---- a loopback TCP end's inode by its 4-tuple ---- */

/* The inode of the TCP socket whose (local, remote) are k->ends; 0 when none. */
static __u64 tcp_inode(const struct peers *p, const struct peer_key *k)
{
	bool v6 = k->family == AF_INET6;
	char path[300], line[512];
	unsigned char lip[16], rip[16];
	__u16 lport, rport;
	struct seed_inet s;
	__u64 ino = 0;
	FILE *f;

	memcpy(lip, k->ends, 16);
	memcpy(rip, k->ends + 16, 16);
	memcpy(&lport, k->ends + 32, 2);
	memcpy(&rport, k->ends + 34, 2);
	rport = ntohs(rport);
	snprintf(path, sizeof(path), "%s/net/%s", p->root, v6 ? "tcp6" : "tcp");
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!ino && fgets(line, sizeof(line), f)) {
		if (seed_parse_inet_line(line, v6, &s) || !s.ino)
			continue;
		if (s.lport == lport && s.rport == rport && !memcmp(s.lip, lip, v6 ? 16 : 4) &&
		    !memcmp(s.rip, rip, v6 ? 16 : 4))
			ino = s.ino;
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

static int send_peer(struct peers *p, const struct ipcs_sock_rec *r, const struct peer_key *k,
		     __u64 ino, const struct holder *h, peers_cb cb, void *ctx)
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
	out.h.cpu = r->s.h.cpu;
	out.h.ts_ns = r->s.h.ts_ns;
	out.pid = (__u32)h->pid;
	out.fd = h->fd;
	out.ppid = (__u32)ppid;
	out.start_ns = start * (1000000000ull / (__u64)p->tck);
	/* TCP ends are named by addr; a gone one's inode is not known */
	out.chan = (struct ipcs_chan){ .ino = k->kind == IPCS_KIND_TCP ? ino : k->id,
				       .dev = k->dev, .kind = k->kind,
				       .fmode = IPCS_FMODE_READ | IPCS_FMODE_WRITE };
	out.sock_ino = ino;
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
	static const struct holder none = { 0, -1 };
	const struct ino_ent *e = NULL;
	struct ino_ent copy;
	__u64 ino = k->ino;
	bool fresh = false;
	int err = 0;

	if (k->kind == IPCS_KIND_TCP) {
		ino = tcp_inode(p, k);
		fresh = true;
	}
	if (ino)
		e = holders_of(p, ino, r->s.h.ts_ns, &fresh);
	if (!e || !e->n) {
		if (!fresh) {	/* the last walk was too recent: at the next record */
			st->next_try_ns = p->scan_ns + PEERS_RESCAN_NS;
			return 0;
		}
		st->done = true;
		if (hashmap_get(&p->own, k))
			return 0;
		return send_peer(p, r, k, ino, &none, cb, ctx);
	}
	st->done = true;
	copy = *e;
	for (unsigned i = 0; i < copy.n; i++)
		if (p->traced && p->traced(copy.h[i].pid, p->tctx))
			return 0;	/* its own records name it */
	for (unsigned i = 0; i < copy.n && !err; i++)
		err = send_peer(p, r, k, ino, &copy.h[i], cb, ctx);
	return err;
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
	if (h.type != IPCS_REC_SOCK || len < sizeof(r))
		return 0;
	memcpy(&r, rec, sizeof(r));
	note_own(p, &r);
	if (!key_of(&r, &k))
		return 0;
	st = hashmap_get(&p->keys, &k);
	if (st && (st->done || now_ns() < st->next_try_ns))
		return 0;
	if (!st && hashmap_len(&p->keys) >= PEERS_KEYS_MAX) {
		hashmap_fini_free(&p->keys);
		if (hashmap_init(&p->keys, sizeof(struct peer_key)))
			return 0;
	}
	if (!st) {
		st = calloc(1, sizeof(*st));
		if (!st || hashmap_put(&p->keys, &k, st, NULL)) {
			free(st);
			return 0;	/* out of memory: the end stays unnamed */
		}
	}
	return resolve(p, &r, &k, st, cb, ctx);
}
