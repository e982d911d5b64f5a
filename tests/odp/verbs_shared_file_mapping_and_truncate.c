// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=180
/*
 * ODP through verbs, file-backed memory: an ODP MR over a MAP_SHARED
 * mapping of a file (memfd): RDMA WRITE reaches the file (pread sees it),
 * RDMA READ returns what was written to the file; after the file is
 * truncated, an RDMA WRITE past the new end completes with
 * REM_ACCESS_ERR (no SIGBUS, no crash).
 */
#include <sys/mman.h>

#include "rxe_test.h"

#define LEN (16 * 4096)

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	const struct rt_rc_opts opts = rt_rdma_opts;
	int acc = IBV_ACCESS_LOCAL_WRITE | opts.access, mfd = memfd_create("rxe-odp", 0);
	uint8_t *src, *map, *tmp = malloc(LEN);
	struct ibv_mr *msrc, *mmap_mr;
	struct rt_rc_pair p;
	struct ibv_pd *pd;

	rt_require_odp(ctx, IBV_ODP_SUPPORT_WRITE | IBV_ODP_SUPPORT_READ);
	CHECK(mfd >= 0 && tmp && ftruncate(mfd, LEN) == 0);
	map = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	CHECK(map != MAP_FAILED);
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	src = rt_map(LEN, 4096);
	msrc = rt_reg_odp(pd, src, LEN, acc);
	mmap_mr = rt_reg_odp(pd, map, LEN, acc);
	rt_rc_pair(&p, pd, &opts);

	rt_fill(src, LEN, 8);
	CHECK(rt_do(&p, IBV_WR_RDMA_WRITE, msrc, src, LEN, mmap_mr, map) == IBV_WC_SUCCESS);
	CHECK(pread(mfd, tmp, LEN, 0) == LEN);
	CHECK(rt_mismatch(tmp, LEN, 8) < 0);

	rt_fill(tmp, 4096, 9);
	CHECK(pwrite(mfd, tmp, 4096, 2 * 4096) == 4096);
	CHECK(rt_do(&p, IBV_WR_RDMA_READ, msrc, src, 4096, mmap_mr, map + 2 * 4096) ==
	      IBV_WC_SUCCESS);
	CHECK(rt_mismatch(src, 4096, 9) < 0);

	CHECK(ftruncate(mfd, 4 * 4096) == 0);
	CHECK(rt_do(&p, IBV_WR_RDMA_WRITE, msrc, src, 4096, mmap_mr, map + 8 * 4096) ==
	      IBV_WC_REM_ACCESS_ERR);
	rt_rc_pair_destroy(&p);
	rt_note("MAP_SHARED file: RDMA WRITE reached the file; past EOF: REM_ACCESS_ERR");
	CHECK(!ibv_dereg_mr(msrc) && !ibv_dereg_mr(mmap_mr) && !ibv_dealloc_pd(pd));
	return 0;
}
