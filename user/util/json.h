/* json.h - a small streaming JSON writer (commas and nesting tracked for you). */
#ifndef IPCS_JSON_H
#define IPCS_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json_writer {
	FILE *f;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool after_key;
	bool pretty;
};

void json_init(struct json_writer *w, FILE *f, bool pretty);
void json_obj_begin(struct json_writer *w);
void json_obj_end(struct json_writer *w);
void json_arr_begin(struct json_writer *w);
void json_arr_end(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);
void json_str(struct json_writer *w, const char *s);
void json_u64(struct json_writer *w, uint64_t v);
/* A 64-bit identifier (inode, device, address, key) as a decimal string:
 * JSON numbers past 2^53 lose digits in jq and JavaScript. */
void json_id(struct json_writer *w, uint64_t v);
void json_i64(struct json_writer *w, int64_t v);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);
/* A value already formatted as JSON (a number with decimals, say). */
void json_raw(struct json_writer *w, const char *text);

/* key + value shorthands */
void json_kstr(struct json_writer *w, const char *k, const char *s);
void json_ku64(struct json_writer *w, const char *k, uint64_t v);
void json_kid(struct json_writer *w, const char *k, uint64_t v);
void json_ki64(struct json_writer *w, const char *k, int64_t v);
void json_kbool(struct json_writer *w, const char *k, bool v);

#endif
