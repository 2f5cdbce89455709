/* escape.c - terminal and JSON escaping of untrusted strings. */
#include <string.h>
#include "util/escape.h"

static const char hex[] = "0123456789abcdef";

/* Escaped form of one byte into e (at most 5 bytes incl. NUL); returns its length. */
static size_t esc_byte(unsigned char c, char e[5])
{
	if (c == '\\') {
		e[0] = '\\', e[1] = '\\', e[2] = '\0';
		return 2;
	}
	if (c >= 0x20 && c < 0x7f) {
		e[0] = (char)c, e[1] = '\0';
		return 1;
	}
	e[0] = '\\', e[1] = 'x', e[2] = hex[c >> 4], e[3] = hex[c & 15], e[4] = '\0';
	return 4;
}

size_t esc_term(const char *in, size_t n, char *out, size_t outsz)
{
	size_t o = 0;
	char e[5];

	if (!outsz)
		return 0;
	for (size_t i = 0; i < n && in[i]; i++) {
		size_t l = esc_byte((unsigned char)in[i], e);

		if (o + l >= outsz)
			break;
		memcpy(out + o, e, l);
		o += l;
	}
	out[o] = '\0';
	return o;
}

void esc_term_fputs(const char *s, FILE *f)
{
	char e[5];

	for (; *s; s++) {
		esc_byte((unsigned char)*s, e);
		fputs(e, f);
	}
}

void esc_json_fputs(const char *s, FILE *f)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}
