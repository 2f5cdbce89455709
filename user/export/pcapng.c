/*
 * pcapng.c - captured payloads (record --capture N) as a pcapng file for
 * Wireshark and tshark. One interface per channel kind. Loopback TCP and
 * UDP sends become Ethernet + IPv4/IPv6 + TCP/UDP frames with the real
 * addresses and ports, and per-direction TCP sequence numbers that count
 * every byte sent (captured or not), so Wireshark reassembles the streams
 * and dissects the application protocol. Their receives are the same bytes
 * and are not repeated. Pipes, FIFOs and unix sockets carry the bytes bare
 * (LINKTYPE_USER0), both the writes (outbound) and the reads (inbound).
 * Every packet names its process and thread (epb_processid_threadid) and
 * its call (a comment); events ipcscope lost are epb_dropcount on the next
 * packet of each interface and isb_ifdrop in the interface statistics.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "export/exporter.h"
#include "export/pcapng_w.h"
#include "log.h"
#include "util/escape.h"
#include "util/hashmap.h"

#define FRAME_HDR_MAX (14 + 40 + 20)	/* Ethernet + IPv6 + TCP */

struct iface {
	bool used;
	__u32 id;
	__u64 packets;
	__u64 drops_seen;	/* drop total when its last packet was written */
};

/* The endpoints of the last socket call of a thread: its payload follows. */
struct last_sock {
	__u64 ts_ns;
	__u16 family;
	__u16 kind;
	char addr[36];
};

struct tcp_dir {
	__u32 next_seq;
};

/* A packet waiting in the reorder window: records of several CPUs come a little out of order. */
struct pending {
	__u64 ts, seq;		/* order: time, then arrival */
	struct pcapng_pkt pkt;
	unsigned char frame[FRAME_HDR_MAX + IPCS_PAYLOAD_MAX];
	char comment[160];
};

#define REORDER_MAX 4096	/* packets held back to be written in time order */

struct pcapng {
	FILE *f;
	struct pending *heap;	/* min-heap by (ts, seq), REORDER_MAX slots */
	size_t nheap;
	__u64 seq;
	const struct export_info *info;
	struct iface ifaces[IPCS_KIND_MAX];
	__u32 nifaces;
	struct hashmap socks;	/* tid -> struct last_sock */
	struct hashmap seqs;	/* 36-byte (src, dst) -> struct tcp_dir */
	__u64 drops;		/* latest total of the DROPS records */
	__u64 last_ts;
};

static __u64 realtime(const struct pcapng *p, __u64 mono)
{
	const struct ipcs_file_header *fh = p->info->fh;

	if (!fh || mono < fh->start_mono_ns)
		return fh ? fh->start_real_ns : mono;
	return fh->start_real_ns + (mono - fh->start_mono_ns);
}

static bool kind_is_inet(__u16 kind)
{
	return kind == IPCS_KIND_TCP || kind == IPCS_KIND_UDP;
}

static int iface_get(struct pcapng *p, __u16 kind, struct iface **out)
{
	struct iface *i = &p->ifaces[kind];
	char desc[96];
	int err;

	if (!i->used) {
		snprintf(desc, sizeof(desc), "ipcscope: captured bytes of %s calls", ipcs_kind_name(kind));
		err = pcapng_write_idb(p->f, kind_is_inet(kind) ? PCAPNG_LINKTYPE_ETHERNET : PCAPNG_LINKTYPE_USER0,
				       ipcs_kind_name(kind), desc);
		if (err)
			return err;
		i->used = true;
		i->id = p->nifaces++;
		i->drops_seen = 0;
	}
	*out = i;
	return 0;
}

static __u16 ip_csum(const unsigned char *h, size_t n)
{
	__u32 s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (__u32)(h[i] << 8 | h[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((__u16)~s);
}

/*
 * Ethernet + IP + TCP/UDP headers for `len` payload bytes sent from the
 * record's local end to its remote end; returns the header length.
 */
static size_t frame_headers(struct pcapng *p, const struct last_sock *s, __u32 len,
			    unsigned char *h)
{
	bool v6 = s->family == AF_INET6, tcp = s->kind == IPCS_KIND_TCP;
	size_t l4 = tcp ? 20 : 8, ip = v6 ? 40 : 20, n = 14;
	__u16 sport, dport, ethertype = htons(v6 ? 0x86DD : 0x0800);
	unsigned char *iph, *th;
	struct tcp_dir *d, *r;
	char key[36], rkey[36];

	memcpy(&sport, s->addr + 32, 2);	/* host order */
	memcpy(&dport, s->addr + 34, 2);	/* network order */
	sport = htons(sport);
	memset(h, 0, FRAME_HDR_MAX);
	memcpy(h + 12, &ethertype, 2);	/* MACs zero, as on loopback */
	iph = h + n;
	if (v6) {
		__u16 plen = htons((__u16)(l4 + len > 0xffff ? 0xffff : l4 + len));

		iph[0] = 0x60;
		memcpy(iph + 4, &plen, 2);
		iph[6] = tcp ? 6 : 17;
		iph[7] = 64;
		memcpy(iph + 8, s->addr, 16);
		memcpy(iph + 24, s->addr + 16, 16);
	} else {
		__u16 tot = htons((__u16)(ip + l4 + len > 0xffff ? 0xffff : ip + l4 + len));

		iph[0] = 0x45;
		memcpy(iph + 2, &tot, 2);
		iph[6] = 0x40;	/* don't fragment */
		iph[8] = 64;
		iph[9] = tcp ? 6 : 17;
		memcpy(iph + 12, s->addr, 4);
		memcpy(iph + 16, s->addr + 16, 4);
		memcpy(iph + 10, (__u16[]){ ip_csum(iph, 20) }, 2);
	}
	th = iph + ip;
	memcpy(th, &sport, 2);
	memcpy(th + 2, &dport, 2);
	if (!tcp) {
		__u16 ulen = htons((__u16)(8 + len > 0xffff ? 0xffff : 8 + len));

		memcpy(th + 4, &ulen, 2);
		return n + ip + l4;
	}
	/* Sequence numbers per direction; the ack is what the other side sent so far. */
	memcpy(key, s->addr, 36);
	memcpy(rkey, s->addr + 16, 16);
	memcpy(rkey + 16, s->addr, 16);
	memcpy(rkey + 32, s->addr + 34, 2);
	memcpy(rkey + 34, s->addr + 32, 2);
	d = hashmap_get(&p->seqs, key);
	if (!d && (d = calloc(1, sizeof(*d)))) {
		d->next_seq = 1;
		if (hashmap_put(&p->seqs, key, d, NULL)) {
			free(d);
			d = NULL;
		}
	}
	r = hashmap_get(&p->seqs, rkey);
	{
		__u32 seq = htonl(d ? d->next_seq : 1), ack = htonl(r ? r->next_seq : 1);
		__u16 win = htons(65535);

		memcpy(th + 4, &seq, 4);
		memcpy(th + 8, &ack, 4);
		th[12] = 5 << 4;
		th[13] = 0x18;	/* PSH, ACK */
		memcpy(th + 14, &win, 2);
	}
	if (d)
		d->next_seq += len;
	return n + ip + l4;
}

static int remember_sock(struct pcapng *p, const struct ipcs_sock_rec *r)
{
	struct last_sock *s;
	__u32 tid = r->s.tid;

	if (!(r->flags & IPCS_SOCKF_INET) || r->addr_len != 36)
		return 0;
	s = hashmap_get(&p->socks, &tid);
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return -ENOMEM;
		if (hashmap_put(&p->socks, &tid, s, NULL)) {
			free(s);
			return -ENOMEM;
		}
	}
	s->ts_ns = r->s.h.ts_ns;
	s->family = r->family;
	s->kind = r->s.chan.kind;
	memcpy(s->addr, r->addr, 36);
	return 0;
}

static bool before(const struct pending *a, const struct pending *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->seq < b->seq);
}

static void swap(struct pending *a, struct pending *b)
{
	struct pending t = *a;

	*a = *b;
	*b = t;
}

/* Write the oldest pending packet and take it out of the heap. */
static int pop_oldest(struct pcapng *p)
{
	struct pending *h = p->heap;
	size_t i = 0, c;
	int err;

	h[0].pkt.data = h[0].frame;
	h[0].pkt.comment = h[0].comment;
	err = pcapng_write_epb(p->f, &h[0].pkt);
	h[0] = h[--p->nheap];
	while ((c = 2 * i + 1) < p->nheap) {
		if (c + 1 < p->nheap && before(&h[c + 1], &h[c]))
			c++;
		if (!before(&h[c], &h[i]))
			break;
		swap(&h[c], &h[i]);
		i = c;
	}
	return err;
}

/* Hold a packet; when the window is full, the oldest goes to the file. */
static int push_packet(struct pcapng *p, struct pending *n)
{
	struct pending *h = p->heap;
	size_t i;
	int err = 0;

	if (p->nheap == REORDER_MAX)
		err = pop_oldest(p);
	n->seq = p->seq++;
	i = p->nheap++;
	h[i] = *n;
	while (i && before(&h[i], &h[(i - 1) / 2])) {
		swap(&h[i], &h[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	return err;
}

static int write_payload(struct pcapng *p, const struct ipcs_payload_rec *r)
{
	static struct pending n;	/* ~600 bytes: off the stack */
	unsigned char *frame = n.frame;
	bool out = r->flags & IPCS_PAYF_OUT;
	struct pcapng_pkt pkt = { 0 };
	struct last_sock *s = NULL;
	char *comment = n.comment;
	struct iface *i;
	size_t hl = 0;
	__u32 tid = r->tid;
	int err;

	if (kind_is_inet(r->chan.kind)) {
		if (!out)
			return 0;	/* the send already carried these bytes */
		s = hashmap_get(&p->socks, &tid);
		if (!s || s->ts_ns != r->h.ts_ns)
			return 0;	/* its call's record is missing: no addresses */
	}
	err = iface_get(p, r->chan.kind, &i);
	if (err)
		return err;
	if (s)
		hl = frame_headers(p, s, r->len, frame);
	memcpy(frame + hl, r->data, r->cap_len);
	/* pid and tid again in words: Wireshark before 4.2 does not show option 8 */
	snprintf(comment, sizeof(n.comment), "pid %u tid %u %s %s %u bytes (%u captured) %s:[%" PRIu64 "]",
		 r->pid, r->tid, ipcs_sys_name(r->sys), out ? "out" : "in", r->len, r->cap_len,
		 ipcs_kind_name(r->chan.kind), (uint64_t)r->chan.ino);
	pkt.ifid = i->id;
	pkt.ts_ns = realtime(p, r->h.ts_ns);
	pkt.data = frame;
	pkt.caplen = (__u32)hl + r->cap_len;
	pkt.origlen = (__u32)hl + r->len;
	pkt.dir = out ? PCAPNG_DIR_OUT : PCAPNG_DIR_IN;
	pkt.dropcount = p->drops - i->drops_seen;
	pkt.pid = r->pid;
	pkt.tid = r->tid;
	pkt.comment = comment;
	n.pkt = pkt;	/* data and comment point into the heap slot when written */
	n.ts = pkt.ts_ns;
	err = push_packet(p, &n);
	i->drops_seen = p->drops;
	i->packets++;
	return err;
}

static int pcapng_on_event(void *ctx, const struct ipcs_event *ev, const void *raw, size_t len)
{
	struct pcapng *p = ctx;
	__u64 total = 0;

	(void)raw;
	(void)len;
	if (ev->h.ts_ns > p->last_ts)
		p->last_ts = ev->h.ts_ns;
	switch (ev->type) {
	case IPCS_REC_SOCK:
		return remember_sock(p, &ev->sock);
	case IPCS_REC_PAYLOAD:
		return write_payload(p, &ev->payload);
	case IPCS_REC_DROPS:
		total = ipcs_drops_lost(ev->drops.drops);
		p->drops = total;	/* cumulative */
		return 0;
	}
	return 0;
}

static int pcapng_finish(void *ctx)
{
	struct pcapng *p = ctx;
	char comment[128];
	int err = 0;

	while (p->nheap && !err)
		err = pop_oldest(p);
	snprintf(comment, sizeof(comment),
		 "isb_ifdrop: events ipcscope lost while recording (of any channel kind): %" PRIu64,
		 (uint64_t)p->drops);
	for (__u16 k = 0; k < IPCS_KIND_MAX && !err; k++)
		if (p->ifaces[k].used)
			err = pcapng_write_isb(p->f, p->ifaces[k].id, realtime(p, p->last_ts),
					       p->ifaces[k].packets, p->drops, comment);
	if (!err && (fflush(p->f) || ferror(p->f)))
		err = -EIO;
	return err;
}

static void pcapng_destroy(void *ctx)
{
	struct pcapng *p = ctx;

	free(p->heap);
	hashmap_fini_free(&p->socks);
	hashmap_fini_free(&p->seqs);
	free(p);
}

int export_pcapng_open(FILE *f, const struct export_info *info, struct exporter *out)
{
	struct pcapng *p = calloc(1, sizeof(*p));
	char hw[160];
	int err;

	if (!p)
		return -ENOMEM;
	p->f = f;
	p->info = info;
	p->heap = malloc(REORDER_MAX * sizeof(*p->heap));
	err = p->heap ? hashmap_init(&p->socks, sizeof(__u32)) : -ENOMEM;
	if (!err)
		err = hashmap_init(&p->seqs, 36);
	if (!err) {
		char host[sizeof(info->fh->host) * 4 + 1] = "", kern[sizeof(info->fh->kernel) * 4 + 1] = "";

		if (info->fh) {
			esc_term(info->fh->host, sizeof(info->fh->host), host, sizeof(host));
			esc_term(info->fh->kernel, sizeof(info->fh->kernel), kern, sizeof(kern));
			if (!info->fh->capture_bytes)
				log_warn("the recording has no payload bytes (record with --capture N): "
					 "the pcapng file will hold no packets");
		}
		snprintf(hw, sizeof(hw), "host %s, kernel %s", host, kern);
		err = pcapng_write_shb(f, "ipcscope " IPCS_VERSION, hw);
	}
	if (err) {
		pcapng_destroy(p);
		return err;
	}
	*out = (struct exporter){
		.sink = { .on_event = pcapng_on_event, .ctx = p },
		.finish = pcapng_finish,
		.destroy = pcapng_destroy,
	};
	return 0;
}
