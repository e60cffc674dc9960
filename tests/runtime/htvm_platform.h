/* htvm_platform.h (test-only): the platform header that htvm generates, written by hand for the
 * simulator tests. Two accelerators, see platform.c; the pool holds the digital activation L1
 * (256000), the analog activation L1 (147456) and the analog array (1152 * 512 plain bytes). */
#ifndef HTVM_PLATFORM_H
#define HTVM_PLATFORM_H

#define HTVM_L1_POOL_BYTES (256000u + 147456u + 1152u * 512u)

#endif /* HTVM_PLATFORM_H */
