// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_mr.c - memory regions: registration, keys and lookup.
 *
 * Every MR has an index in the device's MR xarray; its lkey and rkey are
 * (index << 8 | key byte), the key byte changing with each registration
 * so that a stale key of a reused index does not match.
 *
 * Lifetime (struct rxe_ref): lookups run under RCU and take a reference;
 * deregistration erases the index (no new lookup), then drains the users
 * in flight before releasing the memory. The structure itself is freed
 * after an RCU grace period, as a failed lookup may still be reading it.
 */
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <rdma/ib_umem.h>

#include "rxe.h"

static struct rxe_mr *to_rmr(struct ib_mr *ibmr)
{
	return container_of(ibmr, struct rxe_mr, ibmr);
}

/**
 * rxe_mr_put() - drop a reference taken by rxe_mr_lookup().
 * @mr: the MR.
 */
void rxe_mr_put(struct rxe_mr *mr)
{
	rxe_ref_put(&mr->ref);
}

/**
 * rxe_mr_lookup() - find a valid MR by lkey or rkey and take a reference.
 * @rxe: the device.
 * @key: the key.
 *
 * Return: the MR (drop it with rxe_mr_put()) or NULL if no MR has this key.
 */
struct rxe_mr *rxe_mr_lookup(struct rxe_dev *rxe, u32 key)
{
	struct rxe_mr *mr;

	rcu_read_lock();
	mr = xa_load(&rxe->mr_xa, key >> 8);
	if (mr && ((mr->ibmr.lkey != key && mr->ibmr.rkey != key) ||
		   !rxe_ref_get(&mr->ref)))
		mr = NULL;
	rcu_read_unlock();
	return mr;
}

/* Give @mr an index and keys, and publish it. */
static int rxe_mr_publish(struct rxe_dev *rxe, struct rxe_mr *mr)
{
	u32 index;
	u8 key;
	int err;

	rxe_ref_init(&mr->ref);

	/* Reserve the index first: lookups must not see a half-built MR. */
	err = rxe_xa_reserve(&rxe->mr_xa, &index, XA_LIMIT(1, RXE_MAX_MR),
			     &rxe->mr_next, GFP_KERNEL);
	if (err)
		return err;

	key = (u8)atomic_inc_return(&rxe->mr_key_gen);
	mr->index = index;
	mr->ibmr.lkey = index << 8 | key;
	mr->ibmr.rkey = mr->ibmr.lkey;	/* the access flags say what peers may do */
	xa_store(&rxe->mr_xa, index, mr, GFP_KERNEL);	/* slot exists: cannot fail */
	return 0;
}

/* Unpublish @mr and wait until no lookup holds it. */
static void rxe_mr_unpublish(struct rxe_dev *rxe, struct rxe_mr *mr)
{
	xa_erase(&rxe->mr_xa, mr->index);
	rxe_ref_drain(&mr->ref);
}

static struct rxe_mr *rxe_mr_alloc(struct ib_pd *ibpd, int access,
				   enum rxe_mr_type type)
{
	struct rxe_mr *mr = kzalloc(sizeof(*mr), GFP_KERNEL);

	if (!mr)
		return NULL;
	mr->ibmr.device = ibpd->device;
	mr->ibmr.pd = ibpd;
	mr->access = access;
	mr->type = type;
	return mr;
}

/**
 * rxe_mr_get_dma() - get_dma_mr verb: an MR over all kernel memory.
 * @ibpd: the PD.
 * @access: IB_ACCESS_* flags.
 *
 * Return: the MR, or ERR_PTR(-ENOMEM).
 */
struct ib_mr *rxe_mr_get_dma(struct ib_pd *ibpd, int access)
{
	struct rxe_mr *mr = rxe_mr_alloc(ibpd, access, RXE_MR_DMA);
	int err;

	if (!mr)
		return ERR_PTR(-ENOMEM);
	err = rxe_mr_publish(to_rdev(ibpd->device), mr);
	if (err) {
		kfree(mr);
		return ERR_PTR(err);
	}
	return &mr->ibmr;
}

/**
 * rxe_mr_reg_user() - reg_user_mr verb: pin and register user memory.
 * @ibpd: the PD.
 * @start: user virtual address of the memory.
 * @length: its length in bytes.
 * @iova: the address the peers and work requests use for @start.
 * @access: IB_ACCESS_* flags (the core has checked their consistency).
 * @udata: unused.
 *
 * Return: the MR, or ERR_PTR: -EINVAL for a zero length, -EOPNOTSUPP for
 * on-demand paging (not yet), -EFAULT for memory that cannot be pinned
 * with the access asked, -ENOMEM.
 */
struct ib_mr *rxe_mr_reg_user(struct ib_pd *ibpd, u64 start, u64 length,
			      u64 iova, int access, struct ib_udata *udata)
{
	struct ib_device *ibdev = ibpd->device;
	struct ib_umem *umem;
	struct rxe_mr *mr;
	int err;

	if (!length || length > RXE_MAX_MR_SIZE) {
		ibdev_dbg(ibdev, "reg_mr: bad length %#llx\n", length);
		return ERR_PTR(-EINVAL);
	}
	if (access & IB_ACCESS_ON_DEMAND) {
		ibdev_dbg(ibdev, "reg_mr: on-demand paging not supported yet\n");
		return ERR_PTR(-EOPNOTSUPP);
	}

	mr = rxe_mr_alloc(ibpd, access, RXE_MR_USER);
	if (!mr)
		return ERR_PTR(-ENOMEM);

	umem = compat_umem_get(ibdev, start, length, access);
	if (IS_ERR(umem)) {
		err = PTR_ERR(umem);
		ibdev_dbg(ibdev, "reg_mr: cannot pin %#llx+%#llx: %d\n", start, length, err);
		goto err_free;
	}
	mr->umem = umem;
	mr->ibmr.iova = iova;
	mr->ibmr.length = length;

	err = rxe_mr_publish(to_rdev(ibdev), mr);
	if (err)
		goto err_release;
	return &mr->ibmr;

err_release:
	ib_umem_release(umem);
err_free:
	kfree(mr);
	return ERR_PTR(err);
}

/**
 * rxe_mr_dereg() - dereg_mr verb. Waits for accesses in flight.
 * @ibmr: the MR.
 * @udata: unused.
 *
 * Return: 0.
 */
int rxe_mr_dereg(struct ib_mr *ibmr, struct ib_udata *udata)
{
	struct rxe_mr *mr = to_rmr(ibmr);

	rxe_mr_unpublish(to_rdev(ibmr->device), mr);
	if (mr->umem)
		ib_umem_release(mr->umem);
	kfree_rcu(mr, rcu);
	return 0;
}
