// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=modules timeout=180
/*
 * ODP core, huge pages: one page faulted inside a transparent huge page
 * maps the whole 2 MiB at once (512 translations, one fault), and so does
 * one page of a hugetlb page; data written through the region lands at
 * the right offsets. SKIPs a kind of huge page the guest cannot provide.
 */
#include <sys/mman.h>

#include "odpt.h"
#include "rxe_test.h"

#define HUGE (2UL << 20)
#define HPAGES (HUGE / ODPT_PAGE)

static int check_whole(const char *what, uint8_t *buf)
{
	struct rdma_odp_test_info info;
	uint8_t tmp[64];
	int fd = odpt_open();

	odpt_register(fd, buf, 2 * HUGE, 1);
	rt_fill(tmp, sizeof(tmp), 31);
	odpt_write(fd, buf + HUGE + 77 * ODPT_PAGE + 100, tmp, sizeof(tmp));
	CHECK(rt_mismatch(buf + HUGE + 77 * ODPT_PAGE + 100, sizeof(tmp), 31) < 0);
	info = odpt_info(fd);
	rt_note("%s: faults %llu, pages %llu", what,
		(unsigned long long)info.stats[RDMA_ODP_TEST_STAT_FAULTS],
		(unsigned long long)info.stats[RDMA_ODP_TEST_STAT_FAULT_PAGES]);
	CHECK(info.stats[RDMA_ODP_TEST_STAT_FAULTS] == 1);
	CHECK(info.stats[RDMA_ODP_TEST_STAT_FAULT_PAGES] == HPAGES);
	CHECK(odpt_count_state(fd, buf + HUGE, HPAGES, 2) == HPAGES);
	CHECK(odpt_count_state(fd, buf, HPAGES, 0) == HPAGES);
	close(fd);
	return 1;
}

static int thp(void)
{
	uint8_t *buf = rt_map(2 * HUGE, HUGE);
	char line[256];
	int huge = 0;
	FILE *f;

	if (madvise(buf, 2 * HUGE, MADV_HUGEPAGE)) {
		rt_note("THP: madvise(MADV_HUGEPAGE) failed: %s", strerror(errno));
		return 0;
	}
	buf[HUGE] = 1;		/* the CPU faults the second 2 MiB in, huge */
	f = fopen("/proc/self/smaps", "r");
	CHECK(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long kb;

		if (sscanf(line, "AnonHugePages: %lu kB", &kb) == 1 && kb >= 2048)
			huge = 1;
	}
	fclose(f);
	if (!huge) {
		rt_note("THP: the kernel did not give a huge page");
		return 0;
	}
	return check_whole("THP", buf);
}

static int hugetlb(void)
{
	uint8_t *buf;

	if (system("echo 4 > /proc/sys/vm/nr_hugepages") != 0)
		return 0;
	buf = mmap(NULL, 2 * HUGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (buf == MAP_FAILED) {
		rt_note("hugetlb: no 2 MiB pages: %s", strerror(errno));
		return 0;
	}
	buf[HUGE] = 1;
	return check_whole("hugetlb", buf);
}

int main(void)
{
	int done = thp() + hugetlb();

	system("echo 0 > /proc/sys/vm/nr_hugepages");
	if (!done)
		rt_skip("neither THP nor hugetlb pages available in this guest");
	rt_note("%d kind(s) of huge page mapped whole", done);
	return 0;
}
