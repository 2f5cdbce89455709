/* test_units.c - human units (util/units.c), text tables (util/texttable.c) and
 * kernel numbers named as strace names them (util/names.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>
#include "util/texttable.h"
#include "util/units.h"
#include "util/names.h"

static void test_bytes(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(units_bytes(b, sizeof(b), 0), "0 B");
	assert_string_equal(units_bytes(b, sizeof(b), 1023), "1023 B");
	assert_string_equal(units_bytes(b, sizeof(b), 1024), "1.0 KiB");
	assert_string_equal(units_bytes(b, sizeof(b), 3107), "3.0 KiB");
	assert_string_equal(units_bytes(b, sizeof(b), 588895), "575 KiB");
	assert_string_equal(units_bytes(b, sizeof(b), 55892), "54.6 KiB");
	assert_string_equal(units_rate(b, sizeof(b), 55892), "54.6 KiB/s");
	assert_string_equal(units_bytes(b, sizeof(b), 1048575), "1.0 MiB");	/* rounds up a unit */
	assert_string_equal(units_bytes(b, sizeof(b), 5ull << 30), "5.0 GiB");
	assert_string_equal(units_bytes(b, sizeof(b), UINT64_MAX), "16.0 EiB");
}

static void test_durations(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(units_dur(b, sizeof(b), 0), "0 s");
	assert_string_equal(units_dur(b, sizeof(b), 850), "850 ns");
	assert_string_equal(units_dur(b, sizeof(b), 12500), "12.5 us");
	assert_string_equal(units_dur(b, sizeof(b), 999999), "1.0 ms");
	assert_string_equal(units_dur(b, sizeof(b), 1253900000ull), "1.3 s");
	assert_string_equal(units_dur(b, sizeof(b), 10452000000ull), "10.5 s");
	assert_string_equal(units_dur(b, sizeof(b), 125000000000ull), "2m05s");
	assert_string_equal(units_dur(b, sizeof(b), 3600000000000ull * 3 + 7 * 60000000000ull), "3h07m");
	assert_string_equal(units_count(b, sizeof(b), 99999), "99999");
	assert_string_equal(units_count(b, sizeof(b), 123456), "123k");
	assert_string_equal(units_count(b, sizeof(b), 4500000), "4.5M");
}

static void test_fit(void **state)
{
	char b[128];

	(void)state;
	tt_fit("short", TT_MID, 10, b, sizeof(b));
	assert_string_equal(b, "short");
	tt_fit("12187/demo-rpc-client", TT_END, 12, b, sizeof(b));
	assert_string_equal(b, "12187/demo-~");
	tt_fit("/var/lib/app/deep/dir/end.fifo", TT_MID, 20, b, sizeof(b));
	assert_int_equal(strlen(b), 20);
	assert_non_null(strstr(b, "end.fifo"));
	assert_memory_equal(b, "/var", 4);
	/* endpoints keep their ports */
	tt_fit("127.0.0.1:44437<->127.0.0.1:46200", TT_MID, 20, b, sizeof(b));
	assert_int_equal(strlen(b), 20);
	assert_non_null(strstr(b, ":44437<->"));
	assert_non_null(strstr(b, ":46200"));
	tt_fit("kind", TT_FIXED, 2, b, sizeof(b));
	assert_string_equal(b, "kind");
	tt_fit("abcdef", TT_MID, 2, b, sizeof(b));
	assert_string_equal(b, "ab");
}

static const struct tt_col cols[] = {
	{ "KIND", false, TT_FIXED, 0, false }, { "NAME", false, TT_MID, 6, false },
	{ "N", true, TT_FIXED, 0, false }, { "", false, TT_END, 4, true },
};

static char *print_at(const struct texttable *t, int width)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	tt_print(t, f, width, NULL);
	fclose(f);
	return buf;
}

static void test_table(void **state)
{
	struct texttable t;
	char *out;

	(void)state;
	tt_init(&t, cols, 4);
	tt_add(&t, (const char *const[]){ "unix-seqpacket", "/a/very/long/name/of/a/socket", "12", "note" });
	tt_add(&t, (const char *const[]){ "pipe", "pipe:[1]", "3", NULL });
	tt_note(&t, 1, "a note under the name");
	out = print_at(&t, 200);	/* room: everything whole, two spaces apart */
	assert_string_equal(out,
		"KIND            NAME                            N\n"
		"unix-seqpacket  /a/very/long/name/of/a/socket  12  note\n"
		"pipe            pipe:[1]                        3\n"
		"                a note under the name\n");
	free(out);
	out = print_at(&t, 30);	/* the note column goes first, then the name; the kind stays */
	assert_string_equal(out,
		"KIND           NAME          N\n"
		"unix-seqpacket /a/...socket 12\n"
		"pipe           pipe:[1]      3\n"
		"  a note under the name\n");
	free(out);
	tt_free(&t);
}

static void test_width_from_env(void **state)
{
	(void)state;
	setenv("COLUMNS", "97", 1);
	assert_int_equal(tt_out_width(1), 97);
	setenv("COLUMNS", "junk", 1);
	unsetenv("COLUMNS");
	/* stdout of a test is no terminal here */
	if (!isatty(1))
		assert_int_equal(tt_out_width(1), TT_DEFAULT_WIDTH);
	setenv("COLUMNS", "5", 1);	/* nonsense: ignored */
	if (!isatty(1))
		assert_int_equal(tt_out_width(1), TT_DEFAULT_WIDTH);
	unsetenv("COLUMNS");
}

static void test_names(void **state)
{
	char b[96];

	(void)state;
	assert_string_equal(names_signal(17, b, sizeof(b)), "SIGCHLD");
	assert_string_equal(names_signal(9, b, sizeof(b)), "SIGKILL");
	assert_string_equal(names_signal(0, b, sizeof(b)), "SIG0");
	assert_string_equal(names_signal(99, b, sizeof(b)), "SIG99");
	assert_string_equal(names_signal(-5, b, sizeof(b)), "SIG-5");
	assert_string_equal(names_futex_op(137, b, sizeof(b)), "FUTEX_WAIT_BITSET_PRIVATE");
	assert_string_equal(names_futex_op(393, b, sizeof(b)), "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME");
	assert_string_equal(names_futex_op(1, b, sizeof(b)), "FUTEX_WAKE");
	assert_string_equal(names_futex_op(6 | 128, b, sizeof(b)), "FUTEX_LOCK_PI_PRIVATE");
	assert_string_equal(names_futex_op(0x7f, b, sizeof(b)), "0x7f /* FUTEX_??? */");
	assert_string_equal(names_futex_op(0x10001, b, sizeof(b)), "FUTEX_WAKE|0x10000");
	assert_string_equal(names_errno(110), "ETIMEDOUT");
	assert_string_equal(names_errno_text(110), "Connection timed out");
	assert_null(names_errno(0));
	assert_null(names_errno(5000));
	assert_null(names_errno_text(-1));
	assert_string_equal(names_sig_result(1), "ignored");
	assert_string_equal(names_sig_result(99), "?");
	assert_string_equal(names_sig_disp(2), "handler");
	assert_string_equal(names_sig_disp(7), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_width_from_env),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
