// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every RC error path we can provoke from one process completes with the
 * IBA status, moves the QP to ERR and flushes what follows:
 * bad rkey, range and access -> REM_ACCESS_ERR; bad lkey -> LOC_PROT_ERR; SEND larger than the
 * receive buffer -> REM_INV_REQ_ERR (receiver: LOC_LEN_ERR); no receive
 * and rnr_retry 0 -> RNR_RETRY_EXC_ERR; peer gone -> RETRY_EXC_ERR.
 * (A misaligned atomic never reaches the wire: the provider refuses it.)
 */
#include "rxe_test.h"

#define LEN 8192

static struct ibv_pd *pd;
static char *buf, *rbuf;
static struct ibv_mr *mr, *rmr_all, *rmr_ro, *rmr_local;
static const struct rt_rc_opts opts = {
	.access = IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_ATOMIC,
	.timeout = 10, .retry_cnt = 2, .rnr_retry = 0, .min_rnr_timer = 1,
};

static void expect_err_state(struct ibv_qp *qp)
{
	struct ibv_qp_attr a;
	struct ibv_qp_init_attr init;

	CHECK(ibv_query_qp(qp, &a, IBV_QP_STATE, &init) == 0);
	if (a.qp_state != IBV_QPS_ERR)
		rt_fail("QP %u in state %d after an error completion", qp->qp_num, a.qp_state);
}

/* One request on a fresh pair must fail with @status; the next is flushed. */
static void one(const char *what, enum ibv_wr_opcode op, uint32_t lkey, uint32_t len,
		uint64_t raddr, uint32_t rkey, enum ibv_wc_status status)
{
	struct rt_rc_pair p;

	rt_rc_pair(&p, pd, &opts);
	rt_post_send(p.qp[0], op, 1, lkey, buf, len, raddr, rkey);
	rt_post_send(p.qp[0], IBV_WR_RDMA_WRITE, 2, mr->lkey, buf, 8, (uintptr_t)rbuf, rmr_all->rkey);
	rt_expect_wc(p.cq[0], status, 1);
	rt_expect_wc(p.cq[0], IBV_WC_WR_FLUSH_ERR, 2);
	expect_err_state(p.qp[0]);
	rt_note("%s: %s", what, ibv_wc_status_str(status));
	rt_rc_pair_destroy(&p);
}

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	struct rt_rc_pair p;
	struct ibv_qp *lone;
	struct ibv_qp_init_attr init;
	uint64_t before;

	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	CHECK((buf = aligned_alloc(4096, LEN)) != NULL);
	CHECK((rbuf = aligned_alloc(4096, LEN)) != NULL);
	CHECK((mr = ibv_reg_mr(pd, buf, LEN, IBV_ACCESS_LOCAL_WRITE)) != NULL);
	CHECK((rmr_all = ibv_reg_mr(pd, rbuf, LEN, IBV_ACCESS_LOCAL_WRITE |
				    IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ |
				    IBV_ACCESS_REMOTE_ATOMIC)) != NULL);
	CHECK((rmr_ro = ibv_reg_mr(pd, rbuf, LEN, IBV_ACCESS_REMOTE_READ)) != NULL);
	CHECK((rmr_local = ibv_reg_mr(pd, rbuf, LEN, IBV_ACCESS_LOCAL_WRITE)) != NULL);

	one("WRITE with an unknown rkey", IBV_WR_RDMA_WRITE, mr->lkey, 64,
	    (uintptr_t)rbuf, rmr_all->rkey ^ 0x5500, IBV_WC_REM_ACCESS_ERR);
	one("WRITE past the end of the MR", IBV_WR_RDMA_WRITE, mr->lkey, 64,
	    (uintptr_t)rbuf + LEN - 32, rmr_all->rkey, IBV_WC_REM_ACCESS_ERR);
	one("WRITE to a read-only MR", IBV_WR_RDMA_WRITE, mr->lkey, 64,
	    (uintptr_t)rbuf, rmr_ro->rkey, IBV_WC_REM_ACCESS_ERR);
	one("READ from an MR without remote read", IBV_WR_RDMA_READ, mr->lkey, 64,
	    (uintptr_t)rbuf, rmr_local->rkey, IBV_WC_REM_ACCESS_ERR);
	one("atomic on an MR without remote atomic", IBV_WR_ATOMIC_FETCH_AND_ADD, mr->lkey, 8,
	    (uintptr_t)rbuf, rmr_ro->rkey, IBV_WC_REM_ACCESS_ERR);
	one("WRITE from an unknown lkey", IBV_WR_RDMA_WRITE, mr->lkey ^ 0x7700, 64,
	    (uintptr_t)rbuf, rmr_all->rkey, IBV_WC_LOC_PROT_ERR);
	one("READ into memory without local write", IBV_WR_RDMA_READ, rmr_ro->lkey, 64,
	    (uintptr_t)rbuf, rmr_all->rkey, IBV_WC_LOC_PROT_ERR);

	/* SEND longer than the posted receive */
	rt_rc_pair(&p, pd, &opts);
	rt_post_recv(p.qp[1], 7, mr->lkey, buf + 4096, 16);
	rt_post_send(p.qp[0], IBV_WR_SEND, 1, mr->lkey, buf, 64, 0, 0);
	rt_expect_wc(p.cq[0], IBV_WC_REM_INV_REQ_ERR, 1);
	rt_expect_wc(p.cq[1], IBV_WC_LOC_LEN_ERR, 7);
	rt_note("SEND longer than the receive buffer: REM_INV_REQ_ERR / LOC_LEN_ERR");
	rt_rc_pair_destroy(&p);

	/*
	 * SEND into a receive whose lkey names no MR: a local protection
	 * error at the receiver, a remote operational error at the sender,
	 * reported before the sender's own receive is flushed (one CQ).
	 */
	rt_rc_pair(&p, pd, &opts);
	rt_post_recv(p.qp[0], 9, mr->lkey, buf + 4096, 64);
	rt_post_recv(p.qp[1], 7, mr->lkey ^ 0x7700, buf + 4096, 64);
	rt_post_send(p.qp[0], IBV_WR_SEND, 1, mr->lkey, buf, 64, 0, 0);
	rt_expect_wc(p.cq[0], IBV_WC_REM_OP_ERR, 1);
	rt_expect_wc(p.cq[0], IBV_WC_WR_FLUSH_ERR, 9);
	rt_expect_wc(p.cq[1], IBV_WC_LOC_PROT_ERR, 7);
	rt_note("SEND into a receive with an unknown lkey: REM_OP_ERR / LOC_PROT_ERR");
	rt_rc_pair_destroy(&p);

	/* no receive posted, rnr_retry 0 */
	before = rt_counter("rcvd_rnr_err");
	rt_rc_pair(&p, pd, &opts);
	rt_post_send(p.qp[0], IBV_WR_SEND, 1, mr->lkey, buf, 64, 0, 0);
	rt_expect_wc(p.cq[0], IBV_WC_RNR_RETRY_EXC_ERR, 1);
	CHECK(rt_counter("rcvd_rnr_err") > before);
	rt_note("SEND without a receive, rnr_retry 0: RNR_RETRY_EXC_ERR");
	rt_rc_pair_destroy(&p);

	/* the peer QP does not exist: every try times out */
	before = rt_counter("retrans_timeout");
	memset(&init, 0, sizeof(init));
	init.qp_type = IBV_QPT_RC;
	init.send_cq = init.recv_cq = ibv_create_cq(ctx, 8, NULL, NULL, 0);
	CHECK(init.send_cq != NULL);
	init.cap = (struct ibv_qp_cap){ .max_send_wr = 4, .max_recv_wr = 4,
					.max_send_sge = 1, .max_recv_sge = 1 };
	CHECK((lone = ibv_create_qp(pd, &init)) != NULL);
	rt_rc_connect(lone, 0xfffff0, &opts);
	rt_post_send(lone, IBV_WR_RDMA_WRITE, 1, mr->lkey, buf, 64, (uintptr_t)rbuf, rmr_all->rkey);
	rt_expect_wc(init.send_cq, IBV_WC_RETRY_EXC_ERR, 1);
	if (rt_counter("retrans_timeout") < before + 3)
		rt_fail("retry_cnt 2 should time out 3 times, counter moved by %llu",
			(unsigned long long)(rt_counter("retrans_timeout") - before));
	rt_note("peer missing, retry_cnt 2: RETRY_EXC_ERR after 3 timeouts");
	CHECK(ibv_destroy_qp(lone) == 0);
	CHECK(ibv_destroy_cq(init.send_cq) == 0);
	return 0;
}
