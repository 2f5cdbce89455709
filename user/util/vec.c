/* vec.c - growable arrays (vec.h): one doubling rule with overflow checks for every array. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "util/vec.h"

int vec_grow(void **v, size_t *cap, size_t need, size_t elem, size_t min)
{
	size_t ncap;
	void *nv;

	if (need <= *cap)
		return 0;
	if (!elem || need > SIZE_MAX / elem)
		return -ENOMEM;
	ncap = *cap ? *cap : (min ? min : 16);
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (ncap > SIZE_MAX / elem)
		ncap = need;	/* doubling would overflow: exactly what was asked */
	nv = realloc(*v, ncap * elem);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}
