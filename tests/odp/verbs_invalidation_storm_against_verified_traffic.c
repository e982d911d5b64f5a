// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=300 mem=768 smp=2 swap=256 numa=2
/*
 * ODP through verbs, an invalidation storm: for a minute (or
 * $RXE_T_STORM_SECS), a thread keeps invalidating the memory under both
 * ODP MRs without changing its contents (mprotect flips, fork for COW
 * write-protection, MADV_PAGEOUT, migration between NUMA nodes) while the
 * main thread runs verified RC traffic page by page: RDMA WRITE then a
 * CPU check, CPU write then RDMA READ and a check. Zero mismatches and
 * zero failed completions, with thousands of invalidations counted.
 */
#include "rxe_test.h"

#define PG 4096
#define NP 64
#define LEN (NP * PG)

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	const struct rt_rc_opts opts = rt_rdma_opts;
	const char *env = getenv("RXE_T_STORM_SECS");
	int acc = IBV_ACCESS_LOCAL_WRITE | opts.access, secs = env ? atoi(env) : 60;
	unsigned long rounds = 0, mismatches = 0;
	uint64_t inv0, f0;
	struct ibv_mr *mr[2];
	struct rt_rc_pair p;
	struct ibv_pd *pd;
	uint32_t seq = 1000;
	struct rt_storm storm;
	uint8_t *bufs[2];
	time_t end;

	rt_require_odp(ctx, IBV_ODP_SUPPORT_WRITE | IBV_ODP_SUPPORT_READ);
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	bufs[0] = rt_map(LEN, PG);	/* local: source of WRITEs, sink of READs */
	bufs[1] = rt_map(LEN, PG);	/* remote target */
	rt_fill(bufs[0], LEN, 1);
	rt_fill(bufs[1], LEN, 2);
	mr[0] = rt_reg_odp(pd, bufs[0], LEN, acc);
	mr[1] = rt_reg_odp(pd, bufs[1], LEN, acc);
	rt_rc_pair(&p, pd, &opts);
	inv0 = rt_counter("odp_invalidations");
	f0 = rt_counter("odp_fault_errors");

	rt_storm_start(&storm, bufs, 2, LEN, 7);
	end = time(NULL) + secs;
	while (time(NULL) < end) {
		size_t a = seq % NP, b = (seq * 13 + 5) % NP;
		uint8_t *la = bufs[0] + a * PG, *rb = bufs[1] + b * PG;
		enum ibv_wc_status s;

		rt_fill(la, PG, seq);
		s = rt_do(&p, IBV_WR_RDMA_WRITE, mr[0], la, PG, mr[1], rb);
		if (s != IBV_WC_SUCCESS)
			rt_fail("round %lu: RDMA WRITE: %s", rounds, ibv_wc_status_str(s));
		mismatches += rt_mismatch(rb, PG, seq) >= 0;
		rt_fill(rb, PG, seq + 1);
		s = rt_do(&p, IBV_WR_RDMA_READ, mr[0], la, PG, mr[1], rb);
		if (s != IBV_WC_SUCCESS)
			rt_fail("round %lu: RDMA READ: %s", rounds, ibv_wc_status_str(s));
		mismatches += rt_mismatch(la, PG, seq + 1) >= 0;
		rounds++;
		seq += 2;
	}
	rt_storm_stop(&storm);
	rt_note("%d s: %lu verified rounds (WRITE+READ), %lu mismatches; storm: mprotect %lu, "
		"fork %lu, pageout %lu, migrate %lu; %llu invalidations, %llu fault errors",
		secs, rounds, mismatches, storm.ops[0], storm.ops[1], storm.ops[2], storm.ops[3],
		(unsigned long long)(rt_counter("odp_invalidations") - inv0),
		(unsigned long long)(rt_counter("odp_fault_errors") - f0));
	CHECK(mismatches == 0);
	CHECK(rounds >= 100);
	/* a checker kernel runs the storm about ten times slower */
	CHECK(rt_counter("odp_invalidations") - inv0 >= (uint64_t)rt_scaled(1000));
	rt_rc_pair_destroy(&p);
	CHECK(!ibv_dereg_mr(mr[0]) && !ibv_dereg_mr(mr[1]) && !ibv_dealloc_pd(pd));
	return 0;
}
