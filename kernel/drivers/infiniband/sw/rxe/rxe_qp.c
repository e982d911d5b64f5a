// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_qp.c - queue pairs: creation, the state machine, query, destroy,
 * and flushing work requests when a QP enters the error state.
 *
 * State machine (IBA 10.3.1). Which transitions are legal and which
 * attributes each one requires or allows is the core's table,
 * ib_modify_qp_is_ok(); this file checks the attribute values and
 * performs the actions of the state entered:
 *
 *   RESET --> INIT --> RTR --> RTS <--> SQD
 *     ^        any state --> ERR, RESET     RTS/SQD --> SQE --> RTS
 *
 *   rxe_qp_enter_reset()  empty both rings, forget the path
 *   rxe_qp_enter_init()   port, P_Key index, access flags, Q_Key
 *   rxe_qp_enter_rtr()    path, remote QPN, receive PSN, responder limits
 *   rxe_qp_enter_rts()    send PSN, timeouts and retries, requester limits
 *   rxe_qp_enter_err()    flush every posted work request (IBA 10.3.1.1)
 *
 * Locking: qp->state_lock (a mutex) serialises modify, query and destroy;
 * qp->sq_lock and qp->rq_lock cover the kernel's consumer side of each
 * ring. The state is read without the mutex through READ_ONCE().
 */
#include <linux/slab.h>
#include <rdma/ib_cache.h>
#include <rdma/uverbs_ioctl.h>

#include "rxe.h"

/* The first QPN handed out: 0 and 1 are the special QPs. */
#define RXE_FIRST_QPN	16

/**
 * rxe_qp_lookup() - find a QP by number and take a reference.
 * @rxe: the device.
 * @qpn: the QP number.
 *
 * Return: the QP (drop it with rxe_qp_put()) or NULL.
 */
struct rxe_qp *rxe_qp_lookup(struct rxe_dev *rxe, u32 qpn)
{
	struct rxe_qp *qp;

	rcu_read_lock();
	qp = xa_load(&rxe->qp_xa, qpn);
	if (qp && !rxe_ref_get(&qp->ref))
		qp = NULL;
	rcu_read_unlock();
	return qp;
}

/** rxe_qp_put() - drop a reference from rxe_qp_lookup(). @qp: the QP. */
void rxe_qp_put(struct rxe_qp *qp)
{
	rxe_ref_put(&qp->ref);
}

/* Ring element sizes: the WQE header and room for SGEs or inline data. */
static size_t rxe_qp_sq_elem_size(const struct ib_qp_cap *cap)
{
	size_t payload = max_t(size_t, cap->max_send_sge * sizeof(struct rxe_sge),
			       cap->max_inline_data);

	return sizeof(struct rxe_send_wqe) + payload;
}

static size_t rxe_qp_rq_elem_size(const struct ib_qp_cap *cap)
{
	return sizeof(struct rxe_recv_wqe) + cap->max_recv_sge * sizeof(struct rxe_sge);
}

/* What the ring really holds: report the room a power-of-two element leaves. */
static void rxe_qp_update_caps(struct rxe_qp *qp, struct ib_qp_cap *cap)
{
	size_t room = (1UL << qp->sq.elem_log2) - sizeof(struct rxe_send_wqe);

	cap->max_send_wr = rxe_queue_capacity(&qp->sq);
	cap->max_send_sge = min_t(size_t, room / sizeof(struct rxe_sge), RXE_MAX_SGE);
	cap->max_inline_data = min_t(size_t, room, RXE_MAX_INLINE_DATA);
	if (qp->has_rq) {
		room = (1UL << qp->rq.elem_log2) - sizeof(struct rxe_recv_wqe);
		cap->max_recv_wr = rxe_queue_capacity(&qp->rq);
		cap->max_recv_sge = min_t(size_t, room / sizeof(struct rxe_sge), RXE_MAX_SGE);
	}
	qp->cap = *cap;
}

static int rxe_qp_check_init(struct ib_device *ibdev, const struct ib_qp_init_attr *init)
{
	const struct ib_qp_cap *cap = &init->cap;

	switch (init->qp_type) {
	case IB_QPT_RC:
	case IB_QPT_UC:
	case IB_QPT_UD:
		break;
	default:
		ibdev_dbg(ibdev, "create_qp: type %d not supported\n", init->qp_type);
		return -EOPNOTSUPP;
	}
	if (init->create_flags) {
		ibdev_dbg(ibdev, "create_qp: flags %#x not supported\n", init->create_flags);
		return -EOPNOTSUPP;
	}
	if (!init->send_cq || !init->recv_cq)
		return -EINVAL;
	if (!cap->max_send_wr || cap->max_send_wr > RXE_MAX_QP_WR ||
	    cap->max_send_sge > RXE_MAX_SGE ||
	    cap->max_inline_data > RXE_MAX_INLINE_DATA) {
		ibdev_dbg(ibdev, "create_qp: send caps out of range\n");
		return -EINVAL;
	}
	if (!init->srq && (!cap->max_recv_wr || cap->max_recv_wr > RXE_MAX_QP_WR ||
			   cap->max_recv_sge > RXE_MAX_SGE)) {
		ibdev_dbg(ibdev, "create_qp: receive caps out of range\n");
		return -EINVAL;
	}
	return 0;
}

static int rxe_qp_make_queues(struct rxe_qp *qp, struct ib_qp_init_attr *init,
			      struct ib_udata *udata, struct rxe_create_qp_resp *resp)
{
	struct ib_ucontext *uctx = NULL;
	int err;

	if (udata)
		uctx = &rdma_udata_to_drv_context(udata, struct rxe_ucontext, ibuc)->ibuc;

	err = rxe_queue_init(&qp->sq, init->cap.max_send_wr,
			     rxe_qp_sq_elem_size(&init->cap), RXE_QUEUE_KERNEL_CONSUMES);
	if (err)
		return err;
	if (uctx) {
		err = rxe_queue_expose(&qp->sq, uctx, &resp->sq_mi);
		if (err)
			goto err_sq;
	}

	if (!qp->has_rq)
		return 0;
	err = rxe_queue_init(&qp->rq, init->cap.max_recv_wr,
			     rxe_qp_rq_elem_size(&init->cap), RXE_QUEUE_KERNEL_CONSUMES);
	if (err)
		goto err_sq;
	if (uctx) {
		err = rxe_queue_expose(&qp->rq, uctx, &resp->rq_mi);
		if (err)
			goto err_rq;
	}
	return 0;

err_rq:
	rxe_queue_cleanup(&qp->rq);
err_sq:
	rxe_queue_cleanup(&qp->sq);
	return err;
}

static void rxe_qp_free_queues(struct rxe_qp *qp)
{
	if (qp->has_rq)
		rxe_queue_cleanup(&qp->rq);
	rxe_queue_cleanup(&qp->sq);
}

/**
 * rxe_qp_create() - create_qp verb.
 * @ibqp: the core's QP, embedded in our struct rxe_qp.
 * @init: type, CQs, SRQ and capacities; the capacities are updated to
 *	what the QP really has.
 * @udata: the user's response buffer, or NULL for a kernel QP.
 *
 * Return: 0, -EOPNOTSUPP for an unsupported type or flags, -EINVAL for
 * capacities out of range or a short response buffer, -ENOMEM, -EFAULT.
 */
int rxe_qp_create(struct ib_qp *ibqp, struct ib_qp_init_attr *init,
		  struct ib_udata *udata)
{
	struct rxe_dev *rxe = to_rdev(ibqp->device);
	struct rxe_qp *qp = to_rqp(ibqp);
	struct rxe_create_qp_resp resp = {};
	u32 qpn;
	int err;

	err = rxe_qp_check_init(ibqp->device, init);
	if (err)
		return err;
	if (udata && udata->outlen < sizeof(resp))
		return -EINVAL;

	mutex_init(&qp->state_lock);
	spin_lock_init(&qp->sq_lock);
	spin_lock_init(&qp->rq_lock);
	rxe_ref_init(&qp->ref);
	qp->state = IB_QPS_RESET;
	qp->is_user = !!udata;
	qp->has_rq = !init->srq;
	qp->sq_sig_type = init->sq_sig_type;

	err = rxe_qp_make_queues(qp, init, udata, &resp);
	if (err)
		return err;
	rxe_qp_update_caps(qp, &init->cap);

	/* Reserve the number; publish the QP only once it is complete. */
	err = rxe_xa_reserve(&rxe->qp_xa, &qpn,
			     XA_LIMIT(RXE_FIRST_QPN, RXE_FIRST_QPN + RXE_MAX_QP - 1),
			     &rxe->qp_next, GFP_KERNEL);
	if (err)
		goto err_queues;
	ibqp->qp_num = qpn;

	if (udata) {
		err = ib_copy_to_udata(udata, &resp, sizeof(resp));
		if (err)
			goto err_qpn;
	}
	xa_store(&rxe->qp_xa, qpn, qp, GFP_KERNEL);
	return 0;

err_qpn:
	xa_erase(&rxe->qp_xa, qpn);
err_queues:
	rxe_qp_free_queues(qp);
	return err;
}

/* Add a flush completion for a work request; see rxe_cq_add() for @fire. */
static void rxe_qp_flush_one(struct rxe_qp *qp, struct rxe_cq *cq, u64 wr_id,
			     enum ib_wc_opcode opcode, bool *fire)
{
	struct rxe_cqe cqe = {};

	if (qp->is_user) {
		cqe.uibwc.wr_id = wr_id;
		cqe.uibwc.status = IB_WC_WR_FLUSH_ERR;
		cqe.uibwc.opcode = opcode;
		cqe.uibwc.qp_num = qp->ibqp.qp_num;
	} else {
		cqe.ibwc.wr_id = wr_id;
		cqe.ibwc.status = IB_WC_WR_FLUSH_ERR;
		cqe.ibwc.opcode = opcode;
		cqe.ibwc.qp = &qp->ibqp;
	}
	rxe_cq_add(cq, &cqe, false, fire);
}

/* The opcode a flushed send completion reports for a send WQE. */
static enum ib_wc_opcode rxe_qp_wc_opcode(u32 wr_opcode)
{
	switch (wr_opcode) {
	case IB_WR_RDMA_WRITE:
	case IB_WR_RDMA_WRITE_WITH_IMM:
		return IB_WC_RDMA_WRITE;
	case IB_WR_RDMA_READ:
		return IB_WC_RDMA_READ;
	case IB_WR_ATOMIC_CMP_AND_SWP:
		return IB_WC_COMP_SWAP;
	case IB_WR_ATOMIC_FETCH_AND_ADD:
		return IB_WC_FETCH_ADD;
	case IB_WR_LOCAL_INV:
		return IB_WC_LOCAL_INV;
	case IB_WR_REG_MR:
		return IB_WC_REG_MR;
	default:
		return IB_WC_SEND;
	}
}

/*
 * Complete every posted send WQE with a flush error. The completions are
 * added under the ring lock, so they keep the order of the work requests;
 * the completion handler runs after it is released, as a kernel consumer
 * may post new work from it.
 */
static void rxe_qp_flush_sq(struct rxe_qp *qp)
{
	struct rxe_cq *cq = to_rcq(qp->ibqp.send_cq);
	unsigned long flags;
	bool fire = false;

	spin_lock_irqsave(&qp->sq_lock, flags);
	while (rxe_queue_count(&qp->sq)) {
		struct rxe_send_wqe *wqe = rxe_queue_consumer_addr(&qp->sq);

		rxe_qp_flush_one(qp, cq, READ_ONCE(wqe->wr.wr_id),
				 rxe_qp_wc_opcode(READ_ONCE(wqe->wr.opcode)), &fire);
		rxe_queue_consume(&qp->sq);
	}
	spin_unlock_irqrestore(&qp->sq_lock, flags);
	if (fire)
		rxe_cq_fire(cq);
}

/* Complete every posted receive WQE with a flush error (as the SQ). */
static void rxe_qp_flush_rq(struct rxe_qp *qp)
{
	struct rxe_cq *cq = to_rcq(qp->ibqp.recv_cq);
	unsigned long flags;
	bool fire = false;

	if (!qp->has_rq)
		return;
	spin_lock_irqsave(&qp->rq_lock, flags);
	while (rxe_queue_count(&qp->rq)) {
		struct rxe_recv_wqe *wqe = rxe_queue_consumer_addr(&qp->rq);

		rxe_qp_flush_one(qp, cq, READ_ONCE(wqe->wr_id), IB_WC_RECV, &fire);
		rxe_queue_consume(&qp->rq);
	}
	spin_unlock_irqrestore(&qp->rq_lock, flags);
	if (fire)
		rxe_cq_fire(cq);
}

static int rxe_qp_check_attr(struct rxe_qp *qp, struct ib_qp_attr *attr, int mask)
{
	struct ib_device *ibdev = qp->ibqp.device;

	if ((mask & IB_QP_PORT) && attr->port_num != RXE_PORT)
		goto bad;
	if ((mask & IB_QP_PKEY_INDEX) && attr->pkey_index >= RXE_MAX_PKEYS)
		goto bad;
	if ((mask & IB_QP_PATH_MTU) &&
	    (attr->path_mtu < IB_MTU_256 || attr->path_mtu > IB_MTU_4096))
		goto bad;
	if ((mask & IB_QP_MAX_QP_RD_ATOMIC) && attr->max_rd_atomic > RXE_MAX_QP_RD_ATOM)
		goto bad;
	if ((mask & IB_QP_MAX_DEST_RD_ATOMIC) &&
	    attr->max_dest_rd_atomic > RXE_MAX_QP_RD_ATOM)
		goto bad;
	if ((mask & IB_QP_RETRY_CNT) && attr->retry_cnt > 7)
		goto bad;
	if ((mask & IB_QP_RNR_RETRY) && attr->rnr_retry > 7)
		goto bad;
	if ((mask & IB_QP_MIN_RNR_TIMER) && attr->min_rnr_timer > 31)
		goto bad;
	if ((mask & IB_QP_TIMEOUT) && attr->timeout > 31)
		goto bad;
	if ((mask & IB_QP_AV) && !(rdma_ah_get_ah_flags(&attr->ah_attr) & IB_AH_GRH))
		goto bad;	/* RoCE addresses are GIDs */
	if ((mask & IB_QP_PATH_MIG_STATE) && attr->path_mig_state != IB_MIG_MIGRATED)
		goto bad;	/* no alternate path */
	return 0;
bad:
	ibdev_dbg(ibdev, "modify_qp %u: attribute out of range (mask %#x)\n",
		  qp->ibqp.qp_num, mask);
	return -EINVAL;
}

/* Record the attributes given in @mask. */
static void rxe_qp_store_attr(struct rxe_qp *qp, const struct ib_qp_attr *attr, int mask)
{
	struct ib_qp_attr *a = &qp->attr;

	if (mask & IB_QP_PORT)
		a->port_num = attr->port_num;
	if (mask & IB_QP_PKEY_INDEX)
		a->pkey_index = attr->pkey_index;
	if (mask & IB_QP_ACCESS_FLAGS)
		a->qp_access_flags = attr->qp_access_flags;
	if (mask & IB_QP_QKEY)
		a->qkey = attr->qkey;
	if (mask & IB_QP_AV) {
		a->ah_attr = attr->ah_attr;
		a->ah_attr.grh.sgid_attr = NULL;	/* the core's reference ends with the call */
	}
	if (mask & IB_QP_PATH_MTU)
		a->path_mtu = attr->path_mtu;
	if (mask & IB_QP_DEST_QPN)
		a->dest_qp_num = attr->dest_qp_num;
	if (mask & IB_QP_RQ_PSN)
		a->rq_psn = attr->rq_psn & 0xffffff;
	if (mask & IB_QP_MAX_DEST_RD_ATOMIC)
		a->max_dest_rd_atomic = attr->max_dest_rd_atomic;
	if (mask & IB_QP_MIN_RNR_TIMER)
		a->min_rnr_timer = attr->min_rnr_timer;
	if (mask & IB_QP_SQ_PSN)
		a->sq_psn = attr->sq_psn & 0xffffff;
	if (mask & IB_QP_TIMEOUT)
		a->timeout = attr->timeout;
	if (mask & IB_QP_RETRY_CNT)
		a->retry_cnt = attr->retry_cnt;
	if (mask & IB_QP_RNR_RETRY)
		a->rnr_retry = attr->rnr_retry;
	if (mask & IB_QP_MAX_QP_RD_ATOMIC)
		a->max_rd_atomic = attr->max_rd_atomic;
	if (mask & IB_QP_PATH_MIG_STATE)
		a->path_mig_state = attr->path_mig_state;
}

static void rxe_qp_enter_reset(struct rxe_qp *qp)
{
	unsigned long flags;

	/* Posted work is discarded without completions (IBA 10.3.1). */
	spin_lock_irqsave(&qp->sq_lock, flags);
	qp->sq.kindex = rxe_queue_peer_index(&qp->sq);
	smp_store_release(&qp->sq.buf->consumer_index, qp->sq.kindex);
	spin_unlock_irqrestore(&qp->sq_lock, flags);
	if (qp->has_rq) {
		spin_lock_irqsave(&qp->rq_lock, flags);
		qp->rq.kindex = rxe_queue_peer_index(&qp->rq);
		smp_store_release(&qp->rq.buf->consumer_index, qp->rq.kindex);
		spin_unlock_irqrestore(&qp->rq_lock, flags);
	}
	memset(&qp->attr, 0, sizeof(qp->attr));
}

static void rxe_qp_enter_err(struct rxe_qp *qp)
{
	rxe_qp_flush_sq(qp);
	rxe_qp_flush_rq(qp);
}

/* Actions of entering @state; the stored attributes are already updated. */
static void rxe_qp_enter(struct rxe_qp *qp, enum ib_qp_state state)
{
	switch (state) {
	case IB_QPS_RESET:
		rxe_qp_enter_reset(qp);
		break;
	case IB_QPS_ERR:
		rxe_qp_enter_err(qp);
		break;
	case IB_QPS_INIT:	/* port, P_Key, access: stored */
	case IB_QPS_RTR:	/* path, remote QPN, receive PSN: stored */
	case IB_QPS_RTS:	/* send PSN, timers: stored */
	case IB_QPS_SQD:	/* nothing in flight yet to drain */
	case IB_QPS_SQE:
	default:
		break;
	}
}

/**
 * rxe_qp_modify() - modify_qp verb: validate and perform a transition.
 * @ibqp: the QP.
 * @attr: the new attributes.
 * @mask: which attributes are given (IB_QP_*).
 * @udata: unused.
 *
 * Return: 0, -EINVAL for an illegal transition, a missing or unexpected
 * attribute, or a value out of range; -EOPNOTSUPP for unknown mask bits.
 */
int rxe_qp_modify(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
		  struct ib_udata *udata)
{
	struct rxe_qp *qp = to_rqp(ibqp);
	enum ib_qp_state cur, next;
	int err;

	if (mask & ~IB_QP_ATTR_STANDARD_BITS)
		return -EOPNOTSUPP;

	mutex_lock(&qp->state_lock);
	cur = (mask & IB_QP_CUR_STATE) ? attr->cur_qp_state : qp->state;
	next = (mask & IB_QP_STATE) ? attr->qp_state : cur;
	if (cur != qp->state ||
	    !ib_modify_qp_is_ok(cur, next, ibqp->qp_type, mask)) {
		ibdev_dbg(ibqp->device, "modify_qp %u: %d -> %d with mask %#x refused\n",
			  ibqp->qp_num, qp->state, next, mask);
		err = -EINVAL;
		goto out;
	}
	err = rxe_qp_check_attr(qp, attr, mask);
	if (err)
		goto out;

	rxe_qp_store_attr(qp, attr, mask);
	if (mask & IB_QP_STATE) {
		WRITE_ONCE(qp->state, next);
		rxe_qp_enter(qp, next);
	}
out:
	mutex_unlock(&qp->state_lock);
	return err;
}

/**
 * rxe_qp_query() - query_qp verb.
 * @ibqp: the QP.
 * @attr: filled with the current attributes.
 * @mask: the attributes asked for (all are filled).
 * @init: filled with the creation attributes.
 *
 * Return: 0.
 */
int rxe_qp_query(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
		 struct ib_qp_init_attr *init)
{
	struct rxe_qp *qp = to_rqp(ibqp);

	mutex_lock(&qp->state_lock);
	*attr = qp->attr;
	attr->qp_state = qp->state;
	attr->cur_qp_state = qp->state;
	attr->cap = qp->cap;
	attr->sq_draining = 0;
	mutex_unlock(&qp->state_lock);

	memset(init, 0, sizeof(*init));
	init->qp_type = ibqp->qp_type;
	init->send_cq = ibqp->send_cq;
	init->recv_cq = ibqp->recv_cq;
	init->srq = ibqp->srq;
	init->cap = qp->cap;
	init->sq_sig_type = qp->sq_sig_type;
	return 0;
}

/**
 * rxe_qp_destroy() - destroy_qp verb. Waits for lookups in flight.
 * @ibqp: the QP.
 * @udata: unused.
 *
 * Return: 0.
 */
int rxe_qp_destroy(struct ib_qp *ibqp, struct ib_udata *udata)
{
	struct rxe_qp *qp = to_rqp(ibqp);

	xa_erase(&to_rdev(ibqp->device)->qp_xa, ibqp->qp_num);
	rxe_ref_drain(&qp->ref);
	rxe_qp_free_queues(qp);
	return 0;
}

/**
 * rxe_qp_post_send() - post_send verb. For a user QP this is the doorbell
 * (the WQEs are already in the ring).
 * @ibqp: the QP.
 * @wr: the work requests (NULL for a user doorbell).
 * @bad_wr: set to the first request not posted.
 *
 * Return: 0; -EOPNOTSUPP for kernel senders (no send engine yet).
 */
int rxe_qp_post_send(struct ib_qp *ibqp, const struct ib_send_wr *wr,
		     const struct ib_send_wr **bad_wr)
{
	struct rxe_qp *qp = to_rqp(ibqp);

	if (!qp->is_user) {
		*bad_wr = wr;
		return -EOPNOTSUPP;
	}
	/* Requests posted in the error state complete flushed at once. */
	if (READ_ONCE(qp->state) == IB_QPS_ERR)
		rxe_qp_flush_sq(qp);
	return 0;
}

/* Write one kernel receive request into the ring. Caller holds rq_lock. */
static int rxe_qp_post_recv_one(struct rxe_qp *qp, const struct ib_recv_wr *wr)
{
	struct rxe_queue *q = &qp->rq;
	struct rxe_recv_wqe *wqe;
	u32 prod = READ_ONCE(q->buf->producer_index) & q->index_mask;
	u64 length = 0;
	int i;

	if (wr->num_sge > qp->cap.max_recv_sge)
		return -EINVAL;
	if (((prod + 1) & q->index_mask) == q->kindex)
		return -ENOMEM;

	wqe = rxe_queue_addr(q, prod);
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
	smp_store_release(&q->buf->producer_index, (prod + 1) & q->index_mask);
	return 0;
}

/**
 * rxe_qp_post_recv() - post_recv verb for kernel QPs (user QPs write
 * their ring directly).
 * @ibqp: the QP.
 * @wr: the receive requests.
 * @bad_wr: set to the first request not posted.
 *
 * Return: 0, -EINVAL (too many SGEs, SRQ attached, RESET state), -ENOMEM
 * (ring full).
 */
int rxe_qp_post_recv(struct ib_qp *ibqp, const struct ib_recv_wr *wr,
		     const struct ib_recv_wr **bad_wr)
{
	struct rxe_qp *qp = to_rqp(ibqp);
	unsigned long flags;
	int err = 0;

	if (!qp->has_rq || READ_ONCE(qp->state) == IB_QPS_RESET) {
		*bad_wr = wr;
		return -EINVAL;
	}
	spin_lock_irqsave(&qp->rq_lock, flags);
	for (; wr; wr = wr->next) {
		err = rxe_qp_post_recv_one(qp, wr);
		if (err) {
			*bad_wr = wr;
			break;
		}
	}
	spin_unlock_irqrestore(&qp->rq_lock, flags);

	if (READ_ONCE(qp->state) == IB_QPS_ERR)
		rxe_qp_flush_rq(qp);
	return err;
}
