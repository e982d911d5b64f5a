// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=modules timeout=120
/*
 * ODP core, table memory: a 1 TiB region (over a PROT_NONE reservation)
 * registers without allocating any translation table; touching one page
 * in its middle costs one 4 KiB chunk, and the chunk is freed again when
 * that page is unmapped. Kernel slab use stays flat (under 1 MiB) across
 * registering it.
 */
#include <sys/mman.h>

#include "odpt.h"
#include "rxe_test.h"

#define TIB (1UL << 40)

int main(void)
{
	uint8_t *buf = mmap(NULL, TIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			    -1, 0), *mid, tmp[16];
	struct rdma_odp_test_info info;
	int fd = odpt_open();
	long s0, s1;

	if (buf == MAP_FAILED)
		rt_skip("cannot reserve 1 TiB of address space: %s", strerror(errno));
	s0 = rt_meminfo_kb("Slab");
	odpt_register(fd, buf, TIB, 1);
	s1 = rt_meminfo_kb("Slab");
	info = odpt_info(fd);
	rt_note("1 TiB registered: table %llu bytes, slab %+ld kB",
		(unsigned long long)info.table_bytes, s1 - s0);
	CHECK(info.table_bytes == 0 && info.npages == 0);
	CHECK(s1 - s0 < 1024);

	mid = buf + TIB / 2 + 12345 * ODPT_PAGE;
	CHECK(mprotect(mid, ODPT_PAGE, PROT_READ | PROT_WRITE) == 0);
	rt_fill(tmp, sizeof(tmp), 41);
	odpt_write(fd, mid + 8, tmp, sizeof(tmp));
	CHECK(rt_mismatch(mid + 8, sizeof(tmp), 41) < 0);
	info = odpt_info(fd);
	CHECK(info.npages == 1 && info.table_bytes == 4096);

	CHECK(munmap(mid, ODPT_PAGE) == 0);
	info = odpt_info(fd);
	CHECK(info.npages == 0 && info.table_bytes == 0);
	CHECK(odpt_read_err(fd, mid, tmp, 1) == -EFAULT);
	close(fd);
	rt_note("one page touched and unmapped: table back to 0 bytes");
	return 0;
}
