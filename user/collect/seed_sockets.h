/*
 * seed_sockets.h - sockets open before tracing: what /proc/PID/fd's
 * "socket:[INODE]" is (unix via sock_diag, TCP/UDP via /proc/net) and its
 * name, as the live model names it.
 */
#ifndef IPCS_SEED_SOCKETS_H
#define IPCS_SEED_SOCKETS_H

#include <stddef.h>
#include "ipcscope_abi.h"

struct seed_socks;

/* Snapshot of the host's unix, TCP and UDP sockets; proc_root is "/proc" (tests: a tree). */
int seed_socks_load(const char *proc_root, struct seed_socks **out);
void seed_socks_free(struct seed_socks *t);

/*
 * For the fd link target "socket:[INODE]" of a followed socket: fill
 * rec->chan (kind, ino = INODE, dev = sockdev), rec->path (its name) and
 * set IPCS_SEEDF_SOCK_INODE in rec->flags. -ENOENT for anything else.
 */
int seed_socks_classify(const struct seed_socks *t, const char *target, __u32 sockdev,
			struct ipcs_seed_fd_rec *rec);

/* Parsers, exposed for tests: one /proc/net/{tcp,udp}{,6} line; 0 or -EINVAL. */
struct seed_inet {
	__u64 ino;
	unsigned char lip[16], rip[16];
	__u16 lport, rport;
	bool v6;
};
int seed_parse_inet_line(const char *line, bool v6, struct seed_inet *out);
/* Name as sock.c gives it: "127.0.0.1:P<->127.0.0.1:Q" (lower port first) or, unconnected, "127.0.0.1:P". */
void seed_inet_name(const struct seed_inet *s, char *buf, size_t n);

#endif
