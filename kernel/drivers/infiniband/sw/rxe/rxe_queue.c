// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_queue.c - allocation, user mapping and teardown of shared rings.
 *
 * A ring that user space maps is published through the core's
 * rdma_user_mmap_entry: the offset handed to user space names the entry,
 * and the entry owns the buffer from then on, so a racing mmap() can never
 * see the buffer freed under it (rxe_mmap_free() frees it with the entry).
 */
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "rxe.h"
#include "rxe_queue.h"

/** struct rxe_mmap_entry - a ring's buffer as offered to mmap(). */
struct rxe_mmap_entry {
	struct rdma_user_mmap_entry rdma_entry;
	void *buf;
};

static struct rxe_mmap_entry *to_rxe_mmap(struct rdma_user_mmap_entry *e)
{
	return container_of(e, struct rxe_mmap_entry, rdma_entry);
}

/**
 * rxe_queue_init() - allocate an empty ring.
 * @q: the ring to set up.
 * @num_elem: how many elements it must hold (at least 1).
 * @elem_size: bytes per element (rounded up to a power of two).
 * @role: which index the kernel owns.
 *
 * Return: 0, -EINVAL for a zero or oversized request, or -ENOMEM.
 */
int rxe_queue_init(struct rxe_queue *q, unsigned int num_elem,
		   size_t elem_size, enum rxe_queue_role role)
{
	size_t slots, size;

	if (!num_elem || num_elem > SZ_1M || !elem_size || elem_size > SZ_64K)
		return -EINVAL;

	slots = roundup_pow_of_two((size_t)num_elem + 1);
	elem_size = roundup_pow_of_two(elem_size);
	size = PAGE_ALIGN(struct_size(q->buf, data, slots * elem_size));

	q->buf = vmalloc_user(size);	/* zeroed: both indices start at 0 */
	if (!q->buf)
		return -ENOMEM;

	q->buf_size = size;
	q->mmap = NULL;
	q->role = role;
	q->index_mask = slots - 1;
	q->elem_log2 = ilog2(elem_size);
	q->kindex = 0;
	q->buf->index_mask = q->index_mask;
	q->buf->log2_elem_size = q->elem_log2;
	return 0;
}

/**
 * rxe_queue_expose() - make the ring mappable by the owner of @uctx.
 * @q: a ring from rxe_queue_init() not exposed yet.
 * @uctx: the user context whose file descriptor will be mmap()ed.
 * @mi: filled with the offset and size user space passes to mmap().
 *
 * Return: 0 or -ENOMEM (or the core's error from inserting the entry).
 */
int rxe_queue_expose(struct rxe_queue *q, struct ib_ucontext *uctx,
		     struct mminfo *mi)
{
	struct rxe_mmap_entry *e;
	int err;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->buf = q->buf;

	err = rdma_user_mmap_entry_insert(uctx, &e->rdma_entry, q->buf_size);
	if (err) {
		kfree(e);
		return err;
	}

	q->mmap = &e->rdma_entry;
	mi->offset = rdma_user_mmap_get_offset(q->mmap);
	mi->size = q->buf_size;
	mi->pad = 0;
	return 0;
}

/**
 * rxe_queue_cleanup() - release the ring. A mapped buffer stays valid for
 * user mappings (they hold page references) and is freed with its entry.
 * @q: the ring; may be cleaned up twice.
 */
void rxe_queue_cleanup(struct rxe_queue *q)
{
	if (q->mmap)
		rdma_user_mmap_entry_remove(q->mmap);	/* frees buf via rxe_mmap_free */
	else
		vfree(q->buf);
	q->buf = NULL;
	q->mmap = NULL;
}

/**
 * rxe_mmap() - ib_device_ops.mmap: map a ring into user space.
 * @uctx: the caller's user context.
 * @vma: the mapping; its offset names the ring.
 *
 * Return: 0, -EINVAL for an unknown offset or a wrong size.
 */
int rxe_mmap(struct ib_ucontext *uctx, struct vm_area_struct *vma)
{
	struct rdma_user_mmap_entry *rdma_entry;
	int err;

	rdma_entry = rdma_user_mmap_entry_get(uctx, vma);
	if (!rdma_entry) {
		ibdev_dbg(uctx->device, "mmap: no ring at offset %#lx\n",
			  vma->vm_pgoff << PAGE_SHIFT);
		return -EINVAL;
	}

	if (vma->vm_end - vma->vm_start != rdma_entry->npages << PAGE_SHIFT) {
		err = -EINVAL;
		goto out_put;
	}
	err = remap_vmalloc_range(vma, to_rxe_mmap(rdma_entry)->buf, 0);

out_put:
	rdma_user_mmap_entry_put(rdma_entry);
	return err;
}

/**
 * rxe_mmap_free() - ib_device_ops.mmap_free: the last reference to an
 * entry is gone; free it and the ring buffer it owns.
 * @rdma_entry: the entry.
 */
void rxe_mmap_free(struct rdma_user_mmap_entry *rdma_entry)
{
	struct rxe_mmap_entry *e = to_rxe_mmap(rdma_entry);

	vfree(e->buf);
	kfree(e);
}
