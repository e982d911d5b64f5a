// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=modules timeout=180
/*
 * ODP core, implicit region (the whole address space): registering costs
 * no table; writes and reads through it reach the heap, the stack, a
 * fresh anonymous mapping, a shared file mapping and memory mapped after
 * munmap at the same address; an address with nothing mapped fails with
 * EFAULT. Two thousand map/touch/unmap cycles (a third on the debug
 * kernel) leave the table where it was (chunks are freed when their
 * last page goes): its size stays bounded by what is mapped, not by what
 * was ever touched.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "odpt.h"
#include "rxe_test.h"

/* map-touch-unmap cycles (a third on a checker kernel, see rt_scaled()) */
#define CYCLES 2000

static void roundtrip(int fd, void *p, size_t len, uint32_t seed, const char *what)
{
	uint8_t tmp[8192];

	rt_fill(tmp, len, seed);
	odpt_write(fd, p, tmp, len);
	if (rt_mismatch(p, len, seed) >= 0)
		rt_fail("%s: the CPU does not see what the region wrote", what);
	rt_fill(p, len, seed + 1);
	odpt_read(fd, p, tmp, len);
	if (rt_mismatch(tmp, len, seed + 1) >= 0)
		rt_fail("%s: the region does not read what the CPU wrote", what);
}

int main(void)
{
	struct rdma_odp_test_reg reg = { .flags = RDMA_ODP_TEST_WRITABLE | RDMA_ODP_TEST_IMPLICIT };
	struct rdma_odp_test_info info, base;
	int fd = odpt_open(), mfd, i, cycles = rt_scaled(CYCLES);
	uint8_t stack_buf[4096], *heap = malloc(8192), *map, *fmap, tmp[16];
	unsigned long max_chunks = 0;

	CHECK(heap);
	CHECK(ioctl(fd, RDMA_ODP_TEST_REGISTER, &reg) == 0);
	info = odpt_info(fd);
	CHECK(info.table_bytes == 0 && info.npages == 0);

	roundtrip(fd, heap, 8192, 1, "heap");
	roundtrip(fd, stack_buf, sizeof(stack_buf), 3, "stack");
	map = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(map != MAP_FAILED);
	roundtrip(fd, map + 12345, 5000, 5, "fresh mmap");
	mfd = memfd_create("odpt", 0);
	CHECK(mfd >= 0 && ftruncate(mfd, 65536) == 0);
	fmap = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	CHECK(fmap != MAP_FAILED);
	roundtrip(fd, fmap, 8192, 7, "file mapping");
	CHECK(pread(mfd, tmp, sizeof(tmp), 8) == sizeof(tmp));
	CHECK(!memcmp(tmp, fmap + 8, sizeof(tmp)));

	/* munmap, then a new mapping at the same address */
	CHECK(munmap(map, 1 << 20) == 0);
	CHECK(odpt_read_err(fd, map + 12345, tmp, 8) == -EFAULT);
	CHECK(mmap(map, 1 << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == map);
	roundtrip(fd, map + 12345, 5000, 9, "remapped");
	CHECK(munmap(map, 1 << 20) == 0);

	/* map, touch through the region, unmap: the table does not grow */
	base = odpt_info(fd);
	for (i = 0; i < cycles; i++) {
		/* two 2 MiB blocks of its own inside a 6 MiB mapping */
		uint8_t *m = mmap(NULL, 6 << 20, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *p;

		CHECK(m != MAP_FAILED);
		p = (uint8_t *)(((uintptr_t)m + (2 << 20) - 1) & ~(uintptr_t)((2 << 20) - 1));
		rt_fill(tmp, sizeof(tmp), i);
		odpt_write(fd, p + (i % 500) * 4096, tmp, sizeof(tmp));
		odpt_write(fd, p + (2 << 20) + 64, tmp, sizeof(tmp));
		info = odpt_info(fd);
		if (info.table_bytes / 4096 > max_chunks)
			max_chunks = info.table_bytes / 4096;
		CHECK(munmap(m, 6 << 20) == 0);
	}
	info = odpt_info(fd);
	rt_note("%d cycles: chunks added %llu, freed %llu, most at once %lu, table %llu -> %llu bytes",
		cycles,
		(unsigned long long)(info.stats[RDMA_ODP_TEST_STAT_CHUNKS_ADDED] -
				     base.stats[RDMA_ODP_TEST_STAT_CHUNKS_ADDED]),
		(unsigned long long)(info.stats[RDMA_ODP_TEST_STAT_CHUNKS_FREED] -
				     base.stats[RDMA_ODP_TEST_STAT_CHUNKS_FREED]),
		max_chunks, (unsigned long long)base.table_bytes,
		(unsigned long long)info.table_bytes);
	CHECK(info.table_bytes == base.table_bytes);
	CHECK(max_chunks <= base.table_bytes / 4096 + 3);
	CHECK(info.stats[RDMA_ODP_TEST_STAT_CHUNKS_FREED] -
	      base.stats[RDMA_ODP_TEST_STAT_CHUNKS_FREED] >= 2 * (unsigned long long)cycles);
	/* every chunk of an implicit region is counted as one of its children */
	CHECK(info.stats[RDMA_ODP_TEST_STAT_IMPLICIT_CHILDREN_ADDED] ==
	      info.stats[RDMA_ODP_TEST_STAT_CHUNKS_ADDED]);
	CHECK(info.stats[RDMA_ODP_TEST_STAT_IMPLICIT_CHILDREN_FREED] ==
	      info.stats[RDMA_ODP_TEST_STAT_CHUNKS_FREED]);

	/* nothing mapped at all: EFAULT; outside user space: ERANGE */
	CHECK(odpt_read_err(fd, (void *)4096, tmp, 8) == -EFAULT);
	CHECK(odpt_read_err(fd, (void *)(1UL << 63), tmp, 8) == -ERANGE);
	close(fd);
	return 0;
}
