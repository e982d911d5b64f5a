// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * odp_reg - what registering an explicit ODP MR costs, for perf/.
 *
 *   odp_reg GIB
 *
 * Maps GIB GiB of anonymous memory (MAP_NORESERVE, never touched) and
 * registers it with IBV_ACCESS_ON_DEMAND. Prints "reg_ns" (ibv_reg_mr's
 * guest time), "kmem_kb" (kernel memory the registration holds: Slab plus
 * VmallocUsed of /proc/meminfo, before and after) and "dereg_ns"; or
 * "refused ERRNO-TEXT" and exit status 2 when the driver refuses it.
 */
#include <sys/mman.h>

#include "rxe_test.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Slab + VmallocUsed, kB. */
static long kmem_kb(void)
{
	char line[256];
	long kb = 0, v;
	FILE *f = fopen("/proc/meminfo", "r");

	CHECK(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &v) == 1 ||
		    sscanf(line, "VmallocUsed: %ld kB", &v) == 1)
			kb += v;
	fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	size_t len = (size_t)(argc > 1 ? atol(argv[1]) : 1) << 30;
	struct ibv_context *ctx = rt_open_dev();
	double t0, reg;
	long k0, k1;
	struct ibv_pd *pd;
	struct ibv_mr *mr;
	void *buf;

	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(buf != MAP_FAILED);
	k0 = kmem_kb();
	t0 = now_ns();
	mr = ibv_reg_mr(pd, buf, len, IBV_ACCESS_ON_DEMAND | IBV_ACCESS_LOCAL_WRITE |
			IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
	reg = now_ns() - t0;
	if (!mr) {
		printf("refused %s\n", strerror(errno));
		return 2;
	}
	k1 = kmem_kb();
	t0 = now_ns();
	CHECK(!ibv_dereg_mr(mr));
	printf("reg_ns %.0f\nkmem_kb %ld\ndereg_ns %.0f\n", reg, k1 - k0, now_ns() - t0);
	return 0;
}
