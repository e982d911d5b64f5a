// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_cq.c - completion queues.
 *
 * The driver produces completions (rxe_cq_post()); the consumer is the
 * user process polling the mapped ring through the provider, or a kernel
 * ULP through rxe_cq_poll().
 *
 * Locking: cq->lock (irq-safe: completions may be posted from any
 * context) covers the ring's kernel-side state, the arming state and
 * resize. The completion handler never runs under a driver lock: a
 * caller holding one (a QP ring lock, to keep completions in order) adds
 * with rxe_cq_add() and calls rxe_cq_fire() after unlocking, because a
 * kernel consumer may post new work from its handler.
 */
#include <linux/slab.h>
#include <rdma/uverbs_ioctl.h>

#include "rxe.h"

/* A kernel CQ's consumer index: only rxe_cq_poll() moves it. */
static u32 rxe_cq_kernel_consumer(struct rxe_cq *cq)
{
	return READ_ONCE(cq->queue.buf->consumer_index) & cq->queue.index_mask;
}

/* The consumer's index, wherever the consumer is. */
static u32 rxe_cq_consumer(struct rxe_cq *cq)
{
	return cq->is_user ? rxe_queue_peer_index(&cq->queue) :
			     rxe_cq_kernel_consumer(cq);
}

/* Completions waiting for the consumer. Caller holds cq->lock. */
static u32 rxe_cq_pending(struct rxe_cq *cq)
{
	lockdep_assert_held(&cq->lock);
	return (cq->queue.kindex - rxe_cq_consumer(cq)) & cq->queue.index_mask;
}

static int rxe_cq_check_size(struct ib_device *ibdev, unsigned int cqe)
{
	if (cqe < 1 || cqe > RXE_MAX_CQE) {
		ibdev_dbg(ibdev, "cq: %u entries outside 1..%u\n", cqe, RXE_MAX_CQE);
		return -EINVAL;
	}
	return 0;
}

/* Build a ring of @cqe entries and, for a user CQ, expose it in @mi. */
static int rxe_cq_make_queue(struct rxe_cq *cq, struct rxe_queue *q,
			     unsigned int cqe, struct ib_udata *udata,
			     struct mminfo *mi)
{
	int err;

	err = rxe_queue_init(q, cqe, sizeof(struct rxe_cqe), RXE_QUEUE_KERNEL_PRODUCES);
	if (err)
		return err;

	if (udata) {
		struct rxe_ucontext *uc = rdma_udata_to_drv_context(udata,
						struct rxe_ucontext, ibuc);

		err = rxe_queue_expose(q, &uc->ibuc, mi);
		if (err)
			rxe_queue_cleanup(q);
	}
	return err;
}

/**
 * rxe_cq_create() - create_cq verb.
 * @ibcq: the core's CQ, embedded in our struct rxe_cq.
 * @attr: size, completion vector and flags.
 * @udata: the user's response buffer, or NULL for a kernel CQ.
 *
 * Return: 0, -EINVAL for a bad size, vector or response buffer,
 * -EOPNOTSUPP for unsupported flags, -ENOMEM, or -EFAULT.
 */
int rxe_cq_create(struct ib_cq *ibcq, const struct ib_cq_init_attr *attr,
		  struct ib_udata *udata)
{
	struct rxe_cq *cq = to_rcq(ibcq);
	struct ib_device *ibdev = ibcq->device;
	struct rxe_create_cq_resp resp = {};
	int err;

	if (attr->flags) {
		ibdev_dbg(ibdev, "cq: unsupported flags %#x\n", attr->flags);
		return -EOPNOTSUPP;
	}
	if (attr->comp_vector >= ibdev->num_comp_vectors)
		return -EINVAL;
	err = rxe_cq_check_size(ibdev, attr->cqe);
	if (err)
		return err;
	if (udata && udata->outlen < sizeof(resp)) {
		ibdev_dbg(ibdev, "cq: response buffer too small\n");
		return -EINVAL;
	}

	spin_lock_init(&cq->lock);
	cq->is_user = !!udata;
	cq->notify = 0;

	err = rxe_cq_make_queue(cq, &cq->queue, attr->cqe, udata, &resp.mi);
	if (err)
		return err;

	if (udata) {
		err = ib_copy_to_udata(udata, &resp, sizeof(resp));
		if (err) {
			rxe_queue_cleanup(&cq->queue);
			return err;
		}
	}
	ibcq->cqe = rxe_queue_capacity(&cq->queue);
	return 0;
}

/**
 * rxe_cq_destroy() - destroy_cq verb. The core guarantees no QP uses it.
 * @ibcq: the CQ.
 * @udata: unused.
 *
 * Return: 0.
 */
int rxe_cq_destroy(struct ib_cq *ibcq, struct ib_udata *udata)
{
	rxe_queue_cleanup(&to_rcq(ibcq)->queue);
	return 0;
}

/**
 * rxe_cq_resize() - resize a CQ, keeping the completions not yet polled.
 * @ibcq: the CQ.
 * @cqe: the new number of entries.
 * @udata: the user's response buffer (user CQs), else NULL.
 *
 * Return: 0, -EINVAL for a size out of range or below the completions
 * pending, -ENOMEM, or -EFAULT.
 */
int rxe_cq_resize(struct ib_cq *ibcq, unsigned int cqe, struct ib_udata *udata)
{
	struct rxe_cq *cq = to_rcq(ibcq);
	struct rxe_resize_cq_resp resp = {};
	struct rxe_queue nq;
	unsigned long flags;
	u32 i, n, cons;
	int err;

	err = rxe_cq_check_size(ibcq->device, cqe);
	if (err)
		return err;
	if (udata && udata->outlen < sizeof(resp))
		return -EINVAL;

	err = rxe_cq_make_queue(cq, &nq, cqe, udata, &resp.mi);
	if (err)
		return err;

	spin_lock_irqsave(&cq->lock, flags);
	n = rxe_cq_pending(cq);
	if (n > rxe_queue_capacity(&nq)) {
		spin_unlock_irqrestore(&cq->lock, flags);
		ibdev_dbg(ibcq->device, "cq: resize to %u below %u pending\n", cqe, n);
		rxe_queue_cleanup(&nq);
		return -EINVAL;
	}
	cons = rxe_cq_consumer(cq);
	for (i = 0; i < n; i++) {
		memcpy(rxe_queue_producer_addr(&nq), rxe_queue_addr(&cq->queue, cons + i),
		       sizeof(struct rxe_cqe));
		rxe_queue_produce(&nq);
	}
	swap(cq->queue, nq);		/* the new ring takes over */
	ibcq->cqe = rxe_queue_capacity(&cq->queue);
	spin_unlock_irqrestore(&cq->lock, flags);

	rxe_queue_cleanup(&nq);		/* the old ring */
	if (udata) {
		err = ib_copy_to_udata(udata, &resp, sizeof(resp));
		if (err)
			return err;	/* the CQ works; the caller just cannot map it */
	}
	return 0;
}

/**
 * rxe_cq_poll() - poll_cq verb, for kernel CQs.
 * @ibcq: the CQ.
 * @num: room in @wc.
 * @wc: where completions are copied.
 *
 * Return: the number of completions copied.
 */
int rxe_cq_poll(struct ib_cq *ibcq, int num, struct ib_wc *wc)
{
	struct rxe_cq *cq = to_rcq(ibcq);
	struct rxe_queue *q = &cq->queue;
	unsigned long flags;
	u32 cons;
	int i;

	spin_lock_irqsave(&cq->lock, flags);
	cons = rxe_cq_kernel_consumer(cq);
	for (i = 0; i < num && cons != q->kindex; i++) {
		struct rxe_cqe *cqe = rxe_queue_addr(q, cons);

		wc[i] = cqe->ibwc;
		cons = (cons + 1) & q->index_mask;
	}
	smp_store_release(&q->buf->consumer_index, cons);
	spin_unlock_irqrestore(&cq->lock, flags);
	return i;
}

/**
 * rxe_cq_req_notify() - req_notify_cq verb: arm the CQ.
 * @ibcq: the CQ.
 * @flags: IB_CQ_SOLICITED or IB_CQ_NEXT_COMP, maybe IB_CQ_REPORT_MISSED_EVENTS.
 *
 * Return: 1 if IB_CQ_REPORT_MISSED_EVENTS was given and completions are
 * pending, else 0.
 */
int rxe_cq_req_notify(struct ib_cq *ibcq, enum ib_cq_notify_flags flags)
{
	struct rxe_cq *cq = to_rcq(ibcq);
	unsigned long irqflags;
	int ret = 0;

	spin_lock_irqsave(&cq->lock, irqflags);
	/* "Next completion" is the wider request: solicited cannot narrow it. */
	if (cq->notify != IB_CQ_NEXT_COMP)
		cq->notify = flags & IB_CQ_SOLICITED_MASK;
	if ((flags & IB_CQ_REPORT_MISSED_EVENTS) && rxe_cq_pending(cq))
		ret = 1;
	spin_unlock_irqrestore(&cq->lock, irqflags);
	return ret;
}

/**
 * rxe_cq_add() - add a completion without running the completion handler.
 * @cq: the CQ.
 * @cqe: the completion, in the user (uibwc) or kernel (ibwc) format as
 *	cq->is_user says.
 * @solicited: the completion is for a solicited event.
 * @fire: set to true when the CQ was armed for this completion; the
 *	caller then calls rxe_cq_fire() once it holds no lock a completion
 *	handler could need (a kernel consumer may post work from it).
 *
 * Return: 0, or -EBUSY when the CQ is full (the CQ error event is raised:
 * the consumer lost a completion).
 */
int rxe_cq_add(struct rxe_cq *cq, const struct rxe_cqe *cqe, bool solicited,
	       bool *fire)
{
	struct ib_event ev;
	unsigned long flags;

	spin_lock_irqsave(&cq->lock, flags);
	if (rxe_queue_full(&cq->queue)) {
		spin_unlock_irqrestore(&cq->lock, flags);
		if (cq->ibcq.event_handler) {
			ev.device = cq->ibcq.device;
			ev.element.cq = &cq->ibcq;
			ev.event = IB_EVENT_CQ_ERR;
			cq->ibcq.event_handler(&ev, cq->ibcq.cq_context);
		}
		return -EBUSY;
	}
	memcpy(rxe_queue_producer_addr(&cq->queue), cqe, sizeof(*cqe));
	rxe_queue_produce(&cq->queue);

	if (cq->notify == IB_CQ_NEXT_COMP ||
	    (cq->notify == IB_CQ_SOLICITED && solicited)) {
		cq->notify = 0;
		*fire = true;
	}
	spin_unlock_irqrestore(&cq->lock, flags);
	return 0;
}

/**
 * rxe_cq_fire() - run the completion handler of a CQ that rxe_cq_add()
 * found armed.
 * @cq: the CQ.
 */
void rxe_cq_fire(struct rxe_cq *cq)
{
	if (cq->ibcq.comp_handler)
		cq->ibcq.comp_handler(&cq->ibcq, cq->ibcq.cq_context);
}

/**
 * rxe_cq_post() - add a completion and run the completion handler if the
 * CQ was armed for it. Must not be called with a lock held that the
 * handler could need.
 * @cq: the CQ.
 * @cqe: the completion (see rxe_cq_add()).
 * @solicited: the completion is for a solicited event.
 *
 * Return: 0 or -EBUSY (CQ full).
 */
int rxe_cq_post(struct rxe_cq *cq, const struct rxe_cqe *cqe, bool solicited)
{
	bool fire = false;
	int err = rxe_cq_add(cq, cqe, solicited, &fire);

	if (fire)
		rxe_cq_fire(cq);
	return err;
}
