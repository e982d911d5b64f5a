// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=180
/*
 * ODP through verbs, a hole in the MR: after munmap of part of a remote
 * ODP MR, RDMA WRITE and READ into the hole complete with
 * REM_ACCESS_ERR; a local ODP SGE in a hole completes with LOC_PROT_ERR;
 * the pages around the hole are untouched and the failures are counted.
 * After mmap(MAP_FIXED) at the same address the same MR reaches the new
 * pages (new QPs: the old ones are in the error state).
 */
#include <sys/mman.h>

#include "rxe_test.h"

#define PG 4096
#define NP 16

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	const struct rt_rc_opts opts = rt_rdma_opts;
	int acc = IBV_ACCESS_LOCAL_WRITE | opts.access;
	uint8_t *src, *dst;
	struct ibv_mr *msrc, *mdst;
	struct rt_rc_pair p;
	struct ibv_pd *pd;
	uint64_t e0;

	rt_require_odp(ctx, IBV_ODP_SUPPORT_WRITE | IBV_ODP_SUPPORT_READ);
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	src = rt_map(NP * PG, PG);
	dst = rt_map(NP * PG, PG);
	msrc = rt_reg_odp(pd, src, NP * PG, acc);
	mdst = rt_reg_odp(pd, dst, NP * PG, acc);
	rt_fill(src, NP * PG, 3);
	rt_rc_pair(&p, pd, &opts);
	CHECK(rt_do(&p, IBV_WR_RDMA_WRITE, msrc, src, NP * PG, mdst, dst) == IBV_WC_SUCCESS);
	CHECK(rt_mismatch(dst, NP * PG, 3) < 0);
	rt_rc_pair_destroy(&p);

	CHECK(munmap(dst + 4 * PG, 4 * PG) == 0);
	e0 = rt_counter("odp_fault_errors");
	rt_rc_pair(&p, pd, &opts);
	CHECK(rt_do(&p, IBV_WR_RDMA_WRITE, msrc, src, 2 * PG, mdst, dst + 5 * PG) ==
	      IBV_WC_REM_ACCESS_ERR);
	rt_rc_pair_destroy(&p);
	rt_rc_pair(&p, pd, &opts);
	CHECK(rt_do(&p, IBV_WR_RDMA_READ, msrc, src, PG, mdst, dst + 7 * PG) ==
	      IBV_WC_REM_ACCESS_ERR);
	rt_rc_pair_destroy(&p);
	/* a WRITE that starts before the hole and runs into it */
	rt_rc_pair(&p, pd, &opts);
	CHECK(rt_do(&p, IBV_WR_RDMA_WRITE, msrc, src, 3 * PG, mdst, dst + 2 * PG) ==
	      IBV_WC_REM_ACCESS_ERR);
	rt_rc_pair_destroy(&p);
	CHECK(rt_mismatch(dst, 2 * PG, 3) < 0);
	CHECK(!memcmp(dst + 8 * PG, src + 8 * PG, 8 * PG));

	/* local side: the source SGE lies in a hole of the local ODP MR */
	CHECK(munmap(src + 10 * PG, PG) == 0);
	rt_rc_pair(&p, pd, &opts);
	CHECK(rt_do(&p, IBV_WR_RDMA_WRITE, msrc, src + 10 * PG, PG, mdst, dst + 12 * PG) ==
	      IBV_WC_LOC_PROT_ERR);
	rt_rc_pair_destroy(&p);
	CHECK(rt_counter("odp_fault_errors") >= e0 + 4);

	/* remap the hole: the MR reaches the new pages */
	CHECK(mmap(dst + 4 * PG, 4 * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == dst + 4 * PG);
	rt_fill(src, 4 * PG, 4);
	rt_rc_pair(&p, pd, &opts);
	CHECK(rt_do(&p, IBV_WR_RDMA_WRITE, msrc, src, 4 * PG, mdst, dst + 4 * PG) ==
	      IBV_WC_SUCCESS);
	CHECK(rt_mismatch(dst + 4 * PG, 4 * PG, 4) < 0);
	rt_rc_pair_destroy(&p);
	rt_note("hole: REM_ACCESS_ERR (write, read, straddling), LOC_PROT_ERR (local); "
		"%llu fault errors counted; remapped pages reached",
		(unsigned long long)(rt_counter("odp_fault_errors") - e0));
	CHECK(!ibv_dereg_mr(msrc) && !ibv_dereg_mr(mdst) && !ibv_dealloc_pd(pd));
	return 0;
}
