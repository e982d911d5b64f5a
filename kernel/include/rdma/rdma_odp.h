/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rdma_odp.h - API of the rdma_odp on-demand-paging core module.
 *
 * A region (struct rdma_odp) mirrors [start, end) of one process's address
 * space for a device, without pinning: translations are made on demand by
 * rdma_odp_map_and_lock() and cleared by the core's mmu interval notifier
 * before the CPU page tables change. A driver reads translations only with
 * the region locked, so an invalidation (which takes the same lock) waits
 * for accesses in progress and no access outlives the page it touches.
 *
 * Exported symbols carry the rdma_odp_ prefix so that they never clash
 * with the in-tree ib_umem_odp_* of ib_uverbs.
 */
#ifndef RDMA_ODP_H
#define RDMA_ODP_H

#include <linux/atomic.h>
#include <linux/highmem.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>

#define RDMA_ODP_VERSION "rxe-odp-0.2"

/*
 * The translation table is a sparse set of chunks, each one page of
 * 8-byte entries covering one naturally aligned block of
 * RDMA_ODP_CHUNK_PAGES pages: what one page-table page maps (2 MiB with
 * 4 KiB pages), so a PMD-mapped huge page fills exactly one chunk. Chunks
 * exist only where pages were mapped, so an untouched region costs no
 * table.
 */
#define RDMA_ODP_CHUNK_SHIFT	(PAGE_SHIFT - 3)
#define RDMA_ODP_CHUNK_PAGES	(1UL << RDMA_ODP_CHUNK_SHIFT)
/* chunks a region remembers for quick lookup */
#define RDMA_ODP_HINTS		4

/* rdma_odp_create() flags */
#define RDMA_ODP_WRITABLE	BIT(0)	/* translations may allow writes */
#define RDMA_ODP_IMPLICIT	BIT(1)	/* the whole address space: addr, len ignored */

/* rdma_odp_map_and_lock() / rdma_odp_prefetch() flags */
#define RDMA_ODP_FAULT_WRITE	BIT(0)	/* the access writes: map writable */
#define RDMA_ODP_FAULT_SNAPSHOT	BIT(1)	/* prefetch: map what is present, fault nothing */

/**
 * enum rdma_odp_stat - event counters of a region (and of a device).
 * @RDMA_ODP_STAT_FAULTS: page-fault passes (hmm_range_fault() calls that
 *	asked for faults).
 * @RDMA_ODP_STAT_FAULT_PAGES: pages made present by them.
 * @RDMA_ODP_STAT_FAULT_ERRORS: faults that failed (hole, protection, no mm,
 *	no memory).
 * @RDMA_ODP_STAT_FAULTS_BUSY: faults given up for now with -EBUSY because
 *	invalidations of the range kept racing with them; the caller tries
 *	again later (rxe: RNR NAK to the peer, or the requester pauses).
 * @RDMA_ODP_STAT_INVALIDATIONS: invalidations that cleared translations.
 * @RDMA_ODP_STAT_INVALIDATED_PAGES: translations they cleared.
 * @RDMA_ODP_STAT_PREFETCHES: rdma_odp_prefetch() calls.
 * @RDMA_ODP_STAT_PREFETCH_PAGES: pages present after them.
 * @RDMA_ODP_STAT_CHUNKS_ADDED: table chunks (2 MiB of translations each:
 *	the "children" of an implicit region) created by faults.
 * @RDMA_ODP_STAT_CHUNKS_FREED: chunks freed when their last page went.
 * @RDMA_ODP_STAT_IMPLICIT_CHILDREN_ADDED: the subset of CHUNKS_ADDED made
 *	in implicit regions (their children).
 * @RDMA_ODP_STAT_IMPLICIT_CHILDREN_FREED: the subset of CHUNKS_FREED
 *	freed in implicit regions.
 * @RDMA_ODP_STAT_MAX: number of counters.
 */
enum rdma_odp_stat {
	RDMA_ODP_STAT_FAULTS,
	RDMA_ODP_STAT_FAULT_PAGES,
	RDMA_ODP_STAT_FAULT_ERRORS,
	RDMA_ODP_STAT_FAULTS_BUSY,
	RDMA_ODP_STAT_INVALIDATIONS,
	RDMA_ODP_STAT_INVALIDATED_PAGES,
	RDMA_ODP_STAT_PREFETCHES,
	RDMA_ODP_STAT_PREFETCH_PAGES,
	RDMA_ODP_STAT_CHUNKS_ADDED,
	RDMA_ODP_STAT_CHUNKS_FREED,
	RDMA_ODP_STAT_IMPLICIT_CHILDREN_ADDED,
	RDMA_ODP_STAT_IMPLICIT_CHILDREN_FREED,
	RDMA_ODP_STAT_MAX
};

/**
 * struct rdma_odp_stats - a set of counters, bumped without a lock.
 * @v: one per enum rdma_odp_stat.
 */
struct rdma_odp_stats {
	atomic64_t v[RDMA_ODP_STAT_MAX];
};

struct rdma_odp;
struct rdma_odp_chunk;

/**
 * struct rdma_odp_ops - what a driver hears from the core.
 * @invalidate: optional. Called with the region locked after the
 *	translations of [@start, @end) were cleared, before the CPU's pages
 *	change: drop any copy of them (cached translations, TLB of a real
 *	device). Must not sleep when the core tells it the range is not
 *	blockable (it is then called from a context that cannot).
 */
struct rdma_odp_ops {
	void (*invalidate)(struct rdma_odp *odp, unsigned long start,
			   unsigned long end);
};

/**
 * struct rdma_odp - an on-demand-paging region.
 * @notifier: our range in the mm's interval tree; holds the mm (mmgrab).
 * @start: first byte, page aligned.
 * @end: one past the last byte, page aligned.
 * @base: @start rounded down to a chunk boundary (chunk 0 starts there).
 * @flags: RDMA_ODP_WRITABLE, RDMA_ODP_IMPLICIT.
 * @ops: the driver's callbacks (may be NULL).
 * @priv: the driver's pointer.
 * @lock: covers the contents of the chunks in @table, @npages, @nchunks,
 *	@hint. Taken
 *	by the invalidation callback, possibly in reclaim: never allocate
 *	with it held (lockdep knows, see rdma_odp_create()).
 * @table: chunks by (address - @base) >> (PAGE_SHIFT + RDMA_ODP_CHUNK_SHIFT).
 *	Inserted by faults (xarray's own lock), removed under @lock.
 * @npages: translations present.
 * @nchunks: chunks in @table.
 * @hint: the chunks found last (NULL once freed), @hint_idx their indices,
 *	@hint_next the slot to replace next, @hint_last the slot of the one
 *	found last.
 * @stats: this region's counters.
 * @dev_stats: a driver-wide set bumped too (may be NULL).
 */
struct rdma_odp {
	struct mmu_interval_notifier notifier;
	unsigned long start;
	unsigned long end;
	unsigned long base;
	unsigned int flags;
	const struct rdma_odp_ops *ops;
	void *priv;
	struct mutex lock;
	struct xarray table;
	unsigned long npages;
	unsigned long nchunks;
	struct rdma_odp_chunk *hint[RDMA_ODP_HINTS];
	unsigned long hint_idx[RDMA_ODP_HINTS];
	unsigned int hint_next;
	unsigned int hint_last;
	struct rdma_odp_stats stats;
	struct rdma_odp_stats *dev_stats;
};

struct rdma_odp *rdma_odp_create(struct mm_struct *mm, unsigned long addr,
				 unsigned long len, unsigned int flags,
				 const struct rdma_odp_ops *ops, void *priv,
				 struct rdma_odp_stats *dev_stats);
void rdma_odp_destroy(struct rdma_odp *odp);

int rdma_odp_map_and_lock(struct rdma_odp *odp, unsigned long addr,
			  unsigned long len, unsigned int flags);
int rdma_odp_prefetch(struct rdma_odp *odp, unsigned long addr,
		      unsigned long len, unsigned int flags);

struct page *rdma_odp_page_locked(struct rdma_odp *odp, unsigned long addr,
				  bool write);
void rdma_odp_copy_locked(struct rdma_odp *odp, unsigned long addr,
			  void *buf, unsigned long len, bool to_region);
int __rdma_odp_copy(struct rdma_odp *odp, unsigned long addr, void *buf,
		    unsigned long len, bool to_region);
unsigned long rdma_odp_table_bytes(struct rdma_odp *odp);
int rdma_odp_page_state(struct rdma_odp *odp, unsigned long addr);

/**
 * rdma_odp_unlock() - release a region locked by rdma_odp_map_and_lock().
 * @odp: the region.
 */
static inline void rdma_odp_unlock(struct rdma_odp *odp)
{
	mutex_unlock(&odp->lock);
}

/**
 * rdma_odp_stat() - read one counter of a region.
 * @odp: the region.
 * @s: the counter.
 *
 * Return: its value.
 */
static inline u64 rdma_odp_stat(struct rdma_odp *odp, enum rdma_odp_stat s)
{
	return atomic64_read(&odp->stats.v[s]);
}

/*
 * The translation table, for rdma_odp_copy()'s inline case only: a chunk
 * maps RDMA_ODP_CHUNK_PAGES pages; an entry is the struct page pointer with
 * RDMA_ODP_E_WRITE set when mapped writable, or 0. Drivers use the API.
 */
#define RDMA_ODP_E_WRITE		1UL
#define RDMA_ODP_CHUNK_BYTES_SHIFT	(PAGE_SHIFT + RDMA_ODP_CHUNK_SHIFT)

struct rdma_odp_chunk {
	unsigned long e[RDMA_ODP_CHUNK_PAGES];
};

/*
 * Lock @odp on a device's data path. Uncontended, this skips mutex_lock()'s
 * voluntary preemption point: a device's engine gets here in the middle of
 * a run that other work (a loopback peer's packets) wants to find idle;
 * preempted with the run in hand, it would leave that work queued behind
 * it until the scheduler comes back.
 */
static inline void rdma_odp_lock_fast(struct rdma_odp *odp)
{
	if (!mutex_trylock(&odp->lock))
		mutex_lock(&odp->lock);
}

/*
 * The page at @addr if the chunk found last maps it as asked, else NULL
 * (@odp->lock held). An address outside the region never matches: its
 * entries are never set.
 */
static inline struct page *rdma_odp_hinted_page(struct rdma_odp *odp, unsigned long addr,
						bool write)
{
	unsigned int l = odp->hint_last % RDMA_ODP_HINTS;	/* in bounds, no check */
	struct rdma_odp_chunk *c = odp->hint[l];
	unsigned long e;

	if (!c || odp->hint_idx[l] != (addr - odp->base) >> RDMA_ODP_CHUNK_BYTES_SHIFT)
		return NULL;
	e = c->e[(addr >> PAGE_SHIFT) & (RDMA_ODP_CHUNK_PAGES - 1)];
	if (!e || (write && !(e & RDMA_ODP_E_WRITE)))
		return NULL;
	return (struct page *)(e & ~RDMA_ODP_E_WRITE);
}

/**
 * rdma_odp_copy() - copy between a buffer and a range of a region,
 * faulting what is missing.
 * @odp: the region, not locked by the caller.
 * @addr: first byte of the range.
 * @buf: the kernel buffer.
 * @len: bytes to copy.
 * @to_region: copy @buf into the region (pages mapped writable); else
 *	the region into @buf.
 *
 * Inline for a device's data path: a copy within one page, mapped as
 * needed, is done here under the region lock (rdma_odp_lock_fast()), the
 * chunk found last tried first; anything else (several pages, a page to
 * fault) is __rdma_odp_copy(). May sleep;
 * must not be called with @odp->lock or the mmap lock held.
 *
 * Return: as __rdma_odp_copy().
 */
static inline int rdma_odp_copy(struct rdma_odp *odp, unsigned long addr, void *buf,
				unsigned long len, bool to_region)
{
	unsigned int off = offset_in_page(addr);
	struct page *page;

	if (off + len > PAGE_SIZE || len > PAGE_SIZE)
		return __rdma_odp_copy(odp, addr, buf, len, to_region);
	rdma_odp_lock_fast(odp);
	page = rdma_odp_hinted_page(odp, addr, to_region);
	if (unlikely(!page))	/* another chunk: the full lookup, still locked */
		page = rdma_odp_page_locked(odp, addr, to_region);
	if (likely(page)) {
		/* a no-op, but with it the compiler inlines the copy */
		unsigned int n = min_t(unsigned long, len, PAGE_SIZE - off);

		if (to_region)
			memcpy_to_page(page, off, buf, n);
		else
			memcpy_from_page(buf, page, off, n);
	}
	mutex_unlock(&odp->lock);
	return likely(page) ? 0 : __rdma_odp_copy(odp, addr, buf, len, to_region);
}

#endif /* RDMA_ODP_H */
