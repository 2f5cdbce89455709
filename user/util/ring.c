/* ring.c - grow an array-backed ring, unwrapping it into the new array. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util/ring.h"

int ring_reserve(void **v, size_t esz, size_t *head, size_t len, size_t *cap, size_t min_cap)
{
	size_t ncap, first;
	char *n;

	if (len < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : min_cap;
	n = malloc(ncap * esz);
	if (!n)
		return -ENOMEM;
	/* [head, cap) then [0, head): oldest first */
	first = *cap - *head < len ? *cap - *head : len;
	if (len) {
		memcpy(n, (char *)*v + *head * esz, first * esz);
		memcpy(n + first * esz, *v, (len - first) * esz);
	}
	free(*v);
	*v = n;
	*cap = ncap;
	*head = 0;
	return 0;
}
