/* unixdiag.h - unix socket peers (inode -> peer inode) from sock_diag, as `ss -xp` reads them. */
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

#endif
