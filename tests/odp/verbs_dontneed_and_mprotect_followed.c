// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=180
/*
 * ODP through verbs, the CPU changes the mapping under a remote MR:
 * after MADV_DONTNEED an RDMA READ returns zeros (the old pages are not
 * used any more); after mprotect(PROT_READ) an RDMA WRITE completes with
 * REM_ACCESS_ERR and leaves the memory unchanged while READ still works;
 * after mprotect back to read-write, WRITE works again. The invalidations
 * are counted.
 */
#include <sys/mman.h>

#include "rxe_test.h"

#define LEN (32 * 4096)

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	const struct rt_rc_opts opts = rt_rdma_opts;
	int acc = IBV_ACCESS_LOCAL_WRITE | opts.access;
	uint8_t *src, *dst, *back;
	struct ibv_mr *msrc, *mdst, *mback;
	struct rt_rc_pair p;
	struct ibv_pd *pd;
	uint64_t i0;

	rt_require_odp(ctx, IBV_ODP_SUPPORT_WRITE | IBV_ODP_SUPPORT_READ);
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	src = rt_map(LEN, 4096);
	dst = rt_map(LEN, 4096);
	back = rt_map(LEN, 4096);
	msrc = rt_reg_odp(pd, src, LEN, acc);
	mdst = rt_reg_odp(pd, dst, LEN, acc);
	mback = rt_reg_odp(pd, back, LEN, acc);
	rt_rc_pair(&p, pd, &opts);

	rt_fill(src, LEN, 5);
	CHECK(rt_do(&p, IBV_WR_RDMA_WRITE, msrc, src, LEN, mdst, dst) == IBV_WC_SUCCESS);
	CHECK(rt_mismatch(dst, LEN, 5) < 0);
	i0 = rt_counter("odp_invalidated_pages");
	CHECK(madvise(dst, LEN, MADV_DONTNEED) == 0);
	CHECK(rt_counter("odp_invalidated_pages") - i0 >= LEN / 4096);
	CHECK(rt_do(&p, IBV_WR_RDMA_READ, mback, back, LEN, mdst, dst) == IBV_WC_SUCCESS);
	CHECK(back[0] == 0 && !memcmp(back, back + 1, LEN - 1));

	/* read-only: WRITE refused, READ served */
	rt_fill(dst, LEN, 6);
	CHECK(mprotect(dst, LEN, PROT_READ) == 0);
	CHECK(rt_do(&p, IBV_WR_RDMA_READ, mback, back, LEN, mdst, dst) == IBV_WC_SUCCESS);
	CHECK(rt_mismatch(back, LEN, 6) < 0);
	CHECK(rt_do(&p, IBV_WR_RDMA_WRITE, msrc, src, 4096, mdst, dst) == IBV_WC_REM_ACCESS_ERR);
	CHECK(rt_mismatch(dst, LEN, 6) < 0);
	rt_rc_pair_destroy(&p);

	CHECK(mprotect(dst, LEN, PROT_READ | PROT_WRITE) == 0);
	rt_rc_pair(&p, pd, &opts);
	CHECK(rt_do(&p, IBV_WR_RDMA_WRITE, msrc, src, LEN, mdst, dst) == IBV_WC_SUCCESS);
	CHECK(rt_mismatch(dst, LEN, 5) < 0);
	rt_rc_pair_destroy(&p);
	rt_note("DONTNEED read zeros; read-only refused WRITE, served READ; %llu pages invalidated",
		(unsigned long long)(rt_counter("odp_invalidated_pages") - i0));
	CHECK(!ibv_dereg_mr(msrc) && !ibv_dereg_mr(mdst) && !ibv_dereg_mr(mback));
	CHECK(!ibv_dealloc_pd(pd));
	return 0;
}
