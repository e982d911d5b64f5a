// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=180
/*
 * RNR NAKs, as IBA 9.7.5.2.8 and 10.8.3 have them: a SEND that meets no
 * receive WQE is RNR NAKed with the responder's min_rnr_timer, and the
 * requester
 *   - resends only after that time has passed (the hrtimer honours it,
 *     a receive posted meanwhile does not cut the wait short);
 *   - gives up after rnr_retry resends with IBV_WC_RNR_RETRY_EXC_ERR and
 *     moves its QP to the error state (rnr_retry 0: at the first NAK);
 *   - with rnr_retry 7 retries for as long as it takes.
 * The counters match: send_rnr_err and rcvd_rnr_err count every NAK,
 * retry_rnr_exceeded_err each give-up.
 */
#include "rxe_test.h"

#define LEN 4096

/* RNR timer encodings (IBA 9.7.5.2.8) and the times they stand for */
#define RNR_245_76_MS	29
#define RNR_81_92_MS	26

struct counts {
	uint64_t sent, rcvd, exceeded;
};

static struct counts counts(void)
{
	struct counts c = {
		rt_counter("send_rnr_err"), rt_counter("rcvd_rnr_err"),
		rt_counter("retry_rnr_exceeded_err"),
	};

	return c;
}

static struct rt_rc_opts opts_with(uint8_t rnr_retry, uint8_t min_rnr_timer)
{
	struct rt_rc_opts o = rt_rdma_opts;

	o.rnr_retry = rnr_retry;
	o.min_rnr_timer = min_rnr_timer;
	return o;
}

/*
 * A SEND to a QP with no receive posted, @rnr_retry resends allowed: it
 * must fail with RNR_RETRY_EXC_ERR after rnr_retry + 1 NAKs, no sooner
 * than rnr_retry timer periods, and leave the QP in the error state.
 */
static void give_up(struct ibv_pd *pd, struct ibv_mr *mr, uint8_t *buf, uint8_t rnr_retry)
{
	const struct rt_rc_opts o = opts_with(rnr_retry, RNR_81_92_MS);
	struct ibv_qp_init_attr init;
	struct ibv_qp_attr attr;
	struct counts c0, c1;
	struct rt_rc_pair p;
	double t0, ms;

	rt_rc_pair(&p, pd, &o);
	c0 = counts();
	t0 = rt_now_ns();
	rt_post_send(p.qp[0], IBV_WR_SEND, 1, mr->lkey, buf, LEN, 0, 0);
	rt_expect_wc(p.cq[0], IBV_WC_RNR_RETRY_EXC_ERR, 1);
	ms = (rt_now_ns() - t0) / 1e6;
	c1 = counts();
	if (c1.rcvd - c0.rcvd != rnr_retry + 1u || c1.sent - c0.sent != rnr_retry + 1u)
		rt_fail("rnr_retry %u: %llu RNR NAKs sent and %llu received, expected %u",
			rnr_retry, (unsigned long long)(c1.sent - c0.sent),
			(unsigned long long)(c1.rcvd - c0.rcvd), rnr_retry + 1);
	if (c1.exceeded - c0.exceeded != 1)
		rt_fail("rnr_retry %u: retry_rnr_exceeded_err went up by %llu", rnr_retry,
			(unsigned long long)(c1.exceeded - c0.exceeded));
	if (ms < rnr_retry * 81.92)
		rt_fail("rnr_retry %u: gave up after %.1f ms, before %u waits of 81.92 ms",
			rnr_retry, ms, rnr_retry);
	CHECK(ibv_query_qp(p.qp[0], &attr, IBV_QP_STATE, &init) == 0);
	if (attr.qp_state != IBV_QPS_ERR)
		rt_fail("rnr_retry %u: the requester's QP is in state %d, not ERR",
			rnr_retry, attr.qp_state);
	rt_note("rnr_retry %u, timer 81.92 ms: RNR_RETRY_EXC_ERR after %u NAK%s and %.0f ms,"
		" QP in ERR", rnr_retry, rnr_retry + 1, rnr_retry ? "s" : "", ms);
	rt_rc_pair_destroy(&p);
}

/*
 * rnr_retry 7 and a 245.76 ms timer: a receive posted 50 ms after the
 * SEND is used by the resend, which waits for the whole timer.
 */
static void wait_then_deliver(struct ibv_pd *pd, struct ibv_mr *mr, uint8_t *buf)
{
	const struct rt_rc_opts o = opts_with(7, RNR_245_76_MS);
	struct counts c0, c1;
	struct rt_rc_pair p;
	double t0, ms;

	rt_rc_pair(&p, pd, &o);
	rt_fill(buf, LEN, 7);
	memset(buf + LEN, 0, LEN);
	c0 = counts();
	t0 = rt_now_ns();
	rt_post_send(p.qp[0], IBV_WR_SEND, 2, mr->lkey, buf, LEN, 0, 0);
	usleep(50000);
	rt_post_recv(p.qp[1], 3, mr->lkey, buf + LEN, LEN);
	rt_expect_wc(p.cq[0], IBV_WC_SUCCESS, 2);
	ms = (rt_now_ns() - t0) / 1e6;
	rt_expect_wc(p.cq[1], IBV_WC_SUCCESS, 3);
	c1 = counts();
	if (rt_mismatch(buf + LEN, LEN, 7) >= 0)
		rt_fail("the SEND delivered after an RNR wait differs at byte %ld",
			rt_mismatch(buf + LEN, LEN, 7));
	if (c1.rcvd == c0.rcvd)
		rt_fail("no RNR NAK although no receive was posted for 50 ms");
	if (ms < 245.76)
		rt_fail("the SEND completed after %.1f ms: the 245.76 ms RNR timer was cut short", ms);
	if (c1.exceeded != c0.exceeded)
		rt_fail("rnr_retry 7 gave up");
	rt_note("rnr_retry 7, timer 245.76 ms: %llu NAK(s), delivered intact after %.0f ms",
		(unsigned long long)(c1.rcvd - c0.rcvd), ms);
	rt_rc_pair_destroy(&p);
}

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	uint8_t *buf = rt_map(2 * LEN, 4096);
	struct ibv_pd *pd;
	struct ibv_mr *mr;

	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	CHECK((mr = ibv_reg_mr(pd, buf, 2 * LEN, IBV_ACCESS_LOCAL_WRITE)) != NULL);
	give_up(pd, mr, buf, 0);
	give_up(pd, mr, buf, 3);
	wait_then_deliver(pd, mr, buf);
	CHECK(!ibv_dereg_mr(mr) && !ibv_dealloc_pd(pd));
	return 0;
}
