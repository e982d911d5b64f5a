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
 * qp->state_spin covers writes of the state (the engine moves a QP to ERR
 * without the mutex); the state is read through READ_ONCE(). The engine
 * (rxe_qp_run(), one work item per QP) is the only consumer of both
 * rings; qp->sq_lock and qp->rq_lock serialise kernel producers. Modify
 * may wait for the engine, so the engine never takes state_lock. An
 * engine run inline in another's (loopback) holds no lock of the outer.
 */
#include <linux/hash.h>
#include <linux/slab.h>
#include <rdma/ib_cache.h>
#include <rdma/uverbs_ioctl.h>

#include "rxe.h"

static void rxe_qp_run(struct work_struct *work);
static void rxe_qp_retry_timer(struct work_struct *work);
static void rxe_qp_rnr_timer(struct work_struct *work);
static enum hrtimer_restart rxe_qp_rnr_fire(struct hrtimer *t);

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
	return rxe_handle_get(&rxe->qp_xa, qpn);
}

/**
 * rxe_qp_event() - raise an affiliated asynchronous event of a QP
 * (engine context, or a verb with the QP's state lock).
 * @qp: the QP.
 * @type: the event.
 */
void rxe_qp_event(struct rxe_qp *qp, enum ib_event_type type)
{
	struct ib_event ev = {
		.device = qp->ibqp.device,
		.element.qp = &qp->ibqp,
		.event = type,
	};

	if (qp->ibqp.event_handler)
		qp->ibqp.event_handler(&ev, qp->ibqp.qp_context);
}

/** rxe_qp_put() - drop a reference from rxe_qp_lookup(). @qp: the QP. */
void rxe_qp_put(struct rxe_qp *qp)
{
	rxe_handle_put(qp->h);
}

static bool rxe_qp_engine(struct rxe_qp *qp, int *budget);

/* Give up the engine; whoever waits for it to be idle may go on. */
static void rxe_qp_release(struct rxe_qp *qp)
{
	atomic_set_release(&qp->eng, RXE_ENG_IDLE);
	wake_up_var(&qp->eng);
}

/*
 * Run the engine, owned by the caller (RUNNING or AGAIN), until it has
 * nothing left to do, then release it; when the budget runs out first,
 * hand it to the work item (still owned: no other run can start).
 */
static void rxe_qp_drive(struct rxe_qp *qp, int depth)
{
	int budget = RXE_RUN_BUDGET;

	qp->eng_depth = depth;
	for (;;) {
		bool more = rxe_qp_engine(qp, &budget);

		if (!more && atomic_cmpxchg(&qp->eng, RXE_ENG_RUNNING,
					    RXE_ENG_IDLE) == RXE_ENG_RUNNING) {
			wake_up_var(&qp->eng);
			return;
		}
		/* more to do, or kicked meanwhile (AGAIN) */
		atomic_set(&qp->eng, RXE_ENG_RUNNING);
		if (budget <= 0) {
			queue_work(rxe_wq, &qp->work);
			return;
		}
	}
}

/* Take the engine if nobody runs it; else make its runner go again. */
static bool rxe_qp_claim(struct rxe_qp *qp)
{
	int s = atomic_read(&qp->eng);

	for (;;) {
		int want = s == RXE_ENG_IDLE ? RXE_ENG_RUNNING : RXE_ENG_AGAIN;
		int old;

		if (s == RXE_ENG_AGAIN)
			return false;
		old = atomic_cmpxchg(&qp->eng, s, want);
		if (old == s)
			break;
		s = old;
	}
	if (s != RXE_ENG_IDLE)
		return false;
	/* pairs with the barrier of rxe_qp_set_state() before a stop */
	if (READ_ONCE(qp->state) == IB_QPS_RESET) {
		rxe_qp_release(qp);
		return false;
	}
	return true;
}

/**
 * rxe_qp_kick() - have the QP's engine run, by its work item (any context).
 * @qp: the QP.
 */
void rxe_qp_kick(struct rxe_qp *qp)
{
	if (rxe_qp_claim(qp))
		queue_work(rxe_wq, &qp->work);
}

/**
 * rxe_qp_kick_here() - have the QP's engine run, in this context if it
 * is idle (process context, no spinlock held, may sleep).
 * @qp: the QP.
 * @depth: 0, or 1 + the depth of the engine run this call is made from.
 */
void rxe_qp_kick_here(struct rxe_qp *qp, int depth)
{
	might_sleep();
	if (!rxe_qp_claim(qp))
		return;
	if (depth > RXE_MAX_NESTING)
		queue_work(rxe_wq, &qp->work);
	else
		rxe_qp_drive(qp, depth);
}

/* Kick, then wait until the engine has run and has nothing left to do. */
static void rxe_qp_kick_sync(struct rxe_qp *qp)
{
	rxe_qp_kick_here(qp, 0);
	wait_var_event(&qp->eng, atomic_read_acquire(&qp->eng) == RXE_ENG_IDLE);
}

static void rxe_qp_set_state(struct rxe_qp *qp, enum ib_qp_state state)
{
	unsigned long flags;

	spin_lock_irqsave(&qp->state_spin, flags);
	WRITE_ONCE(qp->state, state);
	spin_unlock_irqrestore(&qp->state_spin, flags);
}

/**
 * rxe_qp_error() - the engine found a fatal error: move to ERR. The
 * caller (the engine) flushes the rings before it returns.
 * @qp: the QP.
 */
void rxe_qp_error(struct rxe_qp *qp)
{
	unsigned long flags;

	spin_lock_irqsave(&qp->state_spin, flags);
	if (qp->state != IB_QPS_RESET)
		WRITE_ONCE(qp->state, IB_QPS_ERR);
	spin_unlock_irqrestore(&qp->state_spin, flags);
}

/**
 * rxe_qp_cq_overrun() - a completion of the QP was lost to a full CQ
 * (engine context). The consumer can no longer know what finished: the
 * QP's work queues are in a catastrophic state (QP fatal) and it goes to
 * ERR. Flush completions of a QP already in ERR change nothing.
 * @qp: the QP.
 */
void rxe_qp_cq_overrun(struct rxe_qp *qp)
{
	if (READ_ONCE(qp->state) == IB_QPS_ERR)
		return;
	rxe_qp_event(qp, IB_EVENT_QP_FATAL);
	rxe_qp_error(qp);
}

/**
 * rxe_qp_mtu() - payload bytes per packet on this QP.
 * @qp: the QP.
 *
 * Return: the path MTU (connected QPs) or the port's MTU (UD).
 */
u32 rxe_qp_mtu(const struct rxe_qp *qp)
{
	if (qp->ibqp.qp_type == IB_QPT_UD || qp->ibqp.qp_type == IB_QPT_GSI)
		return ib_mtu_enum_to_int(rxe_net_active_mtu(qp_rdev(qp)));
	return ib_mtu_enum_to_int(qp->attr.path_mtu);
}

/**
 * rxe_sge_copy() - copy between a buffer and the memory a scatter list
 * names, starting @offset bytes into it.
 * @qp: the QP whose PD the keys must belong to.
 * @sges: the list (in a ring slot: read once per use).
 * @num_sge: its length, already bounded by the QP's capacity.
 * @offset: where in the list's bytes the copy starts.
 * @buf: the kernel buffer.
 * @len: bytes to copy.
 * @dir: RXE_TO_MEM needs local write access; RXE_FROM_MEM reads.
 *
 * Return: 0, -EACCES for an unknown key, a PD or access mismatch, a
 * range outside its MR or ODP memory that cannot be faulted in, -EAGAIN
 * for an ODP fault that may work later (see rxe_odp_copy()), -ENOSPC when
 * the list is shorter than @offset + @len. Bytes before a failure may
 * have been copied.
 */
int rxe_sge_copy(struct rxe_qp *qp, const struct rxe_sge *sges, u32 num_sge,
		 u32 offset, void *buf, u32 len, enum rxe_copy_dir dir)
{
	int access = dir == RXE_TO_MEM ? IB_ACCESS_LOCAL_WRITE : 0;
	u32 i;

	for (i = 0; i < num_sge && len; i++) {
		struct rxe_sge sge;
		struct rxe_mr *mr;
		u32 n;
		int err;

		memcpy(&sge, &sges[i], sizeof(sge));
		if (offset >= sge.length) {
			offset -= sge.length;
			continue;
		}
		n = min(len, sge.length - offset);
		mr = rxe_mr_lookup(qp_rdev(qp), sge.lkey);
		if (!mr)
			return -EACCES;
		err = rxe_mr_check(mr, rxe_qp_pd(qp), access, sge.addr + offset, n);
		if (!err)
			err = rxe_mr_copy(mr, sge.addr + offset, buf, n, dir);
		rxe_mr_put(mr);
		if (err)
			return err == -EAGAIN ? -EAGAIN : -EACCES;
		buf += n;
		len -= n;
		offset = 0;
	}
	return len ? -ENOSPC : 0;
}

/**
 * rxe_qp_make_cqe() - fill a completion of this QP in the format of its
 * CQs (uverbs entries for user QPs).
 * @qp: the QP.
 * @cqe: the entry to fill; other fields stay zero.
 * @wr_id: the work request's id.
 * @status: the completion status.
 * @opcode: the completion opcode.
 * @byte_len: bytes transferred.
 */
void rxe_qp_make_cqe(struct rxe_qp *qp, struct rxe_cqe *cqe, u64 wr_id,
		     enum ib_wc_status status, enum ib_wc_opcode opcode, u32 byte_len)
{
	memset(cqe, 0, sizeof(*cqe));
	if (qp->is_user) {
		cqe->uibwc.wr_id = wr_id;
		cqe->uibwc.status = status;
		cqe->uibwc.opcode = opcode;
		cqe->uibwc.byte_len = byte_len;
		cqe->uibwc.qp_num = qp->ibqp.qp_num;
		cqe->uibwc.port_num = RXE_PORT;
	} else {
		cqe->ibwc.wr_id = wr_id;
		cqe->ibwc.status = status;
		cqe->ibwc.opcode = opcode;
		cqe->ibwc.byte_len = byte_len;
		cqe->ibwc.qp = &qp->ibqp;
		cqe->ibwc.port_num = RXE_PORT;
	}
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

static int rxe_qp_check_init(struct ib_device *ibdev, const struct ib_qp_init_attr *init,
			     bool user)
{
	const struct ib_qp_cap *cap = &init->cap;

	switch (init->qp_type) {
	case IB_QPT_RC:
	case IB_QPT_UC:
	case IB_QPT_UD:
		break;
	case IB_QPT_GSI:
		if (init->port_num != RXE_PORT)
			return -EINVAL;
		break;
	case IB_QPT_XRC_INI:
		/* the remote SRQ number travels in the user's WQE only */
		if (!user)
			return -EOPNOTSUPP;
		break;
	case IB_QPT_XRC_TGT:
		/* no queue nor CQ of its own: its XRC SRQs have them */
		return init->create_flags || !init->xrcd ? -EINVAL : 0;
	default:
		ibdev_dbg(ibdev, "create_qp: type %d not supported\n", init->qp_type);
		return -EOPNOTSUPP;
	}
	if (init->create_flags) {
		ibdev_dbg(ibdev, "create_qp: flags %#x not supported\n", init->create_flags);
		return -EOPNOTSUPP;
	}
	if (!init->send_cq || (!init->recv_cq && init->qp_type != IB_QPT_XRC_INI))
		return -EINVAL;
	if (!cap->max_send_wr || cap->max_send_wr > RXE_MAX_QP_WR ||
	    cap->max_send_sge > RXE_MAX_SGE ||
	    cap->max_inline_data > RXE_MAX_INLINE_DATA) {
		ibdev_dbg(ibdev, "create_qp: send caps out of range\n");
		return -EINVAL;
	}
	if (!init->srq && init->qp_type != IB_QPT_XRC_INI &&
	    (!cap->max_recv_wr || cap->max_recv_wr > RXE_MAX_QP_WR ||
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

	err = rxe_qp_check_init(ibqp->device, init, udata);
	if (err)
		return err;
	if (udata && udata->outlen < sizeof(resp))
		return -EINVAL;

	mutex_init(&qp->state_lock);
	spin_lock_init(&qp->state_spin);
	spin_lock_init(&qp->sq_lock);
	spin_lock_init(&qp->rq_lock);
	qp->state = IB_QPS_RESET;
	qp->is_user = !!udata;
	qp->has_rq = !init->srq && init->qp_type != IB_QPT_XRC_INI &&
		     init->qp_type != IB_QPT_XRC_TGT;
	qp->sq_sig_type = init->sq_sig_type;
	if (init->qp_type == IB_QPT_XRC_TGT) {
		/*
		 * The core creates it for the XRCD's owner, without udata.
		 * Its send ring stays empty: the engine needs one, nothing
		 * posts to it (rxe_qp_post_send()).
		 */
		qp->is_user = to_rxrcd(init->xrcd)->is_user;
		init->cap = (struct ib_qp_cap){ .max_send_wr = 1 };
	}

	atomic_set(&qp->eng, RXE_ENG_IDLE);
	INIT_WORK(&qp->work, rxe_qp_run);
	INIT_DELAYED_WORK(&qp->retry_work, rxe_qp_retry_timer);
	compat_hrtimer_setup(&qp->rnr_timer, rxe_qp_rnr_fire, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	INIT_WORK(&qp->rnr_work, rxe_qp_rnr_timer);
	skb_queue_head_init(&qp->rx_queue);
	rxe_resp_reset(qp);

	qp->h = rxe_handle_new(qp);
	if (!qp->h)
		return -ENOMEM;
	err = rxe_qp_make_queues(qp, init, udata, &resp);
	if (err)
		goto err_handle;
	rxe_qp_update_caps(qp, &init->cap);
	if (init->qp_type == IB_QPT_XRC_TGT) {
		memset(&init->cap, 0, sizeof(init->cap));
		qp->cap = init->cap;
	}
	qp->swqe = kvcalloc(qp->sq.index_mask + 1, sizeof(*qp->swqe), GFP_KERNEL);
	if (init->srq)
		qp->resp.srq_wqe = kmalloc(rxe_srq_wqe_size(to_rsrq(init->srq)), GFP_KERNEL);
	else if (init->qp_type == IB_QPT_XRC_TGT)	/* room for any XRC SRQ's WQE */
		qp->resp.srq_wqe = kmalloc(struct_size(qp->resp.srq_wqe, dma.sge, RXE_MAX_SGE),
					   GFP_KERNEL);
	if (!qp->swqe || ((init->srq || init->qp_type == IB_QPT_XRC_TGT) && !qp->resp.srq_wqe)) {
		err = -ENOMEM;
		goto err_queues;
	}

	/* Reserve the number; publish the QP only once it is complete. */
	if (init->qp_type == IB_QPT_GSI) {
		qpn = 1;	/* the GSI QP's number is fixed (IBA 3.5.8) */
		err = xa_insert(&rxe->qp_xa, qpn, XA_ZERO_ENTRY, GFP_KERNEL);
		if (err == -EBUSY)
			err = -EEXIST;
	} else {
		err = rxe_xa_reserve(&rxe->qp_xa, &qpn,
				     XA_LIMIT(RXE_FIRST_QPN, RXE_FIRST_QPN + RXE_MAX_QP - 1),
				     &rxe->qp_next, GFP_KERNEL);
	}
	if (err)
		goto err_queues;
	ibqp->qp_num = qpn;
	qp->src_port = 0xc000 | hash_32(qpn, 14);

	if (udata) {
		err = ib_copy_to_udata(udata, &resp, sizeof(resp));
		if (err)
			goto err_qpn;
	}
	xa_store(&rxe->qp_xa, qpn, qp->h, GFP_KERNEL);
	return 0;

err_qpn:
	xa_erase(&rxe->qp_xa, qpn);
err_queues:
	kfree(qp->resp.srq_wqe);
	kvfree(qp->swqe);
	rxe_qp_free_queues(qp);
err_handle:
	kfree(qp->h);
	return err;
}

/* Add a flush completion for a work request; see rxe_cq_add() for @fire. */
static void rxe_qp_flush_one(struct rxe_qp *qp, struct rxe_cq *cq, u64 wr_id,
			     enum ib_wc_opcode opcode, bool *fire)
{
	struct rxe_cqe cqe;

	rxe_qp_make_cqe(qp, &cqe, wr_id, IB_WC_WR_FLUSH_ERR, opcode, 0);
	rxe_cq_add(cq, &cqe, false, fire);
}

/**
 * rxe_wc_opcode() - the completion opcode of a send work request.
 * @wr_opcode: IB_WR_* of the request.
 *
 * Return: the IB_WC_* opcode.
 */
enum ib_wc_opcode rxe_wc_opcode(u32 wr_opcode)
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
	case RXE_WR_FLUSH:
		return RXE_WC_FLUSH;
	case RXE_WR_ATOMIC_WRITE:
		return RXE_WC_ATOMIC_WRITE;
	default:
		return IB_WC_SEND;
	}
}

/*
 * Complete every send WQE not reported yet with a flush error, in order.
 * Engine context (or the engine stopped). The completion handler runs
 * after the loop, as a kernel consumer may post new work from it.
 */
static void rxe_qp_flush_sq(struct rxe_qp *qp)
{
	struct rxe_cq *cq = to_rcq(qp->ibqp.send_cq);
	bool fire = false;

	while (rxe_queue_count(&qp->sq)) {
		struct rxe_send_wqe *wqe = rxe_queue_consumer_addr(&qp->sq);
		u64 wr_id = READ_ONCE(wqe->wr.wr_id);
		u32 opcode = READ_ONCE(wqe->wr.opcode);

		/* the slot is free before its completion is seen */
		qp->swqe[qp->sq.kindex].state = RXE_WQE_NEW;
		rxe_queue_consume(&qp->sq);
		rxe_qp_flush_one(qp, cq, wr_id, rxe_wc_opcode(opcode), &fire);
	}
	qp->req.index = qp->sq.kindex;
	qp->req.rd_atomic = 0;
	if (fire)
		rxe_cq_fire(cq);
}

/* Complete every posted receive WQE with a flush error (as the SQ). */
static void rxe_qp_flush_rq(struct rxe_qp *qp)
{
	struct rxe_cq *cq = to_rcq(qp->ibqp.recv_cq);
	bool fire = false;

	if (!qp->has_rq)
		return;
	while (rxe_queue_count(&qp->rq)) {
		struct rxe_recv_wqe *wqe = rxe_queue_consumer_addr(&qp->rq);
		u64 wr_id = READ_ONCE(wqe->wr_id);

		rxe_queue_consume(&qp->rq);
		rxe_qp_flush_one(qp, cq, wr_id, IB_WC_RECV, &fire);
	}
	if (fire)
		rxe_cq_fire(cq);
}

/*
 * The engine, one round: queued packets, timer events, then what the
 * window allows to send, then finished send WQEs reported. Returns true
 * when work is left (budget spent, or packets arrived meanwhile).
 */
/* SQD: every WQE begun has completed; say so once if asked to. */
static void rxe_qp_check_drained(struct rxe_qp *qp)
{
	if (READ_ONCE(qp->state) != IB_QPS_SQD || !READ_ONCE(qp->sqd_notify))
		return;
	if (qp->sq.kindex == qp->req.index &&
	    (qp->req.index == rxe_queue_peer_index(&qp->sq) ||
	     rxe_qp_swqe(qp, qp->req.index)->state == RXE_WQE_NEW)) {
		WRITE_ONCE(qp->sqd_notify, false);
		rxe_qp_event(qp, IB_EVENT_SQ_DRAINED);
	}
}

static bool rxe_qp_engine(struct rxe_qp *qp, int *budget)
{
	struct sk_buff *skb;

	if (READ_ONCE(qp->state) == IB_QPS_RESET) {
		skb_queue_purge(&qp->rx_queue);
		return false;
	}
	for (;;) {
		/* a READ's responses go before any packet that follows it */
		if (qp->resp.reply && READ_ONCE(qp->state) != IB_QPS_ERR) {
			rxe_resp_reply_more(qp, budget);
			if (qp->resp.reply)
				break;
		}
		if (*budget <= 0 || !(skb = skb_dequeue(&qp->rx_queue)))
			break;
		(*budget)--;
		if (READ_ONCE(qp->state) == IB_QPS_ERR)
			kfree_skb(skb);
		else if (rxe_pkt(skb)->mask & RXE_M_RESP)
			rxe_comp_rcv(qp, skb);
		else
			rxe_resp_rcv(qp, skb);
	}
	if (READ_ONCE(qp->state) != IB_QPS_ERR) {
		rxe_comp_timers(qp);
		rxe_req_run(qp, budget);
	}
	rxe_comp_report(qp);
	rxe_qp_check_drained(qp);
	rxe_resp_xrc_release(qp);	/* an XRC SRQ is held for one run at most */

	if (READ_ONCE(qp->state) == IB_QPS_ERR) {
		skb_queue_purge(&qp->rx_queue);
		cancel_delayed_work(&qp->retry_work);
		hrtimer_try_to_cancel(&qp->rnr_timer);
		cancel_work(&qp->rnr_work);
		rxe_qp_flush_sq(qp);
		rxe_resp_error(qp);
		rxe_qp_flush_rq(qp);
		return false;
	}
	return *budget <= 0 || !skb_queue_empty(&qp->rx_queue) || qp->resp.reply;
}

/* The work item: runs the engine for a kicker that could not. */
static void rxe_qp_run(struct work_struct *work)
{
	rxe_qp_drive(container_of(work, struct rxe_qp, work), 0);
}

static void rxe_qp_retry_timer(struct work_struct *work)
{
	struct rxe_qp *qp = container_of(to_delayed_work(work), struct rxe_qp, retry_work);

	atomic_set(&qp->timed_out, 1);
	rxe_qp_kick_here(qp, 0);
}

static void rxe_qp_rnr_timer(struct work_struct *work)
{
	struct rxe_qp *qp = container_of(work, struct rxe_qp, rnr_work);

	atomic_set(&qp->rnr_done, 1);
	rxe_qp_kick_here(qp, 0);
}

/* Hard interrupt context: hand over to @rnr_work. */
static enum hrtimer_restart rxe_qp_rnr_fire(struct hrtimer *t)
{
	struct rxe_qp *qp = container_of(t, struct rxe_qp, rnr_timer);

	queue_work(rxe_wq, &qp->rnr_work);
	return HRTIMER_NORESTART;
}

/**
 * rxe_qp_rnr_arm() - end the requester's wait (rnr_wait) in @usecs: the
 * delay of an RNR NAK, or a pause.
 * @qp: the QP (engine context).
 * @usecs: the delay.
 */
void rxe_qp_rnr_arm(struct rxe_qp *qp, u32 usecs)
{
	hrtimer_start(&qp->rnr_timer, ns_to_ktime((u64)usecs * NSEC_PER_USEC), HRTIMER_MODE_REL);
}

/*
 * Stop the engine of a QP already in RESET (no kick starts a run then):
 * nothing runs or is pending when this returns.
 *
 * Order matters: a run that began before RESET may still arm the timers,
 * so they are cancelled only once it has ended. A timer that fires
 * meanwhile kicks, and in RESET the kick starts nothing.
 */
static void rxe_qp_stop_engine(struct rxe_qp *qp)
{
	smp_mb();	/* RESET stored before eng read; pairs with rxe_qp_claim() */
	/* a run in progress, or handed to the work item, ends idle */
	wait_var_event(&qp->eng, atomic_read_acquire(&qp->eng) == RXE_ENG_IDLE);
	cancel_delayed_work_sync(&qp->retry_work);
	hrtimer_cancel(&qp->rnr_timer);
	cancel_work_sync(&qp->rnr_work);
	cancel_work_sync(&qp->work);
	skb_queue_purge(&qp->rx_queue);
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

/* Called with the engine stopped. */
static void rxe_qp_enter_reset(struct rxe_qp *qp)
{
	u32 i;

	/* Posted work is discarded without completions (IBA 10.3.1). */
	qp->sq.kindex = rxe_queue_peer_index(&qp->sq);
	smp_store_release(&qp->sq.buf->consumer_index, qp->sq.kindex);
	if (qp->has_rq) {
		qp->rq.kindex = rxe_queue_peer_index(&qp->rq);
		smp_store_release(&qp->rq.buf->consumer_index, qp->rq.kindex);
	}
	for (i = 0; i <= qp->sq.index_mask; i++)
		qp->swqe[i].state = RXE_WQE_NEW;
	memset(&qp->req, 0, sizeof(qp->req));
	memset(&qp->comp, 0, sizeof(qp->comp));
	qp->req.index = qp->sq.kindex;
	atomic_set(&qp->timed_out, 0);
	atomic_set(&qp->rnr_done, 0);
	rxe_resp_reset(qp);
	memset(&qp->attr, 0, sizeof(qp->attr));
}

/* The path becomes an address vector while the core's GID entry is held. */
static int rxe_qp_enter_rtr(struct rxe_qp *qp, struct ib_qp_attr *attr, int mask)
{
	int err;

	if (mask & IB_QP_AV) {
		err = rxe_av_from_attr(&qp->av, &attr->ah_attr, attr->ah_attr.grh.sgid_attr);
		if (err)
			return err;
	}
	if (qp->ibqp.qp_type == IB_QPT_RC || qp->ibqp.qp_type == IB_QPT_XRC_TGT)
		return rxe_resp_init(qp, (mask & IB_QP_MAX_DEST_RD_ATOMIC) ?
				     attr->max_dest_rd_atomic : qp->attr.max_dest_rd_atomic);
	return 0;
}

/* Called before the attributes are stored: fails without side effects. */
static int rxe_qp_prepare(struct rxe_qp *qp, struct ib_qp_attr *attr, int mask,
			  enum ib_qp_state cur, enum ib_qp_state next)
{
	if (next == IB_QPS_RTR && cur == IB_QPS_INIT)
		return rxe_qp_enter_rtr(qp, attr, mask);
	if ((mask & IB_QP_AV) && next != IB_QPS_RESET)
		return rxe_av_from_attr(&qp->av, &attr->ah_attr, attr->ah_attr.grh.sgid_attr);
	return 0;
}

/* Actions of entering @next; the stored attributes are already updated. */
static void rxe_qp_enter(struct rxe_qp *qp, enum ib_qp_state cur, enum ib_qp_state next)
{
	switch (next) {
	case IB_QPS_RESET:
		rxe_qp_stop_engine(qp);
		rxe_qp_enter_reset(qp);
		break;
	case IB_QPS_ERR:
		/* The engine flushes both rings; wait for it. */
		rxe_qp_kick_sync(qp);
		break;
	case IB_QPS_RTR:
		if (cur == IB_QPS_INIT)
			qp->resp.psn = qp->attr.rq_psn;
		break;
	case IB_QPS_RTS:
		if (cur == IB_QPS_RTR) {
			qp->req.psn = qp->attr.sq_psn;
			qp->comp.psn = qp->attr.sq_psn;
			qp->comp.retry = qp->attr.retry_cnt;
			qp->comp.rnr_retry = qp->attr.rnr_retry;
		}
		rxe_qp_kick(qp);	/* SQD -> RTS: resume */
		break;
	case IB_QPS_SQD:	/* the requester starts no new WQE */
		rxe_qp_kick(qp);	/* an empty send queue is drained now */
		break;
	case IB_QPS_INIT:	/* port, P_Key, access: stored */
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

	err = rxe_qp_prepare(qp, attr, mask, cur, next);
	if (err)
		goto out;

	rxe_qp_store_attr(qp, attr, mask);
	if (next == IB_QPS_SQD && cur != IB_QPS_SQD)
		WRITE_ONCE(qp->sqd_notify, (mask & IB_QP_EN_SQD_ASYNC_NOTIFY) &&
			   attr->en_sqd_async_notify);
	if (mask & IB_QP_STATE) {
		rxe_qp_set_state(qp, next);
		rxe_qp_enter(qp, cur, next);
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
 * rxe_qp_destroy() - destroy_qp verb. Waits for the references of lookups
 * in flight.
 * @ibqp: the QP.
 * @udata: unused.
 *
 * Return: 0.
 */
int rxe_qp_destroy(struct ib_qp *ibqp, struct ib_udata *udata)
{
	struct rxe_qp *qp = to_rqp(ibqp);

	xa_erase(&to_rdev(ibqp->device)->qp_xa, ibqp->qp_num);
	rxe_handle_drain(qp->h);	/* no packet can be queued any more */
	rxe_qp_set_state(qp, IB_QPS_RESET);	/* timers kick no more */
	rxe_qp_stop_engine(qp);
	rxe_resp_reset(qp);
	kfree(qp->resp.res);
	kfree(qp->resp.srq_wqe);
	kvfree(qp->swqe);
	rxe_qp_free_queues(qp);
	return 0;
}

/* Fill the opcode-specific part of a kernel send WQE. */
static int rxe_qp_fill_wr(struct rxe_qp *qp, struct rxe_send_wqe *wqe,
			  const struct ib_send_wr *wr)
{
	struct rxe_send_wr *w = &wqe->wr;

	switch (wr->opcode) {
	case IB_WR_RDMA_WRITE:
	case IB_WR_RDMA_WRITE_WITH_IMM:
	case IB_WR_RDMA_READ:
		w->wr.rdma.remote_addr = rdma_wr(wr)->remote_addr;
		w->wr.rdma.rkey = rdma_wr(wr)->rkey;
		break;
	case IB_WR_ATOMIC_CMP_AND_SWP:
	case IB_WR_ATOMIC_FETCH_AND_ADD:
		w->wr.atomic.remote_addr = atomic_wr(wr)->remote_addr;
		w->wr.atomic.compare_add = atomic_wr(wr)->compare_add;
		w->wr.atomic.swap = atomic_wr(wr)->swap;
		w->wr.atomic.rkey = atomic_wr(wr)->rkey;
		break;
	case IB_WR_SEND:
	case IB_WR_SEND_WITH_IMM:
	case IB_WR_SEND_WITH_INV:
		if (qp->ibqp.qp_type == IB_QPT_UD || qp->ibqp.qp_type == IB_QPT_GSI) {
			const struct ib_ud_wr *ud = ud_wr(wr);

			w->wr.ud.remote_qpn = ud->remote_qpn;
			w->wr.ud.remote_qkey = ud->remote_qkey;
			w->wr.ud.pkey_index = ud->pkey_index;
			w->wr.ud.av = container_of(ud->ah, struct rxe_ah, ibah)->av;
		}
		break;
	case IB_WR_REG_MR:
		/* kernel-only use of the memory-window slot fields */
		w->wr.mw.addr = (uintptr_t)reg_wr(wr)->mr;
		w->wr.mw.rkey = reg_wr(wr)->key;
		w->wr.mw.access = reg_wr(wr)->access;
		break;
	case IB_WR_LOCAL_INV:
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* Write one kernel send request into the ring. Caller holds sq_lock. */
static int rxe_qp_post_send_one(struct rxe_qp *qp, const struct ib_send_wr *wr)
{
	struct rxe_queue *q = &qp->sq;
	u32 prod = READ_ONCE(q->buf->producer_index) & q->index_mask;
	struct rxe_send_wqe *wqe;
	u32 length = 0;
	int i, err;

	if (wr->num_sge > qp->cap.max_send_sge)
		return -EINVAL;
	if (((prod + 1) & q->index_mask) == (READ_ONCE(q->kindex) & q->index_mask))
		return -ENOMEM;

	wqe = rxe_queue_addr(q, prod);
	memset(wqe, 0, sizeof(*wqe));
	wqe->wr.wr_id = wr->wr_id;
	wqe->wr.opcode = wr->opcode;
	wqe->wr.send_flags = wr->send_flags;
	if (wr->opcode == IB_WR_SEND_WITH_INV || wr->opcode == IB_WR_LOCAL_INV)
		wqe->wr.ex.invalidate_rkey = wr->ex.invalidate_rkey;
	else
		wqe->wr.ex.imm_data = wr->ex.imm_data;
	err = rxe_qp_fill_wr(qp, wqe, wr);
	if (err)
		return err;

	for (i = 0; i < wr->num_sge; i++)
		length += wr->sg_list[i].length;
	if (wr->send_flags & IB_SEND_INLINE) {
		u8 *p = wqe->dma.inline_data;

		if (length > qp->cap.max_inline_data)
			return -EINVAL;
		for (i = 0; i < wr->num_sge; i++) {
			memcpy(p, (void *)(uintptr_t)wr->sg_list[i].addr, wr->sg_list[i].length);
			p += wr->sg_list[i].length;
		}
	} else {
		for (i = 0; i < wr->num_sge; i++) {
			wqe->dma.sge[i].addr = wr->sg_list[i].addr;
			wqe->dma.sge[i].length = wr->sg_list[i].length;
			wqe->dma.sge[i].lkey = wr->sg_list[i].lkey;
		}
		wqe->dma.num_sge = wr->num_sge;
	}
	wqe->dma.length = length;
	wqe->dma.resid = length;
	smp_store_release(&q->buf->producer_index, (prod + 1) & q->index_mask);
	return 0;
}

/**
 * rxe_qp_post_send() - post_send verb. For a user QP this is the doorbell
 * (the WQEs are already in the ring); kernel QPs pass their requests.
 * @ibqp: the QP.
 * @wr: the work requests (NULL for a user doorbell).
 * @bad_wr: set to the first request not posted.
 *
 * Return: 0; -EINVAL (RESET or INIT state, bad opcode or SGE count),
 * -ENOMEM (ring full).
 */
int rxe_qp_post_send(struct ib_qp *ibqp, const struct ib_send_wr *wr,
		     const struct ib_send_wr **bad_wr)
{
	struct rxe_qp *qp = to_rqp(ibqp);
	enum ib_qp_state state = READ_ONCE(qp->state);
	unsigned long flags;
	int err = 0;

	/* IBA 10.8.2: no send work may be posted before RTS; an XRC target sends none */
	if (state == IB_QPS_RESET || state == IB_QPS_INIT || state == IB_QPS_RTR ||
	    ibqp->qp_type == IB_QPT_XRC_TGT) {
		*bad_wr = wr;
		return -EINVAL;
	}
	if (qp->is_user) {
		/* Requests posted in the error state complete flushed at once. */
		if (state == IB_QPS_ERR)
			rxe_qp_kick_sync(qp);
		else
			rxe_qp_kick_here(qp, 0);	/* the caller's syscall */
		return 0;
	}
	spin_lock_irqsave(&qp->sq_lock, flags);
	for (; wr; wr = wr->next) {
		err = rxe_qp_post_send_one(qp, wr);
		if (err) {
			*bad_wr = wr;
			break;
		}
	}
	spin_unlock_irqrestore(&qp->sq_lock, flags);
	rxe_qp_kick(qp);
	return err;
}

/* Write one kernel receive request into the ring. Caller holds rq_lock. */
/**
 * rxe_recv_ring_post() - write one kernel receive request into a receive
 * ring (a QP's RQ or an SRQ) and publish it. The caller holds the ring's
 * producer lock.
 * @q: the ring.
 * @max_sge: the SGEs its slots hold.
 * @wr: the request.
 *
 * Return: 0, -EINVAL (too many SGEs) or -ENOMEM (ring full).
 */
int rxe_recv_ring_post(struct rxe_queue *q, u32 max_sge, const struct ib_recv_wr *wr)
{
	struct rxe_recv_wqe *wqe;
	u32 prod = READ_ONCE(q->buf->producer_index) & q->index_mask;
	u64 length = 0;
	int i;

	if (wr->num_sge > max_sge)
		return -EINVAL;
	if (((prod + 1) & q->index_mask) == READ_ONCE(q->kindex))
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
		err = rxe_recv_ring_post(&qp->rq, qp->cap.max_recv_sge, wr);
		if (err) {
			*bad_wr = wr;
			break;
		}
	}
	spin_unlock_irqrestore(&qp->rq_lock, flags);

	/* In ERR the engine flushes it; an RNR-waiting peer retries anyway. */
	if (READ_ONCE(qp->state) == IB_QPS_ERR)
		rxe_qp_kick(qp);
	return err;
}
