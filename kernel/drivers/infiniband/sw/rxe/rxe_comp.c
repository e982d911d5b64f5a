// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_comp.c - the completer: what the responder answers finishes send
 * WQEs; silence and NAKs make the requester go back.
 *
 * Per packet from the responder (IBA 9.7.5):
 *   ACK            every request up to its PSN is done; a READ or atomic
 *                  in that range whose response never came is asked
 *                  again (its response was lost)
 *   READ response  data placed at the offset its PSN says; the next
 *                  expected PSN only, a gap means a lost response
 *   atomic ACK     the original value lands in the local buffer
 *   RNR NAK        wait the time it names, then resend (rnr_retry)
 *   PSN seq NAK    resend from the PSN it names (retry_cnt)
 *   other NAKs     the WQE fails with the matching status, QP to ERR
 *
 * The retransmission timer (retry_work) checks for progress each
 * timeout; without any, it resends from the oldest unacknowledged PSN
 * until retry_cnt is used up. WQEs are reported in ring order
 * (rxe_comp_report()), signaled ones and failures only.
 */
#include "rxe.h"

/*
 * The smallest retransmission timeout we arm. A software device shares
 * its CPUs with everything else (and a TCG guest with its host): a
 * shorter timeout than a window's round trip makes every retry resend
 * the window again, and the QP never gets ahead.
 */
#define RXE_MIN_RETRY_MS	50

/* RNR NAK timer field to microseconds (IBA table 45). */
static const u32 rxe_rnr_usecs[32] = {
	655360, 10, 20, 30, 40, 60, 80, 120, 160, 240, 320, 480, 640, 960,
	1280, 1920, 2560, 3840, 5120, 7680, 10240, 15360, 20480, 30720,
	40960, 61440, 81920, 122880, 163840, 245760, 327680, 491520,
};

static bool rxe_comp_outstanding(struct rxe_qp *qp)
{
	return qp->sq.kindex != qp->req.index ||
	       rxe_qp_swqe(qp, qp->req.index)->state == RXE_WQE_SENDING;
}

/**
 * rxe_comp_arm_retry() - start the retransmission timer if it is not
 * running (timeout 0 means wait forever).
 * @qp: the QP (engine context).
 */
void rxe_comp_arm_retry(struct rxe_qp *qp)
{
	u64 ns;

	if (!qp->attr.timeout || delayed_work_pending(&qp->retry_work))
		return;
	ns = 4096ULL << qp->attr.timeout;
	queue_delayed_work(rxe_wq, &qp->retry_work,
			   max(nsecs_to_jiffies(ns), msecs_to_jiffies(RXE_MIN_RETRY_MS)));
}

static void rxe_comp_progress(struct rxe_qp *qp)
{
	qp->comp.progress = true;
	qp->comp.retry = qp->attr.retry_cnt;
	qp->comp.rnr_retry = qp->attr.rnr_retry;
}

/* @w is finished: free its READ/atomic slot, record its status. */
static void rxe_comp_finish(struct rxe_qp *qp, struct rxe_swqe *w, enum ib_wc_status status)
{
	if (w->rd_atomic) {
		w->rd_atomic = false;
		qp->req.rd_atomic--;
	}
	w->state = RXE_WQE_DONE;
	w->status = status;
	if (status != IB_WC_SUCCESS)
		rxe_qp_error(qp);
}

/*
 * A response to a READ or atomic went missing (a later PSN arrived): have
 * the requester ask again from @psn. Until the answers catch up with
 * what had been asked before (read_gap_end), the rest of the old burst
 * keeps arriving out of order; asking again for each of those packets
 * would make the responder serve every READ many times over, and a slow
 * receiver would lose yet more. Losses among the new answers are left
 * to the retransmission timer.
 */
static void rxe_comp_ask_again(struct rxe_qp *qp, u32 psn)
{
	if (qp->comp.read_gap && rxe_psn_cmp(psn, qp->comp.read_gap_end) < 0)
		return;
	qp->comp.read_gap = true;
	qp->comp.read_gap_end = qp->req.psn;
	rxe_req_rewind(qp, psn);
}

/*
 * Everything before @psn (or up to it, @inclusive) is acknowledged.
 * Returns false when a READ or atomic in that range lacks its response:
 * the requester has been sent back to ask again.
 */
static bool rxe_comp_ack_upto(struct rxe_qp *qp, u32 psn, bool inclusive)
{
	u32 i;

	for (i = qp->sq.kindex; i != qp->req.index; i = (i + 1) & qp->sq.index_mask) {
		struct rxe_swqe *w = rxe_qp_swqe(qp, i);
		int c = rxe_psn_cmp(w->last_psn, psn);

		if (w->state == RXE_WQE_DONE)
			continue;
		if (c > 0 || (c == 0 && !inclusive))
			break;
		if (w->mask & (RXE_M_READ | RXE_M_ATOMIC | RXE_M_ATOMIC_WRITE | RXE_M_FLUSH)) {
			rxe_comp_ask_again(qp, rxe_psn_add(w->first_psn,
							   (w->mask & RXE_M_READ) ?
							   w->done / rxe_qp_mtu(qp) : 0));
			return false;
		}
		rxe_comp_finish(qp, w, IB_WC_SUCCESS);
	}
	if (inclusive)
		psn = rxe_psn_add(psn, 1);
	if (rxe_psn_cmp(psn, qp->comp.psn) > 0) {
		qp->comp.psn = psn;
		rxe_comp_progress(qp);
	}
	return true;
}

/* The sent WQE whose PSN range holds @psn, or NULL. */
static struct rxe_swqe *rxe_comp_find(struct rxe_qp *qp, u32 psn)
{
	u32 i;

	for (i = qp->sq.kindex; i != qp->req.index; i = (i + 1) & qp->sq.index_mask) {
		struct rxe_swqe *w = rxe_qp_swqe(qp, i);

		if (w->state == RXE_WQE_DONE)
			continue;
		if (rxe_psn_cmp(psn, w->first_psn) >= 0 && rxe_psn_cmp(psn, w->last_psn) <= 0)
			return w;
		if (rxe_psn_cmp(psn, w->first_psn) < 0)
			return NULL;
	}
	return NULL;
}

static void rxe_comp_rnr(struct rxe_qp *qp, struct rxe_pkt *pkt, u8 syn)
{
	struct rxe_swqe *w;

	rxe_count(pkt->rxe, RXE_CNT_RNR_RCVD);
	if (!rxe_comp_ack_upto(qp, pkt->psn, false))
		return;
	w = rxe_comp_find(qp, pkt->psn);
	if (!w)
		return;
	if (qp->comp.rnr_retry == 0) {
		rxe_count(pkt->rxe, RXE_CNT_RNR_RETRY_EXCEEDED);
		rxe_comp_finish(qp, w, IB_WC_RNR_RETRY_EXC_ERR);
		return;
	}
	if (qp->comp.rnr_retry != 7)	/* 7: retry forever */
		qp->comp.rnr_retry--;
	/* the responder answered: the transport timer sees progress */
	qp->comp.progress = true;
	qp->comp.retry = qp->attr.retry_cnt;
	rxe_req_rewind(qp, pkt->psn);
	qp->req.rnr_wait = true;
	rxe_qp_rnr_arm(qp, rxe_rnr_usecs[syn & RXE_AETH_CREDIT_MASK]);
}

static void rxe_comp_nak(struct rxe_qp *qp, struct rxe_pkt *pkt, u8 syn)
{
	enum ib_wc_status status;
	struct rxe_swqe *w;

	if (syn == RXE_NAK_PSN_SEQ) {
		/* the PSN is the one the responder expects: resend from it */
		rxe_count(pkt->rxe, RXE_CNT_SEQ_ERR_RCVD);
		if (!rxe_comp_ack_upto(qp, pkt->psn, false))
			return;
		rxe_req_rewind(qp, pkt->psn);
		return;
	}
	switch (syn) {
	case RXE_NAK_INVALID_REQ:
		status = IB_WC_REM_INV_REQ_ERR;
		break;
	case RXE_NAK_REM_ACCESS:
		status = IB_WC_REM_ACCESS_ERR;
		break;
	case RXE_NAK_REM_OP:
		status = IB_WC_REM_OP_ERR;
		break;
	default:
		status = IB_WC_REM_INV_RD_REQ_ERR;
		break;
	}
	if (!rxe_comp_ack_upto(qp, pkt->psn, false))
		return;
	w = rxe_comp_find(qp, pkt->psn);
	if (w)
		rxe_comp_finish(qp, w, status);
}

static void rxe_comp_ack(struct rxe_qp *qp, struct rxe_pkt *pkt)
{
	u8 syn = rxe_aeth_syndrome(pkt);

	switch (syn & RXE_AETH_TYPE_MASK) {
	case RXE_AETH_ACK:
		rxe_comp_ack_upto(qp, pkt->psn, true);
		break;
	case RXE_AETH_RNR_NAK:
		rxe_comp_rnr(qp, pkt, syn);
		break;
	case RXE_AETH_NAK:
		rxe_comp_nak(qp, pkt, syn);
		break;
	default:
		break;
	}
}

/* READ response data, or the zero-length reply to FLUSH / ATOMIC WRITE. */
static void rxe_comp_read_resp(struct rxe_qp *qp, struct rxe_pkt *pkt)
{
	u32 mtu = rxe_qp_mtu(qp), expect;
	struct rxe_swqe *w;
	int err;

	if ((pkt->mask & RXE_M_AETH) &&
	    (rxe_aeth_syndrome(pkt) & RXE_AETH_TYPE_MASK) != RXE_AETH_ACK)
		return;
	/* a response implicitly acknowledges the requests before it */
	if (!rxe_comp_ack_upto(qp, pkt->psn, false))
		return;
	w = rxe_comp_find(qp, pkt->psn);
	if (!w)
		return;		/* duplicate */

	if (w->mask & (RXE_M_FLUSH | RXE_M_ATOMIC_WRITE)) {
		if ((pkt->opcode & 0x1f) == RXE_READ_RESP_ONLY)
			rxe_comp_finish(qp, w, IB_WC_SUCCESS);
		goto acked;
	}
	if (!(w->mask & RXE_M_READ))
		return;

	expect = rxe_psn_add(w->first_psn, w->done / mtu);
	if (pkt->psn != expect) {
		if (rxe_psn_cmp(pkt->psn, expect) > 0)
			rxe_comp_ask_again(qp, expect);
		return;
	}
	if (pkt->paylen > w->length - w->done ||
	    (!(pkt->mask & RXE_M_END) && pkt->paylen != mtu) ||
	    ((pkt->mask & RXE_M_END) && w->done + pkt->paylen != w->length)) {
		rxe_comp_finish(qp, w, IB_WC_BAD_RESP_ERR);
		return;
	}
	err = pkt->paylen ? rxe_sge_copy(qp, rxe_swqe_sges(qp, w), w->num_sge, w->done,
					 rxe_payload(pkt), pkt->paylen, RXE_TO_MEM) : 0;
	if (err == -EAGAIN)
		return;	/* ODP busy: dropped, the next response or the timer asks again */
	if (err) {
		rxe_comp_finish(qp, w, IB_WC_LOC_PROT_ERR);
		return;
	}
	w->done += pkt->paylen;
	if (pkt->mask & RXE_M_END)
		rxe_comp_finish(qp, w, IB_WC_SUCCESS);
acked:
	qp->comp.psn = rxe_psn_add(pkt->psn, 1);
	rxe_comp_progress(qp);
}

static void rxe_comp_atomic_ack(struct rxe_qp *qp, struct rxe_pkt *pkt)
{
	struct rxe_atmack *ack = rxe_ext(pkt, RXE_HDR_ATMACK);
	struct rxe_swqe *w;
	u64 orig;
	int err;

	if ((rxe_aeth_syndrome(pkt) & RXE_AETH_TYPE_MASK) != RXE_AETH_ACK)
		return;
	if (!rxe_comp_ack_upto(qp, pkt->psn, false))
		return;
	w = rxe_comp_find(qp, pkt->psn);
	if (!w || !(w->mask & RXE_M_ATOMIC))
		return;
	orig = be64_to_cpu(ack->orig);
	err = rxe_sge_copy(qp, rxe_swqe_sges(qp, w), w->num_sge, 0, &orig, sizeof(orig),
			   RXE_TO_MEM);
	if (err == -EAGAIN)
		return;	/* ODP busy: the retry timer asks again */
	rxe_comp_finish(qp, w, err ? IB_WC_LOC_PROT_ERR : IB_WC_SUCCESS);
	qp->comp.psn = rxe_psn_add(pkt->psn, 1);
	rxe_comp_progress(qp);
}

/**
 * rxe_comp_rcv() - a packet from the responder (engine context).
 * @qp: the QP.
 * @skb: the packet, consumed.
 */
void rxe_comp_rcv(struct rxe_qp *qp, struct sk_buff *skb)
{
	struct rxe_pkt *pkt = rxe_pkt(skb);
	enum ib_qp_state state = READ_ONCE(qp->state);

	if ((qp->ibqp.qp_type != IB_QPT_RC && qp->ibqp.qp_type != IB_QPT_XRC_INI) ||
	    (state != IB_QPS_RTS && state != IB_QPS_SQD && state != IB_QPS_SQE))
		goto out;

	switch (pkt->opcode & 0x1f) {
	case RXE_ACK:
		rxe_comp_ack(qp, pkt);
		break;
	case RXE_ATOMIC_ACK:
		rxe_comp_atomic_ack(qp, pkt);
		break;
	default:
		rxe_comp_read_resp(qp, pkt);
		break;
	}
	if (!rxe_comp_outstanding(qp))
		cancel_delayed_work(&qp->retry_work);
out:
	kfree_skb(skb);
}

/**
 * rxe_comp_timers() - act on the timers that fired (engine context).
 * @qp: the QP.
 */
void rxe_comp_timers(struct rxe_qp *qp)
{
	if (atomic_xchg(&qp->rnr_done, 0))
		qp->req.rnr_wait = false;
	if (!atomic_xchg(&qp->timed_out, 0) || !rxe_comp_outstanding(qp))
		return;
	if (qp->comp.progress || qp->req.rnr_wait) {
		qp->comp.progress = false;
		rxe_comp_arm_retry(qp);
		return;
	}
	rxe_count(qp_rdev(qp), RXE_CNT_RETRANS_TIMEOUT);
	if (qp->comp.retry == 0) {
		struct rxe_swqe *w = rxe_comp_find(qp, qp->comp.psn);

		rxe_count(qp_rdev(qp), RXE_CNT_RETRY_EXCEEDED);
		if (!w)
			w = rxe_qp_swqe(qp, qp->sq.kindex);
		rxe_comp_finish(qp, w, IB_WC_RETRY_EXC_ERR);
		return;
	}
	qp->comp.retry--;
	qp->comp.read_gap = false;
	rxe_req_rewind(qp, qp->comp.psn);
	rxe_comp_arm_retry(qp);
}

/* Report one finished WQE if it must be; see rxe_cq_add() for @fire. */
static void rxe_comp_report_one(struct rxe_qp *qp, struct rxe_swqe *w, bool *fire)
{
	struct rxe_cqe cqe;
	u32 len = w->length;

	if (w->status == IB_WC_SUCCESS && qp->sq_sig_type != IB_SIGNAL_ALL_WR &&
	    !(w->wr.send_flags & IB_SEND_SIGNALED))
		return;
	if (w->mask & RXE_M_FLUSH)
		len = 0;
	rxe_qp_make_cqe(qp, &cqe, w->wr.wr_id, w->status, rxe_wc_opcode(w->wr.opcode),
			w->status == IB_WC_SUCCESS ? len : 0);
	if (rxe_cq_add(to_rcq(qp->ibqp.send_cq), &cqe, false, fire))
		rxe_qp_cq_overrun(qp);
}

/**
 * rxe_comp_report() - report finished send WQEs in ring order and free
 * their slots (engine context).
 * @qp: the QP.
 */
void rxe_comp_report(struct rxe_qp *qp)
{
	struct rxe_cq *cq = to_rcq(qp->ibqp.send_cq);
	bool fire = false;

	while (qp->sq.kindex != rxe_queue_peer_index(&qp->sq)) {
		struct rxe_swqe *w = rxe_qp_swqe(qp, qp->sq.kindex);

		if (w->state != RXE_WQE_DONE)
			break;
		/*
		 * Free the slot before the completion is seen: a consumer
		 * with a one-entry SQ posts again as soon as it polls.
		 * @w is our copy, untouched until the engine fetches anew.
		 */
		rxe_queue_consume(&qp->sq);
		rxe_comp_report_one(qp, w, &fire);
		w->state = RXE_WQE_NEW;
		if (w->status != IB_WC_SUCCESS)
			break;	/* the rest is flushed */
	}
	if (fire)
		rxe_cq_fire(cq);
}
