// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_resp.c - the responder: requests from the peer are executed and
 * answered (IBA 9.7.4, 9.7.5).
 *
 * An RC request is checked in this order; the first failure decides:
 *   PSN        ahead of the expected one: one PSN sequence error NAK
 *              until the expected packet comes; behind: a duplicate,
 *              answered again from the responder resources
 *   opcode     must continue the message in progress or start one
 *              (else NAK invalid request)
 *   resources  a SEND or WRITE with immediate needs a receive WQE
 *              (else RNR NAK); a READ or atomic needs max_dest_rd_atomic
 *   keys       rkey, PD, access and range of the target (else NAK
 *              remote access error)
 * then the data is placed or fetched, the PSN advances, and an ACK goes
 * out when the requester asked for one (or an atomic/READ response).
 * NAKs other than sequence errors and RNR move the QP to ERR.
 *
 * UC requests take the same checks without any answer; a failure drops
 * the message silently (rxe_resp_uc()). UD: rxe_resp_ud().
 *
 * An XRC target QP is an RC responder whose receive WQEs, PD and CQ come
 * from the XRC SRQ each request names in its XRCETH (rxe_resp_xrc_bind()):
 * an SRQ that does not exist or is not in the QP's XRC domain, or one
 * other than the message's own in a later packet, is an invalid request.
 */
#include <linux/ip.h>
#include <rdma/ib_mad.h>

#include "rxe.h"

#define RXE_GRH_SIZE	40

/* The operation a class of failure NAKs with. */
enum rxe_resp_err {
	RXE_RESP_OK = 0,
	RXE_RESP_RNR,		/* no receive WQE yet, or an ODP fault to retry */
	RXE_RESP_INVALID,	/* NAK invalid request */
	RXE_RESP_ACCESS,	/* NAK remote access error */
	RXE_RESP_OP,		/* NAK remote operational error */
};

/*
 * The answer to a target access that failed: a misaligned atomic is an
 * invalid request, an ODP fault that may work later (-EAGAIN) is retried
 * through an RNR NAK, anything else is a remote access error.
 */
static enum rxe_resp_err rxe_resp_access_err(int err)
{
	if (err == -EINVAL)
		return RXE_RESP_INVALID;
	return err == -EAGAIN ? RXE_RESP_RNR : RXE_RESP_ACCESS;
}

/* Opcode on the connected transport of @qp, from its low five bits. */
static u8 rxe_resp_op(const struct rxe_qp *qp, u8 op)
{
	return (qp->ibqp.qp_type == IB_QPT_XRC_TGT ? RXE_OP_XRC : RXE_OP_RC) | op;
}

/* The SRQ the QP's receive WQEs come from, or NULL (its own RQ). */
static struct ib_srq *rxe_resp_srq(const struct rxe_qp *qp)
{
	return qp->resp.xsrq ? &qp->resp.xsrq->ibsrq : qp->ibqp.srq;
}

static struct sk_buff *rxe_resp_alloc(struct rxe_qp *qp, u8 op, u32 paylen, u32 psn,
				      u8 syn)
{
	struct sk_buff *skb;
	struct rxe_pkt *pkt;

	skb = rxe_net_alloc(qp_rdev(qp), &qp->av, rxe_resp_op(qp, op), paylen);
	if (!skb)
		return NULL;
	pkt = rxe_pkt(skb);
	pkt->psn = psn;
	rxe_bth(pkt)->qpn = cpu_to_be32(qp->attr.dest_qp_num & RXE_QPN_MASK);
	rxe_bth(pkt)->apsn = cpu_to_be32(psn & RXE_PSN_MASK);
	if (pkt->mask & RXE_M_AETH) {
		struct rxe_aeth *aeth = rxe_ext(pkt, RXE_HDR_AETH);

		aeth->smsn = cpu_to_be32((u32)syn << 24 | (qp->resp.msn & RXE_PSN_MASK));
	}
	return skb;
}

/* An ACK, or a NAK with its syndrome, for @psn. */
static void rxe_resp_send_ack(struct rxe_qp *qp, u8 syn, u32 psn)
{
	struct sk_buff *skb = rxe_resp_alloc(qp, RXE_ACK, 0, psn, syn);

	if (skb)
		rxe_qp_send(qp, &qp->av, skb);
}

static void rxe_resp_send_res_ack(struct rxe_qp *qp, const struct rxe_res *res)
{
	struct sk_buff *skb;

	if ((res->opcode & 0x1f) == RXE_CMP_SWAP || (res->opcode & 0x1f) == RXE_FETCH_ADD) {
		skb = rxe_resp_alloc(qp, RXE_ATOMIC_ACK, 0, res->first_psn,
				     RXE_AETH_ACK_UNLIMITED);
		if (skb) {
			struct rxe_atmack *ack = rxe_ext(rxe_pkt(skb), RXE_HDR_ATMACK);

			ack->orig = cpu_to_be64(res->orig);
		}
	} else {
		/* ATOMIC WRITE and FLUSH are answered by an empty READ response */
		skb = rxe_resp_alloc(qp, RXE_READ_RESP_ONLY, 0, res->first_psn,
				     RXE_AETH_ACK_UNLIMITED);
	}
	if (skb)
		rxe_qp_send(qp, &qp->av, skb);
}

/**
 * rxe_resp_xrc_release() - drop the XRC SRQ reference a run of the engine
 * took (the message in progress keeps only its number).
 * @qp: an XRC target QP (engine context, or the engine stopped).
 */
void rxe_resp_xrc_release(struct rxe_qp *qp)
{
	if (qp->resp.xsrq) {
		rxe_srq_put(qp->resp.xsrq);
		qp->resp.xsrq = NULL;
	}
}

/* Find the XRC SRQ number @num of the QP's domain and hold it. */
static bool rxe_resp_xrc_get(struct rxe_qp *qp, u32 num)
{
	if (qp->resp.xsrq && qp->resp.xsrq->srq_num == num)
		return true;
	rxe_resp_xrc_release(qp);
	qp->resp.xsrq = rxe_srq_get_xrc(qp_rdev(qp), num, qp->ibqp.xrcd);
	return qp->resp.xsrq;
}

/* Look up the target of an rkey and check it; NULL if not allowed. */
static struct rxe_mr *rxe_resp_target(struct rxe_qp *qp, u32 rkey, int access,
				      u64 va, u64 len)
{
	struct rxe_mr *mr;

	if ((qp->attr.qp_access_flags & access) != access)
		return NULL;
	if (rxe_key_is_mw(rkey))
		return rxe_mw_target(qp, rkey, access, va, len);
	mr = rxe_mr_lookup(qp_rdev(qp), rkey);
	if (!mr)
		return NULL;
	if (mr->ibmr.rkey != rkey || rxe_mr_check(mr, rxe_qp_pd(qp), access, va, len)) {
		rxe_mr_put(mr);
		return NULL;
	}
	return mr;
}

/* Answer the READ of @res again, or for the first time, from @psn on. */
static void rxe_resp_start_reply(struct rxe_qp *qp, const struct rxe_res *res, u32 psn)
{
	qp->resp.reply = res;
	qp->resp.reply_psn = psn;
	qp->resp.reply_first = true;
}

static struct rxe_res *rxe_resp_new_res(struct rxe_qp *qp, struct rxe_pkt *pkt,
					enum rxe_res_type type)
{
	struct rxe_res *res = &qp->resp.res[qp->resp.res_next];

	qp->resp.res_next = (qp->resp.res_next + 1) % qp->resp.res_count;
	memset(res, 0, sizeof(*res));
	res->type = type;
	res->opcode = pkt->opcode;
	res->first_psn = pkt->psn;
	res->last_psn = pkt->psn;
	res->srq_num = qp->resp.xsrq_num;
	return res;
}

/*
 * The receive WQE in use is done: free its RQ slot (an SRQ's was freed
 * when it was taken) and post its completion.
 */
static void rxe_resp_post_cqe(struct rxe_qp *qp, const struct rxe_cqe *cqe, bool solicited)
{
	struct ib_cq *cq = qp->resp.xsrq ? qp->resp.xsrq->ibsrq.ext.cq : qp->ibqp.recv_cq;

	qp->resp.recv_active = false;
	if (qp->has_rq)
		rxe_queue_consume(&qp->rq);
	if (rxe_cq_post(to_rcq(cq), cqe, solicited))
		rxe_qp_cq_overrun(qp);
}

/* Complete the receive WQE in use and free it. */
static void rxe_resp_complete_recv(struct rxe_qp *qp, struct rxe_pkt *pkt,
				   enum ib_wc_status status, enum ib_wc_opcode opcode,
				   u32 byte_len)
{
	struct rxe_cqe cqe;
	bool imm = pkt && (pkt->mask & RXE_M_IMMDT);
	bool inv = pkt && (pkt->mask & RXE_M_IETH);

	rxe_qp_make_cqe(qp, &cqe, qp->resp.recv.wr_id, status, opcode, byte_len);
	if (qp->is_user) {
		cqe.uibwc.src_qp = qp->attr.dest_qp_num;
		if (imm && status == IB_WC_SUCCESS) {
			cqe.uibwc.wc_flags |= RXE_UWC_WITH_IMM;
			/* raw wire bytes: the field is __u32 or __be32 by kernel */
			memcpy(&cqe.uibwc.ex.imm_data, rxe_ext(pkt, RXE_HDR_IMMDT),
			       sizeof(cqe.uibwc.ex.imm_data));
		} else if (inv && status == IB_WC_SUCCESS) {
			cqe.uibwc.wc_flags |= RXE_UWC_WITH_INV;
			cqe.uibwc.ex.invalidate_rkey =
				be32_to_cpu(*(__be32 *)rxe_ext(pkt, RXE_HDR_IETH));
		}
	} else {
		cqe.ibwc.src_qp = qp->attr.dest_qp_num;
		if (imm && status == IB_WC_SUCCESS) {
			cqe.ibwc.wc_flags |= IB_WC_WITH_IMM;
			cqe.ibwc.ex.imm_data = *(__be32 *)rxe_ext(pkt, RXE_HDR_IMMDT);
		} else if (inv && status == IB_WC_SUCCESS) {
			cqe.ibwc.wc_flags |= IB_WC_WITH_INVALIDATE;
			cqe.ibwc.ex.invalidate_rkey =
				be32_to_cpu(*(__be32 *)rxe_ext(pkt, RXE_HDR_IETH));
		}
	}
	rxe_resp_post_cqe(qp, &cqe, pkt && rxe_bth_se(pkt));
}

/*
 * The receive WQE in use fails and takes the QP with it. The QP is in
 * ERR before the completion is visible: a consumer that polls the error
 * and then queries the QP must see ERR.
 */
static void rxe_resp_fail_recv(struct rxe_qp *qp, enum ib_wc_status status)
{
	rxe_qp_error(qp);
	rxe_resp_complete_recv(qp, NULL, status, IB_WC_RECV, 0);
}

/*
 * A request at @psn fails for good (@err is not RXE_RESP_RNR): NAK it and
 * take the QP to the error state (IBA 11.6.3.1).
 */
static void rxe_resp_error_nak(struct rxe_qp *qp, enum rxe_resp_err err, u32 psn)
{
	static const u8 syn[] = {
		[RXE_RESP_INVALID] = RXE_NAK_INVALID_REQ,
		[RXE_RESP_ACCESS] = RXE_NAK_REM_ACCESS,
		[RXE_RESP_OP] = RXE_NAK_REM_OP,
	};

	rxe_resp_send_ack(qp, syn[err], psn);
	rxe_qp_event(qp, err == RXE_RESP_INVALID ? IB_EVENT_QP_REQ_ERR :
			 err == RXE_RESP_ACCESS ? IB_EVENT_QP_ACCESS_ERR : IB_EVENT_QP_FATAL);
	/* the receive WQE of a message cut short completes in error */
	if (qp->resp.recv_active)
		rxe_resp_fail_recv(qp, IB_WC_REM_INV_REQ_ERR);
	else
		rxe_qp_error(qp);
}

/**
 * rxe_resp_reply_more() - send READ responses of qp->resp.reply, one per
 * unit of @budget, until the last is out (reply cleared) or the budget is
 * spent (the engine comes back for the rest).
 * @qp: the QP (engine context), with a reply pending.
 * @budget: packets this run may still handle; decremented.
 *
 * A response that cannot be built now (no memory, an ODP page busy) ends
 * the reply: the requester asks again from the PSN it misses.
 */
void rxe_resp_reply_more(struct rxe_qp *qp, int *budget)
{
	const struct rxe_res *res = qp->resp.reply;
	u32 psn = qp->resp.reply_psn, mtu = rxe_qp_mtu(qp);
	u32 offset = ((psn - res->first_psn) & RXE_PSN_MASK) * mtu;
	struct rxe_mr *mr = NULL;
	int err;

	if (res->length) {
		/* the key is checked in the named XRC SRQ's PD (none if it is gone) */
		if (res->srq_num)
			rxe_resp_xrc_get(qp, res->srq_num);
		mr = rxe_resp_target(qp, res->rkey, IB_ACCESS_REMOTE_READ,
				     res->va, res->length);
		if (!mr) {
			qp->resp.reply = NULL;
			rxe_resp_error_nak(qp, RXE_RESP_ACCESS, psn);
			return;
		}
	}
	while (*budget > 0) {
		u32 len = min(mtu, res->length - offset);
		bool first = qp->resp.reply_first, last = psn == res->last_psn;
		struct sk_buff *skb;
		u8 op;

		op = first && last ? RXE_READ_RESP_ONLY : first ? RXE_READ_RESP_FIRST :
		     last ? RXE_READ_RESP_LAST : RXE_READ_RESP_MIDDLE;
		skb = rxe_resp_alloc(qp, op, len, psn, RXE_AETH_ACK_UNLIMITED);
		if (!skb) {
			qp->resp.reply = NULL;
			break;
		}
		err = len ? rxe_mr_copy(mr, res->va + offset, rxe_payload(rxe_pkt(skb)), len,
					RXE_FROM_MEM) : 0;
		if (err) {
			kfree_skb(skb);
			qp->resp.reply = NULL;
			/* an ODP page that cannot be faulted in, or not now */
			if (err != -EAGAIN)
				rxe_resp_error_nak(qp, RXE_RESP_ACCESS, psn);
			break;
		}
		(*budget)--;
		qp->resp.reply_first = false;
		rxe_qp_send(qp, &qp->av, skb);
		if (last) {
			qp->resp.reply = NULL;
			break;
		}
		offset += len;
		psn = rxe_psn_add(psn, 1);
		cond_resched();
	}
	qp->resp.reply_psn = psn;
	if (mr)
		rxe_mr_put(mr);
}

/*
 * Take a receive WQE for a new message: the head of the RQ (consumed when
 * the message completes), or one from the SRQ (consumed now).
 */
static enum rxe_resp_err rxe_resp_take_recv(struct rxe_qp *qp)
{
	struct ib_srq *srq = rxe_resp_srq(qp);
	struct rxe_recv_wqe *rw;

	if (qp->resp.recv_active)
		return RXE_RESP_OK;
	if (srq) {
		rw = qp->resp.srq_wqe;
		if (!rxe_srq_take(to_rsrq(srq), rw))
			return RXE_RESP_RNR;
	} else {
		if (!qp->has_rq || !rxe_queue_count(&qp->rq))
			return RXE_RESP_RNR;
		rw = rxe_queue_consumer_addr(&qp->rq);
	}
	memcpy(&qp->resp.recv, rw, sizeof(qp->resp.recv));
	qp->resp.sges = rw->dma.sge;
	qp->resp.recv_active = true;
	qp->resp.recv_offset = 0;
	if (!srq && qp->resp.recv.dma.num_sge > qp->cap.max_recv_sge)
		qp->resp.recv.dma.num_sge = 0;	/* fails as too short */
	return RXE_RESP_OK;
}

static enum rxe_resp_err rxe_resp_send(struct rxe_qp *qp, struct rxe_pkt *pkt)
{
	enum rxe_resp_err err;
	int ret;

	err = rxe_resp_take_recv(qp);
	if (err)
		return err;
	ret = rxe_sge_copy(qp, qp->resp.sges, qp->resp.recv.dma.num_sge, qp->resp.recv_offset,
			   rxe_payload(pkt), pkt->paylen, RXE_TO_MEM);
	if (ret == -EAGAIN)
		return RXE_RESP_RNR;	/* the WQE stays taken, this packet comes again */
	if (ret) {
		rxe_resp_fail_recv(qp, ret == -ENOSPC ? IB_WC_LOC_LEN_ERR : IB_WC_LOC_PROT_ERR);
		return ret == -ENOSPC ? RXE_RESP_INVALID : RXE_RESP_OP;
	}
	qp->resp.recv_offset += pkt->paylen;
	if ((pkt->mask & (RXE_M_END | RXE_M_IETH)) == (RXE_M_END | RXE_M_IETH)) {
		u32 rkey = be32_to_cpu(*(__be32 *)rxe_ext(pkt, RXE_HDR_IETH));

		if (rxe_key_invalidate(qp, rkey, true)) {
			/* no MR or window of ours with that key: the receive fails */
			ibdev_dbg(qp->ibqp.device, "SEND with invalidate: bad rkey %#x\n", rkey);
			return RXE_RESP_INVALID;
		}
	}
	if (pkt->mask & RXE_M_END)
		rxe_resp_complete_recv(qp, pkt, IB_WC_SUCCESS, IB_WC_RECV,
				       qp->resp.recv_offset);
	return RXE_RESP_OK;
}

static enum rxe_resp_err rxe_resp_write(struct rxe_qp *qp, struct rxe_pkt *pkt)
{
	struct rxe_resp *r = &qp->resp;
	int err;

	/* a WRITE with immediate needs its receive WQE before any data lands */
	if ((pkt->mask & RXE_M_RWR) && !r->recv_active && rxe_resp_take_recv(qp))
		return RXE_RESP_RNR;

	if (pkt->mask & RXE_M_START) {
		struct rxe_reth *reth = rxe_ext(pkt, RXE_HDR_RETH);
		u64 va = be64_to_cpu(reth->va);
		u32 len = be32_to_cpu(reth->len);

		r->write_va = va;
		r->write_resid = len;
		r->write_len = len;
		if (len) {
			r->write_mr = rxe_resp_target(qp, be32_to_cpu(reth->rkey),
						      IB_ACCESS_REMOTE_WRITE, va, len);
			if (!r->write_mr)
				return RXE_RESP_ACCESS;
		}
	}
	if (pkt->paylen > r->write_resid)
		return RXE_RESP_INVALID;
	err = pkt->paylen ? rxe_mr_copy(r->write_mr, r->write_va, rxe_payload(pkt),
					pkt->paylen, RXE_TO_MEM) : 0;
	if (err == -EAGAIN) {
		/* this packet comes again; a first one takes its MR again */
		if ((pkt->mask & RXE_M_START) && r->write_mr) {
			rxe_mr_put(r->write_mr);
			r->write_mr = NULL;
		}
		return RXE_RESP_RNR;
	}
	if (err)
		return rxe_resp_access_err(err);
	r->write_va += pkt->paylen;
	r->write_resid -= pkt->paylen;

	if (!(pkt->mask & RXE_M_END))
		return RXE_RESP_OK;
	if (r->write_mr) {
		rxe_mr_put(r->write_mr);
		r->write_mr = NULL;
	}
	if (pkt->mask & RXE_M_RWR)
		rxe_resp_complete_recv(qp, pkt, IB_WC_SUCCESS, IB_WC_RECV_RDMA_WITH_IMM,
				       r->write_len);
	return RXE_RESP_OK;
}

static enum rxe_resp_err rxe_resp_read(struct rxe_qp *qp, struct rxe_pkt *pkt)
{
	struct rxe_reth *reth = rxe_ext(pkt, RXE_HDR_RETH);
	u32 len = be32_to_cpu(reth->len);
	u32 mtu = rxe_qp_mtu(qp);
	struct rxe_res *res;
	struct rxe_mr *mr;
	int err;

	if (!qp->resp.res_count)
		return RXE_RESP_INVALID;
	if (len) {
		mr = rxe_resp_target(qp, be32_to_cpu(reth->rkey), IB_ACCESS_REMOTE_READ,
				     be64_to_cpu(reth->va), len);
		if (!mr)
			return RXE_RESP_ACCESS;
		/* fault an ODP range in before the READ takes its PSNs */
		err = mr->type == RXE_MR_ODP ?
		      rxe_odp_check_present(mr, be64_to_cpu(reth->va), len) : 0;
		rxe_mr_put(mr);
		if (err)
			return rxe_resp_access_err(err);
	}
	res = rxe_resp_new_res(qp, pkt, RXE_RES_READ);
	res->va = be64_to_cpu(reth->va);
	res->rkey = be32_to_cpu(reth->rkey);
	res->length = len;
	res->last_psn = rxe_psn_add(pkt->psn, max_t(u32, 1, DIV_ROUND_UP(len, mtu)) - 1);
	/* the responses occupy the PSNs up to the last one */
	qp->resp.psn = res->last_psn;
	rxe_resp_start_reply(qp, res, pkt->psn);
	return RXE_RESP_OK;
}

static enum rxe_resp_err rxe_resp_atomic(struct rxe_qp *qp, struct rxe_pkt *pkt)
{
	struct rxe_atmeth *a = rxe_ext(pkt, RXE_HDR_ATMETH);
	u64 va = be64_to_cpu(a->va);
	struct rxe_res *res;
	struct rxe_mr *mr;
	u64 orig;
	int err;

	if (!qp->resp.res_count)
		return RXE_RESP_INVALID;
	mr = rxe_resp_target(qp, be32_to_cpu(a->rkey), IB_ACCESS_REMOTE_ATOMIC, va, 8);
	if (!mr)
		return RXE_RESP_ACCESS;
	err = rxe_mr_atomic(mr, va, pkt->opcode, be64_to_cpu(a->compare),
			    be64_to_cpu(a->swap_add), &orig);
	rxe_mr_put(mr);
	if (err)	/* misaligned, or an ODP page that cannot be faulted in (now) */
		return rxe_resp_access_err(err);
	res = rxe_resp_new_res(qp, pkt, RXE_RES_ATOMIC);
	res->orig = orig;
	rxe_resp_send_res_ack(qp, res);
	return RXE_RESP_OK;
}

static enum rxe_resp_err rxe_resp_atomic_write(struct rxe_qp *qp, struct rxe_pkt *pkt)
{
	struct rxe_reth *reth = rxe_ext(pkt, RXE_HDR_RETH);
	u64 va = be64_to_cpu(reth->va);
	struct rxe_res *res;
	struct rxe_mr *mr;
	int err;

	if (!qp->resp.res_count)
		return RXE_RESP_INVALID;
	if (pkt->paylen != 8 || be32_to_cpu(reth->len) != 8)
		return RXE_RESP_INVALID;
	mr = rxe_resp_target(qp, be32_to_cpu(reth->rkey), IB_ACCESS_REMOTE_WRITE, va, 8);
	if (!mr)
		return RXE_RESP_ACCESS;
	err = rxe_mr_atomic_write(mr, va, rxe_payload(pkt));
	rxe_mr_put(mr);
	if (err)
		return rxe_resp_access_err(err);
	res = rxe_resp_new_res(qp, pkt, RXE_RES_ATOMIC);
	rxe_resp_send_res_ack(qp, res);
	return RXE_RESP_OK;
}

/* FLUSH placement types and the MR access each needs (IBA 1.5, 9.4.7). */
#define RXE_FLUSH_GLOBAL		1
#define RXE_FLUSH_PERSISTENT		2
#define RXE_FLUSH_LEVEL_MR		1
#define RXE_ACCESS_FLUSH_GLOBAL		BIT(8)
#define RXE_ACCESS_FLUSH_PERSISTENT	BIT(9)

static enum rxe_resp_err rxe_resp_flush_req(struct rxe_qp *qp, struct rxe_pkt *pkt)
{
	u32 bits = be32_to_cpu(((struct rxe_feth *)rxe_ext(pkt, RXE_HDR_FETH))->bits);
	struct rxe_reth *reth = rxe_ext(pkt, RXE_HDR_RETH);
	u32 type = bits & RXE_FETH_PLT_MASK;
	u32 level = (bits & RXE_FETH_SEL_MASK) >> RXE_FETH_SEL_SHIFT;
	u32 rkey = be32_to_cpu(reth->rkey);
	int access = 0, err;
	struct rxe_mr *mr;

	if (!qp->resp.res_count)
		return RXE_RESP_INVALID;
	if (type & RXE_FLUSH_GLOBAL)
		access |= RXE_ACCESS_FLUSH_GLOBAL;
	if (type & RXE_FLUSH_PERSISTENT)
		access |= RXE_ACCESS_FLUSH_PERSISTENT;
	mr = rxe_mr_lookup(qp_rdev(qp), rkey);
	if (!mr)
		return RXE_RESP_ACCESS;
	if (mr->ibmr.rkey != rkey || mr->ibmr.pd != rxe_qp_pd(qp) ||
	    (mr->access & access) != access ||
	    (level != RXE_FLUSH_LEVEL_MR &&
	     rxe_mr_check(mr, rxe_qp_pd(qp), 0, be64_to_cpu(reth->va),
			  be32_to_cpu(reth->len)))) {
		rxe_mr_put(mr);
		return RXE_RESP_ACCESS;
	}
	/* an ODP range must be backed by memory, as on the stock driver */
	err = mr->type == RXE_MR_ODP && level != RXE_FLUSH_LEVEL_MR ?
	      rxe_odp_check_present(mr, be64_to_cpu(reth->va), be32_to_cpu(reth->len)) : 0;
	if (err) {
		rxe_mr_put(mr);
		return rxe_resp_access_err(err);
	}
	rxe_mr_put(mr);
	/* Our memory is ordinary RAM: ordering the stores makes them global. */
	smp_wmb();
	rxe_resp_send_res_ack(qp, rxe_resp_new_res(qp, pkt, RXE_RES_ATOMIC));
	return RXE_RESP_OK;
}

/* Does @pkt continue the message in progress, or start one? */
static bool rxe_resp_seq_ok(struct rxe_qp *qp, struct rxe_pkt *pkt)
{
	u8 last = qp->resp.last_op & 0x1f, op = pkt->opcode & 0x1f;

	if (last == RXE_SEND_FIRST || last == RXE_SEND_MIDDLE)
		return op == RXE_SEND_MIDDLE || op == RXE_SEND_LAST ||
		       op == RXE_SEND_LAST_IMM || op == RXE_SEND_LAST_INV;
	if (last == RXE_WRITE_FIRST || last == RXE_WRITE_MIDDLE)
		return op == RXE_WRITE_MIDDLE || op == RXE_WRITE_LAST ||
		       op == RXE_WRITE_LAST_IMM;
	return pkt->mask & RXE_M_START;
}

static enum rxe_resp_err rxe_resp_execute(struct rxe_qp *qp, struct rxe_pkt *pkt)
{
	if (pkt->mask & RXE_M_SEND)
		return rxe_resp_send(qp, pkt);
	if (pkt->mask & RXE_M_WRITE)
		return rxe_resp_write(qp, pkt);
	if (pkt->mask & RXE_M_READ)
		return rxe_resp_read(qp, pkt);
	if (pkt->mask & RXE_M_ATOMIC)
		return rxe_resp_atomic(qp, pkt);
	if (pkt->mask & RXE_M_ATOMIC_WRITE)
		return rxe_resp_atomic_write(qp, pkt);
	if (pkt->mask & RXE_M_FLUSH)
		return rxe_resp_flush_req(qp, pkt);
	return RXE_RESP_INVALID;
}

/* A request we have executed before: answer it again. */
static void rxe_resp_duplicate(struct rxe_qp *qp, struct rxe_pkt *pkt)
{
	u32 i;

	rxe_count(pkt->rxe, RXE_CNT_DUP_REQ);
	if (!(pkt->mask & (RXE_M_READ | RXE_M_ATOMIC | RXE_M_ATOMIC_WRITE | RXE_M_FLUSH))) {
		/* SEND/WRITE: acknowledge everything done so far */
		rxe_resp_send_ack(qp, RXE_AETH_ACK_UNLIMITED, rxe_psn_add(qp->resp.psn, -1));
		return;
	}
	for (i = 0; i < qp->resp.res_count; i++) {
		struct rxe_res *res = &qp->resp.res[i];

		if (res->type == RXE_RES_NONE || res->opcode != pkt->opcode)
			continue;
		if (res->type == RXE_RES_READ &&
		    rxe_psn_cmp(pkt->psn, res->first_psn) >= 0 &&
		    rxe_psn_cmp(pkt->psn, res->last_psn) <= 0) {
			rxe_resp_start_reply(qp, res, pkt->psn);
			return;
		}
		if (res->type == RXE_RES_ATOMIC && res->first_psn == pkt->psn) {
			rxe_resp_send_res_ack(qp, res);
			return;
		}
	}
	/* forgotten (too old): nothing to answer with */
}

static void rxe_resp_nak(struct rxe_qp *qp, struct rxe_pkt *pkt, enum rxe_resp_err err)
{
	if (err == RXE_RESP_RNR) {
		rxe_count(pkt->rxe, RXE_CNT_RNR_SENT);
		rxe_resp_send_ack(qp, RXE_AETH_RNR_NAK | (qp->attr.min_rnr_timer & 0x1f),
				  pkt->psn);
		return;
	}
	rxe_resp_error_nak(qp, err, pkt->psn);
}

/*
 * The XRC SRQ an XRC request names: it serves the request (receive WQE,
 * PD for the keys, CQ). Every packet of a message names the same one.
 */
static enum rxe_resp_err rxe_resp_xrc_bind(struct rxe_qp *qp, struct rxe_pkt *pkt)
{
	u32 num = rxe_xrceth_srqn(pkt);

	if (qp->resp.xsrq_num && num != qp->resp.xsrq_num) {
		ibdev_dbg(qp->ibqp.device, "XRC: SRQ %u named inside a message to SRQ %u\n",
			  num, qp->resp.xsrq_num);
		return RXE_RESP_INVALID;
	}
	if (!rxe_resp_xrc_get(qp, num)) {
		ibdev_dbg(qp->ibqp.device, "XRC: no SRQ %u in the domain of QP %u\n",
			  num, qp->ibqp.qp_num);
		return RXE_RESP_INVALID;
	}
	qp->resp.xsrq_num = num;
	return RXE_RESP_OK;
}

static void rxe_resp_rc(struct rxe_qp *qp, struct rxe_pkt *pkt)
{
	int c = rxe_psn_cmp(pkt->psn, qp->resp.psn);
	enum rxe_resp_err err;

	if (c > 0) {
		if (!qp->resp.nak_sent) {
			rxe_count(pkt->rxe, RXE_CNT_SEQ_ERR_SENT);
			rxe_resp_send_ack(qp, RXE_NAK_PSN_SEQ, qp->resp.psn);
			qp->resp.nak_sent = true;
		}
		return;
	}
	if (c < 0) {
		rxe_resp_duplicate(qp, pkt);
		return;
	}
	qp->resp.nak_sent = false;

	err = rxe_resp_seq_ok(qp, pkt) ? RXE_RESP_OK : RXE_RESP_INVALID;
	if (!err && (pkt->mask & RXE_M_XRCETH))
		err = rxe_resp_xrc_bind(qp, pkt);
	if (!err)
		err = rxe_resp_execute(qp, pkt);
	if (err) {
		rxe_resp_nak(qp, pkt, err);
		return;
	}
	qp->resp.last_op = pkt->opcode;
	qp->resp.psn = rxe_psn_add(qp->resp.psn, 1);
	if (pkt->mask & RXE_M_END) {
		qp->resp.msn = (qp->resp.msn + 1) & RXE_PSN_MASK;
		qp->resp.xsrq_num = 0;
	}
	if ((pkt->mask & (RXE_M_SEND | RXE_M_WRITE)) && rxe_bth_ackreq(pkt))
		rxe_resp_send_ack(qp, RXE_AETH_ACK_UNLIMITED, pkt->psn);
}

/* No message in progress any more: the next packet must start one. */
static void rxe_resp_end_message(struct rxe_qp *qp)
{
	if (qp->resp.write_mr) {
		rxe_mr_put(qp->resp.write_mr);
		qp->resp.write_mr = NULL;
	}
	qp->resp.last_op = RXE_OP_RC | RXE_ACK;
}

/*
 * UC: end the message in progress without a trace at the requester. What
 * a WRITE placed stays placed; a receive WQE already taken is not
 * completed but kept for the next message.
 */
static void rxe_resp_uc_abandon(struct rxe_qp *qp)
{
	rxe_resp_end_message(qp);
	qp->resp.recv_offset = 0;
}

/*
 * UC: nothing is acknowledged. A packet other than
 * the expected one, or one that does not continue the message in
 * progress, ends that message silently; packets are then dropped until
 * one starts a new message, whose PSN becomes the expected one. A message
 * with no receive WQE, a bad R_Key or a bad length is dropped the same
 * way. Only a receive WQE too small for the SEND is the responder's own
 * error: it completes in error and the QP goes to the error state.
 */
static void rxe_resp_uc(struct rxe_qp *qp, struct rxe_pkt *pkt)
{
	enum rxe_resp_err err;

	if (pkt->psn != qp->resp.psn || !rxe_resp_seq_ok(qp, pkt)) {
		rxe_count(pkt->rxe, RXE_CNT_SEQ_ERR_SENT);
		rxe_resp_uc_abandon(qp);
		if (!(pkt->mask & RXE_M_START))
			return;
	}
	err = rxe_resp_execute(qp, pkt);
	if (err == RXE_RESP_OK) {
		qp->resp.last_op = pkt->opcode;
		qp->resp.psn = rxe_psn_add(pkt->psn, 1);
		return;
	}
	if ((pkt->mask & RXE_M_SEND) && err != RXE_RESP_RNR)
		return;		/* its receive WQE failed, the QP is in ERR */
	rxe_count(pkt->rxe, RXE_CNT_DROP_QP);
	rxe_resp_uc_abandon(qp);
	qp->resp.psn = rxe_psn_add(pkt->psn, 1);
}

/* The GRH a UD receive starts with: for IPv4 its last 20 bytes (RoCEv2). */
static void rxe_resp_ud_grh(struct sk_buff *skb, u8 *grh, bool *ipv6)
{
	u8 *ip = skb_network_header(skb);

	memset(grh, 0, RXE_GRH_SIZE);
	*ipv6 = (ip[0] >> 4) == 6;
	if (*ipv6)
		memcpy(grh, ip, RXE_GRH_SIZE);
	else
		memcpy(grh + RXE_GRH_SIZE - sizeof(struct iphdr), ip, sizeof(struct iphdr));
}

/*
 * UD and GSI: a single-packet SEND into the next receive WQE, after the
 * GRH. A wrong Q_Key or no receive WQE drops the datagram (IBA 9.6.2).
 */
static void rxe_resp_ud(struct rxe_qp *qp, struct sk_buff *skb, struct rxe_pkt *pkt)
{
	struct rxe_deth *deth = rxe_ext(pkt, RXE_HDR_DETH);
	u32 qkey = qp->ibqp.qp_type == IB_QPT_GSI ? IB_QP1_QKEY : qp->attr.qkey;
	u8 grh[RXE_GRH_SIZE];
	enum ib_wc_status status = IB_WC_SUCCESS;
	struct rxe_cqe cqe;
	bool ipv6;
	int err;

	if (be32_to_cpu(deth->qkey) != qkey || rxe_resp_take_recv(qp)) {
		rxe_count(pkt->rxe, RXE_CNT_DROP_QP);
		return;
	}
	rxe_resp_ud_grh(skb, grh, &ipv6);
	err = rxe_sge_copy(qp, qp->resp.sges, qp->resp.recv.dma.num_sge, 0, grh,
			   RXE_GRH_SIZE, RXE_TO_MEM);
	if (!err)
		err = rxe_sge_copy(qp, qp->resp.sges, qp->resp.recv.dma.num_sge,
				   RXE_GRH_SIZE, rxe_payload(pkt), pkt->paylen, RXE_TO_MEM);
	if (err == -EAGAIN) {
		/* an ODP receive buffer busy: the datagram is lost, the WQE kept */
		rxe_count(pkt->rxe, RXE_CNT_DROP_QP);
		return;
	}
	if (err)
		status = IB_WC_LOC_LEN_ERR;

	rxe_qp_make_cqe(qp, &cqe, qp->resp.recv.wr_id, status, IB_WC_RECV,
			status == IB_WC_SUCCESS ? RXE_GRH_SIZE + pkt->paylen : 0);
	if (qp->is_user) {
		cqe.uibwc.src_qp = be32_to_cpu(deth->sqp) & RXE_QPN_MASK;
		cqe.uibwc.wc_flags = RXE_UWC_GRH;
		if (pkt->mask & RXE_M_IMMDT) {
			cqe.uibwc.wc_flags |= RXE_UWC_WITH_IMM;
			/* raw wire bytes: the field is __u32 or __be32 by kernel */
			memcpy(&cqe.uibwc.ex.imm_data, rxe_ext(pkt, RXE_HDR_IMMDT),
			       sizeof(cqe.uibwc.ex.imm_data));
		}
	} else {
		cqe.ibwc.src_qp = be32_to_cpu(deth->sqp) & RXE_QPN_MASK;
		cqe.ibwc.wc_flags = IB_WC_GRH | IB_WC_WITH_NETWORK_HDR_TYPE;
		cqe.ibwc.network_hdr_type = ipv6 ? RDMA_NETWORK_IPV6 : RDMA_NETWORK_IPV4;
		if (pkt->mask & RXE_M_IMMDT) {
			cqe.ibwc.wc_flags |= IB_WC_WITH_IMM;
			cqe.ibwc.ex.imm_data = *(__be32 *)rxe_ext(pkt, RXE_HDR_IMMDT);
		}
	}
	rxe_resp_post_cqe(qp, &cqe, rxe_bth_se(pkt));
}

/**
 * rxe_resp_rcv() - a request from the peer (engine context).
 * @qp: the QP.
 * @skb: the packet, consumed.
 */
void rxe_resp_rcv(struct rxe_qp *qp, struct sk_buff *skb)
{
	struct rxe_pkt *pkt = rxe_pkt(skb);
	enum ib_qp_state state = READ_ONCE(qp->state);

	/* the first request in RTR: the connection is up (the CM's RTU may be lost) */
	if (state == IB_QPS_RTR && !qp->resp.comm_est_reported &&
	    qp->ibqp.qp_type != IB_QPT_UD && qp->ibqp.qp_type != IB_QPT_GSI) {
		qp->resp.comm_est_reported = true;
		rxe_qp_event(qp, IB_EVENT_COMM_EST);
	}
	if (state == IB_QPS_RTR || state == IB_QPS_RTS || state == IB_QPS_SQD ||
	    state == IB_QPS_SQE) {
		if (qp->ibqp.qp_type == IB_QPT_RC || qp->ibqp.qp_type == IB_QPT_XRC_TGT)
			rxe_resp_rc(qp, pkt);
		else if (qp->ibqp.qp_type == IB_QPT_UC)
			rxe_resp_uc(qp, pkt);
		else if (qp->ibqp.qp_type == IB_QPT_UD || qp->ibqp.qp_type == IB_QPT_GSI)
			rxe_resp_ud(qp, skb, pkt);
	}
	kfree_skb(skb);
}

/**
 * rxe_resp_init() - size the responder resources (entering RTR).
 * @qp: the QP, its engine idle for this QP state.
 * @max_dest_rd_atomic: READ/atomic requests the peer may have open.
 *
 * Return: 0 or -ENOMEM.
 */
int rxe_resp_init(struct rxe_qp *qp, u32 max_dest_rd_atomic)
{
	struct rxe_res *res = NULL;

	if (max_dest_rd_atomic) {
		res = kcalloc(max_dest_rd_atomic, sizeof(*res), GFP_KERNEL);
		if (!res)
			return -ENOMEM;
	}
	kfree(qp->resp.res);
	qp->resp.res = res;
	qp->resp.res_count = max_dest_rd_atomic;
	qp->resp.res_next = 0;
	return 0;
}

/**
 * rxe_resp_flush() - drop the message in progress (entering ERR; the
 * receive WQE it held is flushed with the RQ).
 * @qp: the QP (engine context, or the engine stopped).
 */
void rxe_resp_flush(struct rxe_qp *qp)
{
	rxe_resp_end_message(qp);
	qp->resp.recv_active = false;
	qp->resp.reply = NULL;
	qp->resp.xsrq_num = 0;
	rxe_resp_xrc_release(qp);
}

/**
 * rxe_resp_error() - the responder's part of entering the error state
 * (engine context): drop the message in progress. Its receive WQE, if
 * taken from an SRQ, is the QP's own and completes flushed here (an RQ's
 * is flushed with the RQ); and a QP on an SRQ reports, once, that it will
 * take no more WQEs from it (Last WQE Reached, IBA 11.6.3.1).
 * @qp: the QP.
 */
void rxe_resp_error(struct rxe_qp *qp)
{
	/* an XRC SRQ's WQE completes on its CQ, unless the SRQ is gone */
	if (qp->resp.recv_active &&
	    (qp->ibqp.srq || (qp->resp.xsrq_num && rxe_resp_xrc_get(qp, qp->resp.xsrq_num))))
		rxe_resp_complete_recv(qp, NULL, IB_WC_WR_FLUSH_ERR, IB_WC_RECV, 0);
	rxe_resp_flush(qp);
	if (!qp->ibqp.srq || qp->resp.last_wqe_reported)
		return;
	qp->resp.last_wqe_reported = true;
	rxe_qp_event(qp, IB_EVENT_QP_LAST_WQE_REACHED);
}

/**
 * rxe_resp_reset() - back to the state of a new QP (the engine stopped);
 * the resources stay allocated until destroy or the next RTR.
 * @qp: the QP.
 */
void rxe_resp_reset(struct rxe_qp *qp)
{
	rxe_resp_flush(qp);
	qp->resp.last_wqe_reported = false;
	qp->resp.comm_est_reported = false;
	qp->resp.psn = 0;
	qp->resp.msn = 0;
	qp->resp.nak_sent = false;
	if (qp->resp.res)
		memset(qp->resp.res, 0, qp->resp.res_count * sizeof(*qp->resp.res));
	qp->resp.res_next = 0;
}
