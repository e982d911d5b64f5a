// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rxp_cq.c - completion queues. The kernel produces struct ib_uverbs_wc
 * entries into the CQ ring; we consume them, through ibv_poll_cq or the
 * ibv_cq_ex start/next/end_poll interface.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "rxp.h"
#include "rxp_compat.h"

static void rxp_wc_from_cqe(struct ibv_wc *wc, const struct ib_uverbs_wc *e)
{
	wc->wr_id = e->wr_id;
	wc->status = e->status;
	wc->opcode = e->opcode;
	wc->vendor_err = e->vendor_err;
	wc->byte_len = e->byte_len;
	wc->imm_data = e->ex.imm_data;
	wc->qp_num = e->qp_num;
	wc->src_qp = e->src_qp;
	wc->wc_flags = e->wc_flags;
	wc->pkey_index = e->pkey_index;
	wc->slid = e->slid;
	wc->sl = e->sl;
	wc->dlid_path_bits = e->dlid_path_bits;
}

int rxp_poll_cq(struct ibv_cq *ibcq, int ne, struct ibv_wc *wc)
{
	struct rxp_cq *cq = to_rxp_cq(ibcq);
	struct rxp_ring *ring = &cq->ring;
	uint32_t cons;
	int n = 0;

	pthread_spin_lock(&cq->lock);
	cons = rxp_ring_cons(ring);
	while (n < ne && !rxp_ring_empty_at(ring, cons)) {
		rxp_wc_from_cqe(&wc[n++], rxp_ring_slot(ring, cons));
		cons = (cons + 1) & ring->mask;
	}
	if (n)
		rxp_ring_publish(&ring->buf->consumer_index, cons);
	pthread_spin_unlock(&cq->lock);
	return n;
}

/**
 * rxp_cq_clean() - drop the entries of QP @qpn from a CQ, as hardware
 * providers do when a QP goes to RESET: an application that resets a QP
 * after an error and reuses it must not find the old QP's flush
 * completions first. The entries not yet consumed are ours to rewrite:
 * the kept ones slide towards the producer end, the consumer index jumps
 * over the gap. The kernel only ever writes at its producer index.
 */
void rxp_cq_clean(struct ibv_cq *ibcq, uint32_t qpn)
{
	struct rxp_cq *cq = to_rxp_cq(ibcq);
	struct rxp_ring *ring = &cq->ring;
	uint32_t cons, prod, src, dst;
	size_t size = (size_t)1 << ring->elem_log2;

	pthread_spin_lock(&cq->lock);
	cons = rxp_ring_cons(ring);
	prod = rxp_ring_load(&ring->buf->producer_index) & ring->mask;
	dst = prod;
	for (src = prod; src != cons;) {
		struct ib_uverbs_wc *e;

		src = (src - 1) & ring->mask;
		e = rxp_ring_slot(ring, src);
		if (e->qp_num == qpn)
			continue;
		dst = (dst - 1) & ring->mask;
		if (dst != src)
			memcpy(rxp_ring_slot(ring, dst), e, size);
	}
	if (dst != cons)
		rxp_ring_publish(&ring->buf->consumer_index, dst);
	pthread_spin_unlock(&cq->lock);
}

/* ibv_cq_ex: the current entry is the one at the consumer index. */

static void rxp_cq_take_current(struct rxp_cq *cq, uint32_t cons)
{
	cq->cur = rxp_ring_slot(&cq->ring, cons);
	cq->vcq.cq_ex.wr_id = cq->cur->wr_id;
	cq->vcq.cq_ex.status = cq->cur->status;
}

static void rxp_cq_consume_current(struct rxp_cq *cq)
{
	struct rxp_ring *ring = &cq->ring;

	rxp_ring_publish(&ring->buf->consumer_index,
			 (rxp_ring_cons(ring) + 1) & ring->mask);
	cq->cur = NULL;
}

static int rxp_start_poll(struct ibv_cq_ex *ibcq, struct ibv_poll_cq_attr *attr)
{
	struct rxp_cq *cq = ex_to_rxp_cq(ibcq);
	uint32_t cons;

	if (attr->comp_mask)
		return EINVAL;
	pthread_spin_lock(&cq->lock);
	cons = rxp_ring_cons(&cq->ring);
	if (rxp_ring_empty_at(&cq->ring, cons)) {
		pthread_spin_unlock(&cq->lock);
		return ENOENT;
	}
	rxp_cq_take_current(cq, cons);
	return 0;
}

static int rxp_next_poll(struct ibv_cq_ex *ibcq)
{
	struct rxp_cq *cq = ex_to_rxp_cq(ibcq);
	uint32_t cons;

	rxp_cq_consume_current(cq);
	cons = rxp_ring_cons(&cq->ring);
	if (rxp_ring_empty_at(&cq->ring, cons))
		return ENOENT;
	rxp_cq_take_current(cq, cons);
	return 0;
}

static void rxp_end_poll(struct ibv_cq_ex *ibcq)
{
	struct rxp_cq *cq = ex_to_rxp_cq(ibcq);

	if (cq->cur)
		rxp_cq_consume_current(cq);
	pthread_spin_unlock(&cq->lock);
}

static enum ibv_wc_opcode rxp_read_opcode(struct ibv_cq_ex *ibcq)
{
	return ex_to_rxp_cq(ibcq)->cur->opcode;
}

static uint32_t rxp_read_vendor_err(struct ibv_cq_ex *ibcq)
{
	return ex_to_rxp_cq(ibcq)->cur->vendor_err;
}

static uint32_t rxp_read_byte_len(struct ibv_cq_ex *ibcq)
{
	return ex_to_rxp_cq(ibcq)->cur->byte_len;
}

static __be32 rxp_read_imm_data(struct ibv_cq_ex *ibcq)
{
	return ex_to_rxp_cq(ibcq)->cur->ex.imm_data;
}

static uint32_t rxp_read_qp_num(struct ibv_cq_ex *ibcq)
{
	return ex_to_rxp_cq(ibcq)->cur->qp_num;
}

static uint32_t rxp_read_src_qp(struct ibv_cq_ex *ibcq)
{
	return ex_to_rxp_cq(ibcq)->cur->src_qp;
}

static unsigned int rxp_read_wc_flags(struct ibv_cq_ex *ibcq)
{
	return ex_to_rxp_cq(ibcq)->cur->wc_flags;
}

static uint32_t rxp_read_slid(struct ibv_cq_ex *ibcq)
{
	return ex_to_rxp_cq(ibcq)->cur->slid;
}

static uint8_t rxp_read_sl(struct ibv_cq_ex *ibcq)
{
	return ex_to_rxp_cq(ibcq)->cur->sl;
}

static uint8_t rxp_read_dlid_path_bits(struct ibv_cq_ex *ibcq)
{
	return ex_to_rxp_cq(ibcq)->cur->dlid_path_bits;
}

/* Readers for the fields the entry has; the rest stay NULL (unsupported). */
static void rxp_cq_ex_init(struct rxp_cq *cq, uint64_t wc_flags)
{
	struct ibv_cq_ex *ex = &cq->vcq.cq_ex;

	ex->start_poll = rxp_start_poll;
	ex->next_poll = rxp_next_poll;
	ex->end_poll = rxp_end_poll;
	ex->read_opcode = rxp_read_opcode;
	ex->read_vendor_err = rxp_read_vendor_err;
	ex->read_wc_flags = rxp_read_wc_flags;
	if (wc_flags & IBV_WC_EX_WITH_BYTE_LEN)
		ex->read_byte_len = rxp_read_byte_len;
	if (wc_flags & IBV_WC_EX_WITH_IMM)
		ex->read_imm_data = rxp_read_imm_data;
	if (wc_flags & IBV_WC_EX_WITH_QP_NUM)
		ex->read_qp_num = rxp_read_qp_num;
	if (wc_flags & IBV_WC_EX_WITH_SRC_QP)
		ex->read_src_qp = rxp_read_src_qp;
	if (wc_flags & IBV_WC_EX_WITH_SLID)
		ex->read_slid = rxp_read_slid;
	if (wc_flags & IBV_WC_EX_WITH_SL)
		ex->read_sl = rxp_read_sl;
	if (wc_flags & IBV_WC_EX_WITH_DLID_PATH_BITS)
		ex->read_dlid_path_bits = rxp_read_dlid_path_bits;
}

static struct rxp_cq *rxp_cq_alloc(void)
{
	struct rxp_cq *cq = calloc(1, sizeof(*cq));

	if (cq && pthread_spin_init(&cq->lock, PTHREAD_PROCESS_PRIVATE)) {
		free(cq);
		return NULL;
	}
	return cq;
}

static void rxp_cq_free(struct rxp_cq *cq)
{
	pthread_spin_destroy(&cq->lock);
	free(cq);
}

/* As rxp_qp_created() (rxp_qp.c), for a CQ. */
static struct rxp_cq *rxp_cq_created(struct ibv_context *ctx, struct rxp_cq *cq,
				     int ret, const struct mminfo *mi)
{
	if (ret) {
		rxp_dbg(ctx, "create: %s", strerror(ret));
	} else {
		ret = rxp_ring_map(ctx, &cq->ring, mi);
		if (!ret)
			return cq;
		ibv_cmd_destroy_cq(&cq->vcq.cq);
	}
	rxp_cq_free(cq);
	errno = ret;
	return NULL;
}

struct ibv_cq *rxp_create_cq(struct ibv_context *ctx, int cqe,
			     struct ibv_comp_channel *channel, int comp_vector)
{
	struct rxp_create_cq_resp resp = {};
	struct ibv_create_cq cmd;
	struct rxp_cq *cq;
	int ret;

	cq = rxp_cq_alloc();
	if (!cq)
		return NULL;
	ret = ibv_cmd_create_cq(ctx, cqe, channel, comp_vector, &cq->vcq.cq,
				&cmd, sizeof(cmd), &resp.ibv_resp, sizeof(resp));
	cq = rxp_cq_created(ctx, cq, ret, &resp.mi);
	return cq ? &cq->vcq.cq : NULL;
}

struct ibv_cq_ex *rxp_create_cq_ex(struct ibv_context *ctx,
				   struct ibv_cq_init_attr_ex *attr)
{
	struct rxp_create_cq_ex_resp resp = {};
	struct rxp_create_cq_ex cmd = {};
	struct rxp_cq *cq;
	int ret;

	if (attr->wc_flags & ~(uint64_t)IBV_WC_STANDARD_FLAGS) {
		rxp_dbg(ctx, "wc_flags 0x%llx beyond the standard ones",
			(unsigned long long)attr->wc_flags);
		errno = EOPNOTSUPP;
		return NULL;
	}
	if (attr->comp_mask & ~(uint32_t)IBV_CQ_INIT_ATTR_MASK_FLAGS) {
		rxp_dbg(ctx, "comp_mask 0x%x", attr->comp_mask);
		errno = EOPNOTSUPP;
		return NULL;
	}
	cq = rxp_cq_alloc();
	if (!cq)
		return NULL;
	ret = rxp_cmd_create_cq_ex(ctx, attr, &cq->vcq, &cmd.ibv_cmd,
				   sizeof(cmd), &resp.ibv_resp, sizeof(resp));
	cq = rxp_cq_created(ctx, cq, ret, &resp.mi);
	if (!cq)
		return NULL;
	rxp_cq_ex_init(cq, attr->wc_flags);
	return &cq->vcq.cq_ex;
}

/* The kernel moves the entries not yet polled into a new ring. */
int rxp_resize_cq(struct ibv_cq *ibcq, int cqe)
{
	struct rxp_cq *cq = to_rxp_cq(ibcq);
	struct rxp_resize_cq_resp resp = {};
	struct ibv_resize_cq cmd;
	int ret;

	pthread_spin_lock(&cq->lock);
	ret = ibv_cmd_resize_cq(ibcq, cqe, &cmd, sizeof(cmd), &resp.ibv_resp,
				sizeof(resp));
	if (!ret) {
		rxp_ring_unmap(&cq->ring);
		ret = rxp_ring_map(ibcq->context, &cq->ring, &resp.mi);
	} else {
		rxp_dbg(ibcq->context, "cqe %d: %s", cqe, strerror(ret));
	}
	pthread_spin_unlock(&cq->lock);
	return ret;
}

int rxp_destroy_cq(struct ibv_cq *ibcq)
{
	struct rxp_cq *cq = to_rxp_cq(ibcq);
	int ret;

	ret = ibv_cmd_destroy_cq(ibcq);
	if (ret)
		return ret;
	rxp_ring_unmap(&cq->ring);
	rxp_cq_free(cq);
	return 0;
}
