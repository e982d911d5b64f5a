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
#include <linux/highmem.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <rdma/ib_umem.h>

#include "rxe.h"

static struct rxe_mr *to_rmr(struct ib_mr *ibmr)
{
	return container_of(ibmr, struct rxe_mr, ibmr);
}

/* Index the pinned pages, so that an iova turns into a page in O(1). */
static int rxe_mr_index_pages(struct rxe_mr *mr)
{
	struct ib_umem *umem = mr->umem;
	struct sg_page_iter iter;
	unsigned long i = 0;

	mr->page_offset = ib_umem_offset(umem);
	mr->npages = DIV_ROUND_UP(mr->page_offset + umem->length, PAGE_SIZE);
	mr->pages = kvcalloc(mr->npages, sizeof(*mr->pages), GFP_KERNEL);
	if (!mr->pages)
		return -ENOMEM;
	for_each_sgtable_page(&umem->sgt_append.sgt, &iter, 0) {
		if (i == mr->npages)
			break;
		mr->pages[i++] = sg_page_iter_page(&iter);
	}
	return i == mr->npages ? 0 : -EFAULT;
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
 * Return: 0.
 */
int rxe_mr_copy(struct rxe_mr *mr, u64 iova, void *buf, u32 len,
		enum rxe_copy_dir dir)
{
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

/* Map the 8 aligned bytes at @iova; unmap with kunmap_local(). */
static u64 *rxe_mr_map_u64(struct rxe_mr *mr, u64 iova)
{
	unsigned int off;
	struct page *page;

	if (mr->type == RXE_MR_DMA)
		return (u64 *)(uintptr_t)iova;
	page = rxe_mr_page(mr, iova, &off);
	return kmap_local_page(page) + off;
}

static void rxe_mr_unmap_u64(struct rxe_mr *mr, u64 *p)
{
	if (mr->type != RXE_MR_DMA)
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
 * Return: 0, or -EINVAL for a misaligned target.
 */
int rxe_mr_atomic(struct rxe_mr *mr, u64 iova, u8 opcode, u64 compare,
		  u64 swap_add, u64 *orig)
{
	u64 *p;

	if (iova & 7)
		return -EINVAL;
	p = rxe_mr_map_u64(mr, iova);
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
 * Return: 0, or -EINVAL for a misaligned target.
 */
int rxe_mr_atomic_write(struct rxe_mr *mr, u64 iova, const void *value)
{
	u64 *p;

	if (iova & 7)
		return -EINVAL;
	p = rxe_mr_map_u64(mr, iova);
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
	err = rxe_mr_index_pages(mr);
	if (err)
		goto err_release;

	err = rxe_mr_publish(to_rdev(ibdev), mr);
	if (err)
		goto err_release;
	return &mr->ibmr;

err_release:
	kvfree(mr->pages);
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
	kvfree(mr->pages);
	if (mr->umem)
		ib_umem_release(mr->umem);
	kfree_rcu(mr, rcu);
	return 0;
}
