/* rotate.c - names and moments of recording rotation (see rotate.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "record/rotate.h"

bool rotate_enabled(const struct rotate *r)
{
	return r->size_bytes || r->period_ns;
}

static int set_name(struct rotate *r)
{
	unsigned slot = r->count ? r->idx % r->count : r->idx;
	int n = rotate_enabled(r) ? snprintf(r->name, sizeof(r->name), "%s.%u", r->base, slot)
				  : snprintf(r->name, sizeof(r->name), "%s", r->base);

	return n < 0 || (size_t)n >= sizeof(r->name) ? -ENAMETOOLONG : 0;
}

int rotate_init(struct rotate *r, const char *base, __u64 size_bytes, __u64 period_ns,
		unsigned count, __u64 now_ns)
{
	memset(r, 0, sizeof(*r));
	r->base = base;
	r->size_bytes = size_bytes;
	r->period_ns = period_ns;
	r->count = count;
	r->opened_ns = now_ns;
	return set_name(r);
}

bool rotate_due(const struct rotate *r, __u64 bytes, __u64 now_ns)
{
	return (r->size_bytes && bytes >= r->size_bytes) ||
	       (r->period_ns && now_ns - r->opened_ns >= r->period_ns);
}

int rotate_next(struct rotate *r, __u64 now_ns, bool *reuse)
{
	r->idx++;
	r->opened_ns = now_ns;
	*reuse = r->count && r->idx >= r->count;
	return set_name(r);
}
