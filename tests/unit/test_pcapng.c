/* test_pcapng.c - pcapng blocks byte by byte, and frames synthesized for TCP sends. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "export/exporter.h"
#include "export/pcapng_w.h"

static __u32 u32at(const unsigned char *p)
{
	__u32 v;

	memcpy(&v, p, 4);
	return v;
}

/* Walk the blocks: each total length repeated at its end; returns the count. */
static int walk(const unsigned char *b, size_t n, __u32 *types, int max)
{
	size_t off = 0;
	int i = 0;

	while (off < n) {
		__u32 len = u32at(b + off + 4);

		assert_true(len >= 12 && len % 4 == 0 && off + len <= n);
		assert_int_equal(u32at(b + off + len - 4), len);
		assert_true(i < max);
		types[i++] = u32at(b + off);
		off += len;
	}
	return i;
}

static void test_blocks(void **state)
{
	struct pcapng_pkt p = { .ifid = 0, .ts_ns = 0x123456789ull, .data = "hello", .caplen = 5,
				.origlen = 9, .dir = PCAPNG_DIR_OUT, .dropcount = 3, .pid = 4242,
				.tid = 4343, .comment = "c" };
	unsigned char *b = NULL;
	size_t n = 0, off;
	FILE *f = open_memstream((char **)&b, &n);
	__u32 types[8];

	(void)state;
	assert_int_equal(pcapng_write_shb(f, "ipcscope", "hw"), 0);
	assert_int_equal(pcapng_write_idb(f, PCAPNG_LINKTYPE_USER0, "pipe", "d"), 0);
	assert_int_equal(pcapng_write_epb(f, &p), 0);
	assert_int_equal(pcapng_write_isb(f, 0, 1, 1, 7, NULL), 0);
	fclose(f);
	assert_int_equal(walk(b, n, types, 8), 4);
	assert_int_equal(types[0], 0x0A0D0D0A);
	assert_int_equal(u32at(b + 8), 0x1A2B3C4D);
	assert_int_equal(types[1], 1);
	assert_int_equal(types[2], 6);
	assert_int_equal(types[3], 5);
	/* the EPB: after the SHB and IDB */
	off = u32at(b + 4);
	off += u32at(b + off + 4);
	assert_int_equal(u32at(b + off + 12), 1);		/* ts high */
	assert_int_equal(u32at(b + off + 16), 0x23456789);	/* ts low */
	assert_int_equal(u32at(b + off + 20), 5);
	assert_int_equal(u32at(b + off + 24), 9);
	assert_memory_equal(b + off + 28, "hello\0\0\0", 8);	/* padded to 32 bits */
	/* options: flags (2), dropcount (4), pid/tid (8), comment (1), end */
	off += 36;
	assert_int_equal(u32at(b + off), 2 | 4 << 16);
	assert_int_equal(u32at(b + off + 4), PCAPNG_DIR_OUT);
	off += 8;
	assert_int_equal(u32at(b + off), 4 | 8 << 16);
	assert_int_equal(u32at(b + off + 4), 3);
	off += 12;
	assert_int_equal(u32at(b + off), 8 | 8 << 16);
	assert_int_equal(u32at(b + off + 4), 4242);
	assert_int_equal(u32at(b + off + 8), 4343);
	off += 12;
	assert_int_equal(u32at(b + off), 1 | 1 << 16);
	assert_int_equal(u32at(b + off + 8), 0);	/* opt_endofopt */
	free(b);
}

/* A TCP send: Ethernet + IPv4 + TCP with the real ports, seq counting every byte sent. */
static void test_tcp_frames(void **state)
{
	struct ipcs_file_header fh = { .start_mono_ns = 100, .start_real_ns = 1000000, .capture_bytes = 4 };
	struct export_info info = { .fh = &fh, .start_ns = 100 };
	struct ipcs_event sock, pay;
	struct exporter ex;
	unsigned char *b = NULL;
	size_t n = 0, off;
	FILE *f = open_memstream((char **)&b, &n);
	__u16 lport = 40000, rport = htons(6379);
	__u32 types[8];
	const unsigned char *fr;

	(void)state;
	memset(&sock, 0, sizeof(sock));
	sock.type = IPCS_REC_SOCK;
	sock.sock.s.h.ts_ns = 500;
	sock.sock.s.tid = 7;
	sock.sock.s.chan.kind = IPCS_KIND_TCP;
	sock.sock.flags = IPCS_SOCKF_INET;
	sock.sock.addr_len = 36;
	sock.sock.family = AF_INET;
	memcpy(sock.sock.addr, "\x7f\x00\x00\x01", 4);
	memcpy(sock.sock.addr + 16, "\x7f\x00\x00\x02", 4);
	memcpy(sock.sock.addr + 32, &lport, 2);
	memcpy(sock.sock.addr + 34, &rport, 2);
	memset(&pay, 0, sizeof(pay));
	pay.type = IPCS_REC_PAYLOAD;
	pay.payload.h.ts_ns = 500;
	pay.payload.pid = 6;
	pay.payload.tid = 7;
	pay.payload.sys = IPCS_SYS_WRITE;
	pay.payload.flags = IPCS_PAYF_OUT;
	pay.payload.len = 10;
	pay.payload.cap_len = 4;
	pay.payload.chan.kind = IPCS_KIND_TCP;
	memcpy(pay.payload.data, "PING", 4);

	assert_int_equal(export_pcapng_open(f, &info, &ex), 0);
	for (int i = 0; i < 2; i++) {	/* two sends: the second's seq is 1 + 10 */
		assert_int_equal(ex.sink.on_event(ex.sink.ctx, &sock, NULL, 0), 0);
		assert_int_equal(ex.sink.on_event(ex.sink.ctx, &pay, NULL, 0), 0);
	}
	pay.payload.flags = 0;	/* a receive of TCP bytes: not repeated */
	assert_int_equal(ex.sink.on_event(ex.sink.ctx, &pay, NULL, 0), 0);
	assert_int_equal(ex.finish(ex.sink.ctx), 0);
	ex.destroy(ex.sink.ctx);
	fclose(f);
	assert_int_equal(walk(b, n, types, 8), 5);	/* SHB IDB EPB EPB ISB */
	off = u32at(b + 4);
	off += u32at(b + off + 4);
	assert_int_equal(u32at(b + off + 16), 1000400);	/* realtime: start + 400 ns */
	assert_int_equal(u32at(b + off + 20), 14 + 20 + 20 + 4);
	assert_int_equal(u32at(b + off + 24), 14 + 20 + 20 + 10);
	fr = b + off + 28;
	assert_int_equal(fr[12], 0x08);	/* IPv4 */
	assert_int_equal(fr[14], 0x45);
	assert_int_equal(fr[14 + 3], 20 + 20 + 10);	/* total length */
	assert_int_equal(fr[14 + 9], 6);		/* TCP */
	assert_memory_equal(fr + 14 + 12, "\x7f\x00\x00\x01\x7f\x00\x00\x02", 8);
	assert_memory_equal(fr + 34, "\x9c\x40\x18\xeb", 4);	/* 40000 -> 6379 */
	assert_memory_equal(fr + 38, "\x00\x00\x00\x01", 4);	/* seq 1 */
	assert_memory_equal(fr + 54, "PING", 4);
	off += u32at(b + off + 4);
	fr = b + off + 28;
	assert_memory_equal(fr + 38, "\x00\x00\x00\x0b", 4);	/* seq 11 */
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_tcp_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
