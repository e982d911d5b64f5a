// SPDX-License-Identifier: GPL-2.0
/*
 * umem_odp.c - rdma_odp: the generic on-demand-paging core of rxe-odp.
 *
 * A region mirrors a range of one process's address space for a device
 * without pinning it. The pieces:
 *
 *   rdma_odp_create()        insert the range into the mm's interval tree
 *   rdma_odp_map_and_lock()  make pages present, return with the region
 *                            locked so that the translations stay valid
 *   rdma_odp_invalidate()    the notifier callback: clear translations
 *                            before the CPU page tables change
 *   rdma_odp_destroy()       clear everything, leave the interval tree
 *
 * Faults follow the mmu interval notifier protocol: read the sequence
 * (mmu_interval_read_begin), fault with hmm_range_fault() without our
 * lock, take the lock, and commit only if no invalidation ran meanwhile
 * (mmu_interval_read_retry), else start over.
 *
 * The table is sparse (see RDMA_ODP_CHUNK_SHIFT): a chunk of one page's
 * worth of entries exists only while one of its pages is mapped, so a
 * huge region costs nothing until it is used and gives its memory back
 * when its pages go. An entry is the struct page pointer with
 * RDMA_ODP_E_WRITE in its low bit, or 0.
 *
 * Locking: odp->lock (a mutex) covers the chunks' contents, the presence
 * of chunks in the table for readers, and npages/nchunks. The invalidate
 * callback takes it, in reclaim too, so nothing allocates with it held
 * except with GFP_NOWAIT: faults allocate their chunk and reserve its
 * slot before locking.
 */
#include <linux/debugfs.h>
#include <linux/hmm.h>
#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <rdma/rdma_odp.h>

MODULE_AUTHOR("rxe-odp developers");
MODULE_DESCRIPTION("On-demand paging core for RDMA devices");
MODULE_LICENSE("GPL");
MODULE_VERSION(RDMA_ODP_VERSION);

/* how often a range may lose its pages to invalidations while we map it */
#define RDMA_ODP_MAX_ROUNDS	64

/*
 * A chunk is a page of its own. How many of its entries are set is kept
 * in that page's private field (lock held), so that clearing a few
 * entries tells whether the chunk is left empty without a scan of the
 * others.
 */
static struct rdma_odp_chunk *rdma_odp_chunk_alloc(void)
{
	struct page *pg;

	BUILD_BUG_ON(sizeof(struct rdma_odp_chunk) != PAGE_SIZE);
	pg = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!pg)
		return NULL;
	set_page_private(pg, 0);
	return page_address(pg);
}

static void rdma_odp_chunk_free(struct rdma_odp_chunk *c)
{
	if (c)
		__free_page(virt_to_page(c));
}

static unsigned long *rdma_odp_chunk_used(struct rdma_odp_chunk *c)
{
	return &virt_to_page(c)->private;
}

/*
 * Fault injection for tests: debugfs rdma_odp/fail_faults_busy holds a
 * number of coming faults that give up with -EBUSY at once, as if
 * invalidations had kept racing with them for all their retries (which
 * real workloads reach only under heavy memory pressure).
 */
static struct dentry *rdma_odp_debugfs;
static atomic_t rdma_odp_fail_busy = ATOMIC_INIT(0);

static bool rdma_odp_inject_busy(void)
{
	return atomic_add_unless(&rdma_odp_fail_busy, -1, 0);
}

/*
 * Chunks are numbered from the region's first 2 MiB boundary, so the
 * table of a region below 128 MiB is a single xarray node deep.
 */
static unsigned long rdma_odp_chunk_index(struct rdma_odp *odp, unsigned long addr)
{
	return (addr - odp->base) >> RDMA_ODP_CHUNK_BYTES_SHIFT;
}

static unsigned long rdma_odp_chunk_start(struct rdma_odp *odp, unsigned long idx)
{
	return odp->base + (idx << RDMA_ODP_CHUNK_BYTES_SHIFT);
}

static unsigned int rdma_odp_slot(unsigned long addr)
{
	return (addr >> PAGE_SHIFT) & (RDMA_ODP_CHUNK_PAGES - 1);
}

/* The end of @addr's chunk, or @end if that comes first. */
static unsigned long rdma_odp_chunk_end(struct rdma_odp *odp, unsigned long addr,
					unsigned long end)
{
	return min(rdma_odp_chunk_start(odp, rdma_odp_chunk_index(odp, addr) + 1), end);
}

/* rdma_odp_chunk() when the chunk is not the one found last. */
static noinline struct rdma_odp_chunk *rdma_odp_chunk_lookup(struct rdma_odp *odp,
							     unsigned long idx)
{
	struct rdma_odp_chunk *c;
	unsigned int i;

	for (i = 0; i < RDMA_ODP_HINTS; i++) {
		if (odp->hint[i] && odp->hint_idx[i] == idx) {
			odp->hint_last = i;
			return odp->hint[i];
		}
	}
	c = xa_load(&odp->table, idx);
	if (c) {
		i = odp->hint_next++ % RDMA_ODP_HINTS;
		odp->hint[i] = c;
		odp->hint_idx[i] = idx;
		odp->hint_last = i;
	}
	return c;
}

/*
 * The chunk of index @idx, or NULL (lock held). The last few chunks found
 * are remembered: accesses mostly come back to the same ones (a transfer
 * walks its source and its target, each in its own chunk), and the one
 * found last is tried first, inline, as it is on every packet's path.
 */
static inline struct rdma_odp_chunk *rdma_odp_chunk(struct rdma_odp *odp, unsigned long idx)
{
	unsigned int l = odp->hint_last % RDMA_ODP_HINTS;	/* in bounds, no check */

	lockdep_assert_held(&odp->lock);
	if (likely(odp->hint_idx[l] == idx && odp->hint[l]))
		return odp->hint[l];
	return rdma_odp_chunk_lookup(odp, idx);
}

/* Forget @c in the hints (it is being freed; lock held). */
static void rdma_odp_unhint(struct rdma_odp *odp, struct rdma_odp_chunk *c)
{
	unsigned int i;

	for (i = 0; i < RDMA_ODP_HINTS; i++)
		if (odp->hint[i] == c)
			odp->hint[i] = NULL;
}

static struct page *rdma_odp_e_page(unsigned long e)
{
	return (struct page *)(e & ~RDMA_ODP_E_WRITE);
}

static void rdma_odp_count(struct rdma_odp *odp, enum rdma_odp_stat s, u64 n)
{
	atomic64_add(n, &odp->stats.v[s]);
	if (odp->dev_stats)
		atomic64_add(n, &odp->dev_stats->v[s]);
}

/* A fault that failed: busy (transient) or an error. */
static void rdma_odp_count_failure(struct rdma_odp *odp, int err)
{
	rdma_odp_count(odp, err == -EBUSY ? RDMA_ODP_STAT_FAULTS_BUSY :
			    RDMA_ODP_STAT_FAULT_ERRORS, 1);
}

static bool rdma_odp_range_ok(struct rdma_odp *odp, unsigned long addr,
			      unsigned long len)
{
	unsigned long last;

	if (!len)
		return addr >= odp->start && addr <= odp->end;
	return !check_add_overflow(addr, len - 1, &last) &&
	       addr >= odp->start && last < odp->end;
}

/*
 * Clear the translations of [start, end) and free chunks left empty.
 * Pages that were mapped writable are marked dirty: the device may have
 * written them. Return: the number of translations cleared.
 */
static unsigned long rdma_odp_clear(struct rdma_odp *odp, unsigned long start,
				    unsigned long end)
{
	struct rdma_odp_chunk *c;
	unsigned long idx, cleared = 0;

	lockdep_assert_held(&odp->lock);
	if (start >= end)
		return 0;
	xa_for_each_range(&odp->table, idx, c, rdma_odp_chunk_index(odp, start),
			  rdma_odp_chunk_index(odp, end - 1)) {
		unsigned long addr = max(start, rdma_odp_chunk_start(odp, idx));
		unsigned long ce = rdma_odp_chunk_end(odp, addr, end);
		unsigned long *e = &c->e[rdma_odp_slot(addr)];
		unsigned long *e_end = e + ((ce - addr) >> PAGE_SHIFT);
		unsigned long *used = rdma_odp_chunk_used(c), here = 0;

		for (; e < e_end && here < *used; e++) {
			if (!*e)
				continue;
			if (*e & RDMA_ODP_E_WRITE)
				folio_mark_dirty(page_folio(rdma_odp_e_page(*e)));
			*e = 0;
			here++;
		}
		*used -= here;
		if (here && !*used) {
			xa_erase(&odp->table, idx);
			rdma_odp_unhint(odp, c);
			rdma_odp_chunk_free(c);
			odp->nchunks--;
			rdma_odp_count(odp, RDMA_ODP_STAT_CHUNKS_FREED, 1);
			if (odp->flags & RDMA_ODP_IMPLICIT)
				rdma_odp_count(odp, RDMA_ODP_STAT_IMPLICIT_CHILDREN_FREED, 1);
		}
		cleared += here;
	}
	odp->npages -= cleared;
	return cleared;
}

/*
 * mmu interval notifier callback: the CPU mapping of part of the range is
 * about to change. Clears our translations there; holding the lock waits
 * for accesses in progress. A caller that cannot sleep gets false when the
 * lock is busy and tries again later, as the notifier API asks.
 */
static bool rdma_odp_invalidate(struct mmu_interval_notifier *mni,
				const struct mmu_notifier_range *range,
				unsigned long cur_seq)
{
	struct rdma_odp *odp = container_of(mni, struct rdma_odp, notifier);
	unsigned long start = max(range->start, odp->start);
	unsigned long end = min(range->end, odp->end);
	unsigned long n;

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&odp->lock);
	else if (!mutex_trylock(&odp->lock))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	n = rdma_odp_clear(odp, start, end);
	if (n) {
		if (odp->ops && odp->ops->invalidate)
			odp->ops->invalidate(odp, start, end);
		rdma_odp_count(odp, RDMA_ODP_STAT_INVALIDATIONS, 1);
		rdma_odp_count(odp, RDMA_ODP_STAT_INVALIDATED_PAGES, n);
	}
	mutex_unlock(&odp->lock);
	return true;
}

static const struct mmu_interval_notifier_ops rdma_odp_mni_ops = {
	.invalidate = rdma_odp_invalidate,
};

/* Set the entry of @addr; return 1 if it was empty. */
static unsigned long rdma_odp_set(struct rdma_odp *odp, struct rdma_odp_chunk *c,
				  unsigned long addr, struct page *page, bool write)
{
	unsigned long *e = &c->e[rdma_odp_slot(addr)];
	unsigned long was = *e;

	*e = (unsigned long)page | (write ? RDMA_ODP_E_WRITE : 0);
	return !was;
}

/*
 * Commit the result of a walk of [range->start, range->end) (one chunk)
 * into chunk @c. A page mapped huge by the CPU is entered whole, as far
 * as it lies in this chunk and region. Return: entries that were empty.
 */
static unsigned long rdma_odp_commit(struct rdma_odp *odp, struct rdma_odp_chunk *c,
				     const struct hmm_range *range)
{
	unsigned long addr = range->start, added = 0;

	lockdep_assert_held(&odp->lock);
	while (addr < range->end) {
		unsigned long pfn = range->hmm_pfns[(addr - range->start) >> PAGE_SHIFT];
		bool write = (pfn & HMM_PFN_WRITE) && (odp->flags & RDMA_ODP_WRITABLE);
		unsigned long hp_start, hp_end, first_pfn, a;
		unsigned int order;

		if (!(pfn & HMM_PFN_VALID) || (pfn & HMM_PFN_ERROR)) {
			addr += PAGE_SIZE;
			continue;
		}
		order = hmm_pfn_to_map_order(pfn);
		if (!order) {
			added += rdma_odp_set(odp, c, addr, hmm_pfn_to_page(pfn), write);
			addr += PAGE_SIZE;
			continue;
		}
		hp_start = ALIGN_DOWN(addr, PAGE_SIZE << order);
		first_pfn = page_to_pfn(hmm_pfn_to_page(pfn)) - ((addr - hp_start) >> PAGE_SHIFT);
		hp_end = hp_start + (PAGE_SIZE << order);
		a = max3(hp_start, odp->start,
			 rdma_odp_chunk_start(odp, rdma_odp_chunk_index(odp, addr)));
		for (; a < min(hp_end, rdma_odp_chunk_end(odp, addr, odp->end)); a += PAGE_SIZE)
			added += rdma_odp_set(odp, c,  a,
					      pfn_to_page(first_pfn + ((a - hp_start) >> PAGE_SHIFT)),
					      write);
		addr = min(hp_end, range->end);
	}
	*rdma_odp_chunk_used(c) += added;
	odp->npages += added;
	return added;
}

/* Put chunk @spare at @idx if the table has none there (lock held). */
static struct rdma_odp_chunk *rdma_odp_get_chunk(struct rdma_odp *odp, unsigned long idx,
						 struct rdma_odp_chunk **spare)
{
	struct rdma_odp_chunk *c = rdma_odp_chunk(odp, idx);

	if (c || !*spare)
		return c;
	/* the slot was reserved: this does not allocate, unless a racing
	 * fault used the reservation and an invalidation freed its chunk */
	if (xa_is_err(xa_store(&odp->table, idx, *spare, GFP_NOWAIT | __GFP_NOWARN)))
		return NULL;
	c = *spare;
	*spare = NULL;
	odp->nchunks++;
	rdma_odp_count(odp, RDMA_ODP_STAT_CHUNKS_ADDED, 1);
	if (odp->flags & RDMA_ODP_IMPLICIT)
		rdma_odp_count(odp, RDMA_ODP_STAT_IMPLICIT_CHILDREN_ADDED, 1);
	return c;
}

/*
 * Fault or snapshot [start, end), which lies in one chunk, and commit the
 * result. @pfns has room for a chunk. Return: 0, -EAGAIN when the chunk
 * was lost to an invalidation (go round again), or hmm_range_fault()'s
 * errors: -EFAULT (no mapping, or no mm any more), -EPERM (write to
 * read-only memory), -EBUSY (invalidations kept racing), -ENOMEM.
 */
static int rdma_odp_fault_chunk(struct rdma_odp *odp, unsigned long start,
				unsigned long end, unsigned int flags, unsigned long *pfns)
{
	struct mm_struct *mm = odp->notifier.mm;
	unsigned long idx = rdma_odp_chunk_index(odp, start);
	unsigned long timeout = jiffies + msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT);
	struct hmm_range range = {
		.notifier = &odp->notifier,
		.start = start,
		.end = end,
		.hmm_pfns = pfns,
	};
	struct rdma_odp_chunk *spare = NULL, *c;
	unsigned long added;
	int err;

	if (!(flags & RDMA_ODP_FAULT_SNAPSHOT)) {
		range.default_flags = HMM_PFN_REQ_FAULT;
		if (flags & RDMA_ODP_FAULT_WRITE)
			range.default_flags |= HMM_PFN_REQ_WRITE;
		if (rdma_odp_inject_busy())
			return -EBUSY;
	}
	if (!xa_load(&odp->table, idx)) {
		spare = rdma_odp_chunk_alloc();
		if (!spare)
			return -ENOMEM;
		err = xa_reserve(&odp->table, idx, GFP_KERNEL);
		if (err)
			goto out_free;
	}
	if (!mmget_not_zero(mm)) {
		err = -EFAULT;
		goto out_release;
	}
	for (;;) {
		range.notifier_seq = mmu_interval_read_begin(&odp->notifier);
		mmap_read_lock(mm);
		err = hmm_range_fault(&range);
		mmap_read_unlock(mm);
		if (err == -EBUSY && time_before(jiffies, timeout))
			continue;
		if (err)
			break;
		mutex_lock(&odp->lock);
		if (!mmu_interval_read_retry(&odp->notifier, range.notifier_seq))
			break;
		mutex_unlock(&odp->lock);
	}
	if (range.default_flags)
		rdma_odp_count(odp, RDMA_ODP_STAT_FAULTS, 1);
	if (!err) {
		c = rdma_odp_get_chunk(odp, idx, &spare);
		if (c) {
			added = rdma_odp_commit(odp, c, &range);
			if (range.default_flags)
				rdma_odp_count(odp, RDMA_ODP_STAT_FAULT_PAGES, added);
		} else {
			err = -EAGAIN;
		}
		mutex_unlock(&odp->lock);
	}
	/*
	 * Not before unlocking: the last user of a dying mm tears it down,
	 * which invalidates this region. Asynchronously, as that teardown
	 * does not belong in a device's context.
	 */
	mmput_async(mm);

out_release:
	if (spare)
		xa_release(&odp->table, idx);
out_free:
	rdma_odp_chunk_free(spare);
	return err;
}

/*
 * Fault or snapshot [start, end) chunk by chunk (see rdma_odp_fault_chunk())
 * through one scratch array of hmm pfns. Return: as rdma_odp_fault_chunk(),
 * or -ENOMEM.
 */
static int rdma_odp_fault_range(struct rdma_odp *odp, unsigned long start,
				unsigned long end, unsigned int flags)
{
	unsigned long *pfns = kmalloc_array(RDMA_ODP_CHUNK_PAGES, sizeof(*pfns), GFP_KERNEL);
	int err = 0;

	if (!pfns)
		return -ENOMEM;
	while (start < end && !err) {
		unsigned long ce = rdma_odp_chunk_end(odp, start, end);

		err = rdma_odp_fault_chunk(odp, start, ce, flags, pfns);
		start = ce;
	}
	kfree(pfns);
	return err;
}

/* The first page of [start, end) not mapped as asked, or @end. */
static unsigned long rdma_odp_first_missing(struct rdma_odp *odp, unsigned long start,
					    unsigned long end, bool write)
{
	struct rdma_odp_chunk *c = NULL;
	unsigned long idx = ULONG_MAX;

	lockdep_assert_held(&odp->lock);
	for (; start < end; start += PAGE_SIZE) {
		unsigned long e;

		if (rdma_odp_chunk_index(odp, start) != idx) {
			idx = rdma_odp_chunk_index(odp, start);
			c = rdma_odp_chunk(odp, idx);
		}
		if (!c)
			return start;
		e = c->e[rdma_odp_slot(start)];
		if (!e || (write && !(e & RDMA_ODP_E_WRITE)))
			return start;
	}
	return end;
}

/**
 * rdma_odp_map_and_lock() - make a range present and lock the region.
 * @odp: the region.
 * @addr: first byte of the range.
 * @len: its length (0 maps nothing and only locks).
 * @flags: RDMA_ODP_FAULT_WRITE to map writable (the region must be
 *	RDMA_ODP_WRITABLE); without it pages are faulted for reading only,
 *	so read-only memory works for reads.
 *
 * Faults what is missing (may sleep, takes the mm's mmap lock) and
 * returns with @odp->lock held and every page of the range translated,
 * so rdma_odp_page_locked() and rdma_odp_copy_locked() work on it until
 * rdma_odp_unlock(). Must not be called with @odp->lock or the mm's
 * mmap lock held.
 *
 * Return: 0 with the region locked; otherwise unlocked and -ERANGE (the
 * range is not inside the region), -EPERM (write to a read-only region
 * or read-only memory), -EFAULT (no memory mapped there, no access, or
 * the process is gone), -EBUSY (invalidations kept racing with the
 * fault), -ENOMEM.
 */
int rdma_odp_map_and_lock(struct rdma_odp *odp, unsigned long addr,
			  unsigned long len, unsigned int flags)
{
	bool write = flags & RDMA_ODP_FAULT_WRITE;
	unsigned long start, end, missing;
	unsigned int round;
	int err = -EBUSY;

	if (!rdma_odp_range_ok(odp, addr, len))
		return -ERANGE;
	if (write && !(odp->flags & RDMA_ODP_WRITABLE))
		return -EPERM;
	start = addr & PAGE_MASK;
	end = len ? PAGE_ALIGN(addr + len) : start;
	flags &= ~RDMA_ODP_FAULT_SNAPSHOT;

	for (round = 0; round < RDMA_ODP_MAX_ROUNDS; round++) {
		rdma_odp_lock_fast(odp);
		missing = rdma_odp_first_missing(odp, start, end, write);
		if (missing == end)
			return 0;
		mutex_unlock(&odp->lock);
		err = rdma_odp_fault_range(odp, missing, end, flags);
		if (err && err != -EAGAIN)
			break;
		err = -EBUSY;
	}
	rdma_odp_count_failure(odp, err);
	return err;
}
EXPORT_SYMBOL_GPL(rdma_odp_map_and_lock);

/**
 * rdma_odp_prefetch() - make a range present ahead of use.
 * @odp: the region.
 * @addr: first byte of the range.
 * @len: its length.
 * @flags: RDMA_ODP_FAULT_WRITE to map writable; RDMA_ODP_FAULT_SNAPSHOT
 *	to fault nothing and translate only the pages the CPU has present.
 *
 * Returns unlocked; the pages may be invalidated again at any time.
 * Must not be called with @odp->lock or the mm's mmap lock held.
 *
 * Return: 0, or as rdma_odp_map_and_lock() (a snapshot does not fail for
 * missing pages).
 */
int rdma_odp_prefetch(struct rdma_odp *odp, unsigned long addr, unsigned long len,
		      unsigned int flags)
{
	unsigned long start, end, a, present = 0;
	unsigned int round;
	int err;

	if (!len || !rdma_odp_range_ok(odp, addr, len))
		return -ERANGE;
	if ((flags & RDMA_ODP_FAULT_WRITE) && !(odp->flags & RDMA_ODP_WRITABLE))
		return -EPERM;
	rdma_odp_count(odp, RDMA_ODP_STAT_PREFETCHES, 1);
	start = addr & PAGE_MASK;
	end = PAGE_ALIGN(addr + len);
	for (round = 0; round < RDMA_ODP_MAX_ROUNDS; round++) {
		err = rdma_odp_fault_range(odp, start, end, flags);
		if (err != -EAGAIN)
			break;
	}
	if (err) {
		if (!(flags & RDMA_ODP_FAULT_SNAPSHOT))
			rdma_odp_count_failure(odp, err);
		return err;
	}
	mutex_lock(&odp->lock);
	for (a = start; a < end; a += PAGE_SIZE)
		present += rdma_odp_page_state(odp, a) != 0;
	mutex_unlock(&odp->lock);
	rdma_odp_count(odp, RDMA_ODP_STAT_PREFETCH_PAGES, present);
	return 0;
}
EXPORT_SYMBOL_GPL(rdma_odp_prefetch);

/**
 * rdma_odp_page_state() - how a page of a locked region is translated.
 * @odp: the region, locked (rdma_odp_map_and_lock() or @odp->lock).
 * @addr: an address in it.
 *
 * Return: 0 not mapped, 1 mapped for reading, 2 mapped writable.
 */
int rdma_odp_page_state(struct rdma_odp *odp, unsigned long addr)
{
	struct rdma_odp_chunk *c;
	unsigned long e;

	c = rdma_odp_chunk(odp, rdma_odp_chunk_index(odp, addr));
	e = c ? c->e[rdma_odp_slot(addr)] : 0;
	return !e ? 0 : (e & RDMA_ODP_E_WRITE) ? 2 : 1;
}
EXPORT_SYMBOL_GPL(rdma_odp_page_state);

/* The page mapped at @addr as asked, or NULL (lock held); inline for the copy path. */
static inline struct page *rdma_odp_page(struct rdma_odp *odp, unsigned long addr, bool write)
{
	struct rdma_odp_chunk *c = rdma_odp_chunk(odp, rdma_odp_chunk_index(odp, addr));
	unsigned long e = c ? c->e[rdma_odp_slot(addr)] : 0;

	if (!e || (write && !(e & RDMA_ODP_E_WRITE)))
		return NULL;
	return rdma_odp_e_page(e);
}

/**
 * rdma_odp_page_locked() - the page behind an address of a locked region.
 * @odp: the region, locked by rdma_odp_map_and_lock().
 * @addr: an address in the range that call mapped.
 * @write: the caller will write to it (the range was mapped writable).
 *
 * The page stays valid until rdma_odp_unlock(); no reference is taken.
 *
 * Return: the page, or NULL if it is not mapped as asked.
 */
struct page *rdma_odp_page_locked(struct rdma_odp *odp, unsigned long addr, bool write)
{
	return rdma_odp_page(odp, addr, write);
}
EXPORT_SYMBOL_GPL(rdma_odp_page_locked);

/*
 * The copy of the data path. The clamp never cuts (callers stay within the
 * page) but bounds @n for the compiler, which can then pick the same inline
 * copy as for memcpy_to_page() on a pinned page instead of calling memcpy().
 */
static __always_inline void rdma_odp_copy_page(struct page *page, unsigned int off,
						void *buf, unsigned long n, bool to_page)
{
	n = min_t(unsigned long, n, PAGE_SIZE - off);
	if (to_page)
		memcpy_to_page(page, off, buf, n);
	else
		memcpy_from_page(buf, page, off, n);
}

/**
 * rdma_odp_copy_locked() - copy between a buffer and a locked range.
 * @odp: the region, locked by rdma_odp_map_and_lock() over the range
 *	(with RDMA_ODP_FAULT_WRITE when @to_region).
 * @addr: first byte of the range.
 * @buf: the kernel buffer.
 * @len: bytes to copy.
 * @to_region: copy @buf into the region; else the region into @buf.
 */
void rdma_odp_copy_locked(struct rdma_odp *odp, unsigned long addr, void *buf,
			  unsigned long len, bool to_region)
{
	while (len) {
		unsigned int off = offset_in_page(addr);
		unsigned long n = min(len, PAGE_SIZE - off);
		struct page *page = rdma_odp_page_locked(odp, addr, to_region);

		if (WARN_ON_ONCE(!page))
			return;		/* the caller did not map the range */
		rdma_odp_copy_page(page, off, buf, n, to_region);
		addr += n;
		buf += n;
		len -= n;
	}
}
EXPORT_SYMBOL_GPL(rdma_odp_copy_locked);

/**
 * __rdma_odp_copy() - rdma_odp_copy() past its inline case.
 * @odp: the region, not locked by the caller.
 * @addr: first byte of the range.
 * @buf: the kernel buffer.
 * @len: bytes to copy.
 * @to_region: copy @buf into the region (pages mapped writable); else
 *	the region into @buf.
 *
 * The same as rdma_odp_map_and_lock(), rdma_odp_copy_locked() and
 * rdma_odp_unlock() in one pass over the table: pages are copied as they
 * are found present; the first missing one is faulted (unlocked) and the
 * copy goes on from there. A page may thus be copied at a different
 * moment than its neighbours, never while it is being invalidated.
 * May sleep; must not be called with @odp->lock or the mmap lock held.
 *
 * Return: 0, or the errors of rdma_odp_map_and_lock() (nothing is copied
 * for -ERANGE and -EPERM on a read-only region; otherwise the bytes
 * before the failing page may have been).
 */
int __rdma_odp_copy(struct rdma_odp *odp, unsigned long addr, void *buf,
		    unsigned long len, bool to_region)
{
	unsigned int round = 0;
	int err;

	if (!rdma_odp_range_ok(odp, addr, len))
		return -ERANGE;
	if (to_region && !(odp->flags & RDMA_ODP_WRITABLE))
		return -EPERM;
	for (;;) {
		struct rdma_odp_chunk *c = NULL;
		unsigned long idx = ULONG_MAX;

		mutex_lock(&odp->lock);
		while (len) {
			unsigned int off = offset_in_page(addr);
			unsigned long n = min(len, PAGE_SIZE - off), e;
			struct page *page;

			if (rdma_odp_chunk_index(odp, addr) != idx) {
				idx = rdma_odp_chunk_index(odp, addr);
				c = rdma_odp_chunk(odp, idx);
			}
			e = c ? c->e[rdma_odp_slot(addr)] : 0;
			if (!e || (to_region && !(e & RDMA_ODP_E_WRITE)))
				break;
			page = rdma_odp_e_page(e);
			rdma_odp_copy_page(page, off, buf, n, to_region);
			addr += n;
			buf += n;
			len -= n;
		}
		mutex_unlock(&odp->lock);
		if (!len) {
			err = 0;
			break;
		}
		err = -EBUSY;
		if (round++ == RDMA_ODP_MAX_ROUNDS)
			break;
		err = rdma_odp_fault_range(odp, addr & PAGE_MASK, PAGE_ALIGN(addr + len),
					   to_region ? RDMA_ODP_FAULT_WRITE : 0);
		if (err && err != -EAGAIN)
			break;
	}
	if (err)
		rdma_odp_count_failure(odp, err);
	return err;
}
EXPORT_SYMBOL_GPL(__rdma_odp_copy);

/**
 * rdma_odp_table_bytes() - memory the region's translation table uses.
 * @odp: the region.
 *
 * Return: bytes of chunks allocated (the xarray's nodes not counted).
 */
unsigned long rdma_odp_table_bytes(struct rdma_odp *odp)
{
	unsigned long n;

	mutex_lock(&odp->lock);
	n = odp->nchunks;
	mutex_unlock(&odp->lock);
	return n * sizeof(struct rdma_odp_chunk);
}
EXPORT_SYMBOL_GPL(rdma_odp_table_bytes);

/**
 * rdma_odp_create() - mirror a range of a process's address space.
 * @mm: the process's mm, with users (normally current->mm).
 * @addr: first byte; the region starts at its page.
 * @len: length in bytes (not 0).
 * @flags: RDMA_ODP_WRITABLE if translations may allow writes;
 *	RDMA_ODP_IMPLICIT for the whole user address space (@addr and @len
 *	are ignored): registering costs the same as any region, and the
 *	table grows and shrinks with what is used (chunks are created by
 *	faults and freed when their last page is invalidated).
 * @ops: the driver's callbacks, or NULL.
 * @priv: the driver's pointer, kept in @odp->priv.
 * @dev_stats: counters the core bumps along with the region's, or NULL.
 *
 * Nothing is faulted or pinned. May sleep (takes the mm's mmap lock the
 * first time a notifier is registered on it).
 *
 * Return: the region, or ERR_PTR(-EINVAL) for an empty range or one
 * beyond the address space, -ENOMEM.
 */
struct rdma_odp *rdma_odp_create(struct mm_struct *mm, unsigned long addr,
				 unsigned long len, unsigned int flags,
				 const struct rdma_odp_ops *ops, void *priv,
				 struct rdma_odp_stats *dev_stats)
{
	unsigned long last, start, end;
	struct rdma_odp *odp;
	int err;

	if (flags & RDMA_ODP_IMPLICIT) {
		addr = 0;
		len = TASK_SIZE_MAX;
	}
	if (!len || check_add_overflow(addr, len - 1, &last) || last >= TASK_SIZE_MAX)
		return ERR_PTR(-EINVAL);
	start = addr & PAGE_MASK;
	end = PAGE_ALIGN(last + 1);

	odp = kzalloc(sizeof(*odp), GFP_KERNEL);
	if (!odp)
		return ERR_PTR(-ENOMEM);
	odp->start = start;
	odp->end = end;
	odp->base = ALIGN_DOWN(start, RDMA_ODP_CHUNK_PAGES << PAGE_SHIFT);
	odp->flags = flags;
	odp->ops = ops;
	odp->priv = priv;
	odp->dev_stats = dev_stats;
	mutex_init(&odp->lock);
	xa_init(&odp->table);

	/* Tell lockdep the lock is taken in reclaim (by invalidations). */
	fs_reclaim_acquire(GFP_KERNEL);
	mutex_lock(&odp->lock);
	mutex_unlock(&odp->lock);
	fs_reclaim_release(GFP_KERNEL);

	err = mmu_interval_notifier_insert(&odp->notifier, mm, start, end - start,
					   &rdma_odp_mni_ops);
	if (err) {
		kfree(odp);
		return ERR_PTR(err);
	}
	return odp;
}
EXPORT_SYMBOL_GPL(rdma_odp_create);

/**
 * rdma_odp_destroy() - stop mirroring and free a region.
 * @odp: the region; no access may be in progress or start (the driver
 *	has made it unreachable).
 *
 * Clears what is mapped (marking written pages dirty) while the notifier
 * still guarantees the pages, then leaves the interval tree, waiting for
 * an invalidation in progress. Works after the process has exited.
 * May sleep; must not be called from an invalidation callback.
 */
void rdma_odp_destroy(struct rdma_odp *odp)
{
	struct rdma_odp_chunk *c;
	unsigned long idx;

	mutex_lock(&odp->lock);
	rdma_odp_clear(odp, odp->start, odp->end);
	mutex_unlock(&odp->lock);
	mmu_interval_notifier_remove(&odp->notifier);
	xa_for_each(&odp->table, idx, c)	/* only chunks never filled */
		rdma_odp_chunk_free(c);
	xa_destroy(&odp->table);
	mutex_destroy(&odp->lock);
	kfree(odp);
}
EXPORT_SYMBOL_GPL(rdma_odp_destroy);

static int __init rdma_odp_init(void)
{
	rdma_odp_debugfs = debugfs_create_dir("rdma_odp", NULL);
	debugfs_create_atomic_t("fail_faults_busy", 0600, rdma_odp_debugfs,
				&rdma_odp_fail_busy);
	return 0;
}

static void __exit rdma_odp_exit(void)
{
	debugfs_remove_recursive(rdma_odp_debugfs);
}

module_init(rdma_odp_init);
module_exit(rdma_odp_exit);
