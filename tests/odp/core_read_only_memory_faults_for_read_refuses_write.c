// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=modules timeout=120
/*
 * ODP core, read-only memory: a writable region over PROT_READ memory
 * reads fine (pages mapped for reading only) and refuses writes with
 * EPERM at once, without looping; a region registered read-only refuses
 * writes even over writable memory; PROT_NONE and unmapped memory fail
 * with EFAULT; every failure is counted.
 */
#include <sys/mman.h>
#include <time.h>

#include "odpt.h"
#include "rxe_test.h"

#define NPAGES 8

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	size_t len = NPAGES * ODPT_PAGE;
	uint8_t *ro = rt_map(len, ODPT_PAGE), tmp[ODPT_PAGE];
	struct rdma_odp_test_info info;
	int fd = odpt_open(), fd2 = odpt_open();
	double t;

	rt_fill(ro, len, 7);
	CHECK(mprotect(ro, len, PROT_READ) == 0);
	odpt_register(fd, ro, len, 1);

	odpt_read(fd, ro + ODPT_PAGE, tmp, ODPT_PAGE);
	CHECK(!memcmp(tmp, ro + ODPT_PAGE, ODPT_PAGE));
	CHECK(odpt_count_state(fd, ro + ODPT_PAGE, 1, 1) == 1);

	t = now();
	CHECK(odpt_fault_err(fd, ro, ODPT_PAGE, 1) == -EPERM);
	CHECK(odpt_write_err(fd, ro, tmp, 16) == -EPERM);
	CHECK(now() - t < 5);
	info = odpt_info(fd);
	CHECK(info.stats[RDMA_ODP_TEST_STAT_FAULT_ERRORS] == 2);

	/* PROT_NONE: no access at all */
	CHECK(mprotect(ro + 4 * ODPT_PAGE, ODPT_PAGE, PROT_NONE) == 0);
	CHECK(odpt_read_err(fd, ro + 4 * ODPT_PAGE, tmp, 1) == -EFAULT);

	/* a hole */
	CHECK(munmap(ro + 6 * ODPT_PAGE, ODPT_PAGE) == 0);
	CHECK(odpt_read_err(fd, ro + 6 * ODPT_PAGE, tmp, 1) == -EFAULT);
	info = odpt_info(fd);
	CHECK(info.stats[RDMA_ODP_TEST_STAT_FAULT_ERRORS] == 4);

	/* read-only region over writable memory */
	CHECK(mprotect(ro, ODPT_PAGE, PROT_READ | PROT_WRITE) == 0);
	odpt_register(fd2, ro, ODPT_PAGE, 0);
	CHECK(odpt_write_err(fd2, ro, tmp, 1) == -EPERM);
	odpt_read(fd2, ro, tmp, ODPT_PAGE);
	CHECK(!memcmp(tmp, ro, ODPT_PAGE));
	CHECK(odpt_count_state(fd2, ro, 1, 1) == 1);

	close(fd);
	close(fd2);
	rt_note("read-only: reads served, writes refused with EPERM in %.2f s", now() - t);
	return 0;
}
