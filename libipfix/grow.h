/*
 * grow: the one way a growable array of the library grows (layer 0):
 * capacity doubles, the multiplication is checked for overflow, and on
 * failure the array and its capacity are left as they were (the caller
 * still owns the old block).
 */
#ifndef IPFIX_GROW_H
#define IPFIX_GROW_H

#include <stdint.h>
#include <stdlib.h>

/* Make room for need elements of elem bytes in *arr (capacity *cap);
 * 0, or -1 when memory is short or the size would overflow. */
static inline int
ipfix_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap != 0 ? *cap : 8;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -1;
		ncap *= 2;
	}
	if (elem != 0 && ncap > SIZE_MAX / elem)
		return -1;
	if ((p = realloc(*arr, ncap * elem)) == NULL)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

#endif
