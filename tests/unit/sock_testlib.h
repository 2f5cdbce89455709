/*
 * sock_testlib.h - socket events for the model tests that draw sockets (the
 * viewer's and report's goldens): a unix or TCP call as the probes record it.
 * Include after model_testlib.h.
 */
#ifndef IPCS_SOCK_TESTLIB_H
#define IPCS_SOCK_TESTLIB_H

#include <arpa/inet.h>

#define SOCKFS 8u

static inline struct ipcs_event sock_ev(__u32 pid, __u16 sys, __s64 n, __u16 kind, __u64 id,
					__u64 peer)
{
	struct ipcs_event ev = sys_ev(pid, sys, n, 3, -1, (__u64)n, kind, id,
				      IPCS_FMODE_READ | IPCS_FMODE_WRITE);

	ev.type = IPCS_REC_SOCK;
	ev.sock.s.h.type = IPCS_REC_SOCK;
	ev.sock.s.h.size = sizeof(ev.sock);
	ev.sock.s.h.ts_ns = now++;
	ev.sock.s.chan.dev = SOCKFS;
	ev.sock.peer = peer;
	ev.sock.family = 1;
	ev.sock.type = kind == IPCS_KIND_UNIX_DGRAM ? 2 : 1;
	return ev;
}

/* A TCP end between 10.200.100.1:lport and 10.200.100.2:rport (first: this end is .1). */
static inline void tcp_io(struct model *m, __u32 pid, __u16 sys, __u64 id, __u16 lport,
			  __u16 rport, bool first, __s64 n)
{
	struct ipcs_event ev = sock_ev(pid, sys, n, IPCS_KIND_TCP, id, 0);
	unsigned char h1[4] = { 10, 200, 100, 1 }, h2[4] = { 10, 200, 100, 2 };
	__u16 rp = htons(rport);

	ev.sock.family = 2;
	memcpy(ev.sock.addr, first ? h1 : h2, 4);
	memcpy(ev.sock.addr + 16, first ? h2 : h1, 4);
	memcpy(ev.sock.addr + 32, &lport, 2);
	memcpy(ev.sock.addr + 34, &rp, 2);
	ev.sock.addr_len = 36;
	ev.sock.flags = IPCS_SOCKF_INET;
	apply(m, &ev);
}

static inline void unix_io(struct model *m, __u32 pid, __u16 sys, __u16 kind, __u64 id,
			   __u64 peer, __s64 n)
{
	struct ipcs_event ev = sock_ev(pid, sys, n, kind, id, peer);

	apply(m, &ev);
}

#endif
