/* SPDX-License-Identifier: GPL-2.0 */
/* Host stand-in (kwalk-sim): tables live in an arena indexed by PFN. */
#ifndef SIM_LINUX_MM_H
#define SIM_LINUX_MM_H
#include <errno.h>
#include <linux/types.h>
#include <asm/pgtable.h>
#define BIT(n)		(1UL << (n))
extern u64 *sim_arena;
extern unsigned long sim_arena_pages;
static inline bool pfn_valid(unsigned long pfn)
{
	return pfn < sim_arena_pages;
}
static inline void *pfn_to_kaddr(unsigned long pfn)
{
	return sim_arena + pfn * PTRS_PER_PTE;
}
#endif
