// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=modules timeout=120
/*
 * ODP core, prefetch: a snapshot prefetch translates exactly the pages
 * the CPU has present and faults nothing (no fault counted, holes are no
 * error); a faulting prefetch for write makes the whole range writable;
 * one over a hole fails with EFAULT.
 */
#include <sys/mman.h>

#include "odpt.h"
#include "rxe_test.h"

#define NPAGES 32

int main(void)
{
	size_t len = NPAGES * ODPT_PAGE, i;
	uint8_t *buf = rt_map(len, ODPT_PAGE), st[NPAGES];
	struct rdma_odp_test_info info;
	int fd = odpt_open();

	for (i = 0; i < NPAGES; i += 2)
		buf[i * ODPT_PAGE] = 1;
	odpt_register(fd, buf, len, 1);
	CHECK(odpt_prefetch_err(fd, buf, len, RDMA_ODP_TEST_SNAPSHOT) == 0);
	odpt_state(fd, buf, NPAGES, st);
	for (i = 0; i < NPAGES; i++)
		if ((st[i] != 0) != !(i & 1))
			rt_fail("page %zu: state %u after the snapshot", i, st[i]);
	info = odpt_info(fd);
	CHECK(info.stats[RDMA_ODP_TEST_STAT_FAULTS] == 0);
	CHECK(info.stats[RDMA_ODP_TEST_STAT_PREFETCHES] == 1);
	CHECK(info.stats[RDMA_ODP_TEST_STAT_PREFETCH_PAGES] == NPAGES / 2);
	CHECK(info.npages == NPAGES / 2);

	CHECK(odpt_prefetch_err(fd, buf, len, RDMA_ODP_TEST_FAULT_WRITE) == 0);
	CHECK(odpt_count_state(fd, buf, NPAGES, 2) == NPAGES);
	info = odpt_info(fd);
	CHECK(info.stats[RDMA_ODP_TEST_STAT_FAULTS] >= 1);
	CHECK(info.stats[RDMA_ODP_TEST_STAT_PREFETCH_PAGES] == NPAGES / 2 + NPAGES);

	CHECK(munmap(buf + 10 * ODPT_PAGE, ODPT_PAGE) == 0);
	CHECK(odpt_prefetch_err(fd, buf, len, 0) == -EFAULT);
	CHECK(odpt_prefetch_err(fd, buf, len, RDMA_ODP_TEST_SNAPSHOT) == 0);
	close(fd);
	rt_note("snapshot mapped the %d present pages only", NPAGES / 2);
	return 0;
}
