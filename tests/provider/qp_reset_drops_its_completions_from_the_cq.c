// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=60
/*
 * Our provider drops a QP's unpolled completions from its CQ when the QP
 * is reset, as hardware providers do: two QPs share a CQ, both enter the
 * error state (their posted receives complete flushed, interleaved), one
 * is reset, and polling then yields exactly the other's completions, in
 * order. An application that resets a QP after an error and reuses it
 * (pyverbs' rereg tests do) must not find the old QP's flushes first.
 * The distro's provider leaves them: SKIP with it.
 */
#include "rxe_test.h"

static struct ibv_qp *make_qp(struct ibv_pd *pd, struct ibv_cq *cq)
{
	struct ibv_qp_init_attr init = {
		.qp_type = IBV_QPT_RC, .send_cq = cq, .recv_cq = cq,
		.cap = { .max_send_wr = 4, .max_recv_wr = 8, .max_send_sge = 1,
			 .max_recv_sge = 1 },
	};
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_INIT, .port_num = 1 };
	struct ibv_qp *qp = ibv_create_qp(pd, &init);

	CHECK(qp);
	CHECK(ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
			    IBV_QP_ACCESS_FLAGS) == 0);
	return qp;
}

static void to_state(struct ibv_qp *qp, enum ibv_qp_state s)
{
	struct ibv_qp_attr a = { .qp_state = s };

	CHECK(ibv_modify_qp(qp, &a, IBV_QP_STATE) == 0);
}

int main(void)
{
	const char *which = getenv("RXE_PROVIDER");
	struct ibv_context *ctx;
	struct ibv_qp *a, *b;
	struct ibv_wc wc[8];
	struct ibv_cq *cq;
	struct ibv_pd *pd;
	struct ibv_mr *mr;
	char *buf;
	int i, n;

	if (which && strcmp(which, "ours"))
		rt_skip("the %s provider keeps a reset QP's completions (RXE_PROVIDER)", which);
	ctx = rt_open_dev();
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	CHECK((buf = calloc(1, 4096)) != NULL);
	CHECK((mr = ibv_reg_mr(pd, buf, 4096, IBV_ACCESS_LOCAL_WRITE)) != NULL);
	CHECK((cq = ibv_create_cq(ctx, 32, NULL, NULL, 0)) != NULL);
	a = make_qp(pd, cq);
	b = make_qp(pd, cq);
	for (i = 0; i < 3; i++) {
		rt_post_recv(a, 10 + i, mr->lkey, buf, 64);
		rt_post_recv(b, 20 + i, mr->lkey, buf, 64);
	}
	/* entering ERR waits for the kernel's flush: 6 completions queued */
	to_state(a, IBV_QPS_ERR);
	to_state(b, IBV_QPS_ERR);
	to_state(a, IBV_QPS_RESET);

	n = ibv_poll_cq(cq, 8, wc);
	if (n != 3)
		rt_fail("%d completions left after the reset, want b's 3", n);
	for (i = 0; i < 3; i++)
		if (wc[i].qp_num != b->qp_num || wc[i].wr_id != 20u + i ||
		    wc[i].status != IBV_WC_WR_FLUSH_ERR)
			rt_fail("completion %d: qp %u wr %llu status %d", i, wc[i].qp_num,
				(unsigned long long)wc[i].wr_id, wc[i].status);
	rt_note("reset of QP %u dropped its 3 flushes; QP %u's 3 kept, in order",
		a->qp_num, b->qp_num);

	CHECK(ibv_destroy_qp(a) == 0 && ibv_destroy_qp(b) == 0);
	CHECK(ibv_destroy_cq(cq) == 0 && ibv_dereg_mr(mr) == 0);
	CHECK(ibv_dealloc_pd(pd) == 0 && ibv_close_device(ctx) == 0);
	return 0;
}
