/* json.c - streaming JSON writer; strings escaped by util/escape. */
#include <inttypes.h>
#include "util/json.h"
#include "util/escape.h"

void json_init(struct json_writer *w, FILE *f, bool pretty)
{
	*w = (struct json_writer){ .f = f, .pretty = pretty };
}

static void newline(struct json_writer *w)
{
	if (!w->pretty)
		return;
	fputc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

/* Separator before a value or key at the current level. */
static void before_item(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (w->need_comma[w->depth])
			fputc(',', w->f);
		newline(w);
		w->need_comma[w->depth] = true;
	}
}

static void open_level(struct json_writer *w, char c)
{
	before_item(w);
	fputc(c, w->f);
	if (w->depth + 1 < JSON_MAX_DEPTH)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void close_level(struct json_writer *w, char c)
{
	bool had_items = w->need_comma[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (had_items)
		newline(w);
	fputc(c, w->f);
	if (w->depth == 0 && w->pretty)
		fputc('\n', w->f);
}

void json_obj_begin(struct json_writer *w) { open_level(w, '{'); }
void json_obj_end(struct json_writer *w) { close_level(w, '}'); }
void json_arr_begin(struct json_writer *w) { open_level(w, '['); }
void json_arr_end(struct json_writer *w) { close_level(w, ']'); }

void json_key(struct json_writer *w, const char *key)
{
	before_item(w);
	esc_json_fputs(key, w->f);
	fputs(w->pretty ? ": " : ":", w->f);
	w->after_key = true;
}

void json_str(struct json_writer *w, const char *s)
{
	before_item(w);
	esc_json_fputs(s ? s : "", w->f);
}

void json_u64(struct json_writer *w, uint64_t v)
{
	before_item(w);
	fprintf(w->f, "%" PRIu64, v);
}

void json_id(struct json_writer *w, uint64_t v)
{
	before_item(w);
	fprintf(w->f, "\"%" PRIu64 "\"", v);
}

void json_i64(struct json_writer *w, int64_t v)
{
	before_item(w);
	fprintf(w->f, "%" PRId64, v);
}

void json_bool(struct json_writer *w, bool v)
{
	before_item(w);
	fputs(v ? "true" : "false", w->f);
}

void json_null(struct json_writer *w)
{
	before_item(w);
	fputs("null", w->f);
}

void json_raw(struct json_writer *w, const char *text)
{
	before_item(w);
	fputs(text, w->f);
}

void json_kstr(struct json_writer *w, const char *k, const char *s) { json_key(w, k); json_str(w, s); }
void json_ku64(struct json_writer *w, const char *k, uint64_t v) { json_key(w, k); json_u64(w, v); }
void json_kid(struct json_writer *w, const char *k, uint64_t v) { json_key(w, k); json_id(w, v); }
void json_ki64(struct json_writer *w, const char *k, int64_t v) { json_key(w, k); json_i64(w, v); }
void json_kbool(struct json_writer *w, const char *k, bool v) { json_key(w, k); json_bool(w, v); }
