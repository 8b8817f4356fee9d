/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmviz: the walker of the kernel half (kwalk.c), on its own so that the
 * host simulation (selftests/kwalk-sim/) builds kwalk.c unchanged.
 */
#ifndef VMVIZ_KWALK_H
#define VMVIZ_KWALK_H

#include <linux/types.h>
#include <asm/pgtable.h>

/*
 * The kernel half (kwalk.c, khalf.c): the entries of one table, from the
 * walked address on; levels 0 PTE, 1 PMD, 2 PUD, 3 P4D, 4 PGD (LA57).
 */
struct vmviz_kbatch {
	unsigned long addr;	/* where the step began */
	unsigned int level;	/* of the table copied */
	unsigned int nr;	/* entries in ents[], the first @addr's */
	unsigned int read;	/* entries the step copied: its cost */
	u64 upper_rwu;		/* RW and USER: the AND over the entries above */
	u64 upper_nx;		/* NX: the OR over the entries above */
	bool repeat;		/* entries all pointing to a summarised table: */
	u64 leaf;		/* ... whose leaves all equal this one, */
	unsigned int leaf_level;	/* ... at this level, */
	unsigned long leaves_per_entry;	/* ... this many below each entry */
	u64 ents[PTRS_PER_PTE];
};

/*
 * A uniform table (kwalk.c): every path from its entries ends in a
 * present leaf equal to @leaf, with the same effective RW/USER (@sub_rwu,
 * the AND from its entries down to and with the leaf) and NX (@sub_nx,
 * the OR).
 */
struct vmviz_ksummary {
	unsigned long pfn;		/* of the table */
	u64 leaf;
	unsigned int leaf_level;
	u64 sub_rwu, sub_nx;
	unsigned long leaves;		/* below the whole table */
};

/* Levels below the PGD that can be summarised: PTE, PMD, PUD, P4D. */
#define VMVIZ_KMEMO_LEVELS	4

/* Per level, the last table found uniform and the last found not to be. */
struct vmviz_kmemo {
	unsigned long valid;		/* BIT(level): sum[level] is set */
	unsigned long mixed_valid;	/* BIT(level): mixed_pfn[level] is */
	struct vmviz_ksummary sum[VMVIZ_KMEMO_LEVELS];
	unsigned long mixed_pfn[VMVIZ_KMEMO_LEVELS];
	u64 whole[PTRS_PER_PTE];	/* a table copied whole to check it */
};

int vmviz_kwalk_step(const pgd_t *pgd, unsigned long addr, unsigned long last,
		     struct vmviz_kbatch *b, struct vmviz_kmemo *memo);
unsigned int vmviz_kwalk_top(void);
unsigned long vmviz_kwalk_size(unsigned int level);
bool vmviz_kwalk_leaf(u64 val, unsigned int level);
bool vmviz_kwalk_ipi_safe(void);

#endif /* VMVIZ_KWALK_H */
