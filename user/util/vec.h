/* vec.h - growable arrays: room for `need` elements, doubling, overflow checked. */
#ifndef IPCS_VEC_H
#define IPCS_VEC_H

#include <stddef.h>

/*
 * Make *v (an array of *cap elements of elem bytes) hold at least need
 * elements: the capacity doubles (first size: min, 16 when 0) until it does.
 * Returns 0, or -ENOMEM when realloc fails or need * elem does not fit in a
 * size_t; *v and *cap are unchanged then.
 */
int vec_grow(void **v, size_t *cap, size_t need, size_t elem, size_t min);

#endif
