// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=120
/*
 * A shared receive queue fed by two RC connections: each receive WQE is
 * taken by whichever QP's message comes first, in posting order, and
 * every byte lands where that WQE said. Arming the limit raises one
 * SRQ_LIMIT_REACHED event when the WQEs left drop below it, and disarms
 * it. Resizing keeps the WQEs posted (and refuses a size below them). A
 * QP on the SRQ that enters the error state reports Last WQE Reached; an
 * SRQ in use cannot be destroyed.
 */
#include <fcntl.h>

#include "rxe_test.h"

#define MSG 256
#define SLOTS 64

static struct ibv_context *ctx;
static uint8_t *buf;		/* [0, SLOTS*MSG): receives; then the send side */
static struct ibv_mr *mr;
static struct ibv_srq *srq;
static uint64_t next_wr;

/* The next async event within @ms (its type, the QP or SRQ in @elem). */
static int next_event(int ms, void **elem)
{
	struct ibv_async_event ev;
	int type = rt_async_event(ctx, ms, &ev);

	*elem = type == IBV_EVENT_SRQ_LIMIT_REACHED ? (void *)ev.element.srq :
						       (void *)ev.element.qp;
	return type;
}

static void post_srq(int n)
{
	struct ibv_recv_wr *bad;
	int i;

	for (i = 0; i < n; i++, next_wr++) {
		struct ibv_sge sge = {
			(uintptr_t)(buf + (next_wr % SLOTS) * MSG), MSG, mr->lkey,
		};
		struct ibv_recv_wr wr = { .wr_id = next_wr, .sg_list = &sge, .num_sge = 1 };

		CHECK(ibv_post_srq_recv(srq, &wr, &bad) == 0);
	}
}

/* SEND one message on @p; the receive it takes must be WQE @want. */
static void send_one(struct rt_rc_pair *p, uint64_t want, uint8_t seed)
{
	uint8_t *src = buf + SLOTS * MSG;
	struct ibv_wc wc;
	int i;

	for (i = 0; i < MSG; i++)
		src[i] = (uint8_t)(seed + i * 3);
	rt_post_send(p->qp[0], IBV_WR_SEND, 1, mr->lkey, src, MSG, 0, 0);
	rt_expect_wc(p->cq[0], IBV_WC_SUCCESS, 1);
	wc = rt_expect_wc(p->cq[1], IBV_WC_SUCCESS, want);
	if (wc.qp_num != p->qp[1]->qp_num || wc.byte_len != MSG)
		rt_fail("receive %llu: qp %u len %u", (unsigned long long)want, wc.qp_num,
			wc.byte_len);
	if (memcmp(buf + (want % SLOTS) * MSG, src, MSG))
		rt_fail("receive %llu: the data did not land in its buffer",
			(unsigned long long)want);
}

int main(void)
{
	struct ibv_srq_init_attr sa = { .attr = { .max_wr = 16, .max_sge = 2 } };
	struct rt_rc_opts o = rt_rdma_opts;
	struct ibv_srq_attr attr;
	struct rt_rc_pair a, b;
	struct ibv_pd *pd;
	uint64_t w = 0;
	void *elem;
	int i, ev;

	ctx = rt_open_dev();
	CHECK(fcntl(ctx->async_fd, F_SETFL, O_NONBLOCK) == 0);
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	CHECK((buf = calloc(SLOTS + 1, MSG)) != NULL);
	CHECK((mr = ibv_reg_mr(pd, buf, (SLOTS + 1) * MSG, IBV_ACCESS_LOCAL_WRITE)) != NULL);
	srq = ibv_create_srq(pd, &sa);
	if (!srq)
		rt_fail("ibv_create_srq: %s", strerror(errno));
	CHECK(ibv_query_srq(srq, &attr) == 0);
	CHECK(attr.max_wr >= 16 && attr.max_sge == 2 && attr.srq_limit == 0);
	o.srq = srq;
	rt_rc_pair(&a, pd, &o);
	rt_rc_pair(&b, pd, &o);

	/* two connections take from one queue, in posting order */
	post_srq(8);
	for (i = 0; i < 8; i++)
		send_one(i & 1 ? &b : &a, w++, (uint8_t)i);
	rt_note("8 receives shared by 2 QPs, taken in order, data checked");

	/* the limit: armed at 3, fires once when fewer than 3 are left */
	post_srq(4);
	attr.srq_limit = 3;
	CHECK(ibv_modify_srq(srq, &attr, IBV_SRQ_LIMIT) == 0);
	CHECK(ibv_query_srq(srq, &attr) == 0 && attr.srq_limit == 3);
	send_one(&a, w++, 20);			/* 3 left: not below */
	ev = next_event(300, &elem);
	if (ev != -1)
		rt_fail("event %d with 3 WQEs left and the limit at 3", ev);
	send_one(&b, w++, 21);			/* 2 left */
	ev = next_event(5000, &elem);
	if (ev != IBV_EVENT_SRQ_LIMIT_REACHED || elem != srq)
		rt_fail("no SRQ_LIMIT_REACHED below the limit (got %d)", ev);
	CHECK(ibv_query_srq(srq, &attr) == 0 && attr.srq_limit == 0);
	send_one(&a, w++, 22);			/* disarmed: no second event */
	CHECK(next_event(300, &elem) == -1);
	rt_note("limit 3: one SRQ_LIMIT_REACHED at 2 left, then disarmed");

	/* resize with WQEs posted: they stay, in order */
	post_srq(10);				/* 11 posted */
	attr.max_wr = 4;
	CHECK(ibv_modify_srq(srq, &attr, IBV_SRQ_MAX_WR) == EINVAL);
	attr.max_wr = 48;
	CHECK(ibv_modify_srq(srq, &attr, IBV_SRQ_MAX_WR) == 0);
	CHECK(ibv_query_srq(srq, &attr) == 0 && attr.max_wr >= 48);
	post_srq(30);
	for (i = 0; i < 41; i++)
		send_one(i % 3 ? &a : &b, w++, (uint8_t)(40 + i));
	rt_note("resized to %u with 11 WQEs posted: 41 receives in order", attr.max_wr);

	/* an SRQ in use stays; a QP leaving for the error state says so */
	CHECK(ibv_destroy_srq(srq) == EBUSY);
	{
		struct ibv_qp_attr qa = { .qp_state = IBV_QPS_ERR };

		CHECK(ibv_modify_qp(a.qp[1], &qa, IBV_QP_STATE) == 0);
	}
	ev = next_event(5000, &elem);
	if (ev != IBV_EVENT_QP_LAST_WQE_REACHED || elem != a.qp[1])
		rt_fail("no LAST_WQE_REACHED for the QP in error (got %d)", ev);
	rt_note("QP on the SRQ to ERR: LAST_WQE_REACHED");

	rt_rc_pair_destroy(&a);
	rt_rc_pair_destroy(&b);
	CHECK(ibv_destroy_srq(srq) == 0);
	CHECK(ibv_dereg_mr(mr) == 0);
	CHECK(ibv_dealloc_pd(pd) == 0);
	CHECK(ibv_close_device(ctx) == 0);
	return 0;
}
