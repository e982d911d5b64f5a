/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rxe.h - objects and cross-file interfaces of the rdma_rxe driver.
 *
 * File layout (one responsibility each):
 *   rxe_main.c   module and device lifecycle, `rdma link` newlink
 *   rxe_net.c    the netdev side: events, port state, MTU
 *   rxe_verbs.c  verbs entry points and the ib_device_ops table
 *   rxe_queue.c  rings shared with user space, and their mmap
 *   rxe_cq.c     completion queues
 *   rxe_mr.c     memory regions
 *   rxe_odp.c    on-demand-paging MRs (over the rdma_odp core)
 *   rxe_qp.c     queue pairs and their state machine
 *   rxe_ah.c     address handles and address vectors
 *   rxe_opcode.c the RoCEv2 opcode table (rxe_hdr.h)
 *   rxe_icrc.c   the invariant CRC
 *   rxe_recv.c   received packets: checks, then to their QP
 *   rxe_mw.c     memory windows: bind, invalidate, access through them
 *   rxe_mcast.c  UD multicast groups: attach, detach, delivery
 *   rxe_req.c    requester: send WQEs to packets
 *   rxe_resp.c   responder: requests to data, ACKs and READ responses
 *   rxe_comp.c   completer: responses to send completions, retries
 */
#ifndef RXE_H
#define RXE_H

#include <linux/hashtable.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <rdma/ib_verbs.h>
#include <rdma/rdma_odp.h>

#include "rxe_odp_compat.h"
#include "rxe_param.h"
#include "rxe_queue.h"
#include "rxe_hdr.h"
#include "rxe_engine.h"

#define RXE_DRV_VERSION RDMA_ODP_VERSION	/* one release of both modules */

/**
 * struct rxe_ref - lifetime of an object that lookups find in an xarray.
 * @kref: one reference held by the object's owner (registration or
 *	creation), one by each lookup in flight.
 * @done: completed when @kref drops to zero.
 *
 * Lookups take a reference under RCU with rxe_ref_get(); the owner
 * removes the object from its xarray, then calls rxe_ref_drain() to drop
 * its reference and wait for the lookups still in flight.
 */
struct rxe_ref {
	struct kref kref;
	struct completion done;
};

static inline void rxe_ref_init(struct rxe_ref *r)
{
	kref_init(&r->kref);
	init_completion(&r->done);
}

static inline bool rxe_ref_get(struct rxe_ref *r)
{
	return kref_get_unless_zero(&r->kref);
}

static inline void rxe_ref_release(struct kref *kref)
{
	complete(&container_of(kref, struct rxe_ref, kref)->done);
}

static inline void rxe_ref_put(struct rxe_ref *r)
{
	kref_put(&r->kref, rxe_ref_release);
}

static inline void rxe_ref_drain(struct rxe_ref *r)
{
	rxe_ref_put(r);
	wait_for_completion(&r->done);
}

/**
 * struct rxe_handle - what a device's xarray holds for an object that the
 * core frees as soon as its destroy verb returns (QP, MW, SRQ).
 * @ref: the object's references: its creator's and one per lookup.
 * @obj: the object.
 * @rcu: frees the handle after a grace period.
 *
 * A lookup that loaded the handle just before the object's erase still
 * tries its reference on memory that outlives it (kfree_rcu()); so the
 * destroy verb waits for references only (rxe_handle_drain()), not for an
 * RCU grace period, which costs a QP destroy milliseconds.
 */
struct rxe_handle {
	struct rxe_ref ref;
	void *obj;
	struct rcu_head rcu;
};

/* A handle for @obj, holding its creator's reference; kfree() if never published. */
static inline struct rxe_handle *rxe_handle_new(void *obj)
{
	struct rxe_handle *h = kmalloc(sizeof(*h), GFP_KERNEL);

	if (h) {
		rxe_ref_init(&h->ref);
		h->obj = obj;
	}
	return h;
}

/* The object published at @index in @xa, with a reference; or NULL. */
static inline void *rxe_handle_get(struct xarray *xa, unsigned long index)
{
	struct rxe_handle *h;
	void *obj = NULL;

	rcu_read_lock();
	h = xa_load(xa, index);
	if (h && rxe_ref_get(&h->ref))
		obj = h->obj;
	rcu_read_unlock();
	return obj;
}

static inline void rxe_handle_put(struct rxe_handle *h)
{
	rxe_ref_put(&h->ref);
}

/*
 * Destroy, once the handle is out of its xarray: drop the creator's
 * reference, wait for the lookups' ones, free the handle after RCU.
 */
static inline void rxe_handle_drain(struct rxe_handle *h)
{
	rxe_ref_drain(&h->ref);
	kfree_rcu(h, rcu);
}

/**
 * rxe_xa_reserve() - reserve an index for an object that is published
 * (xa_store()) only once it is complete; lookups see NULL until then.
 * @xa: an allocating xarray.
 * @id: set to the index.
 * @limit: the range of indices.
 * @next: the cyclic allocation cursor.
 * @gfp: allocation flags.
 *
 * Return: 0, or -ENOMEM when memory or the range is exhausted.
 */
static inline int rxe_xa_reserve(struct xarray *xa, u32 *id, struct xa_limit limit,
				 u32 *next, gfp_t gfp)
{
	int err = xa_alloc_cyclic(xa, id, NULL, limit, next, gfp);

	/* 1 means the cursor wrapped: success. -EBUSY: no index left. */
	return err < 0 ? (err == -EBUSY ? -ENOMEM : err) : 0;
}

/* Device counters (what `rdma statistic` shows). */
enum rxe_counter {
	RXE_CNT_SENT_PKTS,
	RXE_CNT_RCVD_PKTS,
	RXE_CNT_DROP_HDR,	/* malformed or unknown opcode */
	RXE_CNT_DROP_ICRC,
	RXE_CNT_DROP_QP,	/* no such QP, wrong transport or state */
	RXE_CNT_DUP_REQ,
	RXE_CNT_SEQ_ERR_SENT,	/* out-of-sequence requests NAKed */
	RXE_CNT_SEQ_ERR_RCVD,
	RXE_CNT_RNR_SENT,
	RXE_CNT_RNR_RCVD,
	RXE_CNT_RETRANS_TIMEOUT,
	RXE_CNT_RETRY_EXCEEDED,
	RXE_CNT_RNR_RETRY_EXCEEDED,
	RXE_CNT_SEND_ERR,
	RXE_CNT_TEST_DROP,	/* dropped by the drop_tx_one_in test hook */
	RXE_CNT_MCAST_RCVD,	/* datagrams delivered to a multicast group */
	RXE_CNT_NUM
};

/**
 * struct rxe_dev - one Soft-RoCE device, bound to one netdev.
 * @ib_dev: the core device; the structure is allocated with it.
 * @ndev: the netdev we run on. The core holds its own reference through
 *	ib_device_set_netdev(); ours (@ndev_tracker) keeps the pointer valid
 *	until the device is freed in rxe_dev_dealloc().
 * @ndev_tracker: reference tracker of our netdev reference.
 * @attr: device attributes, fixed at creation. The core's copy in
 *	ib_dev.attrs is filled from it by query_device at registration.
 * @mr_xa: the MRs by index (see rxe_mr.c for the lifetime rules).
 * @mr_next: next index for cyclic allocation in @mr_xa.
 * @mr_key_gen: source of the key byte of new MRs.
 * @qp_xa: the QPs by number (same lifetime rules as @mr_xa).
 * @qp_next: next number for cyclic allocation in @qp_xa.
 * @ah_xa: the published address vectors of the AHs, by AH number.
 * @ah_next: next number for cyclic allocation in @ah_xa.
 * @srq_xa: the SRQs by number (at most RXE_MAX_SRQ); only XRC SRQs are
 *	published (responders look them up by the number in an XRCETH), a
 *	basic SRQ's number is just reserved. Lifetime as for @qp_xa.
 * @srq_next: next number for cyclic allocation in @srq_xa.
 * @mw_xa: the memory windows by index (rxe_mw.c).
 * @mw_next: next index for cyclic allocation in @mw_xa.
 * @mcg_mutex: serialises multicast attach and detach (rxe_mcast.c).
 * @mcg_table: the multicast groups with a QP attached, by GID.
 * @num_mcg: entries in @mcg_table (under @mcg_mutex).
 * @counters: see enum rxe_counter.
 * @odp_stats: the ODP core's counters of all our ODP MRs (shown after
 *	@counters).
 * @reported_port_state: the port state last reported in an async event,
 *	so repeated netdev events do not repeat it. Covered by RTNL (only
 *	netdev notifiers touch it after registration).
 */
struct rxe_dev {
	struct ib_device ib_dev;
	struct net_device *ndev;
	netdevice_tracker ndev_tracker;
	struct ib_device_attr attr;
	struct xarray mr_xa;
	u32 mr_next;
	atomic_t mr_key_gen;
	struct xarray qp_xa;
	u32 qp_next;
	struct xarray ah_xa;
	u32 ah_next;
	struct xarray srq_xa;
	u32 srq_next;
	struct xarray mw_xa;
	u32 mw_next;
	struct mutex mcg_mutex;
	DECLARE_HASHTABLE(mcg_table, 7);
	unsigned int num_mcg;
	atomic64_t counters[RXE_CNT_NUM];
	struct rdma_odp_stats odp_stats;
	enum ib_port_state reported_port_state;
};

static inline void rxe_count(struct rxe_dev *rxe, enum rxe_counter c)
{
	atomic64_inc(&rxe->counters[c]);
}

static inline struct rxe_dev *to_rdev(struct ib_device *ibdev)
{
	return container_of(ibdev, struct rxe_dev, ib_dev);
}

/** struct rxe_ucontext - per-process context (no private state yet). */
struct rxe_ucontext {
	struct ib_ucontext ibuc;
};

/** struct rxe_pd - protection domain (no private state yet). */
struct rxe_pd {
	struct ib_pd ibpd;
};

/* A completion queue entry: user CQs carry the uverbs format. */
struct rxe_cqe {
	union {
		struct ib_wc ibwc;
		struct ib_uverbs_wc uibwc;
	};
};

/**
 * struct rxe_cq - completion queue.
 * @ibcq: the core's CQ.
 * @queue: the ring; the kernel produces.
 * @lock: covers @queue's kernel side, @notify and resize.
 * @notify: 0 when not armed, else IB_CQ_SOLICITED or IB_CQ_NEXT_COMP.
 * @is_user: user CQ (uverbs entries, consumer in user space).
 */
struct rxe_cq {
	struct ib_cq ibcq;
	struct rxe_queue queue;
	spinlock_t lock;
	u8 notify;
	bool is_user;
};

/**
 * struct rxe_qp - queue pair.
 * @ibqp: the core's QP (number, type, CQs, SRQ).
 * @h: our handle in the device's QP table: holds the references of the
 *	creator and of each lookup (rxe_qp_lookup()).
 * @state_lock: serialises modify, query and destroy.
 * @state_spin: covers writes of @state (modify, and the engine's move
 *	to the error state, which cannot take the mutex).
 * @state: the IB state; written under @state_spin, read with READ_ONCE().
 * @attr: the attributes set so far (under @state_lock).
 * @cap: the capacities the QP really has.
 * @sq: the send ring; the engine consumes.
 * @rq: the receive ring (absent with an SRQ); the engine consumes.
 * @rq_lock: covers kernel producers of @rq (post_recv).
 * @sq_lock: covers kernel producers of @sq (post_send).
 * @sq_sig_type: whether unsignaled sends are allowed.
 * @is_user: user QP (rings mapped by the process, uverbs completions).
 * @has_rq: the QP has its own receive ring.
 * @sqd_notify: in SQD, raise SQ Drained when the send queue has drained
 *	(set by modify_qp, cleared by the engine when it raises it).
 * @av: the path (connected QPs, from RTR on).
 * @src_port: UDP source port of our packets (spreads QPs over flows).
 * @eng: enum rxe_eng_state, who runs the engine (rxe_engine.h).
 * @eng_depth: how deep in other engines' runs the current run is.
 * @work: runs the engine when no kicker can (rxe_engine.h).
 * @rx_queue: received packets waiting for the engine.
 * @retry_work: the retransmission timer.
 * @rnr_timer: the RNR NAK wait (or a pause of the requester), at the
 *	IBA's resolution (10 us and up) rather than the tick's; it only
 *	queues @rnr_work (rxe_qp_rnr_arm()).
 * @rnr_work: the end of that wait, in process context.
 * @swqe: engine state of each SQ slot.
 * @req: requester state.
 * @comp: completer state.
 * @resp: responder state.
 * @timed_out: set by @retry_work for the completer.
 * @rnr_done: set by @rnr_work for the completer.
 */
struct rxe_qp {
	struct ib_qp ibqp;
	struct rxe_handle *h;
	struct mutex state_lock;
	spinlock_t state_spin;
	enum ib_qp_state state;
	struct ib_qp_attr attr;
	struct ib_qp_cap cap;
	struct rxe_queue sq;
	struct rxe_queue rq;
	spinlock_t sq_lock;
	spinlock_t rq_lock;
	enum ib_sig_type sq_sig_type;
	bool is_user;
	bool has_rq;
	bool sqd_notify;
	struct rxe_av av;
	u16 src_port;
	atomic_t eng;
	int eng_depth;
	struct work_struct work;
	struct sk_buff_head rx_queue;
	struct delayed_work retry_work;
	struct hrtimer rnr_timer;
	struct work_struct rnr_work;
	struct rxe_swqe *swqe;
	struct rxe_req req;
	struct rxe_comp comp;
	struct rxe_resp resp;
	atomic_t timed_out;
	atomic_t rnr_done;
};

static inline struct rxe_dev *qp_rdev(const struct rxe_qp *qp)
{
	return container_of(qp->ibqp.device, struct rxe_dev, ib_dev);
}

/* The engine's state of the send WQE in SQ slot @index. */
static inline struct rxe_swqe *rxe_qp_swqe(struct rxe_qp *qp, u32 index)
{
	return &qp->swqe[index & qp->sq.index_mask];
}

/* The scatter list of a send WQE, in its ring slot. */
static inline struct rxe_sge *rxe_swqe_sges(struct rxe_qp *qp, const struct rxe_swqe *w)
{
	struct rxe_send_wqe *rw = rxe_queue_addr(&qp->sq, w - qp->swqe);

	return rw->dma.sge;
}

enum rxe_mr_type {
	RXE_MR_DMA,		/* all of kernel memory (get_dma_mr) */
	RXE_MR_USER,		/* pinned user memory */
	RXE_MR_FAST,		/* kernel pages mapped by REG_MR (alloc_mr) */
	RXE_MR_ODP,		/* user memory paged on demand (rxe_odp.c) */
};

/**
 * struct rxe_mr - memory region.
 * @ibmr: the core's MR (keys, iova, length, pd).
 * @type: what the MR maps.
 * @access: IB_ACCESS_* flags.
 * @index: index in rxe_dev.mr_xa (the key without its low byte).
 * @lkey: the lkey lookups accept (a fast-reg MR's changes with REG_MR;
 *	the core's ibmr.lkey is the ULP's next key until then).
 * @rkey: likewise for the rkey.
 * @valid: a fast-reg MR is registered (REG_MR) and not invalidated;
 *	other MRs are always valid. Read and written by engines.
 * @umem: pinned pages of a user MR.
 * @odp: the region of an ODP MR.
 * @pages: the pages of @umem (or mapped by map_mr_sg), in order.
 * @page_one: @pages of a one-page user MR (no allocation).
 * @npages: entries in @pages.
 * @max_pages: fast-reg: room in @pages (alloc_mr's max_num_sg).
 * @page_offset: offset of the MR's first byte in @pages[0] (ODP: in its
 *	first page).
 * @num_mw: memory windows bound to the MR (deregistration waits for 0).
 * @ref: held by the registration, by each lookup and by each bound MW.
 * @rcu: frees the structure after lookups that may still read it.
 */
struct rxe_mr {
	struct ib_mr ibmr;
	enum rxe_mr_type type;
	int access;
	u32 index;
	u32 lkey;
	u32 rkey;
	bool valid;
	struct ib_umem *umem;
	struct rdma_odp *odp;
	struct page **pages;
	struct page *page_one;
	unsigned long npages;
	unsigned long max_pages;
	unsigned int page_offset;
	atomic_t num_mw;
	struct rxe_ref ref;
	struct rcu_head rcu;
};

/**
 * struct rxe_mw - memory window (see rxe_mw.c for the rules).
 * @ibmw: the core's MW (type, PD; allocated and freed by the core).
 * @lock: covers the binding: @valid, @rkey, @mr, @addr, @length,
 *	@access, @qpn.
 * @valid: bound.
 * @rkey: the current key (its index never changes).
 * @mr: the MR bound to, with a reference.
 * @addr: the first byte of the window, an address in @mr.
 * @length: the window's length.
 * @access: IB_ACCESS_REMOTE_* it grants.
 * @qpn: type 2: the QP that bound it, the only one that may use it.
 * @h: our handle in the device's MW table: holds the references of the
 *	allocation and of each lookup.
 */
struct rxe_mw {
	struct ib_mw ibmw;
	spinlock_t lock;
	bool valid;
	u32 rkey;
	struct rxe_mr *mr;
	u64 addr;
	u64 length;
	int access;
	u32 qpn;
	struct rxe_handle *h;
};

static inline struct rxe_mw *to_rmw(struct ib_mw *ibmw)
{
	return container_of(ibmw, struct rxe_mw, ibmw);
}

/**
 * struct rxe_ah_pub - the published copy of an AH's address vector, what
 * lookups by AH number read (under RCU).
 */
struct rxe_ah_pub {
	struct rxe_av av;
	struct rcu_head rcu;
};

/**
 * struct rxe_ah - address handle.
 * @ibah: the core's AH (allocated and freed by the core).
 * @av: the address vector.
 * @num: the AH number user space puts in UD work requests.
 * @pub: the copy published in rxe_dev.ah_xa under @num.
 */
struct rxe_ah {
	struct ib_ah ibah;
	struct rxe_av av;
	u32 num;
	struct rxe_ah_pub *pub;
};

/**
 * struct rxe_srq - shared receive queue: one receive ring that the QPs
 * attached to it take from. Unlike a QP's RQ, whose slot stays in place
 * until its message completes, an SRQ's WQE is copied out and consumed
 * the moment a QP takes it (rxe_srq_take()): other QPs take the next ones.
 * @ibsrq: the core's SRQ.
 * @rq: the ring (user mapped for a user SRQ); the kernel consumes.
 * @lock: covers taking from @rq (engines of several QPs), kernel posting,
 *	resizing and @limit. Taken in any context (irqsave).
 * @max_sge: SGEs per WQE (fixed at creation).
 * @limit: the armed limit: when a take leaves fewer WQEs than this, the
 *	SRQ_LIMIT_REACHED event fires and the limit disarms (0).
 * @srq_num: number from rxe_dev.srq_xa (reported to user space; what
 *	an XRC requester names in its XRCETH).
 * @h: our handle, in the device's SRQ table for an XRC SRQ: holds the
 *	references of the creator and of each lookup (rxe_srq_get_xrc()).
 */
struct rxe_srq {
	struct ib_srq ibsrq;
	struct rxe_handle *h;
	struct rxe_queue rq;
	spinlock_t lock;
	u32 max_sge;
	u32 limit;
	u32 srq_num;
};

/**
 * struct rxe_xrcd - XRC domain: the XRC SRQs and XRC target QPs that may
 * serve each other.
 * @ibxrcd: the core's XRCD (it counts the users and shares it by inode).
 * @is_user: opened by a process: its target QPs, which the core creates
 *	as kernel QPs, complete in the user CQE format of its SRQs' CQs.
 */
struct rxe_xrcd {
	struct ib_xrcd ibxrcd;
	bool is_user;
};

static inline struct rxe_xrcd *to_rxrcd(struct ib_xrcd *ibxrcd)
{
	return container_of(ibxrcd, struct rxe_xrcd, ibxrcd);
}

static inline struct rxe_srq *to_rsrq(struct ib_srq *ibsrq)
{
	return container_of(ibsrq, struct rxe_srq, ibsrq);
}

/*
 * The PD the keys of @qp's accesses must belong to. An XRC target QP has
 * none of its own: it uses the PD of the XRC SRQ its current request
 * names (NULL between requests, which no key matches).
 */
static inline struct ib_pd *rxe_qp_pd(const struct rxe_qp *qp)
{
	return qp->resp.xsrq ? qp->resp.xsrq->ibsrq.pd : qp->ibqp.pd;
}

/* RC and the two halves of XRC: acknowledged, with PSN sequences. */
static inline bool rxe_qp_reliable(const struct rxe_qp *qp)
{
	return qp->ibqp.qp_type == IB_QPT_RC || qp->ibqp.qp_type == IB_QPT_XRC_INI ||
	       qp->ibqp.qp_type == IB_QPT_XRC_TGT;
}

static inline struct rxe_cq *to_rcq(struct ib_cq *ibcq)
{
	return container_of(ibcq, struct rxe_cq, ibcq);
}

static inline struct rxe_mr *to_rmr(struct ib_mr *ibmr)
{
	return container_of(ibmr, struct rxe_mr, ibmr);
}

static inline struct rxe_qp *to_rqp(struct ib_qp *ibqp)
{
	return container_of(ibqp, struct rxe_qp, ibqp);
}

/* rxe_queue.c */
int rxe_mmap(struct ib_ucontext *uctx, struct vm_area_struct *vma);
void rxe_mmap_free(struct rdma_user_mmap_entry *rdma_entry);

/* rxe_cq.c */
int rxe_cq_create(struct ib_cq *ibcq, const struct ib_cq_init_attr *attr,
		  struct ib_udata *udata);
int rxe_cq_destroy(struct ib_cq *ibcq, struct ib_udata *udata);

/* rxe_qp.c: receive rings */
int rxe_recv_ring_post(struct rxe_queue *q, u32 max_sge, const struct ib_recv_wr *wr);

/* rxe_mw.c */
/* A memory window's key (MW indices start above every MR index)? */
static inline bool rxe_key_is_mw(u32 key)
{
	return key >> 8 >= RXE_MW_INDEX_BASE;
}

int rxe_mw_alloc(struct ib_mw *ibmw, struct ib_udata *udata);
int rxe_mw_dealloc(struct ib_mw *ibmw);
enum ib_wc_status rxe_mw_bind(struct rxe_qp *qp, const struct rxe_send_wr *wr);
int rxe_key_invalidate(struct rxe_qp *qp, u32 key, bool remote);
struct rxe_mr *rxe_mw_target(struct rxe_qp *qp, u32 rkey, int access, u64 va, u64 len);

/* rxe_mcast.c */
int rxe_mcast_attach(struct ib_qp *ibqp, union ib_gid *mgid, u16 mlid);
int rxe_mcast_detach(struct ib_qp *ibqp, union ib_gid *mgid, u16 mlid);
void rxe_mcast_rcv(struct rxe_dev *rxe, struct sk_buff *skb);
void rxe_mcast_init(struct rxe_dev *rxe);
void rxe_mcast_cleanup(struct rxe_dev *rxe);

/* rxe_srq.c */
int rxe_srq_create(struct ib_srq *ibsrq, struct ib_srq_init_attr *init,
		   struct ib_udata *udata);
int rxe_srq_modify(struct ib_srq *ibsrq, struct ib_srq_attr *attr,
		   enum ib_srq_attr_mask mask, struct ib_udata *udata);
int rxe_srq_query(struct ib_srq *ibsrq, struct ib_srq_attr *attr);
int rxe_srq_destroy(struct ib_srq *ibsrq, struct ib_udata *udata);
int rxe_srq_post_recv(struct ib_srq *ibsrq, const struct ib_recv_wr *wr,
		      const struct ib_recv_wr **bad_wr);
size_t rxe_srq_wqe_size(const struct rxe_srq *srq);
bool rxe_srq_take(struct rxe_srq *srq, struct rxe_recv_wqe *wqe);
struct rxe_srq *rxe_srq_get_xrc(struct rxe_dev *rxe, u32 num, struct ib_xrcd *xrcd);
void rxe_srq_put(struct rxe_srq *srq);
int rxe_cq_resize(struct ib_cq *ibcq, unsigned int cqe, struct ib_udata *udata);
int rxe_cq_poll(struct ib_cq *ibcq, int num, struct ib_wc *wc);
int rxe_cq_req_notify(struct ib_cq *ibcq, enum ib_cq_notify_flags flags);
int rxe_cq_add(struct rxe_cq *cq, const struct rxe_cqe *cqe, bool solicited,
	       bool *fire);
void rxe_cq_fire(struct rxe_cq *cq);
int rxe_cq_post(struct rxe_cq *cq, const struct rxe_cqe *cqe, bool solicited);

/* Direction of a copy between a buffer and memory named by keys. */
enum rxe_copy_dir {
	RXE_TO_MEM,		/* the buffer is written to the MR */
	RXE_FROM_MEM,		/* the MR is read into the buffer */
};

/* rxe_mr.c */
int rxe_mr_copy(struct rxe_mr *mr, u64 iova, void *buf, u32 len,
		enum rxe_copy_dir dir);
int rxe_mr_check(struct rxe_mr *mr, struct ib_pd *pd, int access, u64 iova,
		 u64 len);
int rxe_mr_atomic(struct rxe_mr *mr, u64 iova, u8 opcode, u64 compare,
		  u64 swap_add, u64 *orig);
int rxe_mr_atomic_write(struct rxe_mr *mr, u64 iova, const void *value);
struct ib_mr *rxe_mr_get_dma(struct ib_pd *ibpd, int access);
struct ib_mr *rxe_mr_reg_user(struct ib_pd *ibpd, u64 start, u64 length,
			      u64 iova, int access, struct ib_udata *udata);
int rxe_mr_dereg(struct ib_mr *ibmr, struct ib_udata *udata);
struct ib_mr *rxe_mr_rereg_user(struct ib_mr *ibmr, int flags, u64 start, u64 length,
				u64 iova, int access, struct ib_pd *pd,
				struct ib_udata *udata);
struct ib_mr *rxe_mr_alloc_fast(struct ib_pd *ibpd, enum ib_mr_type type, u32 max_num_sg);
int rxe_mr_map_sg(struct ib_mr *ibmr, struct scatterlist *sg, int sg_nents,
		  unsigned int *sg_offset);
enum ib_wc_status rxe_mr_fast_reg(struct rxe_qp *qp, struct ib_mr *ibmr, u32 key, int access);
int rxe_mr_invalidate(struct rxe_qp *qp, u32 rkey);
struct rxe_mr *rxe_mr_lookup(struct rxe_dev *rxe, u32 key);
void rxe_mr_put(struct rxe_mr *mr);
struct rxe_mr *rxe_mr_alloc(struct ib_pd *ibpd, int access, enum rxe_mr_type type);
int rxe_mr_publish(struct rxe_dev *rxe, struct rxe_mr *mr);

/* rxe_odp.c */
struct ib_mr *rxe_odp_mr_reg(struct ib_pd *ibpd, u64 start, u64 length, u64 iova,
			     int access);
int rxe_odp_fault_err(struct rxe_mr *mr, u64 iova, u32 len, bool write, int err);
int rxe_odp_map_u64(struct rxe_mr *mr, u64 iova, u64 **p);
void rxe_odp_unmap_u64(struct rxe_mr *mr, u64 *p);
int rxe_odp_check_present(struct rxe_mr *mr, u64 iova, u64 len);
int rxe_odp_advise_mr(struct ib_pd *ibpd, enum ib_uverbs_advise_mr_advice advice,
		      u32 flags, struct ib_sge *sg_list, u32 num_sge,
		      struct uverbs_attr_bundle *attrs);
int rxe_odp_fill_stat_mr(struct sk_buff *msg, struct ib_mr *ibmr);

/* The user address behind @iova of an ODP MR (range already checked). */
static inline unsigned long rxe_odp_va(struct rxe_mr *mr, u64 iova)
{
	return mr->odp->start + mr->page_offset + (iova - mr->ibmr.iova);
}

/**
 * rxe_odp_copy() - copy between a buffer and a range of an ODP MR.
 * @mr: the MR; the range has passed rxe_mr_check().
 * @iova: start of the range.
 * @buf: the kernel buffer.
 * @len: bytes to copy.
 * @dir: RXE_TO_MEM writes the MR, RXE_FROM_MEM reads it.
 *
 * Inline: it is on every packet's path. May sleep (page faults).
 *
 * Return: 0, -EAGAIN when the fault lost to invalidations or memory ran
 * short (try again later), or -EFAULT when the memory cannot be faulted
 * in with the access needed.
 */
static inline int rxe_odp_copy(struct rxe_mr *mr, u64 iova, void *buf, u32 len,
			       enum rxe_copy_dir dir)
{
	int err;

	if (!len)
		return 0;
	err = rdma_odp_copy(mr->odp, rxe_odp_va(mr, iova), buf, len, dir == RXE_TO_MEM);
	return unlikely(err) ? rxe_odp_fault_err(mr, iova, len, dir == RXE_TO_MEM, err) : 0;
}

/* rxe_qp.c */
int rxe_qp_create(struct ib_qp *ibqp, struct ib_qp_init_attr *init,
		  struct ib_udata *udata);
int rxe_qp_modify(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
		  struct ib_udata *udata);
int rxe_qp_query(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
		 struct ib_qp_init_attr *init);
int rxe_qp_destroy(struct ib_qp *ibqp, struct ib_udata *udata);
int rxe_qp_post_send(struct ib_qp *ibqp, const struct ib_send_wr *wr,
		     const struct ib_send_wr **bad_wr);
int rxe_qp_post_recv(struct ib_qp *ibqp, const struct ib_recv_wr *wr,
		     const struct ib_recv_wr **bad_wr);
struct rxe_qp *rxe_qp_lookup(struct rxe_dev *rxe, u32 qpn);
void rxe_qp_put(struct rxe_qp *qp);
void rxe_qp_event(struct rxe_qp *qp, enum ib_event_type type);
void rxe_qp_kick(struct rxe_qp *qp);
void rxe_qp_kick_here(struct rxe_qp *qp, int depth);
enum ib_wc_opcode rxe_wc_opcode(u32 wr_opcode);
void rxe_qp_error(struct rxe_qp *qp);
void rxe_qp_cq_overrun(struct rxe_qp *qp);
void rxe_qp_rnr_arm(struct rxe_qp *qp, u32 usecs);
void rxe_qp_make_cqe(struct rxe_qp *qp, struct rxe_cqe *cqe, u64 wr_id,
		     enum ib_wc_status status, enum ib_wc_opcode opcode, u32 byte_len);
u32 rxe_qp_mtu(const struct rxe_qp *qp);
int rxe_sge_copy(struct rxe_qp *qp, const struct rxe_sge *sges, u32 num_sge,
		 u32 offset, void *buf, u32 len, enum rxe_copy_dir dir);

/* rxe_req.c */
void rxe_req_run(struct rxe_qp *qp, int *budget);
void rxe_req_rewind(struct rxe_qp *qp, u32 psn);

/* rxe_comp.c */
void rxe_comp_rcv(struct rxe_qp *qp, struct sk_buff *skb);
void rxe_comp_timers(struct rxe_qp *qp);
void rxe_comp_report(struct rxe_qp *qp);
void rxe_comp_flush(struct rxe_qp *qp);
void rxe_comp_arm_retry(struct rxe_qp *qp);

/* rxe_resp.c */
void rxe_resp_rcv(struct rxe_qp *qp, struct sk_buff *skb);
void rxe_resp_reply_more(struct rxe_qp *qp, int *budget);
int rxe_resp_init(struct rxe_qp *qp, u32 max_dest_rd_atomic);
void rxe_resp_reset(struct rxe_qp *qp);
void rxe_resp_flush(struct rxe_qp *qp);
void rxe_resp_xrc_release(struct rxe_qp *qp);
void rxe_resp_error(struct rxe_qp *qp);

/* rxe_recv.c */
/* rxe_rcv() @depth of a packet from softirq: its engine may not run there */
#define RXE_RCV_ATOMIC		(-1)
void rxe_rcv(struct rxe_dev *rxe, struct sk_buff *skb, int depth);

/* rxe_icrc.c */
int rxe_icrc_init(void);
void rxe_icrc_exit(void);
void rxe_icrc_set(struct sk_buff *skb, const struct rxe_pkt *pkt);
bool rxe_icrc_ok(struct sk_buff *skb, const struct rxe_pkt *pkt);

/* rxe_ah.c */
int rxe_av_from_attr(struct rxe_av *av, const struct rdma_ah_attr *attr,
		     const struct ib_gid_attr *sgid_attr);
int rxe_ah_read_av(struct rxe_dev *rxe, u32 ah_num, struct rxe_av *av);
int rxe_ah_create(struct ib_ah *ibah, struct rdma_ah_init_attr *init,
		  struct ib_udata *udata);
int rxe_ah_query(struct ib_ah *ibah, struct rdma_ah_attr *attr);
int rxe_ah_destroy(struct ib_ah *ibah, u32 flags);

/* rxe_main.c */
int rxe_dev_newlink(const char *ibdev_name, struct net_device *ndev);
void rxe_dev_dealloc(struct ib_device *ibdev);

/* rxe_net.c */
extern struct workqueue_struct *rxe_wq;
struct sk_buff *rxe_net_alloc(struct rxe_dev *rxe, const struct rxe_av *av,
			      u8 opcode, u32 paylen);
int rxe_net_send(struct rxe_dev *rxe, const struct rxe_av *av,
		 struct sk_buff *skb, u16 src_port, int depth);

/* Send a packet of @qp's engine; looped back, the receiver may run inline. */
static inline int rxe_qp_send(struct rxe_qp *qp, const struct rxe_av *av,
			      struct sk_buff *skb)
{
	return rxe_net_send(qp_rdev(qp), av, skb, qp->src_port, qp->eng_depth + 1);
}
int rxe_net_init(void);
void rxe_net_exit(void);
enum ib_port_state rxe_net_port_state(struct rxe_dev *rxe);
enum ib_mtu rxe_net_active_mtu(struct rxe_dev *rxe);

/* rxe_verbs.c */
void rxe_verbs_init_device(struct rxe_dev *rxe);

#endif /* RXE_H */
