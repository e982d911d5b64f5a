/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rxe_queue.h - rings shared with user space (CQ, SQ, RQ, SRQ).
 *
 * The memory layout is struct rxe_queue_buf of <rdma/rdma_user_rxe.h>, the
 * contract with the rdma-core rxe provider: a header with the element size
 * (log2), the index mask and the producer and consumer indices, then the
 * elements. Indices are masked slot numbers; the ring is full when
 * producer + 1 == consumer, so N slots hold N - 1 elements.
 *
 * Each index has one owner. The kernel keeps its own index privately and
 * publishes it with a release store; the other side's index is read with
 * an acquire load and masked, so whatever user space writes there can at
 * worst make the ring look fuller or emptier, never move an access out of
 * the buffer.
 */
#ifndef RXE_QUEUE_H
#define RXE_QUEUE_H

#include <rdma/ib_verbs.h>
#include <rdma/rdma_user_rxe.h>

/* Which index the kernel owns. */
enum rxe_queue_role {
	RXE_QUEUE_KERNEL_PRODUCES,	/* CQ */
	RXE_QUEUE_KERNEL_CONSUMES,	/* SQ, RQ, SRQ */
};

/**
 * struct rxe_queue - one ring.
 * @buf: the shared memory (vmalloc_user); owned by @mmap once that exists.
 * @buf_size: its size in bytes, page aligned.
 * @mmap: the user mapping's entry, or NULL for a kernel-only ring.
 * @role: which index the kernel owns.
 * @index_mask: slots - 1 (the kernel's copy; the one in @buf is user's).
 * @elem_log2: log2 of the element size (the kernel's copy).
 * @kindex: the kernel's own index (producer or consumer, by @role).
 */
struct rxe_queue {
	struct rxe_queue_buf *buf;
	size_t buf_size;
	struct rdma_user_mmap_entry *mmap;
	enum rxe_queue_role role;
	u32 index_mask;
	u32 elem_log2;
	u32 kindex;
};

int rxe_queue_init(struct rxe_queue *q, unsigned int num_elem,
		   size_t elem_size, enum rxe_queue_role role);
int rxe_queue_expose(struct rxe_queue *q, struct ib_ucontext *uctx,
		     struct mminfo *mi);
void rxe_queue_cleanup(struct rxe_queue *q);

/** rxe_queue_capacity() - how many elements the ring holds. */
static inline u32 rxe_queue_capacity(const struct rxe_queue *q)
{
	return q->index_mask;
}

/* The other side's index, masked. */
static inline u32 rxe_queue_peer_index(const struct rxe_queue *q)
{
	const u32 *idx = q->role == RXE_QUEUE_KERNEL_PRODUCES ?
			 &q->buf->consumer_index : &q->buf->producer_index;

	return smp_load_acquire(idx) & q->index_mask;
}

static inline void *rxe_queue_addr(const struct rxe_queue *q, u32 index)
{
	return q->buf->data + ((size_t)(index & q->index_mask) << q->elem_log2);
}

/* Kernel as producer (CQ). */

static inline bool rxe_queue_full(const struct rxe_queue *q)
{
	return ((q->kindex + 1) & q->index_mask) == rxe_queue_peer_index(q);
}

static inline void *rxe_queue_producer_addr(const struct rxe_queue *q)
{
	return rxe_queue_addr(q, q->kindex);
}

/* Publish the element at the producer index (after filling it). */
static inline void rxe_queue_produce(struct rxe_queue *q)
{
	q->kindex = (q->kindex + 1) & q->index_mask;
	smp_store_release(&q->buf->producer_index, q->kindex);
}

/* Kernel as consumer (SQ, RQ, SRQ; and the consumer of a kernel CQ). */

/** rxe_queue_count() - elements the consumer has not taken yet. */
static inline u32 rxe_queue_count(const struct rxe_queue *q)
{
	return (rxe_queue_peer_index(q) - q->kindex) & q->index_mask;
}

static inline void *rxe_queue_consumer_addr(const struct rxe_queue *q)
{
	return rxe_queue_addr(q, q->kindex);
}

static inline void rxe_queue_consume(struct rxe_queue *q)
{
	q->kindex = (q->kindex + 1) & q->index_mask;
	smp_store_release(&q->buf->consumer_index, q->kindex);
}

#endif /* RXE_QUEUE_H */
