/* unixdiag.c - NETLINK_SOCK_DIAG dump of AF_UNIX sockets with UDIAG_SHOW_PEER. */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "deadlock/unixdiag.h"
#include "util/vec.h"

static int push(struct dl_upeers *p, uint64_t ino, uint64_t peer)
{
	struct dl_upeer *v = realloc(p->v, (p->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	p->v = v;
	v[p->n].ino = ino;
	v[p->n].peer = peer;
	p->n++;
	return 0;
}

int dl_upeers_parse(struct dl_upeers *p, const void *buf, size_t len, int *done)
{
	const struct nlmsghdr *h = buf;
	int rem = (int)len;

	*done = 0;
	for (; NLMSG_OK(h, rem); h = NLMSG_NEXT(h, rem)) {
		const struct unix_diag_msg *m;
		const struct rtattr *a;
		int alen;

		if (h->nlmsg_type == NLMSG_DONE) {
			*done = 1;
			return 0;
		}
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EINVAL;
			return e->error ? e->error : -EIO;
		}
		if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
			continue;
		m = NLMSG_DATA(h);
		alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
		for (a = (const struct rtattr *)(m + 1); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
			uint32_t peer;

			if (a->rta_type != UNIX_DIAG_PEER || RTA_PAYLOAD(a) < sizeof(peer))
				continue;
			memcpy(&peer, RTA_DATA(a), sizeof(peer));
			if (peer && push(p, m->udiag_ino, peer))
				return -ENOMEM;
		}
	}
	return 0;
}

static int cmp_ino(const void *a, const void *b)
{
	const struct dl_upeer *x = a, *y = b;

	return (x->ino > y->ino) - (x->ino < y->ino);
}

void dl_upeers_sort(struct dl_upeers *p)
{
	if (p->n)
		qsort(p->v, p->n, sizeof(*p->v), cmp_ino);
}

int dl_upeers_load(struct dl_upeers *p)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req r;
	} req = {
		.nlh = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.r = { .sdiag_family = AF_UNIX, .udiag_states = ~0u, .udiag_show = UDIAG_SHOW_PEER },
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	static char buf[32768] __attribute__((aligned(8)));
	int fd, rc = 0, done = 0;

	memset(p, 0, sizeof(*p));
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		rc = -errno;
	while (!rc && !done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		rc = dl_upeers_parse(p, buf, (size_t)n, &done);
	}
	close(fd);
	if (rc)
		dl_upeers_fini(p);
	else
		dl_upeers_sort(p);
	return rc;
}

uint64_t dl_upeers_get(const struct dl_upeers *p, uint64_t ino)
{
	struct dl_upeer key = { .ino = ino }, *hit;

	if (!p->n)
		return 0;
	hit = bsearch(&key, p->v, p->n, sizeof(*p->v), cmp_ino);
	return hit ? hit->peer : 0;
}

void dl_upeers_fini(struct dl_upeers *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* One /proc/net/tcp{,6} socket: its endpoints as the file spells them. */
struct tcpent {
	char local[48], remote[48];
	uint64_t ino;
};

static int cmp_tcp(const void *a, const void *b)
{
	const struct tcpent *x = a, *y = b;
	int c = strcmp(x->local, y->local);

	return c ? c : strcmp(x->remote, y->remote);
}

int dl_tcp_peers_parse(struct dl_upeers *p, const char *text)
{
	struct tcpent *v = NULL, key, *hit;
	size_t n = 0, cap = 0;
	int rc = 0;

	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		struct tcpent e;
		unsigned long long ino;

		if (sscanf(line, " %*u: %47s %47s %*x %*s %*s %*s %*u %*u %llu", e.local, e.remote, &ino) != 3 ||
		    !ino || !strchr(e.local, ':'))
			continue;	/* the header, or a socket without an inode (TIME_WAIT) */
		e.ino = ino;
		if (vec_grow((void **)&v, &cap, n + 1, sizeof(*v), 64)) {
			free(v);
			return -ENOMEM;
		}
		v[n++] = e;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_tcp);
	/* both ends in this table: a connection inside this host (loopback or not) */
	for (size_t i = 0; !rc && i < n; i++) {
		memcpy(key.local, v[i].remote, sizeof(key.local));
		memcpy(key.remote, v[i].local, sizeof(key.remote));
		hit = bsearch(&key, v, n, sizeof(*v), cmp_tcp);
		if (hit && hit->ino != v[i].ino)
			rc = push(p, v[i].ino, hit->ino);
	}
	free(v);
	return rc;
}

/* A whole /proc file (its size is not known beforehand); NULL on failure. */
static char *read_all(const char *path)
{
	FILE *f = fopen(path, "re"), *m;
	char *text = NULL, buf[8192];
	size_t len = 0, got;

	if (!f)
		return NULL;
	m = open_memstream(&text, &len);
	if (m) {
		while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
			fwrite(buf, 1, got, m);
		fclose(m);
	}
	fclose(f);
	return text;
}

int dl_tcp_peers_load(struct dl_upeers *p)
{
	static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	int rc = 0;

	for (size_t i = 0; !rc && i < 2; i++) {
		char *text = read_all(files[i]);

		if (!text)
			continue;	/* no IPv6 */
		rc = dl_tcp_peers_parse(p, text);
		free(text);
	}
	dl_upeers_sort(p);
	return rc;
}
