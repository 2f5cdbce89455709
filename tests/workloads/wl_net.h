/* wl_net.h - loopback addresses for the socket workloads (after wl.h). */
#ifndef IPCS_WL_NET_H
#define IPCS_WL_NET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* 127.0.0.1:port (fam 4) or [::1]:port (fam 6) into ss; returns its length. */
static inline socklen_t make_addr(int fam, unsigned port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (fam == 6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((unsigned short)port);
		a->sin6_addr = in6addr_loopback;
		return sizeof(*a);
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_port = htons((unsigned short)port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(*a);
}

#endif
