/*
 * seed_sockets.c - name the sockets a process had open before tracing.
 *
 * /proc/PID/fd shows only "socket:[INODE]". Unix sockets are looked up with
 * sock_diag (type, bound name, peer inode: a socketpair is named by its
 * smaller inode, as sock.c names it live), TCP and UDP in /proc/net/{tcp,udp}
 * {,6} (both endpoints). The seed record carries the inode: the live records
 * name a socket by its kernel identity, which /proc does not show, so the
 * model moves a seeded socket's holders to the live channel at the first
 * record that carries the same inode (sock.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include "log.h"
#include "collect/seed_sockets.h"
#include "util/vec.h"

#define SOCK_NAME_MAX 128

struct sock_ent {
	__u64 ino;
	__u16 kind;
	char name[SOCK_NAME_MAX];
};

struct seed_socks {
	struct sock_ent *v;
	size_t n, cap;
};

static int push(struct seed_socks *t, __u64 ino, __u16 kind, const char *name)
{
	if (vec_grow((void **)&t->v, &t->cap, t->n + 1, sizeof(*t->v), 64))
		return -ENOMEM;
	t->v[t->n].ino = ino;
	t->v[t->n].kind = kind;
	snprintf(t->v[t->n].name, sizeof(t->v[t->n].name), "%s", name);
	t->n++;
	return 0;
}

static __u16 unix_kind(__u8 type)
{
	switch (type) {
	case SOCK_STREAM: return IPCS_KIND_UNIX_STREAM;
	case SOCK_DGRAM: return IPCS_KIND_UNIX_DGRAM;
	case SOCK_SEQPACKET: return IPCS_KIND_UNIX_SEQPACKET;
	}
	return IPCS_KIND_NONE;
}

/* One sock_diag answer: "/path", "@abstract" (NULs as '@'), "socketpair:[min]" or "". */
static int unix_msg(struct seed_socks *t, const struct nlmsghdr *h)
{
	const struct unix_diag_msg *m = NLMSG_DATA(h);
	const struct rtattr *a = (const struct rtattr *)(m + 1);
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*m));
	char name[SOCK_NAME_MAX] = "";
	__u32 peer = 0;
	__u16 kind;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return 0;
	kind = unix_kind(m->udiag_type);
	if (kind == IPCS_KIND_NONE)
		return 0;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		size_t n = RTA_PAYLOAD(a);
		const char *p = RTA_DATA(a);

		if (a->rta_type == UNIX_DIAG_PEER && n >= sizeof(peer)) {
			memcpy(&peer, p, sizeof(peer));
		} else if (a->rta_type == UNIX_DIAG_NAME && n > 0) {
			if (n >= sizeof(name))
				n = sizeof(name) - 1;
			for (size_t i = 0; i < n; i++)
				name[i] = p[i] ? p[i] : '@';
			name[p[0] ? strnlen(p, n) : n] = '\0';
		}
	}
	if (!name[0] && peer && kind != IPCS_KIND_UNIX_DGRAM)
		snprintf(name, sizeof(name), "socketpair:[%u]",
			 peer < m->udiag_ino ? peer : m->udiag_ino);
	return push(t, m->udiag_ino, kind, name);
}

static int load_unix(struct seed_socks *t)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req r;
	} req = {
		.nlh = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = AF_UNIX, .udiag_states = ~0u,
		       .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER },
	};
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG), err = 0;
	bool done = false;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (send(fd, &req, sizeof(req), 0) != sizeof(req)) {
		err = -errno;
		goto out;
	}
	while (!err && !done) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		for (; !err && NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				err = -EPROTO;
				break;
			}
			err = unix_msg(t, h);
		}
	}
out:
	close(fd);
	return err;
}

/* 8 hex digits of a u32 as the kernel prints it (%08X of the value in host order). */
static int hex32(const char *s, __u32 *v)
{
	char tmp[9], *end;

	memcpy(tmp, s, 8);
	tmp[8] = '\0';
	*v = (__u32)strtoul(tmp, &end, 16);
	return end == tmp + 8 ? 0 : -EINVAL;
}

/* "0100007F:1F90" (v4) or 32 hex digits ":PORT" (v6) -> address bytes, port. */
static int parse_end(const char *s, bool v6, unsigned char *ip, __u16 *port)
{
	int words = v6 ? 4 : 1;
	unsigned long p;
	char *end;
	__u32 w;

	memset(ip, 0, 16);
	for (int i = 0; i < words; i++) {
		if (hex32(s + 8 * i, &w))
			return -EINVAL;
		memcpy(ip + 4 * i, &w, 4);	/* the kernel printed the raw bytes as a host u32 */
	}
	s += 8 * words;
	if (*s != ':')
		return -EINVAL;
	p = strtoul(s + 1, &end, 16);
	if (end == s + 1 || p > 0xffff)
		return -EINVAL;
	*port = (__u16)p;
	return 0;
}

int seed_parse_inet_line(const char *line, bool v6, struct seed_inet *out)
{
	char loc[64], rem[64];
	unsigned long long ino;
	size_t want = v6 ? 37 : 13;	/* 8 hex digits per address word, ':', 4 for the port */

	memset(out, 0, sizeof(*out));
	/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
	if (sscanf(line, " %*u: %63s %63s %*x %*s %*s %*s %*u %*u %llu", loc, rem, &ino) != 3 ||
	    strlen(loc) != want || strlen(rem) != want)
		return -EINVAL;
	if (parse_end(loc, v6, out->lip, &out->lport) || parse_end(rem, v6, out->rip, &out->rport))
		return -EINVAL;
	out->ino = ino;
	out->v6 = v6;
	return 0;
}

static void end_str(const struct seed_inet *s, const unsigned char *ip, __u16 port, char *buf,
		    size_t n)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (s->v6) {
		inet_ntop(AF_INET6, ip, a, sizeof(a));
		snprintf(buf, n, "[%s]:%u", a, port);
	} else {
		inet_ntop(AF_INET, ip, a, sizeof(a));
		snprintf(buf, n, "%s:%u", a, port);
	}
}

void seed_inet_name(const struct seed_inet *s, char *buf, size_t n)
{
	char a[64], b[64];
	bool swap = s->rport < s->lport;

	if (!s->rport) {
		end_str(s, s->lip, s->lport, buf, n);
		return;
	}
	end_str(s, swap ? s->rip : s->lip, swap ? s->rport : s->lport, a, sizeof(a));
	end_str(s, swap ? s->lip : s->rip, swap ? s->lport : s->rport, b, sizeof(b));
	snprintf(buf, n, "%s<->%s", a, b);
}

static int load_inet(struct seed_socks *t, const char *root, const char *file, __u16 kind,
		     bool v6)
{
	char path[512], line[512], name[SOCK_NAME_MAX];
	struct seed_inet s;
	int err = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/net/%s", root, file);
	f = fopen(path, "re");
	if (!f)
		return 0;	/* no IPv6, or not mounted: nothing to seed */
	if (!fgets(line, sizeof(line), f))	/* header */
		goto out;
	while (!err && fgets(line, sizeof(line), f)) {
		if (seed_parse_inet_line(line, v6, &s) || !s.ino)
			continue;
		seed_inet_name(&s, name, sizeof(name));
		err = push(t, s.ino, kind, name);
	}
out:
	fclose(f);
	return err;
}

static int cmp_ent(const void *x, const void *y)
{
	const struct sock_ent *a = x, *b = y;

	return a->ino < b->ino ? -1 : a->ino > b->ino;
}

int seed_socks_load(const char *proc_root, struct seed_socks **out)
{
	struct seed_socks *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	err = load_unix(t);
	if (err && err != -ENOMEM) {
		/* No sock_diag (module missing): unix sockets go unseeded. */
		log_debug("seed: unix sockets not listed (sock_diag: %s)", strerror(-err));
		err = 0;
	}
	if (!err)
		err = load_inet(t, proc_root, "tcp", IPCS_KIND_TCP, false);
	if (!err)
		err = load_inet(t, proc_root, "tcp6", IPCS_KIND_TCP, true);
	if (!err)
		err = load_inet(t, proc_root, "udp", IPCS_KIND_UDP, false);
	if (!err)
		err = load_inet(t, proc_root, "udp6", IPCS_KIND_UDP, true);
	if (err) {
		seed_socks_free(t);
		return err;
	}
	qsort(t->v, t->n, sizeof(*t->v), cmp_ent);
	*out = t;
	return 0;
}

void seed_socks_free(struct seed_socks *t)
{
	if (!t)
		return;
	free(t->v);
	free(t);
}

int seed_socks_classify(const struct seed_socks *t, const char *target, __u32 sockdev,
			struct ipcs_seed_fd_rec *rec)
{
	struct sock_ent key = { 0 }, *e;
	unsigned long long ino;
	int used = 0;

	if (!t || sscanf(target, "socket:[%llu]%n", &ino, &used) != 1 || target[used])
		return -ENOENT;
	key.ino = ino;
	e = bsearch(&key, t->v, t->n, sizeof(*t->v), cmp_ent);
	if (!e)
		return -ENOENT;
	rec->chan.kind = e->kind;
	rec->chan.ino = e->ino;
	rec->chan.dev = sockdev;
	rec->flags |= IPCS_SEEDF_SOCK_INODE;
	snprintf(rec->path, sizeof(rec->path), "%s", e->name);
	return 0;
}
