// SPDX-License-Identifier: GPL-2.0
/*
 * umem_odp.c - rdma_odp: the generic on-demand-paging core of rxe-odp.
 *
 * A driver-independent module that will keep device translations of user
 * memory in step with the CPU page tables through mmu_interval_notifier
 * and hmm_range_fault(). This is its lifecycle skeleton; the API is
 * declared in <rdma/rdma_odp.h>.
 */
#include <linux/module.h>
#include <rdma/rdma_odp.h>

MODULE_AUTHOR("rxe-odp developers");
MODULE_DESCRIPTION("On-demand paging core for RDMA devices");
MODULE_LICENSE("GPL");
MODULE_VERSION(RDMA_ODP_VERSION);

static int __init rdma_odp_init(void)
{
	return 0;
}

static void __exit rdma_odp_exit(void)
{
}

module_init(rdma_odp_init);
module_exit(rdma_odp_exit);
