// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rxp_send.c - the send side: WQEs written into the SQ ring, by
 * ibv_post_send or by the ibv_qp_ex builders (wr_start ... wr_complete),
 * then one doorbell for the batch. The kernel checks every WQE again when
 * it takes it: what is refused here is what the caller can be told at once.
 *
 * XRC_SEND QPs send as RC ones do; each WQE also names the SRQ at the
 * target (its 24-bit number) in the field after wr_id, "reserved" in
 * <rdma/rdma_user_rxe.h>.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "rxp.h"
#include "rxp_compat.h"

/* The doorbell: a POST_SEND command with no work requests in it. */
static int rxp_doorbell(struct ibv_qp *ibqp)
{
	struct ib_uverbs_post_send_resp resp;
	struct ibv_post_send cmd = {};

	cmd.hdr.command = IB_USER_VERBS_CMD_POST_SEND;
	cmd.hdr.in_words = sizeof(cmd) / 4;
	cmd.hdr.out_words = sizeof(resp) / 4;
	cmd.response = (uintptr_t)&resp;
	cmd.qp_handle = ibqp->handle;
	cmd.wqe_size = sizeof(struct ibv_send_wr);
	if (write(ibqp->context->cmd_fd, &cmd, sizeof(cmd)) != sizeof(cmd))
		return errno;
	return 0;
}

/* A fresh WQE of @opcode in @slot (the SGE/inline area is left as is). */
static struct rxe_send_wqe *rxp_wqe_init(void *slot, uint64_t wr_id,
					 uint32_t opcode, uint32_t flags)
{
	struct rxe_send_wqe *wqe = slot;

	memset(wqe, 0, sizeof(*wqe));
	wqe->wr.wr_id = wr_id;
	wqe->wr.opcode = opcode;
	wqe->wr.send_flags = flags;
	return wqe;
}

static void rxp_wqe_rdma(struct rxe_send_wqe *wqe, uint32_t rkey,
			 uint64_t remote_addr)
{
	wqe->wr.wr.rdma.remote_addr = remote_addr;
	wqe->wr.wr.rdma.rkey = rkey;
	wqe->iova = remote_addr;
}

static void rxp_wqe_atomic(struct rxe_send_wqe *wqe, uint32_t rkey,
			   uint64_t remote_addr, uint64_t compare_add,
			   uint64_t swap)
{
	wqe->wr.wr.atomic.remote_addr = remote_addr;
	wqe->wr.wr.atomic.compare_add = compare_add;
	wqe->wr.wr.atomic.swap = swap;
	wqe->wr.wr.atomic.rkey = rkey;
	wqe->iova = remote_addr;
}

static void rxp_wqe_ud(struct rxe_send_wqe *wqe, struct ibv_ah *ah,
		       uint32_t remote_qpn, uint32_t remote_qkey)
{
	wqe->wr.wr.ud.remote_qpn = remote_qpn;
	wqe->wr.wr.ud.remote_qkey = remote_qkey;
	wqe->wr.wr.ud.ah_num = to_rxp_ah(ah)->ah_num;
}

#define RXP_SRQN_MAX 0xffffffu

static void rxp_wqe_xrc(struct rxe_send_wqe *wqe, uint32_t remote_srqn)
{
	wqe->wr.reserved = remote_srqn;
}

static void rxp_wqe_bind(struct rxe_send_wqe *wqe, struct ibv_mw *mw,
			 uint32_t rkey, const struct ibv_mw_bind_info *info)
{
	wqe->wr.wr.mw.addr = info->addr;
	wqe->wr.wr.mw.length = info->length;
	wqe->wr.wr.mw.mr_lkey = info->mr ? info->mr->lkey : 0;
	wqe->wr.wr.mw.mw_rkey = mw->rkey;
	wqe->wr.wr.mw.rkey = rkey;
	wqe->wr.wr.mw.access = info->mw_access_flags;
}

static void rxp_wqe_sges(struct rxe_send_wqe *wqe, const struct ibv_sge *sg,
			 uint32_t num)
{
	uint32_t length = 0, i;

	for (i = 0; i < num; i++) {
		wqe->dma.sge[i].addr = sg[i].addr;
		wqe->dma.sge[i].length = sg[i].length;
		wqe->dma.sge[i].lkey = sg[i].lkey;
		length += sg[i].length;
	}
	wqe->dma.num_sge = num;
	wqe->dma.length = length;
	wqe->dma.resid = length;
}

/* Gathers the buffers into the WQE itself. */
static void rxp_wqe_inline(struct rxe_send_wqe *wqe, const struct ibv_data_buf *buf,
			   size_t num)
{
	uint8_t *p = wqe->dma.inline_data;
	size_t i;

	for (i = 0; i < num; i++) {
		memcpy(p, buf[i].addr, buf[i].length);
		p += buf[i].length;
	}
	wqe->dma.length = p - wqe->dma.inline_data;
	wqe->dma.resid = wqe->dma.length;
	wqe->wr.send_flags |= IBV_SEND_INLINE;
}

static bool rxp_is_atomic(enum ibv_wr_opcode op)
{
	return op == IBV_WR_ATOMIC_CMP_AND_SWP || op == IBV_WR_ATOMIC_FETCH_AND_ADD;
}

/* What the caller can be told before the WQE exists. */
static int rxp_check_send_wr(struct rxp_qp *qp, const struct ibv_send_wr *wr,
			     uint64_t *length)
{
	struct ibv_context *ctx = qp->vqp.qp.context;
	enum ibv_qp_type type = qp->vqp.qp.qp_type;
	int i;

	if (wr->num_sge < 0 || (uint32_t)wr->num_sge > qp->sq.max_sge) {
		rxp_dbg(ctx, "num_sge %d > %u", wr->num_sge, qp->sq.max_sge);
		return EINVAL;
	}
	*length = 0;
	for (i = 0; i < wr->num_sge; i++)
		*length += wr->sg_list[i].length;
	if ((wr->send_flags & IBV_SEND_INLINE) && *length > qp->sq.max_inline) {
		rxp_dbg(ctx, "inline %llu > %u", (unsigned long long)*length,
			qp->sq.max_inline);
		return EINVAL;
	}
	if (rxp_is_atomic(wr->opcode) &&
	    (*length < 8 || (wr->wr.atomic.remote_addr & 7))) {
		rxp_dbg(ctx, "atomic: length %llu, address 0x%llx",
			(unsigned long long)*length,
			(unsigned long long)wr->wr.atomic.remote_addr);
		return EINVAL;
	}
	if (wr->opcode == IBV_WR_BIND_MW &&
	    (*length || (type != IBV_QPT_RC && type != IBV_QPT_UC &&
			 type != IBV_QPT_XRC_SEND))) {
		rxp_dbg(ctx, "bind_mw with data or on QP type %d", type);
		return EINVAL;
	}
	if (type == IBV_QPT_UD && !wr->wr.ud.ah &&
	    (wr->opcode == IBV_WR_SEND || wr->opcode == IBV_WR_SEND_WITH_IMM)) {
		rxp_dbg(ctx, "UD send without an AH");
		return EINVAL;
	}
	if (wr->opcode == IBV_WR_BIND_MW && !wr->bind_mw.mw) {
		rxp_dbg(ctx, "BIND_MW without a window");
		return EINVAL;
	}
	if (type == IBV_QPT_XRC_SEND &&
	    wr->qp_type.xrc.remote_srqn > RXP_SRQN_MAX) {
		rxp_dbg(ctx, "remote SRQ number 0x%x", wr->qp_type.xrc.remote_srqn);
		return EINVAL;
	}
	return 0;
}

/* Write @wr into the SQ slot @prod. */
static int rxp_send_wqe(struct rxp_qp *qp, uint32_t prod,
			const struct ibv_send_wr *wr)
{
	struct rxe_send_wqe *wqe;
	uint64_t length;
	int ret, i;

	ret = rxp_check_send_wr(qp, wr, &length);
	if (ret)
		return ret;
	if (rxp_ring_full_at(&qp->sq.ring, prod))
		return ENOMEM;
	wqe = rxp_wqe_init(rxp_ring_slot(&qp->sq.ring, prod), wr->wr_id,
			   wr->opcode, wr->send_flags);
	/* imm_data and invalidate_rkey share their place in both layouts */
	wqe->wr.ex.imm_data = wr->imm_data;
	if (qp->vqp.qp.qp_type == IBV_QPT_XRC_SEND)
		rxp_wqe_xrc(wqe, wr->qp_type.xrc.remote_srqn);

	switch (wr->opcode) {
	case IBV_WR_RDMA_WRITE:
	case IBV_WR_RDMA_WRITE_WITH_IMM:
	case IBV_WR_RDMA_READ:
		rxp_wqe_rdma(wqe, wr->wr.rdma.rkey, wr->wr.rdma.remote_addr);
		break;
	case IBV_WR_ATOMIC_CMP_AND_SWP:
	case IBV_WR_ATOMIC_FETCH_AND_ADD:
		rxp_wqe_atomic(wqe, wr->wr.atomic.rkey, wr->wr.atomic.remote_addr,
			       wr->wr.atomic.compare_add, wr->wr.atomic.swap);
		break;
	case IBV_WR_SEND:
	case IBV_WR_SEND_WITH_IMM:
		if (qp->vqp.qp.qp_type == IBV_QPT_UD)
			rxp_wqe_ud(wqe, wr->wr.ud.ah, wr->wr.ud.remote_qpn,
				   wr->wr.ud.remote_qkey);
		break;
	case IBV_WR_BIND_MW:
		rxp_wqe_bind(wqe, wr->bind_mw.mw, wr->bind_mw.rkey,
			     &wr->bind_mw.bind_info);
		break;
	default:
		/* the kernel judges the opcode for this QP type */
		break;
	}

	if (wr->send_flags & IBV_SEND_INLINE) {
		uint8_t *p = wqe->dma.inline_data;

		for (i = 0; i < wr->num_sge; i++) {
			memcpy(p, (void *)(uintptr_t)wr->sg_list[i].addr,
			       wr->sg_list[i].length);
			p += wr->sg_list[i].length;
		}
		wqe->dma.length = length;
		wqe->dma.resid = length;
	} else {
		rxp_wqe_sges(wqe, wr->sg_list, wr->num_sge);
	}
	return 0;
}

/*
 * Post a list: the WRs before a bad one are posted (and rung), the bad
 * one and the rest are not.
 */
int rxp_post_send(struct ibv_qp *ibqp, struct ibv_send_wr *wr,
		  struct ibv_send_wr **bad_wr)
{
	struct rxp_qp *qp = to_rxp_qp(ibqp);
	uint32_t prod, first;
	int ret = 0, db;

	*bad_wr = NULL;
	if (!qp->sq.ring.buf) {
		/* an XRC_RECV QP: the kernel's, without a send queue */
		rxp_dbg(ibqp->context, "QP %u has no send queue", ibqp->qp_num);
		*bad_wr = wr;
		return EINVAL;
	}
	pthread_spin_lock(&qp->sq.lock);
	first = prod = rxp_ring_prod(&qp->sq.ring);
	for (; wr; wr = wr->next) {
		ret = rxp_send_wqe(qp, prod, wr);
		if (ret) {
			*bad_wr = wr;
			break;
		}
		prod = (prod + 1) & qp->sq.ring.mask;
	}
	if (prod != first)
		rxp_ring_publish(&qp->sq.ring.buf->producer_index, prod);
	pthread_spin_unlock(&qp->sq.lock);
	if (prod == first)
		return ret;
	db = rxp_doorbell(ibqp);
	return ret ? ret : db;
}

/* Type 1 windows are bound through the SQ, with the next key of the MW. */
int rxp_bind_mw(struct ibv_qp *ibqp, struct ibv_mw *mw, struct ibv_mw_bind *bind)
{
	struct ibv_send_wr wr = {}, *bad;
	int ret;

	if (bind->bind_info.mw_access_flags & IBV_ACCESS_ZERO_BASED) {
		rxp_dbg(ibqp->context, "zero-based windows are not supported");
		return EINVAL;
	}
	wr.wr_id = bind->wr_id;
	wr.opcode = IBV_WR_BIND_MW;
	wr.send_flags = bind->send_flags;
	wr.bind_mw.mw = mw;
	wr.bind_mw.rkey = ibv_inc_rkey(mw->rkey);
	wr.bind_mw.bind_info = bind->bind_info;
	ret = rxp_post_send(ibqp, &wr, &bad);
	if (!ret)
		mw->rkey = wr.bind_mw.rkey;
	return ret;
}

/*
 * ibv_qp_ex. wr_start takes the SQ lock, each builder takes the next slot
 * (its errors are kept for wr_complete, which publishes the batch only if
 * there were none), wr_set_* fill the slot the last builder took.
 */

static void rxp_wr_fail(struct rxp_qp *qp, int err)
{
	if (!qp->wr_err)
		qp->wr_err = err;
	qp->wr_wqe = NULL;
}

static struct rxe_send_wqe *rxp_wr_next(struct ibv_qp_ex *ibqp, uint32_t opcode)
{
	struct rxp_qp *qp = ex_to_rxp_qp(ibqp);
	struct rxe_send_wqe *wqe;

	if (qp->wr_err)
		return NULL;
	if (rxp_ring_full_at(&qp->sq.ring, qp->wr_next)) {
		rxp_wr_fail(qp, ENOMEM);
		return NULL;
	}
	wqe = rxp_wqe_init(rxp_ring_slot(&qp->sq.ring, qp->wr_next),
			   ibqp->wr_id, opcode, ibqp->wr_flags);
	qp->wr_next = (qp->wr_next + 1) & qp->sq.ring.mask;
	qp->wr_count++;
	qp->wr_wqe = wqe;
	return wqe;
}

static void rxp_wr_start(struct ibv_qp_ex *ibqp)
{
	struct rxp_qp *qp = ex_to_rxp_qp(ibqp);

	pthread_spin_lock(&qp->sq.lock);
	qp->wr_next = rxp_ring_prod(&qp->sq.ring);
	qp->wr_count = 0;
	qp->wr_err = 0;
	qp->wr_wqe = NULL;
}

static int rxp_wr_complete(struct ibv_qp_ex *ibqp)
{
	struct rxp_qp *qp = ex_to_rxp_qp(ibqp);
	int err = qp->wr_err;
	uint32_t count = qp->wr_count;

	if (!err && count)
		rxp_ring_publish(&qp->sq.ring.buf->producer_index, qp->wr_next);
	pthread_spin_unlock(&qp->sq.lock);
	if (err) {
		rxp_dbg(ibqp->qp_base.context, "batch dropped: %s", strerror(err));
		return err;
	}
	return count ? rxp_doorbell(&ibqp->qp_base) : 0;
}

static void rxp_wr_abort(struct ibv_qp_ex *ibqp)
{
	pthread_spin_unlock(&ex_to_rxp_qp(ibqp)->sq.lock);
}

static void rxp_wr_send(struct ibv_qp_ex *ibqp)
{
	rxp_wr_next(ibqp, IBV_WR_SEND);
}

static void rxp_wr_send_imm(struct ibv_qp_ex *ibqp, __be32 imm)
{
	struct rxe_send_wqe *wqe = rxp_wr_next(ibqp, IBV_WR_SEND_WITH_IMM);

	if (wqe)
		wqe->wr.ex.imm_data = imm;
}

static void rxp_wr_send_inv(struct ibv_qp_ex *ibqp, uint32_t rkey)
{
	struct rxe_send_wqe *wqe = rxp_wr_next(ibqp, IBV_WR_SEND_WITH_INV);

	if (wqe)
		wqe->wr.ex.invalidate_rkey = rkey;
}

static void rxp_wr_rdma_write(struct ibv_qp_ex *ibqp, uint32_t rkey,
			      uint64_t remote_addr)
{
	struct rxe_send_wqe *wqe = rxp_wr_next(ibqp, IBV_WR_RDMA_WRITE);

	if (wqe)
		rxp_wqe_rdma(wqe, rkey, remote_addr);
}

static void rxp_wr_rdma_write_imm(struct ibv_qp_ex *ibqp, uint32_t rkey,
				  uint64_t remote_addr, __be32 imm)
{
	struct rxe_send_wqe *wqe = rxp_wr_next(ibqp, IBV_WR_RDMA_WRITE_WITH_IMM);

	if (wqe) {
		rxp_wqe_rdma(wqe, rkey, remote_addr);
		wqe->wr.ex.imm_data = imm;
	}
}

static void rxp_wr_rdma_read(struct ibv_qp_ex *ibqp, uint32_t rkey,
			     uint64_t remote_addr)
{
	struct rxe_send_wqe *wqe = rxp_wr_next(ibqp, IBV_WR_RDMA_READ);

	if (wqe)
		rxp_wqe_rdma(wqe, rkey, remote_addr);
}

static void rxp_wr_atomic_cmp_swp(struct ibv_qp_ex *ibqp, uint32_t rkey,
				  uint64_t remote_addr, uint64_t compare,
				  uint64_t swap)
{
	struct rxe_send_wqe *wqe = rxp_wr_next(ibqp, IBV_WR_ATOMIC_CMP_AND_SWP);

	if (wqe)
		rxp_wqe_atomic(wqe, rkey, remote_addr, compare, swap);
}

static void rxp_wr_atomic_fetch_add(struct ibv_qp_ex *ibqp, uint32_t rkey,
				    uint64_t remote_addr, uint64_t add)
{
	struct rxe_send_wqe *wqe = rxp_wr_next(ibqp, IBV_WR_ATOMIC_FETCH_AND_ADD);

	if (wqe)
		rxp_wqe_atomic(wqe, rkey, remote_addr, add, 0);
}

static void rxp_wr_atomic_write(struct ibv_qp_ex *ibqp, uint32_t rkey,
				uint64_t remote_addr, const void *value)
{
	struct rxe_send_wqe *wqe = rxp_wr_next(ibqp, IBV_WR_ATOMIC_WRITE);

	if (!wqe)
		return;
	rxp_wqe_rdma(wqe, rkey, remote_addr);
	/* the 8 bytes travel in the WQE, where inline data would */
	memcpy(wqe->dma.atomic_wr, value, 8);
	wqe->dma.length = 8;
	wqe->dma.resid = 8;
}

#ifdef RXP_HAVE_QP_EX_WR_FLUSH
static void rxp_wr_flush(struct ibv_qp_ex *ibqp, uint32_t rkey,
			 uint64_t remote_addr, size_t len, uint8_t type,
			 uint8_t level)
{
	struct rxe_send_wqe *wqe = rxp_wr_next(ibqp, IBV_WR_FLUSH);

	if (!wqe)
		return;
	wqe->wr.wr.flush.remote_addr = remote_addr;
	wqe->wr.wr.flush.rkey = rkey;
	wqe->wr.wr.flush.type = type;
	wqe->wr.wr.flush.level = level;
	wqe->dma.length = len;
	wqe->dma.resid = len;
	wqe->iova = remote_addr;
}
#endif

static void rxp_wr_local_inv(struct ibv_qp_ex *ibqp, uint32_t rkey)
{
	struct rxe_send_wqe *wqe = rxp_wr_next(ibqp, IBV_WR_LOCAL_INV);

	if (wqe)
		wqe->wr.ex.invalidate_rkey = rkey;
}

static void rxp_wr_bind_mw(struct ibv_qp_ex *ibqp, struct ibv_mw *mw,
			   uint32_t rkey, const struct ibv_mw_bind_info *info)
{
	struct rxe_send_wqe *wqe = rxp_wr_next(ibqp, IBV_WR_BIND_MW);

	if (wqe)
		rxp_wqe_bind(wqe, mw, rkey, info);
}

static void rxp_wr_set_ud_addr(struct ibv_qp_ex *ibqp, struct ibv_ah *ah,
			       uint32_t remote_qpn, uint32_t remote_qkey)
{
	struct rxp_qp *qp = ex_to_rxp_qp(ibqp);

	if (!qp->wr_wqe)
		return;
	if (!ah) {
		rxp_wr_fail(qp, EINVAL);
		return;
	}
	rxp_wqe_ud(qp->wr_wqe, ah, remote_qpn, remote_qkey);
}

static void rxp_wr_set_xrc_srqn(struct ibv_qp_ex *ibqp, uint32_t remote_srqn)
{
	struct rxp_qp *qp = ex_to_rxp_qp(ibqp);

	if (!qp->wr_wqe)
		return;
	if (remote_srqn > RXP_SRQN_MAX) {
		rxp_wr_fail(qp, EINVAL);
		return;
	}
	rxp_wqe_xrc(qp->wr_wqe, remote_srqn);
}

static void rxp_wr_set_sge_list(struct ibv_qp_ex *ibqp, size_t num,
				const struct ibv_sge *sg)
{
	struct rxp_qp *qp = ex_to_rxp_qp(ibqp);

	if (!qp->wr_wqe)
		return;
	if (num > qp->sq.max_sge) {
		rxp_wr_fail(qp, EINVAL);
		return;
	}
	rxp_wqe_sges(qp->wr_wqe, sg, num);
}

static void rxp_wr_set_sge(struct ibv_qp_ex *ibqp, uint32_t lkey,
			   uint64_t addr, uint32_t length)
{
	struct ibv_sge sge = { .addr = addr, .length = length, .lkey = lkey };

	rxp_wr_set_sge_list(ibqp, 1, &sge);
}

static void rxp_wr_set_inline_data_list(struct ibv_qp_ex *ibqp, size_t num,
					const struct ibv_data_buf *buf)
{
	struct rxp_qp *qp = ex_to_rxp_qp(ibqp);
	size_t length = 0, i;

	if (!qp->wr_wqe)
		return;
	for (i = 0; i < num; i++)
		length += buf[i].length;
	if (length > qp->sq.max_inline) {
		rxp_wr_fail(qp, EINVAL);
		return;
	}
	rxp_wqe_inline(qp->wr_wqe, buf, num);
}

static void rxp_wr_set_inline_data(struct ibv_qp_ex *ibqp, void *addr,
				   size_t length)
{
	struct ibv_data_buf buf = { .addr = addr, .length = length };

	rxp_wr_set_inline_data_list(ibqp, 1, &buf);
}

/**
 * rxp_qp_ex_init() - install the ibv_qp_ex builders asked for in @send_ops
 * (already checked against the QP type).
 */
int rxp_qp_ex_init(struct rxp_qp *qp, uint64_t send_ops)
{
	struct ibv_qp_ex *ex = &qp->vqp.qp_ex;

	ex->wr_start = rxp_wr_start;
	ex->wr_complete = rxp_wr_complete;
	ex->wr_abort = rxp_wr_abort;
	ex->wr_set_sge = rxp_wr_set_sge;
	ex->wr_set_sge_list = rxp_wr_set_sge_list;
	ex->wr_set_inline_data = rxp_wr_set_inline_data;
	ex->wr_set_inline_data_list = rxp_wr_set_inline_data_list;
	if (qp->vqp.qp.qp_type == IBV_QPT_UD)
		ex->wr_set_ud_addr = rxp_wr_set_ud_addr;
	if (qp->vqp.qp.qp_type == IBV_QPT_XRC_SEND)
		ex->wr_set_xrc_srqn = rxp_wr_set_xrc_srqn;
	if (send_ops & IBV_QP_EX_WITH_SEND)
		ex->wr_send = rxp_wr_send;
	if (send_ops & IBV_QP_EX_WITH_SEND_WITH_IMM)
		ex->wr_send_imm = rxp_wr_send_imm;
	if (send_ops & IBV_QP_EX_WITH_SEND_WITH_INV)
		ex->wr_send_inv = rxp_wr_send_inv;
	if (send_ops & IBV_QP_EX_WITH_RDMA_WRITE)
		ex->wr_rdma_write = rxp_wr_rdma_write;
	if (send_ops & IBV_QP_EX_WITH_RDMA_WRITE_WITH_IMM)
		ex->wr_rdma_write_imm = rxp_wr_rdma_write_imm;
	if (send_ops & IBV_QP_EX_WITH_RDMA_READ)
		ex->wr_rdma_read = rxp_wr_rdma_read;
	if (send_ops & IBV_QP_EX_WITH_ATOMIC_CMP_AND_SWP)
		ex->wr_atomic_cmp_swp = rxp_wr_atomic_cmp_swp;
	if (send_ops & IBV_QP_EX_WITH_ATOMIC_FETCH_AND_ADD)
		ex->wr_atomic_fetch_add = rxp_wr_atomic_fetch_add;
	if (send_ops & IBV_QP_EX_WITH_ATOMIC_WRITE)
		ex->wr_atomic_write = rxp_wr_atomic_write;
#ifdef RXP_HAVE_QP_EX_WR_FLUSH
	if (send_ops & IBV_QP_EX_WITH_FLUSH)
		ex->wr_flush = rxp_wr_flush;
#endif
	if (send_ops & IBV_QP_EX_WITH_LOCAL_INV)
		ex->wr_local_inv = rxp_wr_local_inv;
	if (send_ops & IBV_QP_EX_WITH_BIND_MW)
		ex->wr_bind_mw = rxp_wr_bind_mw;
	return 0;
}
