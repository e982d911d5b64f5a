// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_odp.c - on-demand-paging MRs: registration over the rdma_odp core,
 * every data access through its fault path, ibv_advise_mr prefetch, and
 * the per-MR counters.
 *
 * An ODP MR pins nothing. Each access (a local SGE, a responder target,
 * a READ response landing) asks the core to make its bytes present and
 * returns with the region locked; the copy or atomic runs, then the lock
 * is dropped. No allocation and no other lock is taken while the region
 * is locked, and faults happen with it unlocked (the core's rule), so an
 * invalidation never waits for anything but a copy in progress.
 *
 * A fault that cannot be satisfied (hole, PROT_NONE, write to read-only
 * memory, process gone) comes back as -EFAULT: the callers turn it into
 * the IBA status of their side (remote access error NAK for a target,
 * local protection error for a local SGE). One that lost to racing
 * invalidations or to a memory shortage comes back as -EAGAIN and is
 * never an error: the responder answers RNR NAK so the peer sends again,
 * the requester pauses as after an RNR NAK, a response that cannot land
 * is dropped and asked for again.
 */
#include <linux/highmem.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <rdma/rdma_odp.h>
#include <rdma/rdma_netlink.h>

#include "rxe.h"

/**
 * rxe_odp_mr_reg() - register an ODP MR (reg_user_mr with
 * IB_ACCESS_ON_DEMAND): nothing is pinned or faulted. @start 0 and
 * @length U64_MAX register the whole address space (implicit ODP): the
 * MR's iova is then the user address itself, and an address with no
 * mapping behind it fails at access time like a hole of an explicit MR.
 * @ibpd: the PD.
 * @start: user address of the memory.
 * @length: its length (checked by the caller).
 * @iova: the address work requests and peers use for @start.
 * @access: IB_ACCESS_* flags.
 *
 * Return: the MR, or ERR_PTR(-EINVAL) for a range outside the address
 * space, -ENOMEM.
 */
struct ib_mr *rxe_odp_mr_reg(struct ib_pd *ibpd, u64 start, u64 length, u64 iova,
			     int access)
{
	unsigned int flags = ib_access_writable(access) ? RDMA_ODP_WRITABLE : 0;
	struct rxe_dev *rxe = to_rdev(ibpd->device);
	struct rdma_odp *odp;
	struct rxe_mr *mr;
	int err;

	/* (0, U64_MAX): implicit ODP, one key for the whole address space */
	if (!start && length == U64_MAX)
		flags |= RDMA_ODP_IMPLICIT;
	mr = rxe_mr_alloc(ibpd, access, RXE_MR_ODP);
	if (!mr)
		return ERR_PTR(-ENOMEM);
	odp = rdma_odp_create(current->mm, start, length, flags, NULL, mr, &rxe->odp_stats);
	if (IS_ERR(odp)) {
		err = PTR_ERR(odp);
		ibdev_dbg(ibpd->device, "reg_mr: ODP range %#llx+%#llx: %d\n", start, length, err);
		goto err_free;
	}
	mr->odp = odp;
	mr->page_offset = offset_in_page(start);
	mr->ibmr.iova = iova;
	mr->ibmr.length = length;
	err = rxe_mr_publish(rxe, mr);
	if (err)
		goto err_destroy;
	return &mr->ibmr;

err_destroy:
	rdma_odp_destroy(odp);
err_free:
	kfree(mr);
	return ERR_PTR(err);
}

/**
 * rxe_odp_fault_err() - what a failed fault of an ODP MR means to the
 * protocol.
 * @mr: the MR.
 * @iova: start of the access.
 * @len: its length.
 * @write: the access writes.
 * @err: the core's error.
 *
 * Return: -EAGAIN when the fault may work later (invalidations kept
 * racing with it, or memory ran short), so the access is retried rather
 * than failed; -EFAULT when the memory is not there or not accessible as
 * asked.
 */
int rxe_odp_fault_err(struct rxe_mr *mr, u64 iova, u32 len, bool write, int err)
{
	ibdev_dbg(mr->ibmr.device, "ODP MR %#x: %s fault at %#llx+%u failed: %d\n",
		  mr->lkey, write ? "write" : "read", iova, len, err);
	return err == -EBUSY || err == -ENOMEM ? -EAGAIN : -EFAULT;
}

/* Fault [iova, iova + len) in and lock the region; see rxe_odp_fault_err(). */
static int rxe_odp_lock(struct rxe_mr *mr, u64 iova, u32 len, bool write)
{
	int err = rdma_odp_map_and_lock(mr->odp, rxe_odp_va(mr, iova), len,
					write ? RDMA_ODP_FAULT_WRITE : 0);

	return err ? rxe_odp_fault_err(mr, iova, len, write, err) : 0;
}

/**
 * rxe_odp_map_u64() - fault in and map the 8 aligned bytes at @iova for
 * an atomic; the region stays locked until rxe_odp_unmap_u64().
 * @mr: the MR; the 8 bytes have passed rxe_mr_check().
 * @iova: the target, 8-byte aligned (so within one page).
 * @p: set to the mapped bytes.
 *
 * Return: 0, -EAGAIN (try again later) or -EFAULT, as rxe_odp_copy().
 */
int rxe_odp_map_u64(struct rxe_mr *mr, u64 iova, u64 **p)
{
	unsigned long va = rxe_odp_va(mr, iova);
	struct page *page;
	int err;

	err = rxe_odp_lock(mr, iova, sizeof(u64), true);
	if (err)
		return err;
	page = rdma_odp_page_locked(mr->odp, va, true);
	*p = kmap_local_page(page) + offset_in_page(va);
	return 0;
}

/**
 * rxe_odp_unmap_u64() - end an access started by rxe_odp_map_u64().
 * @mr: the MR.
 * @p: the mapped bytes.
 */
void rxe_odp_unmap_u64(struct rxe_mr *mr, u64 *p)
{
	kunmap_local(p);
	rdma_odp_unlock(mr->odp);
}

/**
 * rxe_odp_check_present() - fault a range in for reading and release it
 * (FLUSH of an ODP MR: the range must be backed by memory).
 * @mr: the MR; the range has passed rxe_mr_check().
 * @iova: start of the range.
 * @len: its length.
 *
 * Return: 0, -EAGAIN (try again later) or -EFAULT, as rxe_odp_copy().
 */
int rxe_odp_check_present(struct rxe_mr *mr, u64 iova, u64 len)
{
	while (len) {
		u32 n = min_t(u64, len, SZ_1M);
		int err = rxe_odp_lock(mr, iova, n, false);

		if (err)
			return err;
		rdma_odp_unlock(mr->odp);
		iova += n;
		len -= n;
	}
	return 0;
}

/**
 * struct rxe_prefetch - an asynchronous ibv_advise_mr prefetch.
 * @work: runs on rxe_wq.
 * @flags: RDMA_ODP_FAULT_* flags of the advice.
 * @num: entries in @r.
 * @r: the ranges and the MR of each, referenced (deregistration waits).
 */
struct rxe_prefetch {
	struct work_struct work;
	unsigned int flags;
	u32 num;
	struct {
		struct ib_sge sge;
		struct rxe_mr *mr;
	} r[];
};

/*
 * Find the ODP MR of @sge for a prefetch from @ibpd, checked for the
 * advice; referenced. Return: the MR or ERR_PTR(-EINVAL) for an unknown
 * key, an MR of another PD, not ODP or a range outside it, -EPERM for a
 * write prefetch of an MR without local write access.
 */
static struct rxe_mr *rxe_prefetch_mr(struct ib_pd *ibpd, const struct ib_sge *sge,
				      unsigned int flags)
{
	struct rxe_mr *mr = rxe_mr_lookup(to_rdev(ibpd->device), sge->lkey);
	int err = -EINVAL;

	if (!mr) {
		ibdev_dbg(ibpd->device, "advise_mr: no MR with lkey %#x\n", sge->lkey);
		return ERR_PTR(-EINVAL);
	}
	if (mr->type != RXE_MR_ODP || mr->lkey != sge->lkey ||
	    rxe_mr_check(mr, ibpd, 0, sge->addr, sge->length))
		goto err_put;
	err = -EPERM;
	if ((flags & RDMA_ODP_FAULT_WRITE) && !(mr->access & IB_ACCESS_LOCAL_WRITE))
		goto err_put;
	return mr;

err_put:
	ibdev_dbg(ibpd->device, "advise_mr: lkey %#x, %#llx+%u not prefetchable: %d\n",
		  sge->lkey, sge->addr, sge->length, err);
	rxe_mr_put(mr);
	return ERR_PTR(err);
}

static int rxe_prefetch_one(struct rxe_mr *mr, const struct ib_sge *sge, unsigned int flags)
{
	if (!sge->length)
		return 0;
	return rdma_odp_prefetch(mr->odp, rxe_odp_va(mr, sge->addr), sge->length, flags);
}

static void rxe_prefetch_work(struct work_struct *work)
{
	struct rxe_prefetch *pf = container_of(work, struct rxe_prefetch, work);
	u32 i;

	/* errors of an asynchronous prefetch have nobody to go to: the core counts them */
	for (i = 0; i < pf->num; i++) {
		rxe_prefetch_one(pf->r[i].mr, &pf->r[i].sge, pf->flags);
		rxe_mr_put(pf->r[i].mr);
	}
	kfree(pf);
}

/**
 * rxe_odp_advise_mr() - advise_mr verb: prefetch ranges of ODP MRs.
 * @ibpd: the PD the MRs must belong to.
 * @advice: PREFETCH (read), PREFETCH_WRITE, PREFETCH_NO_FAULT (map only
 *	what the CPU has present).
 * @flags: IB_UVERBS_ADVISE_MR_FLAG_FLUSH: prefetch before returning;
 *	otherwise the MRs are checked and the prefetch runs in a work item
 *	that holds them (their deregistration waits for it).
 * @sg_list: the ranges (lkey, address, length).
 * @num_sge: their number.
 * @attrs: unused.
 *
 * Return: 0; -EOPNOTSUPP for another advice; -EINVAL for an unknown key,
 * not an ODP MR of @ibpd, or a range outside it; -EPERM for
 * PREFETCH_WRITE on an MR without local write access; a synchronous
 * prefetch also -EFAULT (no memory there), -ENOMEM.
 */
int rxe_odp_advise_mr(struct ib_pd *ibpd, enum ib_uverbs_advise_mr_advice advice,
		      u32 flags, struct ib_sge *sg_list, u32 num_sge,
		      struct uverbs_attr_bundle *attrs)
{
	struct rxe_prefetch *pf;
	unsigned int pf_flags;
	int err = 0;
	u32 i;

	switch (advice) {
	case IB_UVERBS_ADVISE_MR_ADVICE_PREFETCH:
		pf_flags = 0;
		break;
	case IB_UVERBS_ADVISE_MR_ADVICE_PREFETCH_WRITE:
		pf_flags = RDMA_ODP_FAULT_WRITE;
		break;
	case IB_UVERBS_ADVISE_MR_ADVICE_PREFETCH_NO_FAULT:
		pf_flags = RDMA_ODP_FAULT_SNAPSHOT;
		break;
	default:
		ibdev_dbg(ibpd->device, "advise_mr: advice %d not supported\n", advice);
		return -EOPNOTSUPP;
	}

	if (flags & IB_UVERBS_ADVISE_MR_FLAG_FLUSH) {
		for (i = 0; i < num_sge && !err; i++) {
			struct rxe_mr *mr = rxe_prefetch_mr(ibpd, &sg_list[i], pf_flags);

			if (IS_ERR(mr))
				return PTR_ERR(mr);
			err = rxe_prefetch_one(mr, &sg_list[i], pf_flags);
			rxe_mr_put(mr);
		}
		if (err)
			ibdev_dbg(ibpd->device, "advise_mr: prefetch failed: %d\n", err);
		return err == -ERANGE ? -EINVAL : err;
	}

	pf = kzalloc(struct_size(pf, r, num_sge), GFP_KERNEL);
	if (!pf)
		return -ENOMEM;
	pf->flags = pf_flags;
	for (i = 0; i < num_sge; i++) {
		struct rxe_mr *mr = rxe_prefetch_mr(ibpd, &sg_list[i], pf_flags);

		if (IS_ERR(mr)) {
			while (i--)
				rxe_mr_put(pf->r[i].mr);
			kfree(pf);
			return PTR_ERR(mr);
		}
		pf->r[i].mr = mr;
		pf->r[i].sge = sg_list[i];
	}
	pf->num = num_sge;
	INIT_WORK(&pf->work, rxe_prefetch_work);
	queue_work(rxe_wq, &pf->work);
	return 0;
}

/* Per-MR counters as `rdma statistic show mr` lists them. */
static const struct {
	const char *name;
	enum rdma_odp_stat stat;
	bool implicit_only;
} rxe_odp_mr_stats[] = {
	{ "page_faults", RDMA_ODP_STAT_FAULTS },
	{ "page_fault_pages", RDMA_ODP_STAT_FAULT_PAGES },
	{ "page_fault_errors", RDMA_ODP_STAT_FAULT_ERRORS },
	{ "page_faults_busy", RDMA_ODP_STAT_FAULTS_BUSY },
	{ "page_invalidations", RDMA_ODP_STAT_INVALIDATIONS },
	{ "page_invalidated_pages", RDMA_ODP_STAT_INVALIDATED_PAGES },
	{ "page_prefetch", RDMA_ODP_STAT_PREFETCHES },
	{ "page_prefetch_pages", RDMA_ODP_STAT_PREFETCH_PAGES },
	{ "table_chunks_added", RDMA_ODP_STAT_CHUNKS_ADDED },
	{ "table_chunks_freed", RDMA_ODP_STAT_CHUNKS_FREED },
	{ "implicit_children_added", RDMA_ODP_STAT_IMPLICIT_CHILDREN_ADDED, true },
	{ "implicit_children_freed", RDMA_ODP_STAT_IMPLICIT_CHILDREN_FREED, true },
};

/**
 * rxe_odp_fill_stat_mr() - fill_stat_mr_entry: an ODP MR's counters.
 * @msg: the netlink message.
 * @ibmr: the MR.
 *
 * Return: 0 (nothing for MRs that are not ODP), -EMSGSIZE.
 */
int rxe_odp_fill_stat_mr(struct sk_buff *msg, struct ib_mr *ibmr)
{
	struct rxe_mr *mr = to_rmr(ibmr);
	struct nlattr *table;
	size_t i;

	if (mr->type != RXE_MR_ODP)
		return 0;
	table = nla_nest_start(msg, RDMA_NLDEV_ATTR_STAT_HWCOUNTERS);
	if (!table)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(rxe_odp_mr_stats); i++) {
		if (rxe_odp_mr_stats[i].implicit_only && !(mr->odp->flags & RDMA_ODP_IMPLICIT))
			continue;
		if (rdma_nl_stat_hwcounter_entry(msg, rxe_odp_mr_stats[i].name,
						 rdma_odp_stat(mr->odp, rxe_odp_mr_stats[i].stat))) {
			nla_nest_cancel(msg, table);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(msg, table);
	return 0;
}
