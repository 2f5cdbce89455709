/* test_payload.c - IPCS_REC_PAYLOAD: decoded with its bounds checked, printed escaped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "collect/decode.h"
#include "export/exporter.h"
#include "sinks/plain.h"
#include "util/escape.h"

static struct ipcs_payload_rec rec(__u32 len, __u32 cap)
{
	struct ipcs_payload_rec r;

	memset(&r, 0, sizeof(r));
	r.h.type = IPCS_REC_PAYLOAD;
	r.h.size = sizeof(r);
	r.h.ts_ns = 2000;
	r.pid = 5;
	r.tid = 6;
	r.sys = IPCS_SYS_WRITE;
	r.flags = IPCS_PAYF_OUT;
	r.len = len;
	r.cap_len = cap;
	r.chan.kind = IPCS_KIND_PIPE;
	r.chan.ino = 9;
	memcpy(r.data, "a\0\x1b[2J\\z", 8);
	return r;
}

static void test_decode_bounds(void **state)
{
	struct ipcs_payload_rec r = rec(100, 8);
	struct ipcs_event ev;

	(void)state;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
	assert_int_equal(ev.type, IPCS_REC_PAYLOAD);
	assert_int_equal(ev.payload.cap_len, 8);
	r = rec(4, 8);	/* more captured than moved */
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r = rec(1000, IPCS_PAYLOAD_MAX + 1);
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r = rec(100, 8);
	r.sys = 99;	/* no such syscall */
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r = rec(100, 8);
	r.chan.kind = IPCS_KIND_MAX;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), -EINVAL);
	r = rec(100, 8);
	r.h.size = sizeof(r) - 8;	/* short */
	assert_int_equal(ipcs_decode(&r, sizeof(r) - 8, &ev), -EINVAL);
}

static void test_esc_bytes_keeps_nul(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(esc_bytes("a\0\x1b\\", 4, out, sizeof(out)), strlen("a\\x00\\x1b\\\\"));
	assert_string_equal(out, "a\\x00\\x1b\\\\");
	esc_bytes("abcdef", 6, out, 4);	/* truncates whole */
	assert_string_equal(out, "abc");
}

static void test_plain_and_jsonl(void **state)
{
	struct ipcs_payload_rec r = rec(100, 8);
	struct plain_printer pp = { .start_ns = 1000 };
	struct export_info info = { .start_ns = 1000 };
	struct exporter ex;
	struct ipcs_event ev;
	char line[512], *buf = NULL;
	size_t n = 0;
	FILE *f;

	(void)state;
	assert_int_equal(ipcs_decode(&r, sizeof(r), &ev), 0);
	plain_format(&pp, &ev, line, sizeof(line));
	assert_non_null(strstr(line, "bytes   8 of 100 out \"a\\x00\\x1b[2J\\\\z\""));
	f = open_memstream(&buf, &n);
	assert_int_equal(export_jsonl_open(f, &info, &ex), 0);
	assert_int_equal(ex.sink.on_event(ex.sink.ctx, &ev, NULL, 0), 0);
	ex.destroy(ex.sink.ctx);
	fclose(f);
	assert_non_null(strstr(buf, "\"type\":\"payload\""));
	assert_non_null(strstr(buf, "\"len\":100,\"cap_len\":8,\"data_hex\":\"61001b5b324a5c7a\""));
	assert_non_null(strstr(buf, "\"dir\":\"out\""));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_bounds),
		cmocka_unit_test(test_esc_bytes_keeps_nul),
		cmocka_unit_test(test_plain_and_jsonl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
