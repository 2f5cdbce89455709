/* screen.c - the off-screen cell grid (see screen.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "screen.h"
#include "util/escape.h"

int screen_resize(struct screen *s, int w, int h)
{
	struct scr_cell *c;

	if (w < 1 || h < 1 || w > 4096 || h > 4096)
		return -EINVAL;
	c = realloc(s->cells, (size_t)w * (size_t)h * sizeof(*c));
	if (!c)
		return -ENOMEM;
	s->cells = c;
	s->w = w;
	s->h = h;
	screen_clear(s);
	return 0;
}

void screen_free(struct screen *s)
{
	free(s->cells);
	memset(s, 0, sizeof(*s));
}

void screen_clear(struct screen *s)
{
	for (int y = 0; y < s->h; y++)
		screen_fill_row(s, y, SA_NORMAL);
}

void screen_fill_row(struct screen *s, int y, enum scr_attr attr)
{
	if (y < 0 || y >= s->h)
		return;
	for (int x = 0; x < s->w; x++)
		s->cells[y * s->w + x] = (struct scr_cell){ .ch = ' ', .attr = (unsigned char)attr };
}

int screen_put(struct screen *s, int x, int y, enum scr_attr attr, const char *text, int max)
{
	if (y < 0 || y >= s->h)
		return x;
	for (const unsigned char *p = (const unsigned char *)text; *p && max != 0; p++, max--) {
		if (x >= 0 && x < s->w) {
			struct scr_cell *c = &s->cells[y * s->w + x];

			/* Defence in depth: only printable ASCII ever reaches a cell. */
			c->ch = *p >= 0x20 && *p < 0x7f ? (char)*p : '?';
			c->attr = (unsigned char)attr;
		}
		x++;
	}
	return x;
}

int screen_put_esc(struct screen *s, int x, int y, enum scr_attr attr, const char *foreign,
		   size_t n, int max)
{
	char buf[1024];

	esc_term(foreign, n, buf, sizeof(buf));
	return screen_put(s, x, y, attr, buf, max);
}

int screen_put_esc_tail(struct screen *s, int x, int y, enum scr_attr attr, const char *foreign,
			size_t n, int max)
{
	char buf[4 * 4200 + 1];	/* a whole escaped channel name: its end must survive */
	size_t len = esc_term(foreign, n, buf, sizeof(buf));

	if (max < 4 || len <= (size_t)max)
		return screen_put(s, x, y, attr, buf, max);
	x = screen_put(s, x, y, attr, "...", -1);
	return screen_put(s, x, y, attr, buf + len - (size_t)(max - 3), -1);
}

void screen_put_field(struct screen *s, int x, int y, enum scr_attr attr, const char *text,
		      int width, int right)
{
	int len = (int)strlen(text);

	if (width <= 0)
		return;
	for (int i = 0; i < width; i++)
		screen_put(s, x + i, y, attr, " ", 1);
	if (right && len < width)
		x += width - len;
	screen_put(s, x, y, attr, text, width);
}

static char *dump_cells(const struct screen *s, bool attrs)
{
	static const char letters[SA_COUNT] = { ' ', 'H', 'S', 'T', 'W', 'D' };
	char *out = malloc((size_t)s->h * ((size_t)s->w + 1) + 1), *p = out;

	if (!out)
		return NULL;
	for (int y = 0; y < s->h; y++) {
		int end = s->w;

		const struct scr_cell *row = &s->cells[y * s->w];

		while (end > 0 && (attrs ? row[end - 1].attr == SA_NORMAL : row[end - 1].ch == ' '))
			end--;
		for (int x = 0; x < end; x++)
			*p++ = attrs ? (row[x].attr < SA_COUNT ? letters[row[x].attr] : '?') : row[x].ch;
		*p++ = '\n';
	}
	*p = '\0';
	return out;
}

char *screen_dump(const struct screen *s)
{
	return dump_cells(s, false);
}

char *screen_dump_attrs(const struct screen *s)
{
	return dump_cells(s, true);
}
