// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_recv.c - received RoCEv2 packets: header and ICRC checks, then
 * to the QP they are addressed to.
 *
 * Runs in softirq context (from the UDP socket) or in a sender's work
 * item (loopback). Nothing here sleeps or touches QP state other than
 * the QP's receive queue; the QP's work item does the rest.
 */
#include "rxe.h"

/* Parse the BTH and size the packet; false for a malformed one. */
static bool rxe_rcv_parse(struct sk_buff *skb, struct rxe_pkt *pkt)
{
	const struct rxe_opinfo *info;
	struct rxe_bth *bth;
	unsigned int pad;

	if (skb->len < sizeof(*bth) + RXE_ICRC_SIZE)
		return false;
	bth = (struct rxe_bth *)skb->data;
	info = &rxe_opinfo[bth->opcode];
	if (!(info->mask & RXE_M_VALID) ||
	    (bth->flags & RXE_BTH_TVER_MASK) != RXE_BTH_TVER)
		return false;
	pad = (bth->flags & RXE_BTH_PAD_MASK) >> RXE_BTH_PAD_SHIFT;
	if (skb->len < info->hdr_len + pad + RXE_ICRC_SIZE)
		return false;

	pkt->hdr = skb->data;
	pkt->opcode = bth->opcode;
	pkt->mask = info->mask;
	pkt->paylen = skb->len - info->hdr_len - pad - RXE_ICRC_SIZE;
	pkt->qpn = be32_to_cpu(bth->qpn) & RXE_QPN_MASK;
	pkt->psn = be32_to_cpu(bth->apsn) & RXE_PSN_MASK;
	if (pkt->paylen && !(pkt->mask & RXE_M_PAYLOAD))
		return false;
	/* whatever the Ethernet MTU allows */
	if (pkt->paylen > RXE_MAX_PAYLOAD)
		return false;
	/* Our only P_Key is the default one; membership bit aside. */
	if ((be16_to_cpu(bth->pkey) & 0x7fff) != (RXE_DEFAULT_PKEY & 0x7fff))
		return false;
	return true;
}

/*
 * Whether the QP's transport takes this opcode. The halves of XRC take
 * one direction each: an initiator the responses, a target the requests.
 */
static bool rxe_rcv_transport_ok(const struct rxe_qp *qp, u8 opcode)
{
	switch (qp->ibqp.qp_type) {
	case IB_QPT_XRC_INI:
		return RXE_OP_TRANSPORT(opcode) == RXE_OP_XRC &&
		       (rxe_opinfo[opcode].mask & RXE_M_RESP);
	case IB_QPT_XRC_TGT:
		return RXE_OP_TRANSPORT(opcode) == RXE_OP_XRC &&
		       (rxe_opinfo[opcode].mask & RXE_M_REQ);
	case IB_QPT_RC:
		return RXE_OP_TRANSPORT(opcode) == RXE_OP_RC;
	case IB_QPT_UC:
		return RXE_OP_TRANSPORT(opcode) == RXE_OP_UC;
	case IB_QPT_UD:
	case IB_QPT_GSI:
		return RXE_OP_TRANSPORT(opcode) == RXE_OP_UD;
	default:
		return false;
	}
}

/**
 * rxe_rcv() - take a received packet.
 * @rxe: the device it arrived on.
 * @skb: the packet, linear, data at the BTH, network header set;
 *	consumed in every case.
 * @depth: RXE_RCV_ATOMIC from the network (softirq); for a packet looped
 *	back by an engine, the nesting the receiving engine would run at
 *	if it ran inline (rxe_qp_kick_here()).
 */
void rxe_rcv(struct rxe_dev *rxe, struct sk_buff *skb, int depth)
{
	struct rxe_pkt *pkt = rxe_pkt(skb);
	struct rxe_qp *qp;

	memset(pkt, 0, sizeof(*pkt));
	pkt->rxe = rxe;
	rxe_count(rxe, RXE_CNT_RCVD_PKTS);
	if (!rxe_rcv_parse(skb, pkt)) {
		rxe_count(rxe, RXE_CNT_DROP_HDR);
		goto drop;
	}
	if (!rxe_icrc_ok(skb, pkt)) {
		rxe_count(rxe, RXE_CNT_DROP_ICRC);
		goto drop;
	}

	if (pkt->qpn == IB_MULTICAST_QPN) {
		rxe_mcast_rcv(rxe, skb);
		return;
	}
	qp = rxe_qp_lookup(rxe, pkt->qpn);
	if (!qp) {
		rxe_count(rxe, RXE_CNT_DROP_QP);
		goto drop;
	}
	if (!rxe_rcv_transport_ok(qp, pkt->opcode)) {
		rxe_qp_put(qp);
		rxe_count(rxe, RXE_CNT_DROP_QP);
		goto drop;
	}
	skb_queue_tail(&qp->rx_queue, skb);
	if (depth == RXE_RCV_ATOMIC)
		rxe_qp_kick(qp);
	else
		rxe_qp_kick_here(qp, depth);
	rxe_qp_put(qp);
	return;

drop:
	kfree_skb(skb);
}
