// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=60
/*
 * A CQ that overflows reports it: with room for one completion and four
 * receives flushed into it, the first completion is kept and polls out,
 * the lost ones raise IBV_EVENT_CQ_ERR on that CQ, and nothing corrupts
 * the ring (it polls empty afterwards).
 */
#include <fcntl.h>
#include <poll.h>

#include "rxe_test.h"

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	struct pollfd p = { .events = POLLIN };
	struct ibv_async_event ev;
	struct ibv_wc wc[4];
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_qp *qp;
	int cq_errors = 0;

	CHECK((pd = ibv_alloc_pd(ctx)));
	CHECK((cq = ibv_create_cq(ctx, 1, NULL, NULL, 0)));
	if (cq->cqe != 1)
		rt_skip("CQ of 1 entry was granted %d entries: cannot overflow it simply", cq->cqe);
	qp = rt_qp_with_receives(pd, cq, 4);
	rt_qp_to_err(qp);

	CHECK(ibv_poll_cq(cq, 4, wc) == 1);
	CHECK(wc[0].wr_id == 0 && wc[0].status == IBV_WC_WR_FLUSH_ERR);
	CHECK(ibv_poll_cq(cq, 4, wc) == 0);

	p.fd = ctx->async_fd;
	CHECK(fcntl(p.fd, F_SETFL, O_NONBLOCK) == 0);
	while (poll(&p, 1, 2000) > 0 && !ibv_get_async_event(ctx, &ev)) {
		if (ev.event_type == IBV_EVENT_CQ_ERR && ev.element.cq == cq)
			cq_errors++;
		ibv_ack_async_event(&ev);
	}
	if (!cq_errors)
		rt_fail("no IBV_EVENT_CQ_ERR after the CQ overflowed");
	rt_note("%d CQ error events for 3 lost completions", cq_errors);

	CHECK(ibv_destroy_qp(qp) == 0);
	CHECK(ibv_destroy_cq(cq) == 0);
	return 0;
}
