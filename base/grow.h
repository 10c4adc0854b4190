/* Arrays that grow by doubling. */
#ifndef SM_BASE_GROW_H
#define SM_BASE_GROW_H

#include <stdbool.h>
#include <stddef.h>

/* Make room for element n (0-based) of the array *arrp (a pointer to the
 * array's pointer, of any element type) whose elements are size bytes and
 * which holds n elements: the capacity is the next power of two, so call
 * it before every append.  False when memory runs out or the size would
 * overflow; the array is then unchanged. */
bool sm_grow(void *arrp, size_t n, size_t size);

/* A copy of n bytes at p (malloc'd; one byte when n is 0), or NULL when
 * memory runs out. */
void *sm_memdup(const void *p, size_t n);

#endif
