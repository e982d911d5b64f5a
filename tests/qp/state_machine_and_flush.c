// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=120
/*
 * RC and UD QPs through the distro's provider: the granted capacities,
 * the IBA state machine (legal transitions work, illegal ones and missing
 * or out-of-range attributes give EINVAL), attributes read back by query,
 * entering ERR completes every posted send and receive with
 * IBV_WC_WR_FLUSH_ERR and the right wr_id, sends posted in ERR complete
 * flushed at once, RESET discards posted work without completions, and a
 * QP is reusable after RESET.
 */
#include <arpa/inet.h>

#include "rxe_test.h"

static struct ibv_context *ctx;
static struct ibv_pd *pd;
static struct ibv_cq *scq, *rcq;
static union ibv_gid gid;
static int gid_index = -1;

static struct ibv_qp *make_qp(enum ibv_qp_type type)
{
	struct ibv_qp_init_attr init = {
		.send_cq = scq, .recv_cq = rcq, .qp_type = type,
		.cap = { .max_send_wr = 10, .max_recv_wr = 10,
			 .max_send_sge = 2, .max_recv_sge = 2, .max_inline_data = 64 },
	};
	struct ibv_qp *qp = ibv_create_qp(pd, &init);

	if (!qp)
		rt_fail("ibv_create_qp(type %d): %s", type, strerror(errno));
	CHECK(init.cap.max_send_wr >= 10 && init.cap.max_recv_wr >= 10);
	CHECK(init.cap.max_send_sge >= 2 && init.cap.max_recv_sge >= 2);
	CHECK(init.cap.max_inline_data >= 64);
	CHECK(qp->qp_num >= 16 && qp->qp_num < (1u << 24));
	return qp;
}

static int modify(struct ibv_qp *qp, struct ibv_qp_attr *a, int mask)
{
	int rc = ibv_modify_qp(qp, a, mask);

	return rc ? (errno ? errno : rc) : 0;
}

static void expect_state(struct ibv_qp *qp, enum ibv_qp_state want)
{
	struct ibv_qp_init_attr init;
	struct ibv_qp_attr a;

	CHECK(ibv_query_qp(qp, &a, IBV_QP_STATE, &init) == 0);
	if (a.qp_state != want)
		rt_fail("QP %u in state %d, expected %d", qp->qp_num, a.qp_state, want);
}

static void rc_to_init(struct ibv_qp *qp)
{
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_INIT, .port_num = 1,
		.qp_access_flags = IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ };

	CHECK(modify(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
			     IBV_QP_ACCESS_FLAGS) == 0);
	expect_state(qp, IBV_QPS_INIT);
}

static struct ibv_qp_attr rtr_attr(struct ibv_qp *qp)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_RTR, .path_mtu = IBV_MTU_1024,
		.dest_qp_num = qp->qp_num, .rq_psn = 0x123456,
		.max_dest_rd_atomic = 4, .min_rnr_timer = 12,
		.ah_attr = { .is_global = 1, .port_num = 1,
			     .grh = { .dgid = gid, .sgid_index = gid_index, .hop_limit = 64 } },
	};
	return a;
}

#define RTR_MASK (IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN | \
		  IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER)
#define RTS_MASK (IBV_QP_STATE | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT | \
		  IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC)

static void rc_to_rts(struct ibv_qp *qp)
{
	struct ibv_qp_attr a = rtr_attr(qp);
	struct ibv_qp_attr b = { .qp_state = IBV_QPS_RTS, .timeout = 14, .retry_cnt = 7,
				 .rnr_retry = 7, .sq_psn = 0x654321, .max_rd_atomic = 4 };

	CHECK(modify(qp, &a, RTR_MASK) == 0);
	expect_state(qp, IBV_QPS_RTR);
	CHECK(modify(qp, &b, RTS_MASK) == 0);
	expect_state(qp, IBV_QPS_RTS);
}

static void post_recv(struct ibv_qp *qp, uint64_t wr_id, char *buf, struct ibv_mr *mr)
{
	struct ibv_sge sge = { .addr = (uintptr_t)buf, .length = 64, .lkey = mr->lkey };
	struct ibv_recv_wr wr = { .wr_id = wr_id, .sg_list = &sge, .num_sge = 1 }, *bad;

	CHECK(ibv_post_recv(qp, &wr, &bad) == 0);
}

static void post_send(struct ibv_qp *qp, uint64_t wr_id, char *buf, struct ibv_mr *mr)
{
	struct ibv_sge sge = { .addr = (uintptr_t)buf, .length = 64, .lkey = mr->lkey };
	struct ibv_send_wr wr = { .wr_id = wr_id, .sg_list = &sge, .num_sge = 1,
				  .opcode = IBV_WR_SEND, .send_flags = IBV_SEND_SIGNALED }, *bad;

	CHECK(ibv_post_send(qp, &wr, &bad) == 0);
}

/* Poll exactly @n completions from @cq, flushed, with wr_ids base..base+n-1. */
static void expect_flushed(struct ibv_cq *cq, int n, uint64_t base, uint32_t qpn)
{
	struct ibv_wc wc[32];
	int got = 0, r, i;

	while (got < n) {
		r = ibv_poll_cq(cq, 32, wc + got);
		CHECK(r >= 0);
		if (!r)
			rt_fail("only %d of %d flushed completions", got, n);
		got += r;
	}
	for (i = 0; i < n; i++) {
		if (wc[i].status != IBV_WC_WR_FLUSH_ERR || wc[i].wr_id != base + i ||
		    wc[i].qp_num != qpn)
			rt_fail("completion %d: status %d wr_id %#llx qp %u; expected flush of %#llx on %u",
				i, wc[i].status, (unsigned long long)wc[i].wr_id, wc[i].qp_num,
				(unsigned long long)(base + i), qpn);
	}
	CHECK(ibv_poll_cq(cq, 1, wc) == 0);
}

int main(void)
{
	struct ibv_qp_init_attr init;
	struct ibv_qp_attr a;
	struct ibv_qp *qp, *ud;
	struct ibv_mr *mr;
	static char buf[4096];
	int i;

	ctx = rt_open_dev();
	gid_index = rt_ipv4_gid(ctx, &gid);
	CHECK((pd = ibv_alloc_pd(ctx)));
	CHECK((scq = ibv_create_cq(ctx, 64, NULL, NULL, 0)));
	CHECK((rcq = ibv_create_cq(ctx, 64, NULL, NULL, 0)));
	CHECK((mr = ibv_reg_mr(pd, buf, sizeof(buf), IBV_ACCESS_LOCAL_WRITE)));

	/* capacities out of range */
	{
		struct ibv_qp_init_attr big = { .send_cq = scq, .recv_cq = rcq,
			.qp_type = IBV_QPT_RC, .cap = { .max_send_wr = 1 << 20,
			.max_recv_wr = 1, .max_send_sge = 1, .max_recv_sge = 1 } };

		CHECK(!ibv_create_qp(pd, &big) && errno == EINVAL);
		big.cap.max_send_wr = 1;
		big.cap.max_send_sge = 1000;
		CHECK(!ibv_create_qp(pd, &big) && errno == EINVAL);
	}

	qp = make_qp(IBV_QPT_RC);
	expect_state(qp, IBV_QPS_RESET);

	/* illegal: RESET -> RTR, and INIT without its required attributes */
	a = rtr_attr(qp);
	CHECK(modify(qp, &a, RTR_MASK) == EINVAL);
	a.qp_state = IBV_QPS_INIT;
	CHECK(modify(qp, &a, IBV_QP_STATE) == EINVAL);
	/* out of range: port 2 */
	a = (struct ibv_qp_attr){ .qp_state = IBV_QPS_INIT, .port_num = 2 };
	CHECK(modify(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
			     IBV_QP_ACCESS_FLAGS) == EINVAL);
	expect_state(qp, IBV_QPS_RESET);

	rc_to_init(qp);
	/* illegal: INIT -> RTS; RTR without its path */
	a = (struct ibv_qp_attr){ .qp_state = IBV_QPS_RTS };
	CHECK(modify(qp, &a, RTS_MASK) == EINVAL);
	a = rtr_attr(qp);
	CHECK(modify(qp, &a, RTR_MASK & ~IBV_QP_AV) == EINVAL);
	expect_state(qp, IBV_QPS_INIT);

	/* receives may be posted from INIT on */
	for (i = 0; i < 5; i++)
		post_recv(qp, 0x100 + i, buf, mr);

	a = rtr_attr(qp);
	CHECK(modify(qp, &a, RTR_MASK) == 0);
	a = (struct ibv_qp_attr){ .qp_state = IBV_QPS_RTS, .timeout = 14, .retry_cnt = 8,
				  .rnr_retry = 7, .sq_psn = 1, .max_rd_atomic = 1 };
	CHECK(modify(qp, &a, RTS_MASK) == EINVAL);		/* retry_cnt 8 */
	a.retry_cnt = 6;
	CHECK(modify(qp, &a, RTS_MASK) == 0);
	expect_state(qp, IBV_QPS_RTS);

	/* attributes read back */
	CHECK(ibv_query_qp(qp, &a, RTR_MASK | RTS_MASK | IBV_QP_CAP, &init) == 0);
	CHECK(a.path_mtu == IBV_MTU_1024 && a.dest_qp_num == qp->qp_num);
	CHECK(a.rq_psn == 0x123456 && a.sq_psn == 1);
	CHECK(a.max_dest_rd_atomic == 4 && a.min_rnr_timer == 12);
	CHECK(a.timeout == 14 && a.retry_cnt == 6 && a.rnr_retry == 7);
	CHECK(a.ah_attr.grh.sgid_index == gid_index);
	CHECK(!memcmp(&a.ah_attr.grh.dgid, &gid, sizeof(gid)));
	CHECK(init.cap.max_send_wr >= 10 && init.qp_type == IBV_QPT_RC);

	/* RTS <-> SQD */
	a.qp_state = IBV_QPS_SQD;
	CHECK(modify(qp, &a, IBV_QP_STATE) == 0);
	expect_state(qp, IBV_QPS_SQD);
	a.qp_state = IBV_QPS_RTS;
	CHECK(modify(qp, &a, IBV_QP_STATE) == 0);

	/* ERR flushes everything posted, in order (posted in SQD: not sent) */
	a.qp_state = IBV_QPS_SQD;
	CHECK(modify(qp, &a, IBV_QP_STATE) == 0);
	for (i = 0; i < 3; i++)
		post_send(qp, 0x200 + i, buf, mr);
	a.qp_state = IBV_QPS_ERR;
	CHECK(modify(qp, &a, IBV_QP_STATE) == 0);
	expect_state(qp, IBV_QPS_ERR);
	expect_flushed(scq, 3, 0x200, qp->qp_num);
	expect_flushed(rcq, 5, 0x100, qp->qp_num);

	/* posted in ERR: flushed at once */
	post_send(qp, 0x300, buf, mr);
	expect_flushed(scq, 1, 0x300, qp->qp_num);

	/* RESET discards without completions; the QP is reusable */
	a.qp_state = IBV_QPS_RESET;
	CHECK(modify(qp, &a, IBV_QP_STATE) == 0);
	rc_to_init(qp);
	post_recv(qp, 0x400, buf, mr);
	a.qp_state = IBV_QPS_RESET;
	CHECK(modify(qp, &a, IBV_QP_STATE) == 0);
	rc_to_init(qp);
	rc_to_rts(qp);
	a.qp_state = IBV_QPS_ERR;
	CHECK(modify(qp, &a, IBV_QP_STATE) == 0);
	CHECK(ibv_poll_cq(rcq, 1, (struct ibv_wc[1]){}) == 0);
	CHECK(ibv_destroy_qp(qp) == 0);

	/* UD: INIT needs a Q_Key; RTR and RTS need no path */
	ud = make_qp(IBV_QPT_UD);
	a = (struct ibv_qp_attr){ .qp_state = IBV_QPS_INIT, .port_num = 1 };
	CHECK(modify(ud, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT) == EINVAL);
	a.qkey = 0x11111111;
	CHECK(modify(ud, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_QKEY) == 0);
	a.qp_state = IBV_QPS_RTR;
	CHECK(modify(ud, &a, IBV_QP_STATE) == 0);
	a.qp_state = IBV_QPS_RTS;
	a.sq_psn = 7;
	CHECK(modify(ud, &a, IBV_QP_STATE | IBV_QP_SQ_PSN) == 0);
	CHECK(ibv_query_qp(ud, &a, IBV_QP_QKEY, &init) == 0 && a.qkey == 0x11111111);
	CHECK(ibv_destroy_qp(ud) == 0);

	/* a CQ in use cannot be destroyed; many QPs come and go */
	qp = make_qp(IBV_QPT_RC);
	CHECK(ibv_destroy_cq(scq) == EBUSY || errno == EBUSY);
	CHECK(ibv_destroy_qp(qp) == 0);
	for (i = 0; i < 200; i++)
		CHECK(ibv_destroy_qp(make_qp(i & 1 ? IBV_QPT_UD : IBV_QPT_RC)) == 0);

	CHECK(ibv_dereg_mr(mr) == 0);
	CHECK(ibv_destroy_cq(scq) == 0 && ibv_destroy_cq(rcq) == 0);
	CHECK(ibv_dealloc_pd(pd) == 0);
	CHECK(ibv_close_device(ctx) == 0);
	return 0;
}
