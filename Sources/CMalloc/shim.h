#ifndef AURORAD_CMALLOC_SHIM_H
#define AURORAD_CMALLOC_SHIM_H

/* glibc's allocator controls behind one door. Elsewhere (no <malloc.h>, e.g. macOS) both do nothing and answer 0. */
#if __has_include(<malloc.h>)
#include <malloc.h>

/* mallopt(M_ARENA_MAX, count): at most `count` arenas, whatever the number of threads. 1 on success, 0 on error. */
static inline int cmalloc_set_arena_max(int count) { return mallopt(M_ARENA_MAX, count); }

/* malloc_trim(0): gives the free pages of every arena back to the kernel. 1 when memory was released, else 0. */
static inline int cmalloc_trim(void) { return malloc_trim(0); }
#else
static inline int cmalloc_set_arena_max(int count) { (void)count; return 0; }
static inline int cmalloc_trim(void) { return 0; }
#endif

#endif
