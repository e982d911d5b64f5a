// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=180
/*
 * The affiliated asynchronous events of a QP, each on the QP it concerns:
 * a WRITE to a bad R_Key raises QP Access Error on the responder; a SEND
 * larger than its receive raises Invalid Request (QP_REQ_ERR) there; a
 * receive completion lost to a full CQ raises CQ Error on the CQ and QP
 * Fatal on the QP, which goes to the error state; the first request a QP
 * receives in RTR raises Communication Established; and a send queue
 * moved to SQD with notification raises SQ Drained once the messages it
 * had begun are done, while the rest wait for RTS.
 */
#include <fcntl.h>

#include "rxe_test.h"

#define BIG (64 * 1024)

static struct ibv_context *ctx;
static struct ibv_pd *pd;
static struct ibv_mr *mr;
static uint8_t *buf;

/* The next async event must be @type about @qp (or @cq). */
static void expect_event(enum ibv_event_type type, struct ibv_qp *qp, struct ibv_cq *cq,
			 const char *what)
{
	struct ibv_async_event ev;
	int got = rt_async_event(ctx, 10000, &ev);

	if (got != (int)type)
		rt_fail("%s: async event %d (%s), want %s", what, got,
			got < 0 ? "none" : ibv_event_type_str(got), ibv_event_type_str(type));
	if ((qp && ev.element.qp != qp) || (cq && ev.element.cq != cq))
		rt_fail("%s: the event names another object", what);
}

static void no_event(const char *what)
{
	struct ibv_async_event ev;
	int got = rt_async_event(ctx, 200, &ev);

	if (got >= 0)
		rt_fail("%s: unexpected async event %s", what, ibv_event_type_str(got));
}

static struct ibv_qp *rc_qp(struct ibv_cq *scq, struct ibv_cq *rcq)
{
	struct ibv_qp_init_attr init = {
		.send_cq = scq, .recv_cq = rcq, .qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 32, .max_recv_wr = 32, .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct ibv_qp *qp;

	CHECK((qp = ibv_create_qp(pd, &init)) != NULL);
	return qp;
}

static void send(struct ibv_qp *qp, uint64_t id, uint32_t len)
{
	rt_post_send(qp, IBV_WR_SEND, id, mr->lkey, buf, len, 0, 0);
}

static void access_and_invalid_request(void)
{
	struct rt_rc_pair p;

	rt_rc_pair(&p, pd, &rt_rdma_opts);
	rt_post_send(p.qp[0], IBV_WR_RDMA_WRITE, 1, mr->lkey, buf, 8, (uintptr_t)buf,
		     mr->rkey ^ 0x55);
	rt_expect_wc(p.cq[0], IBV_WC_REM_ACCESS_ERR, 1);
	expect_event(IBV_EVENT_QP_ACCESS_ERR, p.qp[1], NULL, "WRITE to a bad R_Key");
	rt_rc_pair_destroy(&p);

	rt_rc_pair(&p, pd, &rt_rdma_opts);
	rt_post_recv(p.qp[1], 2, mr->lkey, buf + BIG, 16);
	send(p.qp[0], 3, 64);
	rt_expect_wc(p.cq[0], IBV_WC_REM_INV_REQ_ERR, 3);
	expect_event(IBV_EVENT_QP_REQ_ERR, p.qp[1], NULL, "SEND larger than its receive");
	rt_rc_pair_destroy(&p);
	rt_note("bad R_Key: QP Access Error; SEND too large: Invalid Request, on the responder");
}

static void cq_overrun(void)
{
	struct ibv_cq *scq, *small;
	struct ibv_qp *q0, *q1;
	struct ibv_qp_attr a;
	struct ibv_qp_init_attr ia;
	int i, n;

	CHECK((scq = ibv_create_cq(ctx, 64, NULL, NULL, 0)) != NULL);
	CHECK((small = ibv_create_cq(ctx, 1, NULL, NULL, 0)) != NULL);
	q0 = rc_qp(scq, scq);
	q1 = rc_qp(scq, small);
	rt_rc_connect(q0, q1->qp_num, &rt_rdma_opts);
	rt_rc_connect(q1, q0->qp_num, &rt_rdma_opts);
	n = small->cqe + 1;
	for (i = 0; i < n; i++)
		rt_post_recv(q1, 100 + i, mr->lkey, buf + BIG, 64);
	for (i = 0; i < n; i++) {
		send(q0, 200 + i, 8);
		rt_expect_wc(scq, IBV_WC_SUCCESS, 200 + i);
	}
	expect_event(IBV_EVENT_CQ_ERR, NULL, small, "receive CQ overrun");
	expect_event(IBV_EVENT_QP_FATAL, q1, NULL, "a completion lost to a full CQ");
	CHECK(ibv_query_qp(q1, &a, IBV_QP_STATE, &ia) == 0);
	if (a.qp_state != IBV_QPS_ERR)
		rt_fail("the QP whose completion was lost is in state %d, not ERR", a.qp_state);
	CHECK(ibv_destroy_qp(q0) == 0 && ibv_destroy_qp(q1) == 0);
	CHECK(ibv_destroy_cq(small) == 0 && ibv_destroy_cq(scq) == 0);
	rt_note("CQ of %d entries overrun by %d receives: CQ Error, QP Fatal, QP in ERR",
		n - 1, n);
}

/* INIT and RTR only: the QP is not ready to send yet. */
static void to_rtr(struct ibv_qp *qp, uint32_t dest)
{
	union ibv_gid gid;
	int gidx = rt_ipv4_gid(ctx, &gid);
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_INIT, .port_num = 1 };

	CHECK(ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
			    IBV_QP_ACCESS_FLAGS) == 0);
	a = (struct ibv_qp_attr){
		.qp_state = IBV_QPS_RTR, .path_mtu = IBV_MTU_1024, .dest_qp_num = dest,
		.rq_psn = 0x1000, .max_dest_rd_atomic = 1, .min_rnr_timer = 1,
		.ah_attr = { .is_global = 1, .port_num = 1,
			     .grh = { .dgid = gid, .sgid_index = gidx, .hop_limit = 64 } },
	};
	CHECK(ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU |
			    IBV_QP_DEST_QPN | IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC |
			    IBV_QP_MIN_RNR_TIMER) == 0);
}

static void comm_est(void)
{
	struct ibv_cq *cq;
	struct ibv_qp *q0, *q1;

	CHECK((cq = ibv_create_cq(ctx, 16, NULL, NULL, 0)) != NULL);
	q0 = rc_qp(cq, cq);
	q1 = rc_qp(cq, cq);
	to_rtr(q1, q0->qp_num);
	rt_rc_connect(q0, q1->qp_num, &rt_rdma_opts);
	rt_post_recv(q1, 1, mr->lkey, buf + BIG, 64);
	send(q0, 2, 32);
	expect_event(IBV_EVENT_COMM_EST, q1, NULL, "first request received in RTR");
	send(q0, 3, 32);	/* once only */
	no_event("a second request in RTR");
	CHECK(ibv_destroy_qp(q0) == 0 && ibv_destroy_qp(q1) == 0);
	CHECK(ibv_destroy_cq(cq) == 0);
	rt_note("the first request in RTR: Communication Established, once");
}

static void sq_drained(void)
{
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_SQD, .en_sqd_async_notify = 1 };
	struct rt_rc_pair p;
	struct ibv_wc wc;
	int i, before = 0, paused = 0, after = 0;

	rt_rc_pair(&p, pd, &rt_rdma_opts);
	for (i = 0; i < 16; i++)
		rt_post_recv(p.qp[1], i, mr->lkey, buf + BIG, BIG);
	for (i = 0; i < 16; i++)
		send(p.qp[0], 100 + i, BIG);
	CHECK(ibv_modify_qp(p.qp[0], &a, IBV_QP_STATE | IBV_QP_EN_SQD_ASYNC_NOTIFY) == 0);
	expect_event(IBV_EVENT_SQ_DRAINED, p.qp[0], NULL, "SQD with notification");
	while (ibv_poll_cq(p.cq[0], 1, &wc) == 1) {
		CHECK(wc.status == IBV_WC_SUCCESS && wc.wr_id == 100u + before);
		before++;
	}
	usleep(300 * 1000);
	while (ibv_poll_cq(p.cq[0], 1, &wc) == 1)
		paused++;
	if (paused)
		rt_fail("%d sends completed in SQD after SQ Drained", paused);
	a.qp_state = IBV_QPS_RTS;
	CHECK(ibv_modify_qp(p.qp[0], &a, IBV_QP_STATE) == 0);
	for (i = before; i < 16; i++) {
		wc = rt_expect_wc(p.cq[0], IBV_WC_SUCCESS, 100 + i);
		after++;
	}
	for (i = 0; i < 16; i++)
		rt_expect_wc(p.cq[1], IBV_WC_SUCCESS, i);

	/* posted in SQD: nothing starts until RTS */
	a.qp_state = IBV_QPS_SQD;
	CHECK(ibv_modify_qp(p.qp[0], &a, IBV_QP_STATE | IBV_QP_EN_SQD_ASYNC_NOTIFY) == 0);
	expect_event(IBV_EVENT_SQ_DRAINED, p.qp[0], NULL, "SQD with an empty send queue");
	for (i = 0; i < 4; i++) {
		rt_post_recv(p.qp[1], 50 + i, mr->lkey, buf + BIG, BIG);
		send(p.qp[0], 300 + i, BIG);
	}
	usleep(300 * 1000);
	if (ibv_poll_cq(p.cq[0], 1, &wc) || ibv_poll_cq(p.cq[1], 1, &wc))
		rt_fail("a send posted in SQD ran before RTS");
	a.qp_state = IBV_QPS_RTS;
	CHECK(ibv_modify_qp(p.qp[0], &a, IBV_QP_STATE) == 0);
	for (i = 0; i < 4; i++) {
		rt_expect_wc(p.cq[0], IBV_WC_SUCCESS, 300 + i);
		rt_expect_wc(p.cq[1], IBV_WC_SUCCESS, 50 + i);
	}
	rt_rc_pair_destroy(&p);
	rt_note("SQD: drained after %d of 16 sends, the other %d after RTS; sends posted "
		"in SQD wait for RTS", before, after);
}

int main(void)
{
	ctx = rt_open_dev();
	CHECK(fcntl(ctx->async_fd, F_SETFL, O_NONBLOCK) == 0);
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	buf = rt_map(2 * BIG, 4096);
	CHECK((mr = ibv_reg_mr(pd, buf, 2 * BIG, IBV_ACCESS_LOCAL_WRITE |
			       IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ)) != NULL);

	access_and_invalid_request();
	cq_overrun();
	comm_est();
	sq_drained();
	no_event("at the end");

	CHECK(ibv_dereg_mr(mr) == 0);
	CHECK(ibv_dealloc_pd(pd) == 0);
	CHECK(ibv_close_device(ctx) == 0);
	printf("PASS\n");
	return 0;
}
