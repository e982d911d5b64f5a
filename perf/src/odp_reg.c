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
	k0 = (rt_meminfo_kb("Slab") + rt_meminfo_kb("VmallocUsed"));
	t0 = rt_now_ns();
	mr = ibv_reg_mr(pd, buf, len, IBV_ACCESS_ON_DEMAND | IBV_ACCESS_LOCAL_WRITE |
			IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
	reg = rt_now_ns() - t0;
	if (!mr) {
		printf("refused %s\n", strerror(errno));
		return 2;
	}
	k1 = (rt_meminfo_kb("Slab") + rt_meminfo_kb("VmallocUsed"));
	t0 = rt_now_ns();
	CHECK(!ibv_dereg_mr(mr));
	printf("reg_ns %.0f\nkmem_kb %ld\ndereg_ns %.0f\n", reg, k1 - k0, rt_now_ns() - t0);
	return 0;
}
