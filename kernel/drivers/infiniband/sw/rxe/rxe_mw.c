// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_mw.c - memory windows (IBA 10.6.7): a remote key for a range of an
 * MR, bound and invalidated by work requests on the send queue.
 *
 * Type 1: bound with ibv_bind_mw() (a BIND_MW work request made by the
 * provider), rebound at will, unbound by a bind of length 0; any QP of
 * its PD may use it. Type 2 (2B): bound only when free, by a BIND_MW work
 * request; only the QP that bound it may use it; freed again by LOCAL_INV
 * or a received SEND with Invalidate.
 *
 * MW keys live apart from MR keys: their index (the key without its low
 * byte) starts at RXE_MW_INDEX_BASE, above every MR index, in
 * rxe_dev.mw_xa. A bound MW holds a reference on its MR and counts in
 * the MR's num_mw, and deregistering an MR refuses while that count is
 * not zero.
 *
 * Lock rules: mw->lock covers the binding (valid, rkey, range, access,
 * MR, QP); engines take it to bind, invalidate and look up. Lookups take
 * a reference through the MW's handle (struct rxe_handle); dealloc
 * unpublishes, waits for the references, then unbinds.
 */
#include "rxe.h"

#define RXE_MW_LIMIT	XA_LIMIT(RXE_MW_INDEX_BASE, RXE_MW_INDEX_BASE + RXE_MAX_MW - 1)

/* The MW with @key's index, with a reference; its key is not checked. */
static struct rxe_mw *rxe_mw_lookup(struct rxe_dev *rxe, u32 key)
{
	return rxe_handle_get(&rxe->mw_xa, key >> 8);
}

static void rxe_mw_put(struct rxe_mw *mw)
{
	rxe_handle_put(mw->h);
}

/* Drop the binding's MR. Caller holds mw->lock or owns the MW. */
static void rxe_mw_unbind(struct rxe_mw *mw)
{
	if (mw->mr) {
		atomic_dec(&mw->mr->num_mw);
		rxe_mr_put(mw->mr);
		mw->mr = NULL;
	}
	mw->valid = false;
}

/**
 * rxe_mw_alloc() - alloc_mw verb: an unbound window with a key.
 * @ibmw: the core's MW, its type and PD set.
 * @udata: unused (the key goes back in @ibmw).
 *
 * Return: 0, -EINVAL for a type other than 1 and 2, -ENOMEM.
 */
int rxe_mw_alloc(struct ib_mw *ibmw, struct ib_udata *udata)
{
	struct rxe_dev *rxe = to_rdev(ibmw->device);
	struct rxe_mw *mw = to_rmw(ibmw);
	u32 index;
	int err;

	if (ibmw->type != IB_MW_TYPE_1 && ibmw->type != IB_MW_TYPE_2)
		return -EINVAL;
	spin_lock_init(&mw->lock);
	mw->h = rxe_handle_new(mw);
	if (!mw->h)
		return -ENOMEM;
	err = rxe_xa_reserve(&rxe->mw_xa, &index, RXE_MW_LIMIT, &rxe->mw_next, GFP_KERNEL);
	if (err) {
		kfree(mw->h);
		return err;
	}
	mw->rkey = index << 8 | (u8)atomic_inc_return(&rxe->mr_key_gen);
	ibmw->rkey = mw->rkey;
	xa_store(&rxe->mw_xa, index, mw->h, GFP_KERNEL);	/* slot exists */
	return 0;
}

/**
 * rxe_mw_dealloc() - dealloc_mw verb; a bound window is unbound first.
 * Waits for accesses in flight.
 * @ibmw: the MW.
 *
 * Return: 0.
 */
int rxe_mw_dealloc(struct ib_mw *ibmw)
{
	struct rxe_mw *mw = to_rmw(ibmw);

	xa_erase(&to_rdev(ibmw->device)->mw_xa, mw->rkey >> 8);
	rxe_handle_drain(mw->h);
	rxe_mw_unbind(mw);
	return 0;
}

/* The MR a bind names, checked against the QP and the new binding. */
static struct rxe_mr *rxe_mw_bind_mr(struct rxe_qp *qp, const struct rxe_send_wr *wr)
{
	struct rxe_mr *mr = rxe_mr_lookup(qp_rdev(qp), wr->wr.mw.mr_lkey);

	if (!mr)
		return NULL;
	if (mr->lkey != wr->wr.mw.mr_lkey || mr->ibmr.pd != rxe_qp_pd(qp) ||
	    !(mr->access & IB_ACCESS_MW_BIND) ||
	    /* remote write or atomics through the window need local write */
	    ((wr->wr.mw.access & (IB_ACCESS_REMOTE_WRITE | IB_ACCESS_REMOTE_ATOMIC)) &&
	     !(mr->access & IB_ACCESS_LOCAL_WRITE)) ||
	    rxe_mr_check(mr, rxe_qp_pd(qp), 0, wr->wr.mw.addr, wr->wr.mw.length)) {
		rxe_mr_put(mr);
		return NULL;
	}
	return mr;
}

/**
 * rxe_mw_bind() - execute a BIND_MW work request (engine context).
 * @qp: the QP that posted it.
 * @wr: the request: the MW's current key, its new key (same index), the
 *	MR's lkey, the range and the access it grants.
 *
 * Return: IB_WC_SUCCESS, or IB_WC_MW_BIND_ERR when the MW is not of this
 * QP's PD, is a bound type 2 window, the new key has another index, the
 * access is zero-based or the MR does not allow the binding.
 */
enum ib_wc_status rxe_mw_bind(struct rxe_qp *qp, const struct rxe_send_wr *wr)
{
	struct rxe_mw *mw = rxe_mw_lookup(qp_rdev(qp), wr->wr.mw.mw_rkey);
	struct rxe_mr *mr = NULL;
	enum ib_wc_status status = IB_WC_MW_BIND_ERR;
	bool unbind;

	if (!mw)
		goto out_dbg;
	unbind = mw->ibmw.type == IB_MW_TYPE_1 && !wr->wr.mw.length;
	if (mw->ibmw.pd != rxe_qp_pd(qp) || wr->wr.mw.rkey >> 8 != mw->rkey >> 8 ||
	    (wr->wr.mw.access & IB_ZERO_BASED))
		goto out;
	if (!unbind) {
		mr = rxe_mw_bind_mr(qp, wr);
		if (!mr)
			goto out;
	}
	spin_lock_bh(&mw->lock);
	if (mw->ibmw.type == IB_MW_TYPE_2 && mw->valid) {
		spin_unlock_bh(&mw->lock);
		if (mr)
			rxe_mr_put(mr);
		goto out;
	}
	rxe_mw_unbind(mw);
	mw->rkey = wr->wr.mw.rkey;
	mw->ibmw.rkey = mw->rkey;
	if (mr) {
		atomic_inc(&mr->num_mw);
		mw->mr = mr;	/* the lookup's reference is the binding's */
		mw->addr = wr->wr.mw.addr;
		mw->length = wr->wr.mw.length;
		mw->access = wr->wr.mw.access;
		mw->qpn = qp->ibqp.qp_num;
		mw->valid = true;
	}
	spin_unlock_bh(&mw->lock);
	status = IB_WC_SUCCESS;
out:
	rxe_mw_put(mw);
out_dbg:
	if (status != IB_WC_SUCCESS)
		ibdev_dbg(qp->ibqp.device, "QP %u: bind of MW key %#x to MR %#x refused\n",
			  qp->ibqp.qp_num, wr->wr.mw.mw_rkey, wr->wr.mw.mr_lkey);
	return status;
}

/* Free a bound type 2 window; -EINVAL when none of @qp's PD has @rkey. */
static int rxe_mw_invalidate(struct rxe_qp *qp, u32 rkey, bool remote)
{
	struct rxe_mw *mw = rxe_mw_lookup(qp_rdev(qp), rkey);
	int err = -EINVAL;

	if (!mw)
		return err;
	spin_lock_bh(&mw->lock);
	if (mw->ibmw.type == IB_MW_TYPE_2 && mw->valid && mw->rkey == rkey &&
	    mw->ibmw.pd == rxe_qp_pd(qp) && (!remote || mw->qpn == qp->ibqp.qp_num)) {
		rxe_mw_unbind(mw);
		err = 0;
	}
	spin_unlock_bh(&mw->lock);
	rxe_mw_put(mw);
	return err;
}

/**
 * rxe_key_invalidate() - LOCAL_INV, or a SEND with Invalidate received
 * (engine context): invalidate a fast-reg MR, or free a bound type 2
 * window, by its key.
 * @qp: the QP that invalidates.
 * @key: the MR's or window's current key.
 * @remote: from a SEND with Invalidate: a window must also be bound to
 *	@qp.
 *
 * Return: 0; -EINVAL when no such MR or window of @qp's PD has @key.
 */
int rxe_key_invalidate(struct rxe_qp *qp, u32 key, bool remote)
{
	return rxe_key_is_mw(key) ? rxe_mw_invalidate(qp, key, remote) :
	       rxe_mr_invalidate(qp, key);
}

/**
 * rxe_mw_target() - the MR behind a window, for a remote access through
 * it (responder).
 * @qp: the QP the access came in on.
 * @rkey: the window's key.
 * @access: IB_ACCESS_REMOTE_* the access needs.
 * @va: its first byte (an address in the MR, as the window is not
 *	zero-based).
 * @len: its length.
 *
 * Return: the MR with a reference (rxe_mr_put()), or NULL when the key is
 * not a bound window's, the window is of another PD (type 1) or QP
 * (type 2), lacks @access, or does not cover the range.
 */
struct rxe_mr *rxe_mw_target(struct rxe_qp *qp, u32 rkey, int access, u64 va, u64 len)
{
	struct rxe_mw *mw = rxe_mw_lookup(qp_rdev(qp), rkey);
	struct rxe_mr *mr = NULL;

	if (!mw)
		return NULL;
	spin_lock_bh(&mw->lock);
	if (mw->valid && mw->rkey == rkey && mw->ibmw.pd == rxe_qp_pd(qp) &&
	    (mw->ibmw.type == IB_MW_TYPE_1 || mw->qpn == qp->ibqp.qp_num) &&
	    (mw->access & access) == access &&
	    va >= mw->addr && len <= mw->length && va - mw->addr <= mw->length - len) {
		/* cannot fail: the binding holds a reference */
		if (rxe_ref_get(&mw->mr->ref))
			mr = mw->mr;
	}
	spin_unlock_bh(&mw->lock);
	rxe_mw_put(mw);
	return mr;
}
