/* SPDX-License-Identifier: GPL-2.0 */
/* Host stand-in (kwalk-sim): x86-64's entry bits, 4- or 5-level. */
#ifndef SIM_ASM_PGTABLE_H
#define SIM_ASM_PGTABLE_H
#include <linux/types.h>
#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PTRS_PER_PTE	512
#define _PAGE_PRESENT	(1ULL << 0)
#define _PAGE_RW	(1ULL << 1)
#define _PAGE_USER	(1ULL << 2)
#define _PAGE_ACCESSED	(1ULL << 5)
#define _PAGE_DIRTY	(1ULL << 6)
#define _PAGE_PSE	(1ULL << 7)
#define _PAGE_GLOBAL	(1ULL << 8)
#define _PAGE_NX	(1ULL << 63)
#define PTE_PFN_MASK	0x000ffffffffff000ULL
typedef struct { u64 pgd; } pgd_t;
extern int sim_l5;
static inline bool pgtable_l5_enabled(void)
{
	return sim_l5;
}
#endif
