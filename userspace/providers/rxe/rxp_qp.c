// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rxp_qp.c - QPs and SRQs: their creation (the kernel makes the rings, we
 * map them), the control verbs, and posting receives, which only writes
 * the receive ring: the kernel reads it when a message arrives.
 *
 * XRC: an XRC_SEND QP is an RC send queue without a receive queue; an
 * XRC_RECV QP belongs to the kernel (a shared QP of its XRCD, created or
 * opened by number) and has no ring of ours at all: its receives are the
 * XRC SRQs', which are SRQs like any other.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "rxp.h"
#include "rxp_compat.h"

/**
 * rxp_ring_map() - map a ring the kernel created and described in @mi.
 * Returns 0 or an errno value.
 */
int rxp_ring_map(struct ibv_context *ctx, struct rxp_ring *ring,
		 const struct mminfo *mi)
{
	void *p;

	p = mmap(NULL, mi->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 ctx->cmd_fd, mi->offset);
	if (p == MAP_FAILED) {
		rxp_dbg(ctx, "mmap of %llu bytes: %s",
			(unsigned long long)mi->size, strerror(errno));
		ring->map_size = 0;
		ring->buf = NULL;
		return errno;
	}
	ring->buf = p;
	ring->map_size = mi->size;
	ring->mask = ring->buf->index_mask;
	ring->elem_log2 = ring->buf->log2_elem_size;
	return 0;
}

void rxp_ring_unmap(struct rxp_ring *ring)
{
	if (ring->map_size)
		munmap(ring->buf, ring->map_size);
	ring->map_size = 0;
	ring->buf = NULL;
}

/* The capacities are set once the kernel has granted them. */
static int rxp_wq_init(struct rxp_wq *wq)
{
	return pthread_spin_init(&wq->lock, PTHREAD_PROCESS_PRIVATE);
}

/* Write one receive WQE at @prod. */
static int rxp_recv_wqe(struct rxp_wq *wq, uint32_t prod,
			const struct ibv_recv_wr *wr)
{
	struct rxe_recv_wqe *wqe;
	uint32_t length = 0;
	int i;

	if (wr->num_sge < 0 || (uint32_t)wr->num_sge > wq->max_sge)
		return EINVAL;
	if (rxp_ring_full_at(&wq->ring, prod))
		return ENOMEM;
	wqe = rxp_ring_slot(&wq->ring, prod);
	wqe->wr_id = wr->wr_id;
	for (i = 0; i < wr->num_sge; i++) {
		wqe->dma.sge[i].addr = wr->sg_list[i].addr;
		wqe->dma.sge[i].length = wr->sg_list[i].length;
		wqe->dma.sge[i].lkey = wr->sg_list[i].lkey;
		length += wr->sg_list[i].length;
	}
	wqe->dma.length = length;
	wqe->dma.resid = length;
	wqe->dma.num_sge = wr->num_sge;
	wqe->dma.cur_sge = 0;
	wqe->dma.sge_offset = 0;
	return 0;
}

/* Post a list to a receive ring: what precedes a bad WR is posted. */
static int rxp_wq_post_recv(struct rxp_wq *wq, struct ibv_recv_wr *wr,
			    struct ibv_recv_wr **bad_wr)
{
	uint32_t prod;
	int ret = 0;

	if (!wq->ring.buf) {
		/* a QP that receives through an SRQ, or a failed resize */
		*bad_wr = wr;
		return EINVAL;
	}
	pthread_spin_lock(&wq->lock);
	prod = rxp_ring_prod(&wq->ring);
	for (; wr; wr = wr->next) {
		ret = rxp_recv_wqe(wq, prod, wr);
		if (ret) {
			*bad_wr = wr;
			break;
		}
		prod = (prod + 1) & wq->ring.mask;
	}
	rxp_ring_publish(&wq->ring.buf->producer_index, prod);
	pthread_spin_unlock(&wq->lock);
	return ret;
}

int rxp_post_recv(struct ibv_qp *ibqp, struct ibv_recv_wr *wr,
		  struct ibv_recv_wr **bad_wr)
{
	*bad_wr = NULL;
	/* IBA C10-97.2.1: a QP in RESET takes no receive requests */
	if (ibqp->state == IBV_QPS_RESET) {
		rxp_dbg(ibqp->context, "QP %u is in RESET", ibqp->qp_num);
		*bad_wr = wr;
		return EINVAL;
	}
	return rxp_wq_post_recv(&to_rxp_qp(ibqp)->rq, wr, bad_wr);
}

int rxp_post_srq_recv(struct ibv_srq *ibsrq, struct ibv_recv_wr *wr,
		      struct ibv_recv_wr **bad_wr)
{
	*bad_wr = NULL;
	return rxp_wq_post_recv(&to_rxp_srq(ibsrq)->rq, wr, bad_wr);
}

/* QPs */

static struct rxp_qp *rxp_qp_alloc(void)
{
	struct rxp_qp *qp = calloc(1, sizeof(*qp));

	if (!qp)
		return NULL;
	if (rxp_wq_init(&qp->sq)) {
		free(qp);
		return NULL;
	}
	if (rxp_wq_init(&qp->rq)) {
		pthread_spin_destroy(&qp->sq.lock);
		free(qp);
		return NULL;
	}
	return qp;
}

static void rxp_qp_free(struct rxp_qp *qp)
{
	rxp_ring_unmap(&qp->sq.ring);
	rxp_ring_unmap(&qp->rq.ring);
	pthread_spin_destroy(&qp->sq.lock);
	pthread_spin_destroy(&qp->rq.lock);
	free(qp);
}

/*
 * Map the rings the kernel made and take the capabilities it granted
 * (@cap was updated by the create command). An SRQ user, and an XRC_SEND
 * QP, have no RQ ring (its size is 0); an XRC_RECV QP has no ring and no
 * response data.
 */
static int rxp_qp_map(struct ibv_context *ctx, struct rxp_qp *qp,
		      const struct rxe_create_qp_resp *resp,
		      const struct ibv_qp_cap *cap)
{
	int ret;

	if (qp->vqp.qp.qp_type == IBV_QPT_XRC_RECV)
		return 0;
	qp->sq.max_sge = cap->max_send_sge;
	qp->sq.max_inline = cap->max_inline_data;
	qp->rq.max_sge = cap->max_recv_sge;
	ret = rxp_ring_map(ctx, &qp->sq.ring, &resp->sq_mi);
	if (ret)
		return ret;
	if (resp->rq_mi.size)
		ret = rxp_ring_map(ctx, &qp->rq.ring, &resp->rq_mi);
	return ret;
}

/*
 * The second half of both create verbs, @ret the create command's result:
 * map the rings of the QP the kernel made, or undo it all.
 */
static struct ibv_qp *rxp_qp_created(struct ibv_context *ctx, struct rxp_qp *qp,
				     int ret, const struct rxe_create_qp_resp *resp,
				     const struct ibv_qp_cap *cap)
{
	if (ret) {
		rxp_dbg(ctx, "create: %s", strerror(ret));
	} else {
		ret = rxp_qp_map(ctx, qp, resp, cap);
		if (!ret)
			return &qp->vqp.qp;
		ibv_cmd_destroy_qp(&qp->vqp.qp);
	}
	rxp_qp_free(qp);
	errno = ret;
	return NULL;
}

struct ibv_qp *rxp_create_qp(struct ibv_pd *pd, struct ibv_qp_init_attr *attr)
{
	struct rxp_create_qp_resp resp = {};
	struct rxp_create_qp cmd = {};
	struct rxp_qp *qp;
	int ret;

	qp = rxp_qp_alloc();
	if (!qp)
		return NULL;
	ret = ibv_cmd_create_qp(pd, &qp->vqp.qp, attr, &cmd.ibv_cmd,
				sizeof(cmd), &resp.ibv_resp, sizeof(resp));
	return rxp_qp_created(pd->context, qp, ret, &resp.drv_payload, &attr->cap);
}

/* RC's ibv_qp_ex builders but FLUSH and ATOMIC WRITE, which XRC does not carry. */
#define RXP_XRC_SEND_OPS							\
	(IBV_QP_EX_WITH_RDMA_WRITE | IBV_QP_EX_WITH_RDMA_WRITE_WITH_IMM |	\
	 IBV_QP_EX_WITH_SEND | IBV_QP_EX_WITH_SEND_WITH_IMM |			\
	 IBV_QP_EX_WITH_RDMA_READ | IBV_QP_EX_WITH_ATOMIC_CMP_AND_SWP |		\
	 IBV_QP_EX_WITH_ATOMIC_FETCH_AND_ADD | IBV_QP_EX_WITH_LOCAL_INV |	\
	 IBV_QP_EX_WITH_BIND_MW | IBV_QP_EX_WITH_SEND_WITH_INV)

/* What ibv_qp_ex builders each QP type can have. */
static uint64_t rxp_send_ops_of(enum ibv_qp_type type)
{
	switch (type) {
	case IBV_QPT_RC:
		return RXP_XRC_SEND_OPS | RXP_QP_EX_WITH_FLUSH |
		       IBV_QP_EX_WITH_ATOMIC_WRITE;
	case IBV_QPT_XRC_SEND:
		return RXP_XRC_SEND_OPS;
	case IBV_QPT_UC:
		return IBV_QP_EX_WITH_RDMA_WRITE | IBV_QP_EX_WITH_RDMA_WRITE_WITH_IMM |
		       IBV_QP_EX_WITH_SEND | IBV_QP_EX_WITH_SEND_WITH_IMM |
		       IBV_QP_EX_WITH_LOCAL_INV | IBV_QP_EX_WITH_BIND_MW |
		       IBV_QP_EX_WITH_SEND_WITH_INV;
	case IBV_QPT_UD:
		return IBV_QP_EX_WITH_SEND | IBV_QP_EX_WITH_SEND_WITH_IMM;
	default:
		return 0;
	}
}

/*
 * Only the builders are ours to judge; libibverbs and the kernel check the
 * rest of the attributes (PD, create flags, what the device supports).
 */
static int rxp_check_qp_attr(struct ibv_context *ctx,
			     const struct ibv_qp_init_attr_ex *attr)
{
	/* no send queue to build into, not even with no builder asked for */
	if ((attr->comp_mask & IBV_QP_INIT_ATTR_SEND_OPS_FLAGS) &&
	    attr->qp_type == IBV_QPT_XRC_RECV) {
		rxp_dbg(ctx, "send_ops_flags on an XRC_RECV QP");
		return EOPNOTSUPP;
	}
	if ((attr->comp_mask & IBV_QP_INIT_ATTR_SEND_OPS_FLAGS) &&
	    (attr->send_ops_flags & ~rxp_send_ops_of(attr->qp_type))) {
		rxp_dbg(ctx, "send_ops_flags 0x%llx for QP type %d",
			(unsigned long long)attr->send_ops_flags, attr->qp_type);
		return EOPNOTSUPP;
	}
	return 0;
}

struct ibv_qp *rxp_create_qp_ex(struct ibv_context *ctx,
				struct ibv_qp_init_attr_ex *attr)
{
	struct rxp_create_qp_ex_resp resp = {};
	struct rxp_create_qp_ex cmd = {};
	struct ibv_qp *ibqp;
	struct rxp_qp *qp;
	int ret;

	ret = rxp_check_qp_attr(ctx, attr);
	if (ret) {
		errno = ret;
		return NULL;
	}
	qp = rxp_qp_alloc();
	if (!qp)
		return NULL;
	ret = rxp_cmd_create_qp_ex2(ctx, &qp->vqp, attr, &cmd.ibv_cmd,
				    sizeof(cmd), &resp.ibv_resp, sizeof(resp));
	ibqp = rxp_qp_created(ctx, qp, ret, &resp.drv_payload, &attr->cap);
	if (ibqp && (attr->comp_mask & IBV_QP_INIT_ATTR_SEND_OPS_FLAGS)) {
		rxp_qp_ex_init(qp, attr->send_ops_flags);
		qp->vqp.comp_mask |= VERBS_QP_EX;
	}
	return ibqp;
}

/*
 * Open an XRC_RECV QP of an XRCD by its number: a new handle on the
 * kernel's QP, with no ring, like the one that created it.
 */
struct ibv_qp *rxp_open_qp(struct ibv_context *ctx,
			   struct ibv_qp_open_attr *attr)
{
	struct ib_uverbs_create_qp_resp resp;
	struct ibv_open_qp cmd;
	struct rxp_qp *qp;
	int ret;

	qp = rxp_qp_alloc();
	if (!qp)
		return NULL;
	ret = ibv_cmd_open_qp(ctx, &qp->vqp, sizeof(qp->vqp), attr, &cmd,
			      sizeof(cmd), &resp, sizeof(resp));
	if (ret) {
		rxp_dbg(ctx, "QP %u: %s", attr->qp_num, strerror(ret));
		rxp_qp_free(qp);
		errno = ret;
		return NULL;
	}
	return &qp->vqp.qp;
}

int rxp_query_qp(struct ibv_qp *qp, struct ibv_qp_attr *attr, int mask,
		 struct ibv_qp_init_attr *init_attr)
{
	struct ibv_query_qp cmd;

	return ibv_cmd_query_qp(qp, attr, mask, init_attr, &cmd, sizeof(cmd));
}

int rxp_modify_qp(struct ibv_qp *qp, struct ibv_qp_attr *attr, int mask)
{
	struct ibv_modify_qp cmd = {};
	int ret;

	ret = ibv_cmd_modify_qp(qp, attr, mask, &cmd, sizeof(cmd));
	if (ret) {
		rxp_dbg(qp->context, "QP %u mask 0x%x: %s", qp->qp_num, mask,
			strerror(ret));
		return ret;
	}
	/*
	 * An XRC_RECV QP has no CQ: its completions are on the CQs of the
	 * XRC SRQs it delivered to, which it does not know, and stay there.
	 */
	if ((mask & IBV_QP_STATE) && attr->qp_state == IBV_QPS_RESET) {
		if (qp->send_cq)
			rxp_cq_clean(qp->send_cq, qp->qp_num);
		if (qp->recv_cq && qp->recv_cq != qp->send_cq)
			rxp_cq_clean(qp->recv_cq, qp->qp_num);
	}
	return 0;
}

int rxp_destroy_qp(struct ibv_qp *ibqp)
{
	int ret = ibv_cmd_destroy_qp(ibqp);

	if (!ret)
		rxp_qp_free(to_rxp_qp(ibqp));
	return ret;
}

/* SRQs */

static struct rxp_srq *rxp_srq_alloc(void)
{
	struct rxp_srq *srq = calloc(1, sizeof(*srq));

	if (srq && rxp_wq_init(&srq->rq)) {
		free(srq);
		return NULL;
	}
	return srq;
}

static void rxp_srq_free(struct rxp_srq *srq)
{
	rxp_ring_unmap(&srq->rq.ring);
	pthread_spin_destroy(&srq->rq.lock);
	free(srq);
}

/* As rxp_qp_created(), for an SRQ. */
static struct ibv_srq *rxp_srq_created(struct ibv_context *ctx,
				       struct rxp_srq *srq, int ret,
				       const struct rxe_create_srq_resp *resp,
				       uint32_t max_sge)
{
	if (ret) {
		rxp_dbg(ctx, "create: %s", strerror(ret));
	} else {
		srq->srq_num = resp->srq_num;
		srq->rq.max_sge = max_sge;
		ret = rxp_ring_map(ctx, &srq->rq.ring, &resp->mi);
		if (!ret)
			return &srq->vsrq.srq;
		ibv_cmd_destroy_srq(&srq->vsrq.srq);
	}
	rxp_srq_free(srq);
	errno = ret;
	return NULL;
}

struct ibv_srq *rxp_create_srq(struct ibv_pd *pd, struct ibv_srq_init_attr *attr)
{
	struct rxp_create_srq_resp resp = {};
	struct rxp_create_srq cmd = {};
	struct rxp_srq *srq;
	int ret;

	srq = rxp_srq_alloc();
	if (!srq)
		return NULL;
	ret = ibv_cmd_create_srq(pd, &srq->vsrq.srq, attr, &cmd.ibv_cmd,
				 sizeof(cmd), &resp.ibv_resp, sizeof(resp));
	return rxp_srq_created(pd->context, srq, ret, &resp.drv_payload,
			       attr->attr.max_sge);
}

struct ibv_srq *rxp_create_srq_ex(struct ibv_context *ctx,
				  struct ibv_srq_init_attr_ex *attr)
{
	struct rxp_create_srq_ex_resp resp = {};
	struct rxp_create_srq_ex cmd = {};
	struct rxp_srq *srq;
	int ret;

	srq = rxp_srq_alloc();
	if (!srq)
		return NULL;
	ret = ibv_cmd_create_srq_ex(ctx, &srq->vsrq, attr, &cmd.ibv_cmd,
				    sizeof(cmd), &resp.ibv_resp, sizeof(resp));
	return rxp_srq_created(ctx, srq, ret, &resp.drv_payload,
			       attr->attr.max_sge);
}

/*
 * Arming the limit only needs the command; a resize also gives a new ring,
 * which the kernel describes in the mminfo whose address the command
 * carries. The ring's lock keeps posters out while it is swapped.
 */
int rxp_modify_srq(struct ibv_srq *ibsrq, struct ibv_srq_attr *attr, int mask)
{
	struct rxp_srq *srq = to_rxp_srq(ibsrq);
	struct rxp_modify_srq cmd = {};
	struct mminfo mi = {};
	int ret;

	cmd.mmap_info_addr = (uintptr_t)&mi;
	if (mask & IBV_SRQ_MAX_WR)
		pthread_spin_lock(&srq->rq.lock);
	ret = ibv_cmd_modify_srq(ibsrq, attr, mask, &cmd.ibv_cmd, sizeof(cmd));
	if (!ret && (mask & IBV_SRQ_MAX_WR)) {
		rxp_ring_unmap(&srq->rq.ring);
		ret = rxp_ring_map(ibsrq->context, &srq->rq.ring, &mi);
	}
	if (mask & IBV_SRQ_MAX_WR)
		pthread_spin_unlock(&srq->rq.lock);
	if (ret)
		rxp_dbg(ibsrq->context, "mask 0x%x: %s", mask, strerror(ret));
	return ret;
}

int rxp_query_srq(struct ibv_srq *srq, struct ibv_srq_attr *attr)
{
	struct ibv_query_srq cmd;

	return ibv_cmd_query_srq(srq, attr, &cmd, sizeof(cmd));
}

int rxp_destroy_srq(struct ibv_srq *ibsrq)
{
	int ret = ibv_cmd_destroy_srq(ibsrq);

	if (!ret)
		rxp_srq_free(to_rxp_srq(ibsrq));
	return ret;
}

int rxp_get_srq_num(struct ibv_srq *ibsrq, uint32_t *srq_num)
{
	*srq_num = to_rxp_srq(ibsrq)->srq_num;
	return 0;
}
