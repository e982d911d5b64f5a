// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_srq.c - shared receive queues (IBA 10.2.9.5): create, modify (limit
 * arming and resizing), query, destroy, kernel posting, and the take a
 * QP's responder does for each new message.
 *
 * The ring has the layout of a QP's RQ (struct rxe_recv_wqe + SGEs per
 * slot); a user SRQ's ring is mapped and filled by the provider. Lock
 * rule: srq->lock covers the consumer side (responders of several QPs),
 * kernel producers, the swap of a resize and the limit. The limit event
 * is raised after the lock is dropped.
 *
 * XRC SRQs (IBA 14.2.4 / XRC annex) belong to an XRC domain and have a CQ
 * of their own; requests reach them through any XRC target QP of the same
 * domain, which names them by number (XRCETH). They are published in
 * rxe_dev.srq_xa for that lookup: the responder holds a reference while it
 * executes a request, and destroy waits for those after unpublishing.
 */
#include "rxe.h"

/** rxe_srq_wqe_size() - bytes of one WQE of @srq, SGEs included. */
size_t rxe_srq_wqe_size(const struct rxe_srq *srq)
{
	return sizeof(struct rxe_recv_wqe) + srq->max_sge * sizeof(struct rxe_sge);
}

static int rxe_srq_check(struct ib_device *ibdev, const struct ib_srq_attr *a)
{
	if (!a->max_wr || a->max_wr > RXE_MAX_SRQ_WR || !a->max_sge ||
	    a->max_sge > RXE_MAX_SGE || a->srq_limit > a->max_wr) {
		ibdev_dbg(ibdev, "srq: max_wr %u max_sge %u limit %u out of range\n",
			  a->max_wr, a->max_sge, a->srq_limit);
		return -EINVAL;
	}
	return 0;
}

/* A ring of @max_wr WQEs, mapped for the owner of @udata if any. */
static int rxe_srq_make_ring(struct rxe_srq *srq, struct rxe_queue *q, u32 max_wr,
			     struct ib_udata *udata, struct mminfo *mi)
{
	int err;

	err = rxe_queue_init(q, max_wr, rxe_srq_wqe_size(srq), RXE_QUEUE_KERNEL_CONSUMES);
	if (err || !udata)
		return err;
	err = rxe_queue_expose(q, &rdma_udata_to_drv_context(udata, struct rxe_ucontext,
							       ibuc)->ibuc, mi);
	if (err)
		rxe_queue_cleanup(q);
	return err;
}

/**
 * rxe_srq_create() - create_srq verb.
 * @ibsrq: the core's SRQ, embedded in our struct rxe_srq.
 * @init: type and capacities; the capacities are updated to what the SRQ
 *	really has.
 * @udata: the user's response buffer (ring and SRQ number), or NULL.
 *
 * Return: 0, -EOPNOTSUPP for a tag-matching SRQ, -EINVAL for capacities
 * out of range or a short response buffer, -ENOMEM, -EFAULT.
 */
int rxe_srq_create(struct ib_srq *ibsrq, struct ib_srq_init_attr *init,
		   struct ib_udata *udata)
{
	struct rxe_dev *rxe = to_rdev(ibsrq->device);
	struct rxe_srq *srq = to_rsrq(ibsrq);
	struct rxe_create_srq_resp resp = {};
	u32 num;
	int err;

	if (init->srq_type != IB_SRQT_BASIC && init->srq_type != IB_SRQT_XRC) {
		ibdev_dbg(ibsrq->device, "srq: type %d not supported\n", init->srq_type);
		return -EOPNOTSUPP;
	}
	err = rxe_srq_check(ibsrq->device, &init->attr);
	if (err)
		return err;
	if (udata && udata->outlen < sizeof(resp))
		return -EINVAL;

	srq->h = rxe_handle_new(srq);
	if (!srq->h)
		return -ENOMEM;
	err = rxe_xa_reserve(&rxe->srq_xa, &num, XA_LIMIT(1, RXE_MAX_SRQ), &rxe->srq_next,
			     GFP_KERNEL);
	if (err)
		goto err_handle;
	spin_lock_init(&srq->lock);
	srq->srq_num = num;
	srq->max_sge = init->attr.max_sge;
	srq->limit = init->attr.srq_limit;
	err = rxe_srq_make_ring(srq, &srq->rq, init->attr.max_wr, udata, &resp.mi);
	if (err)
		goto err_num;
	init->attr.max_wr = rxe_queue_capacity(&srq->rq);
	if (init->srq_type == IB_SRQT_XRC)
		ibsrq->ext.xrc.srq_num = num;	/* what the core reports */
	if (udata) {
		resp.srq_num = num;
		err = ib_copy_to_udata(udata, &resp, sizeof(resp));
		if (err)
			goto err_ring;
	}
	if (init->srq_type == IB_SRQT_XRC)
		xa_store(&rxe->srq_xa, num, srq->h, GFP_KERNEL);	/* reserved: no allocation */
	return 0;

err_ring:
	rxe_queue_cleanup(&srq->rq);
err_num:
	xa_erase(&rxe->srq_xa, num);
err_handle:
	kfree(srq->h);
	return err;
}

/* Move the WQEs not taken yet into a ring of @max_wr and make it current. */
static int rxe_srq_resize(struct rxe_srq *srq, u32 max_wr, struct ib_udata *udata)
{
	struct rxe_modify_srq_cmd cmd = {};
	struct rxe_queue nq;
	struct mminfo mi = {};
	unsigned long flags;
	u32 i, n;
	int err;

	if (udata) {
		/* where the provider wants the new ring's mmap information */
		if (udata->inlen < sizeof(cmd))
			return -EINVAL;
		err = ib_copy_from_udata(&cmd, udata, sizeof(cmd));
		if (err)
			return err;
	}
	err = rxe_srq_make_ring(srq, &nq, max_wr, udata, &mi);
	if (err)
		return err;
	if (udata && copy_to_user(u64_to_user_ptr(cmd.mmap_info_addr), &mi, sizeof(mi))) {
		rxe_queue_cleanup(&nq);
		return -EFAULT;
	}

	spin_lock_irqsave(&srq->lock, flags);
	n = rxe_queue_count(&srq->rq);
	if (n > rxe_queue_capacity(&nq)) {
		spin_unlock_irqrestore(&srq->lock, flags);
		ibdev_dbg(srq->ibsrq.device, "srq: resize to %u below %u posted\n", max_wr, n);
		rxe_queue_cleanup(&nq);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		memcpy(rxe_queue_addr(&nq, i), rxe_queue_consumer_addr(&srq->rq),
		       rxe_srq_wqe_size(srq));
		rxe_queue_consume(&srq->rq);
	}
	/* the kernel is the producer of a new ring's first @n slots */
	smp_store_release(&nq.buf->producer_index, n);
	swap(srq->rq, nq);
	spin_unlock_irqrestore(&srq->lock, flags);
	rxe_queue_cleanup(&nq);		/* the old ring */
	return 0;
}

/**
 * rxe_srq_modify() - modify_srq verb: arm the limit, resize.
 * @ibsrq: the SRQ.
 * @attr: srq_limit (IB_SRQ_LIMIT) and max_wr (IB_SRQ_MAX_WR).
 * @mask: which of them.
 * @udata: for a resize of a user SRQ, the address where the new ring's
 *	mmap information goes (struct rxe_modify_srq_cmd).
 *
 * Return: 0, -EINVAL for a limit above the capacity or a size out of range
 * or below the WQEs posted, -ENOMEM, -EFAULT.
 */
int rxe_srq_modify(struct ib_srq *ibsrq, struct ib_srq_attr *attr,
		   enum ib_srq_attr_mask mask, struct ib_udata *udata)
{
	struct rxe_srq *srq = to_rsrq(ibsrq);
	unsigned long flags;
	int err;

	if (mask & ~(IB_SRQ_MAX_WR | IB_SRQ_LIMIT))
		return -EOPNOTSUPP;
	if (mask & IB_SRQ_MAX_WR) {
		struct ib_srq_attr a = {
			.max_wr = attr->max_wr, .max_sge = srq->max_sge,
			.srq_limit = mask & IB_SRQ_LIMIT ? attr->srq_limit : 0,
		};

		err = rxe_srq_check(ibsrq->device, &a);
		if (!err)
			err = rxe_srq_resize(srq, attr->max_wr, udata);
		if (err)
			return err;
	}
	if (mask & IB_SRQ_LIMIT) {
		if (attr->srq_limit > rxe_queue_capacity(&srq->rq)) {
			ibdev_dbg(ibsrq->device, "srq: limit %u above the capacity\n",
				  attr->srq_limit);
			return -EINVAL;
		}
		spin_lock_irqsave(&srq->lock, flags);
		srq->limit = attr->srq_limit;
		spin_unlock_irqrestore(&srq->lock, flags);
	}
	return 0;
}

/**
 * rxe_srq_query() - query_srq verb.
 * @ibsrq: the SRQ.
 * @attr: filled with the capacity, SGEs and the armed limit (0: none).
 *
 * Return: 0.
 */
int rxe_srq_query(struct ib_srq *ibsrq, struct ib_srq_attr *attr)
{
	struct rxe_srq *srq = to_rsrq(ibsrq);

	attr->max_wr = rxe_queue_capacity(&srq->rq);
	attr->max_sge = srq->max_sge;
	attr->srq_limit = READ_ONCE(srq->limit);
	return 0;
}

/**
 * rxe_srq_destroy() - destroy_srq verb (the core has checked that no QP
 * is attached any more; XRC target QPs may still name an XRC SRQ).
 * @ibsrq: the SRQ.
 * @udata: unused.
 *
 * An XRC SRQ is unpublished first; then the responders executing a
 * request on it finish (one engine run at most) before the core frees it.
 * A message in progress on it fails with its next packet.
 *
 * Return: 0.
 */
int rxe_srq_destroy(struct ib_srq *ibsrq, struct ib_udata *udata)
{
	struct rxe_srq *srq = to_rsrq(ibsrq);

	xa_erase(&to_rdev(ibsrq->device)->srq_xa, srq->srq_num);
	rxe_handle_drain(srq->h);
	rxe_queue_cleanup(&srq->rq);
	return 0;
}

/**
 * rxe_srq_get_xrc() - find the XRC SRQ an XRCETH names, for a target QP.
 * @rxe: the device.
 * @num: the SRQ number.
 * @xrcd: the target QP's XRC domain: the SRQ must belong to it.
 *
 * Return: the SRQ with a reference (rxe_srq_put()), or NULL if there is
 * no such XRC SRQ in @xrcd.
 */
struct rxe_srq *rxe_srq_get_xrc(struct rxe_dev *rxe, u32 num, struct ib_xrcd *xrcd)
{
	struct rxe_srq *srq = rxe_handle_get(&rxe->srq_xa, num);

	if (srq && srq->ibsrq.ext.xrc.xrcd != xrcd) {
		rxe_srq_put(srq);
		return NULL;
	}
	return srq;
}

/** rxe_srq_put() - drop a reference from rxe_srq_get_xrc(). @srq: the SRQ. */
void rxe_srq_put(struct rxe_srq *srq)
{
	rxe_handle_put(srq->h);
}

/**
 * rxe_srq_post_recv() - post_srq_recv verb, for kernel SRQs.
 * @ibsrq: the SRQ.
 * @wr: the receive requests.
 * @bad_wr: set to the first one not posted.
 *
 * Return: 0, -EINVAL (too many SGEs) or -ENOMEM (ring full).
 */
int rxe_srq_post_recv(struct ib_srq *ibsrq, const struct ib_recv_wr *wr,
		      const struct ib_recv_wr **bad_wr)
{
	struct rxe_srq *srq = to_rsrq(ibsrq);
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(&srq->lock, flags);
	for (; wr; wr = wr->next) {
		err = rxe_recv_ring_post(&srq->rq, srq->max_sge, wr);
		if (err) {
			*bad_wr = wr;
			break;
		}
	}
	spin_unlock_irqrestore(&srq->lock, flags);
	return err;
}

static void rxe_srq_limit_event(struct rxe_srq *srq)
{
	struct ib_event ev = {
		.device = srq->ibsrq.device,
		.element.srq = &srq->ibsrq,
		.event = IB_EVENT_SRQ_LIMIT_REACHED,
	};

	if (srq->ibsrq.event_handler)
		srq->ibsrq.event_handler(&ev, srq->ibsrq.srq_context);
}

/**
 * rxe_srq_take() - take the next WQE for a new message (responder).
 * @srq: the SRQ.
 * @wqe: where it is copied (rxe_srq_wqe_size() bytes); its SGE count is
 *	bounded by the SRQ's, whatever user space wrote.
 *
 * Return: false if the SRQ is empty (the sender gets an RNR NAK).
 */
bool rxe_srq_take(struct rxe_srq *srq, struct rxe_recv_wqe *wqe)
{
	unsigned long flags;
	bool fire = false;

	spin_lock_irqsave(&srq->lock, flags);
	if (!rxe_queue_count(&srq->rq)) {
		spin_unlock_irqrestore(&srq->lock, flags);
		return false;
	}
	memcpy(wqe, rxe_queue_consumer_addr(&srq->rq), rxe_srq_wqe_size(srq));
	rxe_queue_consume(&srq->rq);
	if (srq->limit && rxe_queue_count(&srq->rq) < srq->limit) {
		srq->limit = 0;		/* one event per arming */
		fire = true;
	}
	spin_unlock_irqrestore(&srq->lock, flags);

	if (wqe->dma.num_sge > srq->max_sge)
		wqe->dma.num_sge = 0;	/* fails as too short */
	if (fire)
		rxe_srq_limit_event(srq);
	return true;
}
