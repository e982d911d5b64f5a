// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=180
/*
 * ODP through verbs, first touch: memory no one has touched, registered
 * with IBV_ACCESS_ON_DEMAND on both sides, works for every RC operation:
 * RDMA WRITE into it (64 KiB, every byte checked), RDMA READ out of it
 * into untouched local memory (zeros, then data), SEND into an untouched
 * receive buffer, fetch&add and compare&swap on an untouched word. The
 * device's counters show the faults (pages faulted in, no error) and
 * registration itself faulted nothing.
 */
#include <sys/mman.h>

#include "rxe_test.h"

#define LEN (64 * 1024)

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	const struct rt_rc_opts opts = rt_rdma_opts;
	int acc = IBV_ACCESS_LOCAL_WRITE | opts.access;
	uint8_t *src, *dst, *back, *rcv;
	uint64_t *word, *res, f0, f1, e0;
	struct ibv_mr *msrc, *mdst, *mback, *mrcv, *mword, *mres;
	struct rt_rc_pair p;
	struct ibv_pd *pd;
	struct ibv_wc wc;

	rt_require_odp(ctx, IBV_ODP_SUPPORT_SEND | IBV_ODP_SUPPORT_RECV | IBV_ODP_SUPPORT_WRITE |
			    IBV_ODP_SUPPORT_READ | IBV_ODP_SUPPORT_ATOMIC);
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	src = rt_map(LEN, 4096);
	dst = rt_map(LEN, 4096);
	back = rt_map(LEN, 4096);
	rcv = rt_map(LEN, 4096);
	word = rt_map(4096, 4096);
	res = rt_map(4096, 4096);
	f0 = rt_counter("odp_fault_pages");
	e0 = rt_counter("odp_fault_errors");
	msrc = rt_reg_odp(pd, src, LEN, acc);
	mdst = rt_reg_odp(pd, dst, LEN, acc);
	mback = rt_reg_odp(pd, back, LEN, acc);
	mrcv = rt_reg_odp(pd, rcv, LEN, acc);
	mword = rt_reg_odp(pd, word, 4096, acc);
	mres = rt_reg_odp(pd, res, 4096, acc);
	CHECK(rt_counter("odp_fault_pages") == f0);
	rt_rc_pair(&p, pd, &opts);

	/* READ of never-touched remote memory into never-touched local: zeros */
	memset(back, 0xee, LEN);	/* the CPU touches it: then READ overwrites */
	CHECK(rt_do(&p, IBV_WR_RDMA_READ, mback, back, LEN, mdst, dst) == IBV_WC_SUCCESS);
	CHECK(back[0] == 0 && !memcmp(back, back + 1, LEN - 1));

	rt_fill(src, LEN, 1);
	CHECK(rt_do(&p, IBV_WR_RDMA_WRITE, msrc, src, LEN, mdst, dst) == IBV_WC_SUCCESS);
	CHECK(rt_mismatch(dst, LEN, 1) < 0);
	CHECK(rt_do(&p, IBV_WR_RDMA_READ, mback, back, LEN, mdst, dst) == IBV_WC_SUCCESS);
	CHECK(rt_mismatch(back, LEN, 1) < 0);

	rt_post_recv(p.qp[1], 7, mrcv->lkey, rcv, LEN);
	rt_fill(src, LEN, 2);
	CHECK(rt_do(&p, IBV_WR_SEND, msrc, src, LEN, NULL, NULL) == IBV_WC_SUCCESS);
	wc = rt_expect_wc(p.cq[1], IBV_WC_SUCCESS, 7);
	CHECK(wc.byte_len == LEN);
	CHECK(rt_mismatch(rcv, LEN, 2) < 0);

	/* atomics: fetch&add adds 1, compare&swap compares with 1 (rt_post_send) */
	CHECK(rt_do(&p, IBV_WR_ATOMIC_FETCH_AND_ADD, mres, res, 8, mword, word) == IBV_WC_SUCCESS);
	CHECK(res[0] == 0 && word[0] == 1);
	CHECK(rt_do(&p, IBV_WR_ATOMIC_CMP_AND_SWP, mres, res, 8, mword, word) == IBV_WC_SUCCESS);
	CHECK(res[0] == 1);

	f1 = rt_counter("odp_fault_pages");
	rt_note("odp_fault_pages +%llu, odp_fault_errors +%llu", (unsigned long long)(f1 - f0),
		(unsigned long long)(rt_counter("odp_fault_errors") - e0));
	/* src, dst, back, rcv: 16 pages each; the word and result pages */
	CHECK(f1 - f0 >= 4 * LEN / 4096 + 2);
	CHECK(rt_counter("odp_fault_errors") == e0);

	/* per-MR counters: `rdma statistic show mr` lists our ODP MRs' faults */
	{
		char line[512];
		int odp_mrs = 0;
		FILE *f = popen("rdma statistic show mr 2>&1", "r");

		CHECK(f);
		while (fgets(line, sizeof(line), f)) {
			unsigned long long n;
			char *pf = strstr(line, "page_faults ");

			if (pf && sscanf(pf, "page_faults %llu", &n) == 1 && n > 0)
				odp_mrs++;
		}
		pclose(f);
		rt_note("rdma statistic show mr: %d MRs with page faults", odp_mrs);
		CHECK(odp_mrs >= 6);
	}

	rt_rc_pair_destroy(&p);
	CHECK(!ibv_dereg_mr(msrc) && !ibv_dereg_mr(mdst) && !ibv_dereg_mr(mback) &&
	      !ibv_dereg_mr(mrcv) && !ibv_dereg_mr(mword) && !ibv_dereg_mr(mres));
	CHECK(ibv_dealloc_pd(pd) == 0);
	return 0;
}
