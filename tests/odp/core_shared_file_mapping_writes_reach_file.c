// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=modules timeout=120
/*
 * ODP core, file-backed memory: writes through a region over a MAP_SHARED
 * file mapping (memfd: shmem) reach the file, data written to the file
 * is read through the region; truncating the file invalidates the region
 * and an access past the new end fails with EFAULT, not a crash; after
 * the file grows back, the region works again.
 */
#include <sys/mman.h>

#include "odpt.h"
#include "rxe_test.h"

#define NPAGES 16

int main(void)
{
	size_t len = NPAGES * ODPT_PAGE;
	int mfd = memfd_create("odpt", 0), fd = odpt_open();
	uint8_t *map, *tmp = malloc(len);

	CHECK(mfd >= 0 && tmp && ftruncate(mfd, len) == 0);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	CHECK(map != MAP_FAILED);
	odpt_register(fd, map, len, 1);

	rt_fill(tmp, len, 61);
	odpt_write(fd, map, tmp, len);
	memset(tmp, 0, len);
	CHECK(pread(mfd, tmp, len, 0) == (ssize_t)len);
	CHECK(rt_mismatch(tmp, len, 61) < 0);

	rt_fill(tmp, ODPT_PAGE, 62);
	CHECK(pwrite(mfd, tmp, ODPT_PAGE, 3 * ODPT_PAGE) == (ssize_t)ODPT_PAGE);
	memset(tmp, 0, ODPT_PAGE);
	odpt_read(fd, map + 3 * ODPT_PAGE, tmp, ODPT_PAGE);
	CHECK(rt_mismatch(tmp, ODPT_PAGE, 62) < 0);

	CHECK(ftruncate(mfd, 4 * ODPT_PAGE) == 0);
	CHECK(odpt_count_state(fd, map + 4 * ODPT_PAGE, NPAGES - 4, 0) == NPAGES - 4);
	CHECK(odpt_read_err(fd, map + 8 * ODPT_PAGE, tmp, 8) == -EFAULT);
	CHECK(odpt_write_err(fd, map + 8 * ODPT_PAGE, tmp, 8) == -EFAULT);
	odpt_read(fd, map, tmp, ODPT_PAGE);	/* below the end: still there */
	CHECK(rt_mismatch(tmp, ODPT_PAGE, 61) < 0);

	CHECK(ftruncate(mfd, len) == 0);
	rt_fill(tmp, ODPT_PAGE, 63);
	odpt_write(fd, map + 8 * ODPT_PAGE, tmp, ODPT_PAGE);
	CHECK(pread(mfd, tmp, ODPT_PAGE, 8 * ODPT_PAGE) == (ssize_t)ODPT_PAGE);
	CHECK(rt_mismatch(tmp, ODPT_PAGE, 63) < 0);
	close(fd);
	rt_note("shared file mapping: writes reached the file, truncate gave EFAULT");
	return 0;
}
