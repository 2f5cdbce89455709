/*
 * pcapng_w.h - a small pcapng writer (the IETF OPSAWG pcapng draft): one
 * section, interfaces with nanosecond timestamps, enhanced packet blocks
 * with flags, drop count, process/thread id and comment options, and
 * interface statistics. Host byte order (the section header says which).
 */
#ifndef IPCS_PCAPNG_W_H
#define IPCS_PCAPNG_W_H

#include <stdio.h>
#include <linux/types.h>

#define PCAPNG_LINKTYPE_ETHERNET 1
#define PCAPNG_LINKTYPE_USER0 147

#define PCAPNG_DIR_IN 1		/* epb_flags direction bits */
#define PCAPNG_DIR_OUT 2

struct pcapng_pkt {
	__u32 ifid;
	__u64 ts_ns;		/* CLOCK_REALTIME, nanoseconds */
	const void *data;
	__u32 caplen;		/* bytes of data */
	__u32 origlen;		/* bytes the packet had */
	__u32 dir;		/* PCAPNG_DIR_* or 0 */
	__u64 dropcount;	/* epb_dropcount when non-zero */
	__u32 pid, tid;		/* epb_processid_threadid when pid != 0 */
	const char *comment;	/* opt_comment, or NULL */
};

/* Each returns 0 or -EIO. */
int pcapng_write_shb(FILE *f, const char *appl, const char *hardware);
int pcapng_write_idb(FILE *f, __u16 linktype, const char *name, const char *desc);
int pcapng_write_epb(FILE *f, const struct pcapng_pkt *p);
/* Interface statistics: packets written (isb_ifrecv) and drops (isb_ifdrop). */
int pcapng_write_isb(FILE *f, __u32 ifid, __u64 ts_ns, __u64 packets, __u64 drops,
		     const char *comment);

#endif
