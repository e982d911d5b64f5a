// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=modules timeout=120
/*
 * ODP core, invalidations: munmap of part of a region clears exactly
 * those translations (counted), an access into the hole fails with
 * EFAULT, and after mmap(MAP_FIXED) at the same address the region
 * reaches the new pages; MADV_DONTNEED clears translations and a read
 * then sees zeros; mprotect(PROT_READ) turns writes into EPERM while
 * reads go on, and writes work again after mprotect back.
 */
#include <sys/mman.h>

#include "odpt.h"
#include "rxe_test.h"

#define NPAGES 16

int main(void)
{
	size_t len = NPAGES * ODPT_PAGE;
	uint8_t *buf = rt_map(len, ODPT_PAGE), *tmp = malloc(len);
	struct rdma_odp_test_info before, after;
	int fd = odpt_open();
	void *p;

	CHECK(tmp);
	odpt_register(fd, buf, len, 1);
	rt_fill(tmp, len, 11);
	odpt_write(fd, buf, tmp, len);
	CHECK(odpt_count_state(fd, buf, NPAGES, 2) == NPAGES);

	/* munmap pages 4..7 */
	before = odpt_info(fd);
	CHECK(munmap(buf + 4 * ODPT_PAGE, 4 * ODPT_PAGE) == 0);
	after = odpt_info(fd);
	CHECK(after.stats[RDMA_ODP_TEST_STAT_INVALIDATIONS] >
	      before.stats[RDMA_ODP_TEST_STAT_INVALIDATIONS]);
	CHECK(after.stats[RDMA_ODP_TEST_STAT_INVALIDATED_PAGES] -
	      before.stats[RDMA_ODP_TEST_STAT_INVALIDATED_PAGES] == 4);
	CHECK(odpt_count_state(fd, buf + 4 * ODPT_PAGE, 4, 0) == 4);
	CHECK(odpt_count_state(fd, buf, 4, 2) == 4);
	CHECK(odpt_count_state(fd, buf + 8 * ODPT_PAGE, 8, 2) == 8);
	CHECK(odpt_read_err(fd, buf + 5 * ODPT_PAGE, tmp, 8) == -EFAULT);
	CHECK(odpt_write_err(fd, buf + 3 * ODPT_PAGE, tmp, 2 * ODPT_PAGE) == -EFAULT);
	CHECK(rt_mismatch(buf, 4 * ODPT_PAGE, 11) < 0);	/* untouched by the failure */

	/* remap the hole: new zero pages, reachable through the same region */
	p = mmap(buf + 4 * ODPT_PAGE, 4 * ODPT_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(p == buf + 4 * ODPT_PAGE);
	odpt_read(fd, buf + 4 * ODPT_PAGE, tmp, 4 * ODPT_PAGE);
	CHECK(tmp[0] == 0 && !memcmp(tmp, tmp + 1, 4 * ODPT_PAGE - 1));
	rt_fill(tmp, 4 * ODPT_PAGE, 12);
	odpt_write(fd, buf + 4 * ODPT_PAGE, tmp, 4 * ODPT_PAGE);
	CHECK(rt_mismatch(buf + 4 * ODPT_PAGE, 4 * ODPT_PAGE, 12) < 0);

	/* MADV_DONTNEED: translations go, the data is gone, reads see zeros */
	before = odpt_info(fd);
	CHECK(madvise(buf + 8 * ODPT_PAGE, 8 * ODPT_PAGE, MADV_DONTNEED) == 0);
	after = odpt_info(fd);
	CHECK(after.stats[RDMA_ODP_TEST_STAT_INVALIDATED_PAGES] -
	      before.stats[RDMA_ODP_TEST_STAT_INVALIDATED_PAGES] == 8);
	CHECK(odpt_count_state(fd, buf + 8 * ODPT_PAGE, 8, 0) == 8);
	memset(tmp, 0x5a, 8 * ODPT_PAGE);
	odpt_read(fd, buf + 8 * ODPT_PAGE, tmp, 8 * ODPT_PAGE);
	CHECK(tmp[0] == 0 && !memcmp(tmp, tmp + 1, 8 * ODPT_PAGE - 1));

	/* mprotect(PROT_READ): writes refused, reads served; then back */
	CHECK(mprotect(buf, len, PROT_READ) == 0);
	CHECK(odpt_count_state(fd, buf, NPAGES, 2) == 0);
	CHECK(odpt_write_err(fd, buf, tmp, 8) == -EPERM);
	odpt_read(fd, buf, tmp, 4 * ODPT_PAGE);
	CHECK(rt_mismatch(tmp, 4 * ODPT_PAGE, 11) < 0);
	CHECK(mprotect(buf, len, PROT_READ | PROT_WRITE) == 0);
	rt_fill(tmp, ODPT_PAGE, 13);
	odpt_write(fd, buf, tmp, ODPT_PAGE);
	CHECK(rt_mismatch(buf, ODPT_PAGE, 13) < 0);

	close(fd);
	rt_note("munmap, remap, DONTNEED and mprotect followed; data checked");
	return 0;
}
