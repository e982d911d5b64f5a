/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rxp.h - our rdma-core provider for the rxe (Soft-RoCE) device.
 *
 * The device is software: every queue is a ring in memory shared with the
 * kernel driver (struct rxe_queue_buf of <rdma/rdma_user_rxe.h>, mapped
 * from the command fd), so data path verbs never enter the kernel except
 * for the send doorbell. Everything else goes through libibverbs' command
 * helpers (ibv_cmd_*).
 *
 * Conventions of the whole library:
 *  - Verbs returning int return 0 or a positive errno value, as libibverbs
 *    expects; verbs returning a pointer return NULL and set errno.
 *  - No printing. With RXE_PROVIDER_DEBUG=1 in the environment (and unless
 *    built with -DRXP_NO_DEBUG) the reason for each refused call goes to
 *    stderr, one line each.
 *  - Locks: one spinlock per ring, taken by the verbs that produce into or
 *    consume from it; never two at once.
 */
#ifndef RXP_H
#define RXP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <infiniband/driver.h>
#include <infiniband/kern-abi.h>
#include <rdma/rdma_user_rxe.h>
#include <kernel-abi/rdma_user_rxe.h>

/* Command and response layouts of the verbs whose responses carry rxe data. */
DECLARE_DRV_CMD(rxp_create_ah, IB_USER_VERBS_CMD_CREATE_AH,
		empty, rxe_create_ah_resp);
DECLARE_DRV_CMD(rxp_create_cq, IB_USER_VERBS_CMD_CREATE_CQ,
		empty, rxe_create_cq_resp);
DECLARE_DRV_CMD(rxp_create_cq_ex, IB_USER_VERBS_EX_CMD_CREATE_CQ,
		empty, rxe_create_cq_resp);
DECLARE_DRV_CMD(rxp_resize_cq, IB_USER_VERBS_CMD_RESIZE_CQ,
		empty, rxe_resize_cq_resp);
DECLARE_DRV_CMD(rxp_create_qp, IB_USER_VERBS_CMD_CREATE_QP,
		empty, rxe_create_qp_resp);
DECLARE_DRV_CMD(rxp_create_qp_ex, IB_USER_VERBS_EX_CMD_CREATE_QP,
		empty, rxe_create_qp_resp);
DECLARE_DRV_CMD(rxp_create_srq, IB_USER_VERBS_CMD_CREATE_SRQ,
		empty, rxe_create_srq_resp);
DECLARE_DRV_CMD(rxp_create_srq_ex, IB_USER_VERBS_CMD_CREATE_XSRQ,
		empty, rxe_create_srq_resp);
DECLARE_DRV_CMD(rxp_modify_srq, IB_USER_VERBS_CMD_MODIFY_SRQ,
		rxe_modify_srq_cmd, empty);

struct rxp_context {
	struct verbs_context vctx;
	bool debug;
};

/*
 * A ring shared with the kernel. The side that produces owns
 * producer_index, the other consumer_index; each publishes its index with
 * a release store and reads the other's with an acquire load. Indices are
 * slot numbers already masked; one slot stays empty, so "full" is
 * producer + 1 == consumer.
 */
struct rxp_ring {
	struct rxe_queue_buf *buf;
	size_t map_size;		/* 0: not mapped */
	uint32_t mask;
	uint32_t elem_log2;
};

/* A send or receive queue (the SQ and RQ of a QP, or an SRQ). */
struct rxp_wq {
	struct rxp_ring ring;
	pthread_spinlock_t lock;
	uint32_t max_sge;
	uint32_t max_inline;
};

struct rxp_cq {
	struct verbs_cq vcq;
	struct rxp_ring ring;
	pthread_spinlock_t lock;
	/* ibv_cq_ex polling: the entry start_poll/next_poll made current */
	struct ib_uverbs_wc *cur;
};

struct rxp_qp {
	struct verbs_qp vqp;
	struct rxp_wq sq;		/* not mapped: XRC_RECV */
	struct rxp_wq rq;		/* not mapped: SRQ user, XRC */
	/* ibv_qp_ex batch between wr_start and wr_complete/abort */
	uint32_t wr_next;		/* next free slot */
	uint32_t wr_count;		/* WQEs built so far */
	struct rxe_send_wqe *wr_wqe;	/* the one the wr_set_* calls fill */
	int wr_err;			/* first error of the batch */
};

struct rxp_srq {
	struct verbs_srq vsrq;
	struct rxp_wq rq;
	uint32_t srq_num;
};

struct rxp_ah {
	struct ibv_ah ibah;
	uint32_t ah_num;
};

static inline struct rxp_context *to_rxp_ctx(struct ibv_context *ctx)
{
	return container_of(ctx, struct rxp_context, vctx.context);
}

static inline struct rxp_cq *to_rxp_cq(struct ibv_cq *cq)
{
	return container_of(cq, struct rxp_cq, vcq.cq);
}

static inline struct rxp_cq *ex_to_rxp_cq(struct ibv_cq_ex *cq)
{
	return container_of(cq, struct rxp_cq, vcq.cq_ex);
}

static inline struct rxp_qp *to_rxp_qp(struct ibv_qp *qp)
{
	return container_of(qp, struct rxp_qp, vqp.qp);
}

static inline struct rxp_qp *ex_to_rxp_qp(struct ibv_qp_ex *qp)
{
	return container_of(qp, struct rxp_qp, vqp.qp_ex);
}

static inline struct rxp_srq *to_rxp_srq(struct ibv_srq *srq)
{
	return container_of(srq, struct rxp_srq, vsrq.srq);
}

static inline struct rxp_ah *to_rxp_ah(struct ibv_ah *ah)
{
	return container_of(ah, struct rxp_ah, ibah);
}

/* Debug trace of refused calls; see the file comment. */
#ifdef RXP_NO_DEBUG
#define rxp_dbg(ctx, fmt, ...) do { (void)(ctx); } while (0)
#else
void rxp_dbg_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define rxp_dbg(ctx, fmt, ...)						\
	do {								\
		if (to_rxp_ctx(ctx)->debug)				\
			rxp_dbg_print("%s: " fmt, __func__, ##__VA_ARGS__); \
	} while (0)
#endif

/* Ring helpers (rxp_qp.c). */
int rxp_ring_map(struct ibv_context *ctx, struct rxp_ring *ring,
		 const struct mminfo *mi);
void rxp_ring_unmap(struct rxp_ring *ring);

static inline void *rxp_ring_slot(const struct rxp_ring *ring, uint32_t index)
{
	return ring->buf->data + ((size_t)(index & ring->mask) << ring->elem_log2);
}

static inline uint32_t rxp_ring_load(uint32_t *index)
{
	return atomic_load_explicit((_Atomic uint32_t *)index,
				    memory_order_acquire);
}

static inline void rxp_ring_publish(uint32_t *index, uint32_t value)
{
	atomic_store_explicit((_Atomic uint32_t *)index, value,
			      memory_order_release);
}

/* Producer side (SQ, RQ, SRQ): our own index needs no ordering. */
static inline uint32_t rxp_ring_prod(const struct rxp_ring *ring)
{
	return ring->buf->producer_index & ring->mask;
}

static inline bool rxp_ring_full_at(const struct rxp_ring *ring, uint32_t prod)
{
	return ((prod + 1) & ring->mask) ==
	       (rxp_ring_load(&ring->buf->consumer_index) & ring->mask);
}

/* Consumer side (CQ). */
static inline uint32_t rxp_ring_cons(const struct rxp_ring *ring)
{
	return ring->buf->consumer_index & ring->mask;
}

static inline bool rxp_ring_empty_at(const struct rxp_ring *ring, uint32_t cons)
{
	return cons == (rxp_ring_load(&ring->buf->producer_index) & ring->mask);
}

/* Verbs, by file. */
/* rxp_cq.c */
struct ibv_cq *rxp_create_cq(struct ibv_context *ctx, int cqe,
			     struct ibv_comp_channel *channel, int comp_vector);
struct ibv_cq_ex *rxp_create_cq_ex(struct ibv_context *ctx,
				   struct ibv_cq_init_attr_ex *attr);
int rxp_resize_cq(struct ibv_cq *ibcq, int cqe);
int rxp_destroy_cq(struct ibv_cq *ibcq);
int rxp_poll_cq(struct ibv_cq *ibcq, int ne, struct ibv_wc *wc);
void rxp_cq_clean(struct ibv_cq *ibcq, uint32_t qpn);

/* rxp_qp.c */
struct ibv_qp *rxp_create_qp(struct ibv_pd *pd, struct ibv_qp_init_attr *attr);
struct ibv_qp *rxp_create_qp_ex(struct ibv_context *ctx,
				struct ibv_qp_init_attr_ex *attr);
struct ibv_qp *rxp_open_qp(struct ibv_context *ctx,
			   struct ibv_qp_open_attr *attr);
int rxp_query_qp(struct ibv_qp *qp, struct ibv_qp_attr *attr, int mask,
		 struct ibv_qp_init_attr *init_attr);
int rxp_modify_qp(struct ibv_qp *qp, struct ibv_qp_attr *attr, int mask);
int rxp_destroy_qp(struct ibv_qp *qp);
int rxp_post_recv(struct ibv_qp *qp, struct ibv_recv_wr *wr,
		  struct ibv_recv_wr **bad_wr);
struct ibv_srq *rxp_create_srq(struct ibv_pd *pd,
			       struct ibv_srq_init_attr *attr);
struct ibv_srq *rxp_create_srq_ex(struct ibv_context *ctx,
				  struct ibv_srq_init_attr_ex *attr);
int rxp_modify_srq(struct ibv_srq *srq, struct ibv_srq_attr *attr, int mask);
int rxp_query_srq(struct ibv_srq *srq, struct ibv_srq_attr *attr);
int rxp_destroy_srq(struct ibv_srq *srq);
int rxp_get_srq_num(struct ibv_srq *srq, uint32_t *srq_num);
int rxp_post_srq_recv(struct ibv_srq *srq, struct ibv_recv_wr *wr,
		      struct ibv_recv_wr **bad_wr);

/* rxp_send.c */
int rxp_post_send(struct ibv_qp *qp, struct ibv_send_wr *wr,
		  struct ibv_send_wr **bad_wr);
int rxp_bind_mw(struct ibv_qp *qp, struct ibv_mw *mw, struct ibv_mw_bind *bind);
int rxp_qp_ex_init(struct rxp_qp *qp, uint64_t send_ops);

#endif /* RXP_H */
