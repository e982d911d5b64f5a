// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=modules timeout=120
/*
 * ODP core, first touch: registering maps nothing and allocates no table;
 * a write through the region into never-touched memory faults exactly
 * the pages written (writable), the CPU sees the data; data the CPU
 * writes is read back through the region; a read of never-touched
 * memory sees zeros and maps it for reading only.
 */
#include <sys/mman.h>

#include "odpt.h"
#include "rxe_test.h"

#define NPAGES 64
#define BLOCK (2UL << 20)

static unsigned long blocks_spanned(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;

	return (a + len - 1) / BLOCK - a / BLOCK + 1;
}

int main(void)
{
	size_t len = NPAGES * ODPT_PAGE;
	uint8_t *buf = rt_map(len, ODPT_PAGE), *tmp = malloc(len);
	struct rdma_odp_test_info info;
	int fd = odpt_open();
	long bad;

	CHECK(tmp);
	odpt_register(fd, buf, len, 1);
	info = odpt_info(fd);
	CHECK(info.npages == 0 && info.table_bytes == 0);
	CHECK(odpt_count_state(fd, buf, NPAGES, 0) == NPAGES);

	/* device writes pages 3..10 (8 pages), the CPU reads them */
	rt_fill(tmp, 8 * ODPT_PAGE, 1);
	odpt_write(fd, buf + 3 * ODPT_PAGE, tmp, 8 * ODPT_PAGE);
	bad = rt_mismatch(buf + 3 * ODPT_PAGE, 8 * ODPT_PAGE, 1);
	if (bad >= 0)
		rt_fail("CPU sees a wrong byte at %ld of what the region wrote", bad);
	info = odpt_info(fd);
	rt_note("after the write: faults %llu, pages %llu, table %llu bytes",
		(unsigned long long)info.stats[RDMA_ODP_TEST_STAT_FAULTS],
		(unsigned long long)info.stats[RDMA_ODP_TEST_STAT_FAULT_PAGES],
		(unsigned long long)info.table_bytes);
	CHECK(info.stats[RDMA_ODP_TEST_STAT_FAULT_PAGES] == 8);
	CHECK(info.stats[RDMA_ODP_TEST_STAT_FAULTS] >= 1);
	/* an explicit region has no implicit children */
	CHECK(info.stats[RDMA_ODP_TEST_STAT_IMPLICIT_CHILDREN_ADDED] == 0);
	CHECK(info.npages == 8);
	/* one 4 KiB chunk per 2 MiB block written (the 8 pages may straddle one) */
	CHECK(info.table_bytes == 4096 * blocks_spanned(buf + 3 * ODPT_PAGE, 8 * ODPT_PAGE));
	CHECK(odpt_count_state(fd, buf + 3 * ODPT_PAGE, 8, 2) == 8);
	CHECK(odpt_count_state(fd, buf, NPAGES, 0) == NPAGES - 8);

	/* the CPU writes page 20 (now present), the device reads it */
	rt_fill(buf + 20 * ODPT_PAGE, ODPT_PAGE, 2);
	odpt_read(fd, buf + 20 * ODPT_PAGE, tmp, ODPT_PAGE);
	CHECK(rt_mismatch(tmp, ODPT_PAGE, 2) < 0);

	/* never-touched page 40: zeros, mapped for reading only */
	memset(tmp, 0xa5, ODPT_PAGE);
	odpt_read(fd, buf + 40 * ODPT_PAGE, tmp, ODPT_PAGE);
	CHECK(tmp[0] == 0 && !memcmp(tmp, tmp + 1, ODPT_PAGE - 1));
	CHECK(odpt_count_state(fd, buf + 40 * ODPT_PAGE, 1, 1) == 1);

	/* unaligned access crossing pages: bytes land where they belong */
	rt_fill(tmp, 100, 3);
	odpt_write(fd, buf + 50 * ODPT_PAGE - 50, tmp, 100);
	CHECK(rt_mismatch(buf + 50 * ODPT_PAGE - 50, 100, 3) < 0);

	/* outside the region: ERANGE, counted as nothing */
	CHECK(odpt_read_err(fd, buf + len, tmp, 1) == -ERANGE);
	CHECK(odpt_read_err(fd, buf - 1, tmp, 2) == -ERANGE);

	odpt_unregister(fd);
	close(fd);
	rt_note("first touch: 8 pages written through the region, data checked both ways");
	return 0;
}
