// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=60
/*
 * Resizing a CQ keeps the completions not polled yet, in order: with 8
 * pending, shrinking below 8 is refused (EINVAL) and loses nothing; growing
 * to 100 works and the 8 completions then poll from the new ring with
 * their wr_ids in order, and nothing more.
 */
#include "rxe_test.h"

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	struct ibv_wc wc[16];
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_qp *qp;
	int i, n;

	CHECK((pd = ibv_alloc_pd(ctx)));
	CHECK((cq = ibv_create_cq(ctx, 16, NULL, NULL, 0)));
	qp = rt_qp_with_receives(pd, cq, 8);
	rt_qp_to_err(qp);			/* 8 flushed completions pending */

	n = ibv_resize_cq(cq, 4);
	if (!n)
		rt_fail("shrinking a CQ below its 8 pending completions succeeded");
	CHECK(n == EINVAL || errno == EINVAL);

	CHECK(ibv_resize_cq(cq, 100) == 0 && cq->cqe >= 100);
	n = ibv_poll_cq(cq, 16, wc);
	if (n != 8)
		rt_fail("polled %d completions after resize, expected 8", n);
	for (i = 0; i < 8; i++)
		if (wc[i].wr_id != (uint64_t)i || wc[i].status != IBV_WC_WR_FLUSH_ERR)
			rt_fail("completion %d: wr_id %llu status %d", i,
				(unsigned long long)wc[i].wr_id, wc[i].status);
	CHECK(ibv_poll_cq(cq, 1, wc) == 0);

	CHECK(ibv_destroy_qp(qp) == 0);
	CHECK(ibv_destroy_cq(cq) == 0);
	return 0;
}
