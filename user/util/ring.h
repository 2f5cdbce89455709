/* ring.h - growth for array-backed FIFO rings (head, len, cap in elements). */
#ifndef IPCS_RING_H
#define IPCS_RING_H

#include <stddef.h>

/*
 * Make room for one more element: when len == *cap, double the array
 * (first size: min_cap), unwrapping it so *head becomes 0. *v holds esz-byte
 * elements. Returns 0 or -ENOMEM (the ring is unchanged then).
 */
int ring_reserve(void **v, size_t esz, size_t *head, size_t len, size_t *cap, size_t min_cap);

#endif
