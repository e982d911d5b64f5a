// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_req.c - the requester: send WQEs become packets.
 *
 * A WQE goes NEW -> SENDING -> SENT (-> DONE, by the completer; at once
 * for UD and UC, which are not acknowledged). When first seen it is
 * copied out of the ring and checked (rxe_req_fetch()); it gets its PSN
 * range then, which a retransmission reuses. Each run sends packets in
 * ring order while the PSN window (RXE_WINDOW_PSNS past the oldest
 * unacknowledged PSN), the RDMA READ/atomic limit (max_rd_atomic) and
 * fences allow. A retransmission (rxe_req_rewind()) moves the cursor
 * back to a PSN; the WQEs from there on are sent again, go-back-N.
 */
#include "rxe.h"

static struct rxe_send_wqe *rxe_req_ring(struct rxe_qp *qp, u32 index)
{
	return rxe_queue_addr(&qp->sq, index);
}

/*
 * The operation class of a work request on this QP type; 0 if invalid.
 * An XRC initiator has RC's operations (its opcode table lacks FLUSH and
 * ATOMIC WRITE).
 */
static u32 rxe_req_op_mask(enum ib_qp_type type, u32 opcode)
{
	bool xrc = type == IB_QPT_XRC_INI;

	if (xrc && (opcode == RXE_WR_ATOMIC_WRITE || opcode == RXE_WR_FLUSH))
		return 0;
	if (xrc)
		type = IB_QPT_RC;
	switch (opcode) {
	case IB_WR_SEND:
		return RXE_M_SEND;
	case IB_WR_SEND_WITH_IMM:
		return RXE_M_SEND | RXE_M_IMMDT;
	case IB_WR_SEND_WITH_INV:
		return type == IB_QPT_RC ? RXE_M_SEND | RXE_M_IETH : 0;
	case IB_WR_RDMA_WRITE:
		return type == IB_QPT_UD || type == IB_QPT_GSI ? 0 : RXE_M_WRITE;
	case IB_WR_RDMA_WRITE_WITH_IMM:
		return type == IB_QPT_UD || type == IB_QPT_GSI ? 0 : RXE_M_WRITE | RXE_M_IMMDT;
	case IB_WR_RDMA_READ:
		return type == IB_QPT_RC ? RXE_M_READ : 0;
	case IB_WR_ATOMIC_CMP_AND_SWP:
	case IB_WR_ATOMIC_FETCH_AND_ADD:
		return type == IB_QPT_RC ? RXE_M_ATOMIC : 0;
	case RXE_WR_ATOMIC_WRITE:
		return type == IB_QPT_RC ? RXE_M_ATOMIC_WRITE : 0;
	case RXE_WR_FLUSH:
		return type == IB_QPT_RC ? RXE_M_FLUSH : 0;
	case IB_WR_REG_MR:
	case IB_WR_LOCAL_INV:
		return RXE_M_LOCAL;
	case IB_WR_BIND_MW:
		return type == IB_QPT_RC || type == IB_QPT_UC ? RXE_M_LOCAL : 0;
	default:
		return 0;
	}
}

/* Responses the responder sends for @w: the PSNs it occupies. */
static u32 rxe_req_npsn(struct rxe_qp *qp, const struct rxe_swqe *w)
{
	u32 mtu = rxe_qp_mtu(qp);

	if (w->mask & (RXE_M_ATOMIC | RXE_M_ATOMIC_WRITE | RXE_M_FLUSH))
		return 1;
	return max_t(u32, 1, DIV_ROUND_UP(w->length, mtu));
}

static enum ib_wc_status rxe_req_check(struct rxe_qp *qp, u32 index, struct rxe_swqe *w)
{
	const struct rxe_send_wqe *rw = rxe_req_ring(qp, index);
	u64 length = 0;
	u32 i;

	w->mask = rxe_req_op_mask(qp->ibqp.qp_type, w->wr.opcode);
	if (!w->mask)
		return IB_WC_LOC_QP_OP_ERR;

	w->inline_data = w->wr.send_flags & IB_SEND_INLINE;
	if (w->mask & RXE_M_LOCAL) {
		/* REG_MR carries a kernel pointer: never from a user ring */
		if (qp->is_user && w->wr.opcode == IB_WR_REG_MR)
			return IB_WC_LOC_QP_OP_ERR;
		w->inline_data = false;
		w->length = 0;
		return IB_WC_SUCCESS;
	}
	if (w->mask & RXE_M_FLUSH) {
		w->length = READ_ONCE(rw->dma.length);
		return IB_WC_SUCCESS;
	}
	if (w->mask & RXE_M_ATOMIC_WRITE) {
		/* the value travels in the slot, where inline data would */
		w->inline_data = true;
		w->length = 8;
		return IB_WC_SUCCESS;
	}
	if (w->inline_data) {
		length = READ_ONCE(rw->dma.length);
		if (length > qp->cap.max_inline_data)
			return IB_WC_LOC_LEN_ERR;
	} else {
		w->num_sge = READ_ONCE(rw->dma.num_sge);
		if (w->num_sge > qp->cap.max_send_sge)
			return IB_WC_LOC_LEN_ERR;
		for (i = 0; i < w->num_sge; i++)
			length += READ_ONCE(rw->dma.sge[i].length);
	}
	if (length > RXE_MAX_MSG_SIZE)
		return IB_WC_LOC_LEN_ERR;
	w->length = length;
	if ((w->mask & RXE_M_ATOMIC) && length != 8)
		return IB_WC_LOC_LEN_ERR;
	if ((qp->ibqp.qp_type == IB_QPT_UD || qp->ibqp.qp_type == IB_QPT_GSI) &&
	    length > rxe_qp_mtu(qp))
		return IB_WC_LOC_LEN_ERR;
	return IB_WC_SUCCESS;
}

/* Copy a new WQE out of the ring, check it and give it its PSNs. */
static enum ib_wc_status rxe_req_fetch(struct rxe_qp *qp, u32 index, struct rxe_swqe *w)
{
	struct rxe_send_wqe *rw = rxe_req_ring(qp, index);
	enum ib_wc_status status;

	memcpy(&w->wr, &rw->wr, sizeof(w->wr));
	w->num_sge = 0;
	w->sent = 0;
	w->done = 0;
	w->rd_atomic = false;
	w->status = IB_WC_SUCCESS;
	w->state = RXE_WQE_SENDING;

	status = rxe_req_check(qp, index, w);
	if (status != IB_WC_SUCCESS)
		return status;
	if (qp->ibqp.qp_type == IB_QPT_UD || qp->ibqp.qp_type == IB_QPT_GSI) {
		if (!qp->is_user)
			w->av = w->wr.wr.ud.av;
		else if (rxe_ah_read_av(qp_rdev(qp), w->wr.wr.ud.ah_num, &w->av))
			return IB_WC_LOC_QP_OP_ERR;
	}
	if (w->mask & RXE_M_LOCAL) {
		/* no packet, no PSN: an empty range before the next one */
		w->first_psn = qp->req.psn;
		w->last_psn = rxe_psn_add(qp->req.psn, -1);
		return IB_WC_SUCCESS;
	}
	w->first_psn = qp->req.psn;
	w->last_psn = rxe_psn_add(w->first_psn, rxe_req_npsn(qp, w) - 1);
	return IB_WC_SUCCESS;
}

/*
 * A local operation may run once the WQEs before it are done: LOCAL_INV
 * must not pull an MR from under a transfer still using it (IBA 10.6.5.1
 * local invalidate fencing); REG_MR is ordered the same, for simplicity.
 */
static bool rxe_req_local_ready(struct rxe_qp *qp)
{
	u32 i;

	for (i = qp->sq.kindex; i != qp->req.index; i = (i + 1) & qp->sq.index_mask)
		if (rxe_qp_swqe(qp, i)->state != RXE_WQE_DONE)
			return false;
	return true;
}

/*
 * Do a REG_MR, BIND_MW or LOCAL_INV; it completes (in ring order) like
 * the rest.
 */
static enum ib_wc_status rxe_req_local(struct rxe_qp *qp, struct rxe_swqe *w)
{
	u32 key = w->wr.ex.invalidate_rkey;

	if (w->wr.opcode == IB_WR_REG_MR)
		return rxe_mr_fast_reg(qp, (struct ib_mr *)(uintptr_t)w->wr.wr.mw.addr,
				       w->wr.wr.mw.rkey, w->wr.wr.mw.access);
	if (w->wr.opcode == IB_WR_BIND_MW)
		return rxe_mw_bind(qp, &w->wr);
	if (rxe_key_invalidate(qp, key, false)) {
		ibdev_dbg(&qp_rdev(qp)->ib_dev, "LOCAL_INV: no MR or MW to invalidate with key %#x\n",
			  key);
		return IB_WC_LOC_QP_OP_ERR;
	}
	return IB_WC_SUCCESS;
}

/* The opcode of the packet that carries bytes [@w->sent, ...). */
static u8 rxe_req_opcode(struct rxe_qp *qp, const struct rxe_swqe *w, u32 mtu)
{
	bool first = w->sent == 0;
	bool last = w->length - w->sent <= mtu;
	bool imm = w->mask & RXE_M_IMMDT;
	enum ib_qp_type type = qp->ibqp.qp_type;
	u8 transport = type == IB_QPT_UC ? RXE_OP_UC : type == IB_QPT_RC ? RXE_OP_RC :
		       type == IB_QPT_XRC_INI ? RXE_OP_XRC : RXE_OP_UD;
	u8 op;

	if (w->mask & RXE_M_SEND) {
		if (first && last)
			op = imm ? RXE_SEND_ONLY_IMM :
			     (w->mask & RXE_M_IETH) ? RXE_SEND_ONLY_INV : RXE_SEND_ONLY;
		else if (first)
			op = RXE_SEND_FIRST;
		else if (last)
			op = imm ? RXE_SEND_LAST_IMM :
			     (w->mask & RXE_M_IETH) ? RXE_SEND_LAST_INV : RXE_SEND_LAST;
		else
			op = RXE_SEND_MIDDLE;
	} else if (w->mask & RXE_M_WRITE) {
		if (first && last)
			op = imm ? RXE_WRITE_ONLY_IMM : RXE_WRITE_ONLY;
		else if (first)
			op = RXE_WRITE_FIRST;
		else if (last)
			op = imm ? RXE_WRITE_LAST_IMM : RXE_WRITE_LAST;
		else
			op = RXE_WRITE_MIDDLE;
	} else if (w->mask & RXE_M_READ) {
		op = RXE_READ_REQUEST;
	} else if (w->mask & RXE_M_ATOMIC) {
		op = w->wr.opcode == IB_WR_ATOMIC_CMP_AND_SWP ? RXE_CMP_SWAP : RXE_FETCH_ADD;
	} else if (w->mask & RXE_M_ATOMIC_WRITE) {
		op = RXE_ATOMIC_WRITE;
	} else {
		op = RXE_FLUSH;
	}
	return transport | op;
}

/* Fill the extension headers of a request packet. */
static void rxe_req_fill_ext(struct rxe_qp *qp, struct rxe_swqe *w, struct rxe_pkt *pkt)
{
	const struct rxe_send_wr *wr = &w->wr;

	/* the remote SRQ: what the provider wrote in the WR's reserved word */
	if (pkt->mask & RXE_M_XRCETH)
		((struct rxe_xrceth *)rxe_ext(pkt, RXE_HDR_XRCETH))->srqn =
			cpu_to_be32(wr->reserved & RXE_QPN_MASK);
	if (pkt->mask & RXE_M_RETH) {
		struct rxe_reth *reth = rxe_ext(pkt, RXE_HDR_RETH);

		if (pkt->mask & RXE_M_FLUSH) {
			const struct rxe_wr_flush *f = (const void *)&wr->wr;

			reth->va = cpu_to_be64(f->remote_addr);
			reth->rkey = cpu_to_be32(f->rkey);
			reth->len = cpu_to_be32(w->length);
		} else {
			/* a READ restarts where its response data stopped */
			u32 off = (pkt->mask & RXE_M_READ) ? w->done : w->sent;

			reth->va = cpu_to_be64(wr->wr.rdma.remote_addr + off);
			reth->rkey = cpu_to_be32(wr->wr.rdma.rkey);
			reth->len = cpu_to_be32(w->length - off);
		}
	}
	if (pkt->mask & RXE_M_FETH) {
		const struct rxe_wr_flush *f = (const void *)&wr->wr;
		struct rxe_feth *feth = rxe_ext(pkt, RXE_HDR_FETH);

		feth->bits = cpu_to_be32((f->level << RXE_FETH_SEL_SHIFT & RXE_FETH_SEL_MASK) |
					 (f->type & RXE_FETH_PLT_MASK));
	}
	if (pkt->mask & RXE_M_ATMETH) {
		struct rxe_atmeth *a = rxe_ext(pkt, RXE_HDR_ATMETH);

		a->va = cpu_to_be64(wr->wr.atomic.remote_addr);
		a->rkey = cpu_to_be32(wr->wr.atomic.rkey);
		a->swap_add = cpu_to_be64(wr->opcode == IB_WR_ATOMIC_CMP_AND_SWP ?
					  wr->wr.atomic.swap : wr->wr.atomic.compare_add);
		a->compare = cpu_to_be64(wr->wr.atomic.compare_add);
	}
	if (pkt->mask & RXE_M_IMMDT)
		*(__be32 *)rxe_ext(pkt, RXE_HDR_IMMDT) = wr->ex.imm_data;
	if (pkt->mask & RXE_M_IETH)
		*(__be32 *)rxe_ext(pkt, RXE_HDR_IETH) = cpu_to_be32(wr->ex.invalidate_rkey);
	if (pkt->mask & RXE_M_DETH) {
		struct rxe_deth *deth = rxe_ext(pkt, RXE_HDR_DETH);
		u32 qkey = wr->wr.ud.remote_qkey;

		/* a Q_Key with the high bit set means "use the QP's own" */
		if (qkey & 0x80000000)
			qkey = qp->attr.qkey;
		deth->qkey = cpu_to_be32(qkey);
		deth->sqp = cpu_to_be32(qp->ibqp.qp_num & RXE_QPN_MASK);
	}
}

/*
 * Build and send the next packet of @w. Return: 0 (sent, or lost for
 * want of memory: the retry timer resends), -EAGAIN when an ODP page of
 * the payload cannot be faulted in now (send it again later), -EACCES
 * for a local protection error.
 */
static int rxe_req_send_packet(struct rxe_qp *qp, u32 index, struct rxe_swqe *w, u32 mtu)
{
	struct rxe_dev *rxe = qp_rdev(qp);
	const struct rxe_av *av = qp->ibqp.qp_type == IB_QPT_UD ||
				  qp->ibqp.qp_type == IB_QPT_GSI ? &w->av : &qp->av;
	u8 opcode = rxe_req_opcode(qp, w, mtu);
	u32 mask = rxe_opinfo[opcode].mask;
	u32 paylen = 0, psn, dqpn;
	struct sk_buff *skb;
	struct rxe_pkt *pkt;
	bool ackreq;
	int err;

	if (mask & RXE_M_PAYLOAD && !(mask & RXE_M_ATOMIC_WRITE))
		paylen = min(mtu, w->length - w->sent);
	else if (mask & RXE_M_ATOMIC_WRITE)
		paylen = 8;
	psn = (mask & RXE_M_READ) ? rxe_psn_add(w->first_psn, w->done / mtu) :
	      rxe_psn_add(w->first_psn, w->sent / mtu);

	skb = rxe_net_alloc(rxe, av, opcode, paylen);
	if (!skb)
		return 0;	/* no memory now: the retry timer resends */
	pkt = rxe_pkt(skb);
	pkt->psn = psn;

	dqpn = rxe_qp_reliable(qp) || qp->ibqp.qp_type == IB_QPT_UC ?
	       qp->attr.dest_qp_num : w->wr.wr.ud.remote_qpn;
	ackreq = rxe_qp_reliable(qp) &&
		 ((mask & RXE_M_END) || ++qp->req.noack >= RXE_PKTS_PER_ACKREQ);
	if (ackreq)
		qp->req.noack = 0;
	if ((w->wr.send_flags & IB_SEND_SOLICITED) && (mask & RXE_M_END) &&
	    (mask & (RXE_M_SEND | RXE_M_IMMDT)))
		rxe_bth(pkt)->flags |= RXE_BTH_SE;
	rxe_bth(pkt)->qpn = cpu_to_be32(dqpn & RXE_QPN_MASK);
	rxe_bth(pkt)->apsn = cpu_to_be32(psn | (ackreq ? RXE_BTH_ACKREQ : 0));
	rxe_req_fill_ext(qp, w, pkt);

	if (paylen) {
		void *payload = rxe_payload(pkt);

		if (w->inline_data) {
			memcpy(payload, rxe_req_ring(qp, index)->dma.inline_data + w->sent,
			       paylen);
		} else {
			err = rxe_sge_copy(qp, rxe_swqe_sges(qp, w), w->num_sge, w->sent,
					   payload, paylen, RXE_FROM_MEM);
			if (err) {
				kfree_skb(skb);
				return err == -EAGAIN ? -EAGAIN : -EACCES;
			}
		}
	}
	rxe_qp_send(qp, av, skb);
	return 0;
}

/*
 * Stop sending for a moment, as after an RNR NAK: the RNR timer kicks the
 * engine again (an ODP page of the next payload could not be faulted in
 * because invalidations kept racing with the fault).
 */
static void rxe_req_pause(struct rxe_qp *qp)
{
	qp->req.rnr_wait = true;
	rxe_qp_rnr_arm(qp, RXE_REQ_BUSY_PAUSE_US);
}

/* Advance @w past the packet just sent. */
static void rxe_req_advance(struct rxe_qp *qp, struct rxe_swqe *w, u32 mtu)
{
	if (w->mask & RXE_M_READ) {
		w->sent = w->length;
		qp->req.psn = rxe_psn_add(w->last_psn, 1);
	} else {
		w->sent += min(mtu, w->length - w->sent);
		qp->req.psn = rxe_psn_add(qp->req.psn, 1);
	}
	if (rxe_psn_cmp(qp->req.psn, w->last_psn) <= 0)
		return;

	qp->req.index = (qp->req.index + 1) & qp->sq.index_mask;
	if (rxe_qp_reliable(qp)) {
		w->state = RXE_WQE_SENT;
	} else {
		w->state = RXE_WQE_DONE;	/* unacknowledged transports */
		w->status = IB_WC_SUCCESS;
	}
}

/* A WQE that failed locally: it completes in error, the QP goes to ERR. */
static void rxe_req_fail(struct rxe_qp *qp, struct rxe_swqe *w, enum ib_wc_status status)
{
	w->state = RXE_WQE_DONE;
	w->status = status;
	qp->req.index = (qp->req.index + 1) & qp->sq.index_mask;
	rxe_qp_error(qp);
}

/* May @w start now? READ/atomic slots and fences. */
static bool rxe_req_may_start(struct rxe_qp *qp, struct rxe_swqe *w)
{
	bool rd_atomic = w->mask & (RXE_M_READ | RXE_M_ATOMIC | RXE_M_ATOMIC_WRITE |
				    RXE_M_FLUSH);

	if (w->rd_atomic || !rxe_qp_reliable(qp))
		return true;
	if ((w->wr.send_flags & IB_SEND_FENCE) && qp->req.rd_atomic)
		return false;
	if (!rd_atomic)
		return true;
	if (qp->req.rd_atomic >= max_t(u32, 1, qp->attr.max_rd_atomic))
		return false;
	w->rd_atomic = true;
	qp->req.rd_atomic++;
	return true;
}

/**
 * rxe_req_run() - send what may be sent now.
 * @qp: the QP (engine context).
 * @budget: packets this run may still send; decremented.
 */
void rxe_req_run(struct rxe_qp *qp, int *budget)
{
	u32 mtu = rxe_qp_mtu(qp);
	bool rc = rxe_qp_reliable(qp);
	enum ib_qp_state state = READ_ONCE(qp->state);

	if ((state != IB_QPS_RTS && state != IB_QPS_SQD) || qp->req.rnr_wait)
		return;

	while (*budget > 0 && qp->req.index != rxe_queue_peer_index(&qp->sq)) {
		struct rxe_swqe *w = rxe_qp_swqe(qp, qp->req.index);
		enum ib_wc_status status;
		int err;

		/* SQD: WQEs already begun go on (retransmissions too), no new one */
		if (state == IB_QPS_SQD && w->state == RXE_WQE_NEW)
			break;

		if (w->state == RXE_WQE_NEW) {
			status = rxe_req_fetch(qp, qp->req.index, w);
			if (status != IB_WC_SUCCESS) {
				rxe_req_fail(qp, w, status);
				return;
			}
		}
		if (w->state == RXE_WQE_DONE) {
			/* a local operation done before a rewind */
			qp->req.index = (qp->req.index + 1) & qp->sq.index_mask;
			continue;
		}
		if (w->mask & RXE_M_LOCAL) {
			if (!rxe_req_local_ready(qp))
				break;
			status = rxe_req_local(qp, w);
			if (status != IB_WC_SUCCESS) {
				rxe_req_fail(qp, w, status);
				return;
			}
			w->state = RXE_WQE_DONE;
			w->status = IB_WC_SUCCESS;
			qp->req.index = (qp->req.index + 1) & qp->sq.index_mask;
			continue;
		}
		if (rc && rxe_psn_cmp(qp->req.psn,
				      rxe_psn_add(qp->comp.psn, RXE_WINDOW_PSNS)) >= 0)
			break;
		if (!rxe_req_may_start(qp, w))
			break;

		err = rxe_req_send_packet(qp, qp->req.index, w, mtu);
		if (err == -EAGAIN) {
			rxe_req_pause(qp);
			break;
		}
		if (err) {
			rxe_req_fail(qp, w, IB_WC_LOC_PROT_ERR);
			return;
		}
		rxe_req_advance(qp, w, mtu);
		(*budget)--;
	}
	if (rc && qp->req.index != qp->sq.kindex)
		rxe_comp_arm_retry(qp);
}

/* Move @w back to where it stood when @psn was sent. */
static void rxe_req_reset_wqe(struct rxe_swqe *w, u32 psn, u32 mtu)
{
	if (w->mask & RXE_M_READ)
		w->sent = w->done;
	else if (!(w->mask & (RXE_M_SEND | RXE_M_WRITE)))
		w->sent = 0;
	else if (rxe_psn_cmp(psn, w->first_psn) > 0 && rxe_psn_cmp(psn, w->last_psn) <= 0)
		w->sent = ((psn - w->first_psn) & RXE_PSN_MASK) * mtu;
	else
		w->sent = 0;
	w->state = RXE_WQE_SENDING;
}

/**
 * rxe_req_rewind() - go back to resend from @psn (go-back-N).
 * @qp: the QP (engine context).
 * @psn: the oldest PSN the responder has not acknowledged.
 *
 * Every WQE not finished, from the oldest on, is sent again from the
 * PSN it had reached at @psn; an RDMA READ asks again for the data not
 * received yet.
 */
void rxe_req_rewind(struct rxe_qp *qp, u32 psn)
{
	u32 mtu = rxe_qp_mtu(qp);
	u32 i = qp->sq.kindex, restart = 0;
	bool found = false;
	struct rxe_swqe *w;

	for (;; i = (i + 1) & qp->sq.index_mask) {
		bool partial = i == qp->req.index;

		w = rxe_qp_swqe(qp, i);
		if (partial && w->state != RXE_WQE_SENDING)
			break;
		if (w->state == RXE_WQE_SENT || w->state == RXE_WQE_SENDING) {
			rxe_req_reset_wqe(w, psn, mtu);
			if (!found)
				restart = i;
			found = true;
		}
		if (partial)
			break;
	}
	if (!found)
		return;
	w = rxe_qp_swqe(qp, restart);
	qp->req.index = restart;
	qp->req.psn = rxe_psn_add(w->first_psn,
				  ((w->mask & RXE_M_READ) ? w->done : w->sent) / mtu);
	qp->req.noack = 0;
}
