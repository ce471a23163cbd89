#ifndef MARSAD_CLINUX_H
#define MARSAD_CLINUX_H

#include <stddef.h>

/// Renames `from` to `to` atomically, failing with EEXIST instead of replacing `to`
/// (renameat2 with RENAME_NOREPLACE). Returns 0 or -1 with errno set.
int marsad_rename_noreplace(const char *from, const char *to);

/// A non-blocking, close-on-exec eventfd, or -1 with errno set.
int marsad_eventfd(void);

/// Adds 1 to an eventfd counter (wakes a poll on it).
int marsad_eventfd_signal(int fd);

/// Resets an eventfd counter to 0.
void marsad_eventfd_drain(int fd);

/// The first occurrence of `needle` in `haystack` (glibc's memmem), or NULL.
const void *marsad_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);

/// Returns the memory the allocator holds free to the system (glibc's malloc_trim(0): every
/// arena, including pages inside them). Returns 1 if some was released.
int marsad_release_free_memory(void);

/// Bytes the allocator holds free in its arenas (glibc's mallinfo2().fordblks).
size_t marsad_free_heap_bytes(void);

/// Names the calling thread (pthread_setname_np; at most 15 bytes). Returns 0 or an error number.
int marsad_set_thread_name(const char *name);

#endif
