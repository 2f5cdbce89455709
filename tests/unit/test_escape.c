/* test_escape.c - terminal and JSON escaping of hostile strings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/escape.h"
#include "util/json.h"

static void test_term_escapes_controls(void **state)
{
	char out[128];

	(void)state;
	esc_term("a\x1b[31mred\x07\n\\", 64, out, sizeof(out));
	assert_string_equal(out, "a\\x1b[31mred\\x07\\x0a\\\\");
	esc_term("\x7f\x80\xff", 64, out, sizeof(out));
	assert_string_equal(out, "\\x7f\\x80\\xff");
	assert_null(strchr(out, 0x1b));
}

static void test_term_bounds(void **state)
{
	char out[6];

	(void)state;
	/* truncates on a whole escape, never splits one */
	assert_int_equal(esc_term("ab\x1b", 3, out, sizeof(out)), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(esc_term("abcdefgh", 3, out, sizeof(out)), 3);
	assert_string_equal(out, "abc");
	assert_int_equal(esc_term("x", 1, out, 0), 0);
}

static char *capture(void (*fn)(FILE *, const char *), const char *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, arg);
	fclose(f);
	return buf;
}

static void json_str_to(FILE *f, const char *s) { esc_json_fputs(s, f); }
static void term_str_to(FILE *f, const char *s) { esc_term_fputs(s, f); }

static void test_json_escape(void **state)
{
	char *s;

	(void)state;
	s = capture(json_str_to, "q\"b\\\x1b\n");
	assert_string_equal(s, "\"q\\\"b\\\\\\u001b\\n\"");
	free(s);
	/* valid UTF-8 passes; invalid bytes and C1 controls (U+009B CSI) are escaped */
	s = capture(json_str_to, "caf\xc3\xa9 \xf0\x9f\x98\x80");
	assert_string_equal(s, "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
	free(s);
	s = capture(json_str_to, "\xc3(\xc2\x9b\xff\xe0\x80\x80");
	assert_string_equal(s, "\"\\u00c3(\\u00c2\\u009b\\u00ff\\u00e0\\u0080\\u0080\"");
	free(s);
	s = capture(term_str_to, "\x1b]0;title\x07");
	assert_string_equal(s, "\\x1b]0;title\\x07");
	free(s);
}

static void write_doc(FILE *f, const char *unused)
{
	struct json_writer w;

	(void)unused;
	json_init(&w, f, false);
	json_obj_begin(&w);
	json_kstr(&w, "a", "x");
	json_key(&w, "list");
	json_arr_begin(&w);
	json_u64(&w, 1);
	json_i64(&w, -2);
	json_obj_begin(&w);
	json_kbool(&w, "t", true);
	json_obj_end(&w);
	json_arr_end(&w);
	json_key(&w, "empty");
	json_arr_begin(&w);
	json_arr_end(&w);
	json_obj_end(&w);
}

static void test_json_writer(void **state)
{
	char *s;

	(void)state;
	s = capture(write_doc, NULL);
	assert_string_equal(s, "{\"a\":\"x\",\"list\":[1,-2,{\"t\":true}],\"empty\":[]}");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_term_escapes_controls),
		cmocka_unit_test(test_term_bounds),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_json_writer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
