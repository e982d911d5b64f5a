// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_mr.c - memory regions: registration, keys and lookup.
 *
 * Every MR has an index in the device's MR xarray; its lkey and rkey are
 * (index << 8 | key byte), the key byte changing with each registration
 * so that a stale key of a reused index does not match.
 *
 * Fast-reg MRs (alloc_mr) for kernel ULPs start invalid: map_mr_sg
 * loads their page list, a REG_MR work request makes them valid with a
 * key byte and access of the ULP's choosing, LOCAL_INV or a SEND WITH
 * INVALIDATE from the peer makes them invalid again. Those run in QP
 * engines; @valid and the keys are read without a lock by other
 * engines, so they are written with WRITE_ONCE() (the ULP orders the
 * rest: it maps only an invalid MR and waits for REG_MR's completion).
 *
 * Lifetime (struct rxe_ref): lookups run under RCU and take a reference;
 * deregistration erases the index (no new lookup), then drains the users
 * in flight before releasing the memory. The structure itself is freed
 * after an RCU grace period, as a failed lookup may still be reading it.
 */
#include <linux/highmem.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <rdma/ib_umem.h>

#include "rxe.h"

/* Index the pinned pages, so that an iova turns into a page in O(1). */
static int rxe_mr_index_pages(struct rxe_mr *mr)
{
	struct ib_umem *umem = mr->umem;
	struct sg_page_iter iter;
	unsigned long i = 0;

	mr->page_offset = ib_umem_offset(umem);
	mr->npages = DIV_ROUND_UP(mr->page_offset + umem->length, PAGE_SIZE);
	/* one page (most small MRs) needs no allocation */
	mr->pages = mr->npages == 1 ? &mr->page_one :
		    kvcalloc(mr->npages, sizeof(*mr->pages), GFP_KERNEL);
	if (!mr->pages)
		return -ENOMEM;
	for_each_sgtable_page(&umem->sgt_append.sgt, &iter, 0) {
		if (i == mr->npages)
			break;
		mr->pages[i++] = sg_page_iter_page(&iter);
	}
	return i == mr->npages ? 0 : -EFAULT;
}

static void rxe_mr_free_pages(struct rxe_mr *mr)
{
	if (mr->pages != &mr->page_one)
		kvfree(mr->pages);
}

/**
 * rxe_mr_check() - may @pd use @mr for @access on [@iova, @iova + @len)?
 * @mr: the MR.
 * @pd: the PD of the QP asking.
 * @access: IB_ACCESS_* needed (0 for a local read).
 * @iova: start of the range.
 * @len: its length.
 *
 * Return: 0, -EACCES for a PD or permission mismatch, -ERANGE for a
 * range outside the MR.
 */
int rxe_mr_check(struct rxe_mr *mr, struct ib_pd *pd, int access, u64 iova,
		 u64 len)
{
	if (mr->ibmr.pd != pd || (mr->access & access) != access)
		return -EACCES;
	if (mr->type == RXE_MR_DMA)
		return 0;
	if (iova < mr->ibmr.iova || len > mr->ibmr.length ||
	    iova - mr->ibmr.iova > mr->ibmr.length - len)
		return -ERANGE;
	return 0;
}

/* The page and offset holding @iova of a checked user MR. */
static struct page *rxe_mr_page(struct rxe_mr *mr, u64 iova, unsigned int *off)
{
	u64 pos = iova - mr->ibmr.iova + mr->page_offset;

	*off = pos & ~PAGE_MASK;
	return mr->pages[pos >> PAGE_SHIFT];
}

/**
 * rxe_mr_copy() - copy between a buffer and a range of an MR.
 * @mr: the MR; the range must have passed rxe_mr_check().
 * @iova: start of the range.
 * @buf: the kernel buffer.
 * @len: bytes to copy.
 * @dir: RXE_TO_MEM writes the MR, RXE_FROM_MEM reads it.
 *
 * May sleep for an ODP MR (page faults).
 *
 * Return: 0, or for an ODP MR -EAGAIN (try again later) or -EFAULT
 * (cannot be faulted in), see rxe_odp_copy().
 */
int rxe_mr_copy(struct rxe_mr *mr, u64 iova, void *buf, u32 len,
		enum rxe_copy_dir dir)
{
	if (mr->type == RXE_MR_ODP)
		return rxe_odp_copy(mr, iova, buf, len, dir);
	if (mr->type == RXE_MR_DMA) {
		void *va = (void *)(uintptr_t)iova;

		if (dir == RXE_TO_MEM)
			memcpy(va, buf, len);
		else
			memcpy(buf, va, len);
		return 0;
	}
	while (len) {
		unsigned int off;
		struct page *page = rxe_mr_page(mr, iova, &off);
		u32 n = min_t(u32, len, PAGE_SIZE - off);

		if (dir == RXE_TO_MEM)
			memcpy_to_page(page, off, buf, n);
		else
			memcpy_from_page(buf, page, off, n);
		iova += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Map the 8 aligned bytes at @iova into *@p; end with rxe_mr_unmap_u64(). */
static int rxe_mr_map_u64(struct rxe_mr *mr, u64 iova, u64 **p)
{
	unsigned int off;
	struct page *page;

	if (mr->type == RXE_MR_ODP)
		return rxe_odp_map_u64(mr, iova, p);
	if (mr->type == RXE_MR_DMA) {
		*p = (u64 *)(uintptr_t)iova;
		return 0;
	}
	page = rxe_mr_page(mr, iova, &off);
	*p = kmap_local_page(page) + off;
	return 0;
}

static void rxe_mr_unmap_u64(struct rxe_mr *mr, u64 *p)
{
	if (mr->type == RXE_MR_ODP)
		rxe_odp_unmap_u64(mr, p);
	else if (mr->type != RXE_MR_DMA)
		kunmap_local(p);
}

/**
 * rxe_mr_atomic() - perform a remote compare&swap or fetch&add.
 * @mr: the MR; the 8 bytes at @iova must have passed rxe_mr_check().
 * @iova: the target, 8-byte aligned.
 * @opcode: RXE_CMP_SWAP or RXE_FETCH_ADD (low five bits).
 * @compare: compare value (compare&swap).
 * @swap_add: swap value or addend.
 * @orig: set to the value found.
 *
 * Return: 0, -EINVAL for a misaligned target, -EFAULT when an ODP MR's
 * page cannot be faulted in writable, -EAGAIN when it may be later.
 */
int rxe_mr_atomic(struct rxe_mr *mr, u64 iova, u8 opcode, u64 compare,
		  u64 swap_add, u64 *orig)
{
	u64 *p;
	int err;

	if (iova & 7)
		return -EINVAL;
	err = rxe_mr_map_u64(mr, iova, &p);
	if (err)
		return err;
	if ((opcode & 0x1f) == RXE_CMP_SWAP)
		*orig = cmpxchg64(p, compare, swap_add);
	else
		*orig = atomic64_fetch_add(swap_add, (atomic64_t *)p);
	rxe_mr_unmap_u64(mr, p);
	return 0;
}

/**
 * rxe_mr_atomic_write() - perform an ATOMIC WRITE: store 8 bytes at once.
 * @mr: the MR; the 8 bytes at @iova must have passed rxe_mr_check().
 * @iova: the target, 8-byte aligned.
 * @value: the 8 bytes, in memory order.
 *
 * Return: 0, -EINVAL for a misaligned target, -EFAULT or -EAGAIN as
 * rxe_mr_atomic().
 */
int rxe_mr_atomic_write(struct rxe_mr *mr, u64 iova, const void *value)
{
	u64 *p;
	int err;

	if (iova & 7)
		return -EINVAL;
	err = rxe_mr_map_u64(mr, iova, &p);
	if (err)
		return err;
	WRITE_ONCE(*p, get_unaligned((const u64 *)value));
	rxe_mr_unmap_u64(mr, p);
	return 0;
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
	if (mr && ((READ_ONCE(mr->lkey) != key && READ_ONCE(mr->rkey) != key) ||
		   !READ_ONCE(mr->valid) || !rxe_ref_get(&mr->ref)))
		mr = NULL;
	rcu_read_unlock();
	return mr;
}

/**
 * rxe_mr_publish() - give a built MR an index and keys, and publish it.
 * @rxe: the device.
 * @mr: the MR, complete but for its keys.
 *
 * Return: 0, or -ENOMEM when no index is left.
 */
int rxe_mr_publish(struct rxe_dev *rxe, struct rxe_mr *mr)
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
	mr->lkey = mr->ibmr.lkey;
	mr->rkey = mr->ibmr.rkey;
	mr->valid = mr->type != RXE_MR_FAST;
	xa_store(&rxe->mr_xa, index, mr, GFP_KERNEL);	/* slot exists: cannot fail */
	return 0;
}

/* Unpublish @mr and wait until no lookup holds it. */
static void rxe_mr_unpublish(struct rxe_dev *rxe, struct rxe_mr *mr)
{
	if (mr->index)	/* 0: its slot went to the MR that replaced it */
		xa_erase(&rxe->mr_xa, mr->index);
	rxe_ref_drain(&mr->ref);
}

/*
 * rxe_mr_take_keys() - @mr, just published, replaces @old (a rereg): it
 * moves into @old's slot with @old's keys, in one store, so a lookup finds
 * one or the other, never neither. @old keeps its references and is
 * deregistered by the core next; its unpublish leaves the slot alone.
 */
static void rxe_mr_take_keys(struct rxe_dev *rxe, struct rxe_mr *mr,
			     struct rxe_mr *old)
{
	xa_erase(&rxe->mr_xa, mr->index);
	mr->index = old->index;
	mr->ibmr.lkey = old->ibmr.lkey;
	mr->ibmr.rkey = old->ibmr.rkey;
	mr->lkey = old->lkey;
	mr->rkey = old->rkey;
	xa_store(&rxe->mr_xa, mr->index, mr, GFP_KERNEL);	/* slot exists */
	old->index = 0;
}

/**
 * rxe_mr_alloc() - a zeroed MR of @type on @ibpd, not published.
 * @ibpd: the PD.
 * @access: IB_ACCESS_* flags.
 * @type: what it will map.
 *
 * Return: the MR (kfree() it if never published), or NULL.
 */
struct rxe_mr *rxe_mr_alloc(struct ib_pd *ibpd, int access, enum rxe_mr_type type)
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
 * With IB_ACCESS_ON_DEMAND nothing is pinned: see rxe_odp_mr_reg().
 *
 * Return: the MR, or ERR_PTR: -EINVAL for a zero length or persistent
 * flush access (no persistent memory here), -EFAULT for memory that
 * cannot be pinned with the access asked, -ENOMEM.
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
	if (access & COMPAT_ACCESS_FLUSH_PERSISTENT) {
		/* as the stock driver: only persistent memory may promise it */
		ibdev_dbg(ibdev, "reg_mr: persistent flush needs persistent memory\n");
		return ERR_PTR(-EINVAL);
	}
	if (access & IB_ACCESS_ON_DEMAND)
		return rxe_odp_mr_reg(ibpd, start, length, iova, access);

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
	err = rxe_mr_index_pages(mr);
	if (err)
		goto err_release;

	err = rxe_mr_publish(to_rdev(ibdev), mr);
	if (err)
		goto err_release;
	return &mr->ibmr;

err_release:
	rxe_mr_free_pages(mr);
	ib_umem_release(umem);
err_free:
	kfree(mr);
	return ERR_PTR(err);
}

/**
 * rxe_mr_rereg_user() - rereg_user_mr verb: change a user MR's range,
 * PD or access.
 * @ibmr: the MR.
 * @flags: IB_MR_REREG_TRANS, IB_MR_REREG_PD, IB_MR_REREG_ACCESS.
 * @start: new user address (TRANS).
 * @length: new length (TRANS).
 * @iova: new iova (TRANS).
 * @access: new IB_ACCESS_* flags (ACCESS).
 * @pd: new PD (PD).
 * @udata: unused.
 *
 * Always builds a new MR (new pinning) from the old one's values and the
 * changed ones, which takes over the old one's index and keys: work
 * requests and peers keep using the keys they have (as on hardware, where
 * a rereg changes the MR in place). The core then deregisters the old MR,
 * so accesses in flight to it finish against what it mapped.
 *
 * Return: the new MR, or ERR_PTR as rxe_mr_reg_user(); -EINVAL for an MR
 * that is not a user MR.
 */
struct ib_mr *rxe_mr_rereg_user(struct ib_mr *ibmr, int flags, u64 start, u64 length,
				u64 iova, int access, struct ib_pd *pd,
				struct ib_udata *udata)
{
	struct rxe_mr *mr = to_rmr(ibmr);
	struct ib_mr *new;

	if (!((mr->type == RXE_MR_USER && mr->umem) || mr->type == RXE_MR_ODP)) {
		ibdev_dbg(ibmr->device, "rereg_mr: not a user MR\n");
		return ERR_PTR(-EINVAL);
	}
	if (atomic_read(&mr->num_mw)) {
		ibdev_dbg(ibmr->device, "rereg_mr: memory windows are bound to it\n");
		return ERR_PTR(-EBUSY);
	}
	if (!(flags & IB_MR_REREG_TRANS)) {
		start = mr->umem ? mr->umem->address : mr->odp->start + mr->page_offset;
		length = ibmr->length;
		iova = ibmr->iova;
	}
	if (!(flags & IB_MR_REREG_ACCESS))
		access = mr->access;
	if (!(flags & IB_MR_REREG_PD) || !pd)
		pd = ibmr->pd;
	new = rxe_mr_reg_user(pd, start, length, iova, access, udata);
	if (!IS_ERR(new))
		rxe_mr_take_keys(to_rdev(ibmr->device), to_rmr(new), mr);
	return new;
}

/**
 * rxe_mr_dereg() - dereg_mr verb. Waits for accesses in flight.
 * @ibmr: the MR.
 * @udata: unused.
 *
 * Return: 0, or -EBUSY while memory windows are bound to the MR.
 */
int rxe_mr_dereg(struct ib_mr *ibmr, struct ib_udata *udata)
{
	struct rxe_mr *mr = to_rmr(ibmr);

	if (atomic_read(&mr->num_mw)) {
		ibdev_dbg(ibmr->device, "dereg_mr: memory windows are bound to it\n");
		return -EBUSY;
	}
	rxe_mr_unpublish(to_rdev(ibmr->device), mr);
	if (mr->odp)
		rdma_odp_destroy(mr->odp);
	rxe_mr_free_pages(mr);
	if (mr->umem)
		ib_umem_release(mr->umem);
	kfree_rcu(mr, rcu);
	return 0;
}

/**
 * rxe_mr_alloc_fast() - alloc_mr verb: a fast-reg MR for a kernel ULP.
 * @ibpd: the PD.
 * @type: IB_MR_TYPE_MEM_REG (gaps and integrity MRs are not supported).
 * @max_num_sg: the most pages map_mr_sg may load.
 *
 * Return: the MR, invalid until a REG_MR work request; ERR_PTR(-EINVAL)
 * for another type or a zero or too large @max_num_sg, -ENOMEM.
 */
struct ib_mr *rxe_mr_alloc_fast(struct ib_pd *ibpd, enum ib_mr_type type, u32 max_num_sg)
{
	struct rxe_mr *mr;
	int err = -ENOMEM;

	if (type != IB_MR_TYPE_MEM_REG || !max_num_sg || max_num_sg > RXE_MAX_FAST_REG_PAGES) {
		ibdev_dbg(ibpd->device, "alloc_mr: type %d, %u pages not supported\n",
			  type, max_num_sg);
		return ERR_PTR(-EINVAL);
	}
	mr = rxe_mr_alloc(ibpd, 0, RXE_MR_FAST);
	if (!mr)
		return ERR_PTR(-ENOMEM);
	mr->pages = kvcalloc(max_num_sg, sizeof(*mr->pages), GFP_KERNEL);
	if (!mr->pages)
		goto err_free;
	mr->max_pages = max_num_sg;
	err = rxe_mr_publish(to_rdev(ibpd->device), mr);
	if (err)
		goto err_free;
	return &mr->ibmr;

err_free:
	kvfree(mr->pages);
	kfree(mr);
	return ERR_PTR(err);
}

/* ib_sg_to_pages() callback: one page of the list (a kernel address). */
static int rxe_mr_set_page(struct ib_mr *ibmr, u64 addr)
{
	struct rxe_mr *mr = to_rmr(ibmr);

	if (mr->npages == mr->max_pages)
		return -ENOMEM;
	mr->pages[mr->npages++] = virt_to_page((void *)(uintptr_t)addr);
	return 0;
}

/**
 * rxe_mr_map_sg() - map_mr_sg verb: load a fast-reg MR's page list.
 * @ibmr: the MR (invalid: not registered, or invalidated).
 * @sg: the scatterlist, mapped by ib_dma_map_sg() (kernel addresses).
 * @sg_nents: its entries.
 * @sg_offset: where in the first entry the MR starts.
 *
 * Pages are PAGE_SIZE (ib_map_mr_sg()'s @page_size must be PAGE_SIZE).
 *
 * Return: the number of entries mapped, or -EINVAL.
 */
int rxe_mr_map_sg(struct ib_mr *ibmr, struct scatterlist *sg, int sg_nents,
		  unsigned int *sg_offset)
{
	struct rxe_mr *mr = to_rmr(ibmr);

	if (ibmr->page_size != PAGE_SIZE) {
		ibdev_dbg(ibmr->device, "map_mr_sg: page size %u not supported\n",
			  ibmr->page_size);
		return -EINVAL;
	}
	mr->npages = 0;
	return ib_sg_to_pages(ibmr, sg, sg_nents, sg_offset, rxe_mr_set_page);
}

/**
 * rxe_mr_fast_reg() - execute a REG_MR work request (engine context).
 * @qp: the QP that posted it.
 * @ibmr: the fast-reg MR, its pages loaded by map_mr_sg.
 * @key: the new lkey/rkey (the MR's index with the ULP's key byte).
 * @access: IB_ACCESS_* the registration grants.
 *
 * Return: IB_WC_SUCCESS, or IB_WC_LOC_QP_OP_ERR for an MR that is not
 * a fast-reg MR of this QP's PD, is still valid, or a key of another index.
 */
enum ib_wc_status rxe_mr_fast_reg(struct rxe_qp *qp, struct ib_mr *ibmr, u32 key, int access)
{
	struct rxe_mr *mr = to_rmr(ibmr);

	if (ibmr->device != qp->ibqp.device || mr->type != RXE_MR_FAST ||
	    ibmr->pd != rxe_qp_pd(qp) || READ_ONCE(mr->valid) ||
	    key >> 8 != mr->index) {
		ibdev_dbg(ibmr->device, "REG_MR: MR or key %#x not usable\n", key);
		return IB_WC_LOC_QP_OP_ERR;
	}
	mr->access = access;
	mr->page_offset = ibmr->iova & ~PAGE_MASK;
	WRITE_ONCE(mr->lkey, key);
	WRITE_ONCE(mr->rkey, key);
	smp_wmb();	/* the MR's fields before it is seen valid */
	WRITE_ONCE(mr->valid, true);
	return IB_WC_SUCCESS;
}

/**
 * rxe_mr_invalidate() - invalidate a fast-reg MR by its key (LOCAL_INV,
 * or SEND WITH INVALIDATE received; engine context).
 * @qp: the QP that invalidates.
 * @rkey: the key.
 *
 * Return: 0; -EINVAL when no fast-reg MR of the QP's PD has @rkey.
 */
int rxe_mr_invalidate(struct rxe_qp *qp, u32 rkey)
{
	struct rxe_mr *mr;
	int err = -EINVAL;

	/* an MR already invalid may be invalidated again, as on hardware */
	rcu_read_lock();
	mr = xa_load(&qp_rdev(qp)->mr_xa, rkey >> 8);
	if (mr && mr->type == RXE_MR_FAST && mr->ibmr.pd == rxe_qp_pd(qp) &&
	    READ_ONCE(mr->rkey) == rkey) {
		WRITE_ONCE(mr->valid, false);
		err = 0;
	}
	rcu_read_unlock();
	return err;
}
