/* pcapng_w.c - pcapng blocks (see pcapng_w.h). Lengths padded to 32 bits. */
#include <errno.h>
#include <string.h>
#include "export/pcapng_w.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_ISB 0x00000005u
#define BT_EPB 0x00000006u

#define OPT_END 0
#define OPT_COMMENT 1
#define SHB_HARDWARE 2
#define SHB_USERAPPL 4
#define IF_NAME 2
#define IF_DESCRIPTION 3
#define IF_TSRESOL 9
#define EPB_FLAGS 2
#define EPB_DROPCOUNT 4
#define EPB_PROCESSID_THREADID 8
#define ISB_IFRECV 4
#define ISB_IFDROP 5

#define BLOCK_MAX (1u << 16)	/* our blocks: headers, 256 bytes of payload, short options */

struct blk {
	unsigned char b[BLOCK_MAX];
	size_t n;
	int overflow;
};

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static void put(struct blk *k, const void *p, size_t n)
{
	if (k->n + pad4(n) > sizeof(k->b)) {
		k->overflow = 1;
		return;
	}
	memcpy(k->b + k->n, p, n);
	memset(k->b + k->n + n, 0, pad4(n) - n);
	k->n += pad4(n);
}

static void put32(struct blk *k, __u32 v)
{
	put(k, &v, 4);
}

static void opt(struct blk *k, __u16 code, const void *p, size_t n)
{
	__u16 h[2] = { code, (__u16)n };

	put(k, h, 4);
	if (n)
		put(k, p, n);
}

static void opt_str(struct blk *k, __u16 code, const char *s)
{
	if (s && *s)
		opt(k, code, s, strnlen(s, 1024));
}

static void opt_u64(struct blk *k, __u16 code, __u64 v)
{
	opt(k, code, &v, 8);
}

/* Type and length first, the length repeated last. */
static void begin(struct blk *k, __u32 type)
{
	k->n = 0;
	k->overflow = 0;
	put32(k, type);
	put32(k, 0);
}

static int finish(FILE *f, struct blk *k)
{
	__u32 total;

	opt(k, OPT_END, NULL, 0);
	total = (__u32)k->n + 4;
	put32(k, total);
	if (k->overflow)
		return -EOVERFLOW;
	memcpy(k->b + 4, &total, 4);
	return fwrite(k->b, 1, k->n, f) == k->n ? 0 : -EIO;
}

static struct blk scratch;	/* one block at a time; no reentry */

int pcapng_write_shb(FILE *f, const char *appl, const char *hardware)
{
	struct blk *k = &scratch;
	__u16 ver[2] = { 1, 0 };
	__u64 section_len = ~0ull;	/* not given: written in one pass */

	begin(k, BT_SHB);
	put32(k, 0x1A2B3C4Du);
	put(k, ver, 4);
	put(k, &section_len, 8);
	opt_str(k, SHB_HARDWARE, hardware);
	opt_str(k, SHB_USERAPPL, appl);
	return finish(f, k);
}

int pcapng_write_idb(FILE *f, __u16 linktype, const char *name, const char *desc)
{
	struct blk *k = &scratch;
	__u16 lt[2] = { linktype, 0 };
	unsigned char tsresol = 9;	/* 10^-9 s */

	begin(k, BT_IDB);
	put(k, lt, 4);
	put32(k, 0);	/* snaplen: no limit */
	opt_str(k, IF_NAME, name);
	opt_str(k, IF_DESCRIPTION, desc);
	opt(k, IF_TSRESOL, &tsresol, 1);
	return finish(f, k);
}

int pcapng_write_epb(FILE *f, const struct pcapng_pkt *p)
{
	struct blk *k = &scratch;
	__u32 ids[2] = { p->pid, p->tid };

	begin(k, BT_EPB);
	put32(k, p->ifid);
	put32(k, (__u32)(p->ts_ns >> 32));
	put32(k, (__u32)p->ts_ns);
	put32(k, p->caplen);
	put32(k, p->origlen);
	put(k, p->data, p->caplen);
	if (p->dir)
		opt(k, EPB_FLAGS, &p->dir, 4);
	if (p->dropcount)
		opt_u64(k, EPB_DROPCOUNT, p->dropcount);
	if (p->pid)
		opt(k, EPB_PROCESSID_THREADID, ids, sizeof(ids));
	opt_str(k, OPT_COMMENT, p->comment);
	return finish(f, k);
}

int pcapng_write_isb(FILE *f, __u32 ifid, __u64 ts_ns, __u64 packets, __u64 drops,
		     const char *comment)
{
	struct blk *k = &scratch;

	begin(k, BT_ISB);
	put32(k, ifid);
	put32(k, (__u32)(ts_ns >> 32));
	put32(k, (__u32)ts_ns);
	opt_str(k, OPT_COMMENT, comment);
	opt_u64(k, ISB_IFRECV, packets);
	opt_u64(k, ISB_IFDROP, drops);
	return finish(f, k);
}
