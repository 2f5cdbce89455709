/* unixdiag.h - socket peers (inode -> peer inode): unix sockets from sock_diag, as `ss -xp`
 * reads them; TCP connections inside the host from /proc/net/tcp{,6}. */
#ifndef IPCS_DL_UNIXDIAG_H
#define IPCS_DL_UNIXDIAG_H

#include <stddef.h>
#include <stdint.h>

struct dl_upeer {
	uint64_t ino, peer;
};

struct dl_upeers {
	struct dl_upeer *v;	/* sorted by ino */
	size_t n;
};

/* Dump every unix socket of this network namespace with its peer. 0 or -errno. */
int dl_upeers_load(struct dl_upeers *p);
/* Parse one netlink dump (a buffer of nlmsghdr); appends. For tests too. */
int dl_upeers_parse(struct dl_upeers *p, const void *buf, size_t len, int *done);
void dl_upeers_sort(struct dl_upeers *p);
/* The peer inode of ino, 0 when none is known (listening, unconnected). */
uint64_t dl_upeers_get(const struct dl_upeers *p, uint64_t ino);
void dl_upeers_fini(struct dl_upeers *p);

/* TCP connections with both ends on this host (in this network namespace's
 * /proc/net/tcp and tcp6: loopback, or to one of its own addresses): each
 * socket's peer is the socket whose endpoints are its own swapped. Appends
 * to p (then sorted); the unix and TCP inodes never collide (one sockfs). */
int dl_tcp_peers_parse(struct dl_upeers *p, const char *text);
int dl_tcp_peers_load(struct dl_upeers *p);

#endif
