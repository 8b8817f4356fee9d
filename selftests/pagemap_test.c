// SPDX-License-Identifier: GPL-2.0
/*
 * Every page of a parked test process against /proc/PID/pagemap: present
 * (bit 63) and PFN (bits 0-54), soft-dirty (bit 55), swapped (bit 62) and
 * the swap type and offset pagemap encodes in the frame bits.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#include "vmviz_test.h"

#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PM_SOFT_DIRTY	(1ULL << 55)
#define PM_SWAP		(1ULL << 62)
#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP_TYPE_BITS	5

#define NPAGES	64

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			_exit(3);
		close(fd);
	}
}

/*
 * Anonymous pages written before and after clearing soft-dirty, pages only
 * read (the zero page), a PROT_NONE page, a page swapped out, a file
 * mapping read, and a transparent huge page.
 */
static void mixed_pages(void *arg)
{
	volatile char *p = mmap(NULL, NPAGES * 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t thp = 4UL << 20;
	char *h;
	int i;

	for (i = 0; i < NPAGES / 2; i++)
		p[i * 4096] = 1;
	write_file("/proc/self/clear_refs", "4");
	for (i = NPAGES / 2; i < NPAGES; i += 2)
		p[i * 4096] = 2;
	for (i = NPAGES / 2 + 1; i < NPAGES; i += 4)
		(void)p[i * 4096];
	p[8 * 4096] = 3;
	mprotect((void *)(p + 8 * 4096), 4096, PROT_NONE);
	madvise((void *)(p + 4 * 4096), 2 * 4096, MADV_PAGEOUT);

	h = mmap(NULL, 2 * thp, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	h = (char *)(((uintptr_t)h + thp / 2 - 1) & ~(thp / 2 - 1));
	madvise(h, thp / 2, MADV_HUGEPAGE);
	memset(h, 5, thp / 2);
}

static void compare_with_pagemap(struct __test_metadata *_metadata, pid_t pid)
{
	unsigned long checked = 0, present = 0, swapped = 0, sd = 0;
	struct vt_report r;
	char path[64];
	int fd, i;

	VT_REPORT(pid, &r);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);

	for (i = 0; i < r.nvmas; i++) {
		const struct vt_vma *v = &r.vmas[i];
		unsigned long addr;

		for (addr = v->start; addr < v->end; addr += 4096) {
			const struct vt_page *pg;
			unsigned long pfn = 0;
			bool vma_sd;
			uint64_t pm;

			ASSERT_EQ(8, pread(fd, &pm, 8, (addr / 4096) * 8))
				TH_LOG("pagemap at %lx: %s", addr, strerror(errno));
			pg = vt_page_at(&r, addr, &pfn);
			/* pagemap's bit 55 is the entry's soft-dirty bit or the VMA's. */
			vma_sd = strstr(v->vm, "sd") != NULL;
			checked++;
			if (pm & PM_PRESENT) {
				present++;
				ASSERT_NE(NULL, pg) TH_LOG("%lx present in pagemap, no page line", addr);
				EXPECT_TRUE(!strcmp(pg->state, "present") || !strcmp(pg->state, "protnone"))
					TH_LOG("%lx: state %s", addr, pg->state);
				EXPECT_EQ(pm & PM_PFN_MASK, pfn) TH_LOG("%lx: PFN", addr);
				EXPECT_EQ(!!(pm & PM_SOFT_DIRTY), pg->sd || vma_sd)
					TH_LOG("%lx: soft-dirty %d, VMA %s", addr, pg->sd, v->vm);
				sd += pg->sd;
			} else if (pm & PM_SWAP) {
				swapped++;
				ASSERT_NE(NULL, pg) TH_LOG("%lx swapped in pagemap, no page line", addr);
				EXPECT_TRUE(!strcmp(pg->state, "swap") || !strncmp(pg->state, "migr", 4))
					TH_LOG("%lx: state %s", addr, pg->state);
				EXPECT_EQ(pm & PM_PFN_MASK,
					  ((uint64_t)pfn << PM_SWAP_TYPE_BITS) | pg->swaptype)
					TH_LOG("%lx: swap offset %lx type %d", addr, pfn, pg->swaptype);
				EXPECT_EQ(!!(pm & PM_SOFT_DIRTY), pg->sd || vma_sd)
					TH_LOG("%lx: soft-dirty %d, VMA %s", addr, pg->sd, v->vm);
			} else {
				EXPECT_EQ(NULL, pg) TH_LOG("%lx: not in pagemap, line state %s",
							   addr, pg ? pg->state : "");
			}
		}
	}
	close(fd);
	TH_LOG("read %zu at a time: checked %lu pages: %lu present, %lu swapped, %lu soft-dirty",
	       vt_chunk, checked, present, swapped, sd);
	/* The state the child created must be there to be compared. */
	EXPECT_GE(present, NPAGES / 2);
	EXPECT_GT(sd, 0);
	vt_free(&r);
}

/* The report read whole, a byte at a time, and in odd pieces. */
TEST(every_page_equals_pagemap)
{
	struct vt_child c;
	unsigned int k;

	VMVIZ_REQUIRE();
	ASSERT_EQ(0, vt_spawn(&c, mixed_pages, NULL));
	for (k = 0; k < VT_NCHUNKS; k++) {
		vt_chunk = vt_chunks[k];
		compare_with_pagemap(_metadata, c.pid);
	}
	vt_chunk = 0;
	EXPECT_EQ(0, vt_release(&c));
}

TEST_HARNESS_MAIN
