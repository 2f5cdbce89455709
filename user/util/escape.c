/* escape.c - terminal and JSON escaping of untrusted strings. */
#include <stdbool.h>
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

/* Up to n bytes; stop_at_nul: strings end at NUL, payload bytes do not. */
static size_t esc_n(const char *in, size_t n, char *out, size_t outsz, bool stop_at_nul)
{
	size_t o = 0;
	char e[5];

	if (!outsz)
		return 0;
	for (size_t i = 0; i < n && (!stop_at_nul || in[i]); i++) {
		size_t l = esc_byte((unsigned char)in[i], e);

		if (o + l >= outsz)
			break;
		memcpy(out + o, e, l);
		o += l;
	}
	out[o] = '\0';
	return o;
}

size_t esc_term(const char *in, size_t n, char *out, size_t outsz)
{
	return esc_n(in, n, out, outsz, true);
}

size_t esc_bytes(const void *in, size_t n, char *out, size_t outsz)
{
	return esc_n(in, n, out, outsz, false);
}

void esc_term_fputs(const char *s, FILE *f)
{
	char e[5];

	for (; *s; s++) {
		esc_byte((unsigned char)*s, e);
		fputs(e, f);
	}
}

/* Length of a valid UTF-8 sequence at s (2..4), or 0; C1 controls count as invalid. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong, surrogates, beyond U+10FFFF, C1 controls */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp < 0xa0)
		return 0;
	return n;
}

void esc_json_fputs(const char *s, FILE *f)
{
	const unsigned char *u = (const unsigned char *)s;

	fputc('"', f);
	while (*u) {
		unsigned char c = *u;
		size_t n;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c >= 0x80 && (n = utf8_len(u))) {
			fwrite(u, 1, n, f);	/* valid UTF-8 passes unchanged */
			u += n;
			continue;
		} else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
		u++;
	}
	fputc('"', f);
}
